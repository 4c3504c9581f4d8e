//! The maker's published releases, as an attacker reads them from the update server:
//! each image's version and security counter from its header, a public format.

use crate::knowledge::{Knowledge, MaterialKind};
use provsim_devices::fault::NoFaults;
use provsim_devices::image;

/// One published image.
pub struct Release {
    pub bytes: Vec<u8>,
    pub version: String,
    pub counter: u32,
}

/// Every published image that parses, oldest (lowest security counter) first.
pub fn releases(knowledge: &Knowledge) -> Vec<Release> {
    let mut releases: Vec<Release> = knowledge
        .of_kind(MaterialKind::PublishedImage)
        .filter_map(|m| {
            let parsed = image::parse(m.bytes(), &mut NoFaults).ok()?;
            Some(Release {
                counter: parsed.security_counter().unwrap_or(0),
                version: parsed.header.version.to_string(),
                bytes: m.bytes().to_vec(),
            })
        })
        .collect();
    releases.sort_by_key(|r| r.counter);
    releases
}

/// The oldest published release, if one is older than the newest.
pub fn superseded(knowledge: &Knowledge) -> Result<Release, String> {
    let mut releases = releases(knowledge);
    let newest = releases
        .last()
        .map(|r| r.counter)
        .ok_or("the maker publishes no release to roll back to")?;
    let oldest = releases.remove(0);
    if oldest.counter == newest {
        return Err(format!(
            "every published release has security counter {newest}: none is older"
        ));
    }
    Ok(oldest)
}
