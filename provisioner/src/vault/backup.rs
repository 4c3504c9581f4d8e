//! The vault's backup: every long-lived key it holds (the customer CA's, the
//! firmware-signing key, its own identity: the offline root's is destroyed after its
//! ceremony), sealed under a wrapping key and kept off site as a file, as
//! an HSM is backed up to a token or a file. The wrapping key is split among the
//! custodians, the same quorum as the offline root, so the file alone is ciphertext and
//! fewer shares than the quorum rebuild nothing: restoring takes the file and a quorum
//! of custodians in one room. A site with the `backup-key-unsplit` weakness keeps the
//! wrapping key whole, with one administrator.
//!
//! [`restore_backup`] is the vendor's restore tool: public software that takes a file
//! and whatever key material is presented, and either opens the file or says why not.

use crate::vault::ceremony::{self, KeyShare, Quorum};
use provsim_sim::Stream;
use provsim_sim::crypto::{Crypto, SecretKey};

/// What the file's encryption is bound to.
const AAD: &[u8] = b"provsim vault backup v1";

/// The backup file and who holds its wrapping key.
#[derive(Clone)]
pub(crate) struct Backup {
    /// `nonce (12) || AES-256-GCM ciphertext and tag` of the keys, 32 bytes each.
    file: Vec<u8>,
    holding: Holding,
    /// The quorum the wrapping key was split for.
    quorum: Quorum,
}

#[derive(Clone)]
enum Holding {
    /// One share per custodian; any `threshold` of them rebuild the wrapping key.
    Split(Vec<KeyShare>),
    /// The whole wrapping key, with the administrator (custodian 1).
    Whole([u8; 32]),
}

/// Why the restore tool could not open a backup.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackupError {
    #[error("nothing was presented to open it with")]
    NothingPresented,
    #[error(
        "{presented} share(s) presented do not rebuild the wrapping key (threshold {threshold})"
    )]
    QuorumNotMet { presented: usize, threshold: u8 },
    #[error("the key presented does not open the file")]
    WrongKey,
    #[error("the file is not a vault backup")]
    NotABackup,
}

impl Backup {
    /// Seals `keys` (secret scalars) into a new backup file; the wrapping key is split
    /// for `quorum`, or kept whole when `split` is off. Draws from `rng`.
    pub(crate) fn make(
        crypto: &Crypto,
        keys: &[[u8; 32]],
        quorum: Quorum,
        split: bool,
        rng: &mut Stream,
    ) -> Backup {
        let wrapping: [u8; 32] = rng.bytes();
        let nonce: [u8; 12] = rng.bytes();
        let plain: Vec<u8> = keys.iter().flatten().copied().collect();
        let mut file = nonce.to_vec();
        file.extend(crypto.aead_seal(&wrapping, &nonce, AAD, &plain));
        let holding = if split {
            Holding::Split(ceremony::split(&wrapping, quorum, rng))
        } else {
            Holding::Whole(wrapping)
        };
        Backup {
            file,
            holding,
            quorum,
        }
    }

    /// The quorum a restore needs (public: the ceremony's audit records state it).
    pub(crate) fn quorum(&self) -> Quorum {
        self.quorum
    }

    /// The file, as it sits in the off-site store.
    pub(crate) fn file(&self) -> &[u8] {
        &self.file
    }

    /// What custodian `custodian`'s safe holds of the wrapping key, if anything.
    pub(crate) fn safe(&self, custodian: u8) -> Option<Vec<u8>> {
        match &self.holding {
            Holding::Split(shares) => shares
                .iter()
                .find(|s| s.custodian == custodian)
                .map(|s| s.bytes().to_vec()),
            Holding::Whole(key) => (custodian == 1).then(|| key.to_vec()),
        }
    }

    /// The custodians' shares' digests, for the audit log (none when unsplit).
    pub(crate) fn share_digests(&self) -> Vec<(u8, [u8; 32])> {
        match &self.holding {
            Holding::Split(shares) => shares.iter().map(|s| (s.custodian, s.digest())).collect(),
            Holding::Whole(_) => Vec::new(),
        }
    }
}

/// The restore tool: opens `file` with what is `presented` (custodians' shares, or a
/// whole wrapping key), for a quorum of `threshold`, and returns the keys it held.
pub fn restore_backup(
    crypto: &Crypto,
    file: &[u8],
    presented: &[Vec<u8>],
    threshold: u8,
) -> Result<Vec<SecretKey>, BackupError> {
    if presented.is_empty() {
        return Err(BackupError::NothingPresented);
    }
    let wrapping: [u8; 32] = match presented {
        [whole] if whole.len() == 32 => whole
            .as_slice()
            .try_into()
            .map_err(|_| BackupError::WrongKey)?,
        _ => {
            // One share a point (its first byte): a share presented twice, or a second
            // share at the same point, would spoil the interpolation.
            let mut shares: Vec<KeyShare> = Vec::new();
            for bytes in presented {
                let point = bytes.first();
                if point.is_some() && !shares.iter().any(|s| s.bytes().first() == point) {
                    let number = u8::try_from(shares.len() + 1).unwrap_or(u8::MAX);
                    shares.push(KeyShare::from_bytes(number, bytes.clone()));
                }
            }
            shares.truncate(usize::from(threshold.max(1)));
            let refs: Vec<&KeyShare> = shares.iter().collect();
            let quorum = Quorum {
                custodians: u8::try_from(shares.len()).unwrap_or(u8::MAX),
                threshold,
            };
            ceremony::combine(&refs, quorum).ok_or(BackupError::QuorumNotMet {
                presented: presented.len(),
                threshold,
            })?
        }
    };
    let (nonce, sealed) = file.split_at_checked(12).ok_or(BackupError::NotABackup)?;
    let nonce: [u8; 12] = nonce.try_into().map_err(|_| BackupError::NotABackup)?;
    let plain = crypto
        .aead_open(&wrapping, &nonce, AAD, sealed)
        .map_err(|_| BackupError::WrongKey)?;
    plain
        .chunks_exact(32)
        .map(|scalar| {
            crypto
                .import_secret(scalar)
                .map_err(|_| BackupError::NotABackup)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use provsim_sim::Seed;

    /// The file opens with a quorum of shares and not with fewer; a whole key opens an
    /// unsplit backup; a wrong key or a cut file open nothing.
    #[test]
    fn a_quorum_opens_the_backup_and_fewer_shares_do_not() {
        let crypto = Crypto::new();
        let mut rng = Seed::new(4).stream("test/backup");
        let keys = [crypto.generate_key(&mut rng), crypto.generate_key(&mut rng)];
        let scalars = keys.each_ref().map(|k| k.expose_secret_bytes());
        let quorum = Quorum::DEFAULT;
        let backup = Backup::make(&crypto, &scalars, quorum, true, &mut rng);
        let safes: Vec<Vec<u8>> = (1..=5).filter_map(|c| backup.safe(c)).collect();
        assert_eq!(safes.len(), 5);
        let opened = restore_backup(&crypto, backup.file(), &safes[1..4], 3).unwrap();
        assert_eq!(opened[1].public_key(), keys[1].public_key());
        // A share presented twice counts once.
        let twice = [
            safes[0].clone(),
            safes[0].clone(),
            safes[1].clone(),
            safes[2].clone(),
        ];
        assert_eq!(
            restore_backup(&crypto, backup.file(), &twice, 3).map(|k| k.len()),
            Ok(2)
        );
        let short = [safes[0].clone(), safes[0].clone(), safes[1].clone()];
        assert!(restore_backup(&crypto, backup.file(), &short, 3).is_err());
        assert_eq!(
            restore_backup(&crypto, backup.file(), &safes[..2], 3).err(),
            Some(BackupError::QuorumNotMet {
                presented: 2,
                threshold: 3
            })
        );
        assert_eq!(
            restore_backup(&crypto, backup.file(), &[], 3).err(),
            Some(BackupError::NothingPresented)
        );
        let whole = Backup::make(&crypto, &scalars, quorum, false, &mut rng);
        let admin = whole.safe(1).unwrap();
        assert_eq!(whole.safe(2), None);
        assert!(whole.share_digests().is_empty());
        assert_eq!(
            restore_backup(&crypto, whole.file(), std::slice::from_ref(&admin), 3)
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            restore_backup(&crypto, backup.file(), &[admin], 3).err(),
            Some(BackupError::WrongKey)
        );
        assert_eq!(
            restore_backup(&crypto, &backup.file()[..5], &safes[..3], 3).err(),
            Some(BackupError::NotABackup)
        );
    }
}
