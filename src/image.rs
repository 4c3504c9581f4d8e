//! `provsim image sign` and `provsim image verify`: MCUboot images from the command
//! line, through the same code the simulated boot ROM runs.

use anyhow::Context;
use provsim_devices::fault::NoFaults;
use provsim_devices::image::{self, ImageVersion, SignOptions};
use provsim_scenarios::input::{InputKind, read_bounded, read_text};
use provsim_sim::crypto::{Crypto, PublicKey};
use provsim_sim::to_hex;
use std::path::Path;

/// `--security-counter`: a number, or `auto` to derive it from the version as
/// `imgtool` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CounterArg {
    Value(u32),
    Auto,
}

pub fn parse_counter(text: &str) -> Result<CounterArg, String> {
    if text == "auto" {
        return Ok(CounterArg::Auto);
    }
    text.parse::<u32>()
        .map(CounterArg::Value)
        .map_err(|_| format!("`{text}` is not `auto` or an integer from 0 to 4294967295"))
}

pub fn parse_version(text: &str) -> Result<ImageVersion, String> {
    ImageVersion::parse(text).map_err(|e| e.to_string())
}

/// A key file, through the one bounded reader every input goes through.
fn read_key(path: &Path) -> anyhow::Result<String> {
    Ok(read_text(path, InputKind::Key)?)
}

/// An image body, bounded the same way (the size a file reports is not trusted: a pipe
/// or `/dev/zero` reports none and never ends, so those are refused).
fn read_image(path: &Path) -> anyhow::Result<Vec<u8>> {
    Ok(read_bounded(path, InputKind::Image)?)
}

/// Signs `input` into `output`. Errors are bad input (exit 2).
pub fn sign(
    key: &Path,
    version: ImageVersion,
    counter: Option<CounterArg>,
    header_size: u16,
    input: &Path,
    output: &Path,
) -> anyhow::Result<String> {
    let crypto = Crypto::new();
    let pem = read_key(key)?;
    let key = crypto
        .import_secret_pem(&pem)
        .with_context(|| format!("key file `{}`", key.display()))?;
    let body = read_image(input)?;
    let options = SignOptions {
        version,
        security_counter: counter.map(|c| match c {
            CounterArg::Value(n) => n,
            CounterArg::Auto => version.auto_security_counter(),
        }),
        header_size,
        load_addr: 0,
    };
    let signed = image::sign(&crypto, &key, &body, &options)?;
    std::fs::write(output, &signed)
        .with_context(|| format!("cannot write `{}`", output.display()))?;
    Ok(format!(
        "provsim: signed {} ({} bytes): version {}, security counter {}, key hash {}\n",
        output.display(),
        signed.len(),
        version,
        options
            .security_counter
            .map_or("none".to_owned(), |c| c.to_string()),
        to_hex(&image::key_hash(key.public_key()))
    ))
}

/// The public key in `path`: a `PUBLIC KEY` block, or the public half of a private key.
fn public_key(crypto: &Crypto, path: &Path) -> anyhow::Result<PublicKey> {
    let pem = read_key(path)?;
    if let Ok(key) = PublicKey::from_pem(&pem) {
        return Ok(key);
    }
    let secret = crypto.import_secret_pem(&pem).map_err(|_| {
        anyhow::anyhow!(
            "key file `{}` holds no P-256 key: expected PUBLIC KEY, PRIVATE KEY or EC PRIVATE KEY",
            path.display()
        )
    })?;
    Ok(secret.public_key().clone())
}

/// What `image verify` found: `Ok(text)` when the image is valid, `Err(reason)` when it
/// is rejected; input that cannot be read is the outer error (exit 2).
pub fn verify(image_path: &Path, key: &Path) -> anyhow::Result<Result<String, String>> {
    let crypto = Crypto::new();
    let key = public_key(&crypto, key)?;
    let bytes = read_image(image_path)?;
    Ok(match image::verify(&crypto, &bytes, &key, &mut NoFaults) {
        Ok(verified) => Ok(format!(
            "provsim: {}: valid: version {}, security counter {}, image hash {}, signed by key hash {}\n",
            image_path.display(),
            verified.version,
            verified
                .security_counter
                .map_or("none".to_owned(), |c| c.to_string()),
            to_hex(&verified.hash),
            to_hex(&verified.key_hash)
        )),
        Err(reason) => Err(format!(
            "provsim: {}: rejected: {reason}\n",
            image_path.display()
        )),
    })
}
