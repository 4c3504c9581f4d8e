//! The firmware the line installs, and the release it superseded: MCUboot images with
//! deterministic bodies named after the product, each signed once in the HSM by the
//! firmware-signing key. Both stay published on the maker's update server, as real
//! release histories do: that is where an attacker gets a genuine older image.

use crate::line::error::LineError;
use crate::vault::hsm::{Hsm, KeyHandle};
use provsim_devices::image::{self, ImageVersion, SignOptions};
use provsim_sim::Ctx;
use provsim_sim::crypto::PublicKey;

/// The version and security counter of the firmware the line installs.
pub const FIRMWARE_VERSION: ImageVersion = ImageVersion {
    major: 1,
    minor: 0,
    revision: 0,
    build: 0,
};
pub const FIRMWARE_SECURITY_COUNTER: u32 = 1;

/// The release before it: genuine, signed by the same key, with security counter 0, and
/// superseded because its debug console answered memory reads (the flaw is described
/// in its body; the models do not run firmware code).
pub const EARLIER_VERSION: ImageVersion = ImageVersion {
    major: 0,
    minor: 9,
    revision: 0,
    build: 0,
};
pub const EARLIER_SECURITY_COUNTER: u32 = 0;

/// Builds the line's firmware image: a deterministic body named after the product,
/// signed in the HSM by the firmware-signing key.
pub(crate) fn build_firmware(
    hsm: &Hsm,
    ctx: &mut Ctx<'_>,
    handle: KeyHandle,
    key: &PublicKey,
    product: u16,
) -> Result<(Vec<u8>, [u8; 32]), LineError> {
    let body = format!("provsim firmware for product {product:04x}\n");
    let release = (FIRMWARE_VERSION, FIRMWARE_SECURITY_COUNTER);
    build_release(hsm, ctx, (handle, key), body, release)
}

/// Builds the release the line's firmware superseded, the same way.
pub(crate) fn build_earlier_firmware(
    hsm: &Hsm,
    ctx: &mut Ctx<'_>,
    handle: KeyHandle,
    key: &PublicKey,
    product: u16,
) -> Result<(Vec<u8>, [u8; 32]), LineError> {
    let body = format!(
        "provsim firmware for product {product:04x}, release 0.9.0: superseded, its debug console answers memory reads\n"
    );
    let release = (EARLIER_VERSION, EARLIER_SECURITY_COUNTER);
    build_release(hsm, ctx, (handle, key), body, release)
}

fn build_release(
    hsm: &Hsm,
    ctx: &mut Ctx<'_>,
    (handle, key): (KeyHandle, &PublicKey),
    body: String,
    (version, counter): (ImageVersion, u32),
) -> Result<(Vec<u8>, [u8; 32]), LineError> {
    let mut body = body.into_bytes();
    body.resize(1024, 0);
    let options = SignOptions {
        version,
        security_counter: Some(counter),
        ..SignOptions::default()
    };
    let unsigned = image::prepare(ctx.crypto, key, &body, &options)?;
    let digest = *unsigned.digest();
    let signature = hsm.sign_firmware_digest(ctx, handle, &digest)?;
    Ok((unsigned.finish(&signature)?, digest))
}
