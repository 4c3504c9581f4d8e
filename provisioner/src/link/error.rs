//! Why an end refused a datagram.

/// Why a datagram was refused. The endpoint's state is unchanged by a refusal.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    #[error("malformed message")]
    Malformed,
    #[error("unexpected {0} message in this state")]
    Unexpected(&'static str),
    #[error("the peer's certificate does not verify under the trust anchor")]
    Certificate,
    #[error("the handshake signature does not verify")]
    Signature,
    #[error("the record does not authenticate")]
    Record,
    #[error("record {0} was already received or is too old")]
    Replayed(u64),
    #[error("the link is not established")]
    NotEstablished,
    #[error("hello {0} is older than one the vault already answered")]
    StaleHello(u64),
}
