//! The firmware the line installs: one MCUboot image per line, a deterministic body
//! named after the product, signed once in the HSM by the firmware-signing key.

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

/// Builds the line's firmware image: a deterministic body named after the product,
/// signed in the HSM by the firmware-signing key.
pub(crate) fn build_firmware(
    hsm: &Hsm,
    ctx: &mut Ctx<'_>,
    handle: KeyHandle,
    key: &PublicKey,
    product: u16,
) -> Result<(Vec<u8>, [u8; 32]), LineError> {
    let mut body = format!("provsim firmware for product {product:04x}\n").into_bytes();
    body.resize(1024, 0);
    let options = SignOptions {
        version: FIRMWARE_VERSION,
        security_counter: Some(FIRMWARE_SECURITY_COUNTER),
        ..SignOptions::default()
    };
    let unsigned = image::prepare(ctx.crypto, key, &body, &options)?;
    let digest = *unsigned.digest();
    let signature = hsm.sign_firmware_digest(ctx, handle, &digest)?;
    Ok((unsigned.finish(&signature)?, digest))
}
