//! Why the vault refuses an operation.

/// Why the HSM refused an operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HsmError {
    #[error("no key with handle {0}")]
    NoSuchKey(u32),
    #[error("{presented} share(s) presented do not rebuild the key (threshold {threshold})")]
    QuorumNotMet { presented: usize, threshold: u8 },
    #[error("key {handle} is a {usage} key and its policy forbids {operation}")]
    PolicyForbids {
        handle: u32,
        usage: &'static str,
        operation: &'static str,
    },
    #[error("the vault refuses {operation}: {policy}")]
    Refused {
        operation: &'static str,
        policy: &'static str,
    },
}
