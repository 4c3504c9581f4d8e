//! A signer, a device and its certificate for the manifest's unit tests, and whole
//! manifests made from them as the line makes them.

use crate::books::manifest::closing::{ManifestChain, ManifestClosing};
use crate::books::manifest::entry::ManifestFields;
use provsim_devices::DeviceId;
use provsim_sim::crypto::{Crypto, SecretKey, Signature};
use provsim_sim::{Digest, Seed};

/// The run the fixture's closing records name.
pub(crate) const RUN: Digest = Digest([0x5a; 32]);

pub(crate) struct Fixture {
    pub crypto: Crypto,
    pub signer: SecretKey,
    pub signer_der: Vec<u8>,
    pub device_key: SecretKey,
    pub device_cert: Vec<u8>,
    pub ca_cert: Vec<u8>,
}

/// The order of the P-256 group, big-endian.
const ORDER: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// `(r, n - s)` for `(r, s)`: the other, equally valid, form of an ECDSA signature.
pub(crate) fn malleate(signature: &Signature) -> Signature {
    let mut fixed = signature.to_fixed().unwrap();
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let d = i16::from(ORDER[i]) - i16::from(fixed[32 + i]) - borrow;
        borrow = i16::from(d < 0);
        fixed[32 + i] = (d + 256 * borrow) as u8;
    }
    Signature::from_fixed(&fixed).unwrap()
}

impl Fixture {
    pub fn new() -> Fixture {
        let crypto = Crypto::new();
        let mut stream = Seed::new(8).stream("test/manifest");
        let signer = crypto.generate_key(&mut stream);
        let device_key = crypto.generate_key(&mut stream);
        let site = crate::pki::testing::establish(&crypto, Seed::new(8), crate::Custody::SharedVm)
            .unwrap();
        let device_cert = site
            .pki
            .customer()
            .certify_with_key(
                &site.customer_ca_key,
                &crypto,
                "Customer",
                DeviceId(7),
                device_key.public_key(),
                &mut stream,
            )
            .unwrap()
            .der;
        let ca_cert = site.pki.customer().certificate().der.clone();
        Fixture {
            crypto,
            signer,
            signer_der: b"signer certificate".to_vec(),
            device_key,
            device_cert,
            ca_cert,
        }
    }

    /// Entry `number`'s fields, for device `0x5053000100000000 + number`.
    pub fn fields(&self, number: u64) -> ManifestFields<'_> {
        ManifestFields {
            device: DeviceId(0x5053_0001_0000_0000 + number),
            number,
            model: "mcu",
            part_number: "5053".to_owned(),
            manufacturer: "Acme",
            provisioner: "House",
            shipped_at_ns: 5_000_000_000 * number,
            identity: self.device_key.public_key(),
            chain: [&self.device_cert, &self.ca_cert],
        }
    }

    /// Signs `fields` into an entry line, with the plain (not normalised) signature.
    pub fn sign(&self, fields: &ManifestFields<'_>) -> (String, Signature) {
        let input = fields.signing_input(self.signer.public_key(), &self.signer_der);
        let signature = self.crypto.sign(&self.signer, input.as_bytes());
        let line = fields
            .entry(self.signer.public_key(), &self.signer_der, &signature)
            .unwrap();
        (line, signature)
    }

    /// A whole manifest of `entries` entries and its closing record, as the line writes
    /// it: one string a line.
    pub fn manifest(&self, entries: u64) -> Vec<String> {
        let mut chain = ManifestChain::new();
        let mut lines = Vec::new();
        for number in 1..=entries {
            let fields = self.fields(number);
            lines.push(self.sign(&fields).0);
            chain.push(
                &self.crypto,
                &fields.signing_input(self.signer.public_key(), &self.signer_der),
            );
        }
        lines.push(self.closing(chain));
        lines
    }

    /// The closing record for `chain`.
    pub fn closing(&self, chain: ManifestChain) -> String {
        let closing = ManifestClosing {
            chain,
            run: RUN,
            closed_at_ns: 99_000_000_000,
        };
        let input = closing.signing_input(self.signer.public_key(), &self.signer_der);
        closing
            .record(
                self.signer.public_key(),
                &self.signer_der,
                &self.crypto.sign(&self.signer, input.as_bytes()),
            )
            .unwrap()
    }
}
