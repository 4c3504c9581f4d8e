//! Every stream the chips draw from, by the label that keys it.
//!
//! A chip's randomness (its TRNG, its masks, its PUF's cells and noise) is a labelled
//! stream of the run's seed, so any device can be rebuilt from the seed alone. The
//! labels are made here and only here: one constructor per family, each family one
//! template (see [`provsim_sim::label`]), so no two purposes can ever draw the same
//! stream, and the texts (which every output depends on) stay where they can be read
//! at a glance.

use provsim_sim::label::LabelFamily;
use provsim_sim::{Seed, Stream};

static TRNG: LabelFamily = LabelFamily::new("devices::labels::trng", "device/{n}/trng");
static SE_TRNG: LabelFamily = LabelFamily::new("devices::labels::se_trng", "device/{n}/se-trng");
static SE_FIELD_HOST: LabelFamily =
    LabelFamily::new("devices::labels::se_field_host", "device/{n}/se-field-host");
static MASKING: LabelFamily = LabelFamily::new("devices::labels::masking", "device/{n}/masking");
static ON_CHIP_IDENTITY_KEY: LabelFamily = LabelFamily::new(
    "devices::labels::on_chip_identity_key",
    "device/{n}/on-chip-identity-key",
);
static PUF_CELLS: LabelFamily =
    LabelFamily::new("devices::labels::puf_cells", "device/{n}/puf/cells");
static PUF_NOISE: LabelFamily =
    LabelFamily::new("devices::labels::puf_noise", "device/{n}/puf/noise/{n}");
static PUF_SECRET: LabelFamily =
    LabelFamily::new("devices::labels::puf_secret", "device/{n}/puf/secret");
static SE_BATCH_TRANSPORT_KEY: LabelFamily = LabelFamily::new(
    "devices::labels::se_batch_transport_key",
    "se-vendor/batch-transport-key",
);
static FOREIGN_FIRMWARE_KEY: LabelFamily = LabelFamily::new(
    "devices::labels::foreign_firmware_key",
    "probe/foreign-firmware-key",
);
static DIE_KEY: LabelFamily = LabelFamily::new("devices::labels::die_key", "device/{n}/die-key");
static CHIP_MAKER_DIE_CA: LabelFamily =
    LabelFamily::new("devices::labels::chip_maker_die_ca", "chip-maker/die-ca");
static IMAGE_SIGNER: LabelFamily =
    LabelFamily::new("devices::labels::image_signer", "fuzz/image-signer");

/// Every family of this crate, for the workspace's check that no two crates' templates
/// can make the same label.
pub static FAMILIES: &[&LabelFamily] = &[
    &TRNG,
    &SE_TRNG,
    &SE_FIELD_HOST,
    &MASKING,
    &ON_CHIP_IDENTITY_KEY,
    &PUF_CELLS,
    &PUF_NOISE,
    &PUF_SECRET,
    &SE_BATCH_TRANSPORT_KEY,
    &FOREIGN_FIRMWARE_KEY,
    &DIE_KEY,
    &CHIP_MAKER_DIE_CA,
    &IMAGE_SIGNER,
];

/// A microcontroller's (and an ASIC core's) TRNG: transport keys, sealing nonces.
pub fn trng(seed: Seed, index: u64) -> Stream {
    TRNG.open(seed, &[index.into()])
}

/// A secure element's TRNG: channel challenges, transport and generated keys.
pub fn se_trng(seed: Seed, index: u64) -> Stream {
    SE_TRNG.open(seed, &[index.into()])
}

/// The key holder's field host talking to device `index`'s secure element: its channel
/// challenges.
pub fn se_field_host(seed: Seed, index: u64) -> Stream {
    SE_FIELD_HOST.open(seed, &[index.into()])
}

/// The chip's own randomness for masking shares (any kind that masks).
pub fn masking(seed: Seed, index: u64) -> Stream {
    MASKING.open(seed, &[index.into()])
}

/// The chip's randomness for the identity key it makes itself (`GenerateIdentity`). The
/// one place the rule lives: the chip draws from it, oracles re-derive ground truth.
pub fn on_chip_identity_key(seed: Seed, index: u64) -> Stream {
    ON_CHIP_IDENTITY_KEY.open(seed, &[index.into()])
}

/// The preferred values of a die's SRAM PUF cells.
pub fn puf_cells(seed: Seed, index: u64) -> Stream {
    PUF_CELLS.open(seed, &[index.into()])
}

/// The noise of one read of a die's PUF: each power-up reads with its own.
pub fn puf_noise(seed: Seed, index: u64, power_up: u64) -> Stream {
    PUF_NOISE.open(seed, &[index.into(), power_up.into()])
}

/// The secret a die's PUF is enrolled with.
pub fn puf_secret(seed: Seed, index: u64) -> Stream {
    PUF_SECRET.open(seed, &[index.into()])
}

/// The batch transport key the SE vendor keyed its cards with (and hands the customer).
pub fn se_batch_transport_key(seed: Seed) -> Stream {
    SE_BATCH_TRANSPORT_KEY.open(seed, &[])
}

/// The key of the firmware a probe stages to see whether a part boots foreign code.
pub fn foreign_firmware_key(seed: Seed) -> Stream {
    FOREIGN_FIRMWARE_KEY.open(seed, &[])
}

/// The attestation key the chip maker puts into die `index` at wafer test.
pub fn die_key(seed: Seed, index: u64) -> Stream {
    DIE_KEY.open(seed, &[index.into()])
}

/// The chip maker's die CA key, which certifies every die's attestation key.
pub fn chip_maker_die_ca(seed: Seed) -> Stream {
    CHIP_MAKER_DIE_CA.open(seed, &[])
}

/// The key the image fuzz harness signs and verifies with.
pub fn image_signer(seed: Seed) -> Stream {
    IMAGE_SIGNER.open(seed, &[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use provsim_sim::label::{audit, audit_problems, family_conflicts};

    #[test]
    fn every_family_renders_inside_its_own_template() {
        for family in FAMILIES {
            let label = family.render(&[417.into(), 3.into()]);
            assert!(
                family.matches(&label),
                "{} made {label}",
                family.constructor
            );
        }
        assert_eq!(TRNG.render(&[7.into()]), "device/7/trng");
        assert_eq!(
            PUF_NOISE.render(&[7.into(), 2.into()]),
            "device/7/puf/noise/2"
        );
    }

    #[test]
    fn no_two_families_can_make_the_same_label() {
        assert_eq!(family_conflicts(FAMILIES), Vec::<String>::new());
    }

    /// The constructors draw exactly the streams the chips always drew.
    #[test]
    fn constructors_open_the_labels_they_always_opened() {
        let seed = Seed::new(5);
        let pairs: [(Stream, &str); 13] = [
            (trng(seed, 3), "device/3/trng"),
            (se_trng(seed, 3), "device/3/se-trng"),
            (se_field_host(seed, 3), "device/3/se-field-host"),
            (masking(seed, 3), "device/3/masking"),
            (
                on_chip_identity_key(seed, 3),
                "device/3/on-chip-identity-key",
            ),
            (puf_cells(seed, 3), "device/3/puf/cells"),
            (puf_noise(seed, 3, 4), "device/3/puf/noise/4"),
            (puf_secret(seed, 3), "device/3/puf/secret"),
            (
                se_batch_transport_key(seed),
                "se-vendor/batch-transport-key",
            ),
            (foreign_firmware_key(seed), "probe/foreign-firmware-key"),
            (die_key(seed, 3), "device/3/die-key"),
            (chip_maker_die_ca(seed), "chip-maker/die-ca"),
            (image_signer(seed), "fuzz/image-signer"),
        ];
        for (mut stream, label) in pairs {
            assert_eq!(stream.next_u64(), seed.stream(label).next_u64(), "{label}");
        }
    }

    proptest! {
        #[test]
        fn constructors_stay_inside_their_families(seed: u64, index: u64, power_up: u64) {
            let seed = Seed::new(seed);
            let ((), log) = audit(|| {
                let _ = trng(seed, index);
                let _ = se_trng(seed, index);
                let _ = se_field_host(seed, index);
                let _ = masking(seed, index);
                let _ = on_chip_identity_key(seed, index);
                let _ = puf_cells(seed, index);
                let _ = puf_noise(seed, index, power_up);
                let _ = puf_secret(seed, index);
                let _ = se_batch_transport_key(seed);
                let _ = foreign_firmware_key(seed);
                let _ = die_key(seed, index);
                let _ = chip_maker_die_ca(seed);
                let _ = image_signer(seed);
            });
            // Every family was exercised, each once: a set, not a count.
            let used: std::collections::BTreeSet<&str> =
                log.iter().map(|(family, _)| family.constructor).collect();
            let listed: std::collections::BTreeSet<&str> =
                FAMILIES.iter().map(|family| family.constructor).collect();
            prop_assert_eq!(used, listed);
            prop_assert_eq!(log.len(), FAMILIES.len());
            prop_assert_eq!(audit_problems(&log), Vec::<String>::new());
        }
    }
}
