//! What an attack path can obtain if the world lets it: what decides which claims an
//! attempt can test at all.
//!
//! A claim's oracle is falsified only by some kinds of gain (a symmetric-key oracle by
//! a symmetric key in the attacker's hands, a registrar oracle by a session the
//! registrar admitted). A path that cannot obtain any of them has not tested that claim,
//! however hard it tried; counting it would make a claim "hold" on evidence that could
//! never have broken it. Each attack states its gains; whether it obtains them is for
//! the world and the oracles to say, never for the attack.

/// One kind of thing an attacker can come away with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Gain {
    /// A device's private identity key.
    IdentityKey,
    /// Any of a device's symmetric keys (a path that reads the key store).
    SymmetricKey,
    /// The one symmetric key the device's crypto service computes with when asked (a
    /// side channel recovers that key, not one the attacker picks by name).
    KeyInUse,
    /// A key the line put into a part that did not ship, still in that part.
    ResidualKey,
    /// An image of the attacker's own started by a device's boot ROM.
    ForeignCode,
    /// A genuine but older release started by a device's boot ROM (one the
    /// anti-rollback fuses, or the shipped release, should have kept out).
    OlderRelease,
    /// An identity the customer's CA vouches for, for a key the line never shipped.
    Identity,
    /// A channel-only command a card ran outside the channel its key holder sealed.
    ChannelCommand,
    /// A shipped part's test features open again.
    TestFeatures,
    /// An image signed under the line's firmware key that is no release.
    SignedImage,
    /// A session the customer's registrar admitted.
    RegistrarSession,
}

impl Gain {
    pub fn name(self) -> &'static str {
        match self {
            Gain::IdentityKey => "an identity key",
            Gain::SymmetricKey => "a symmetric key",
            Gain::KeyInUse => "the symmetric key in use",
            Gain::ResidualKey => "a key left in an unshipped part",
            Gain::ForeignCode => "a foreign image started",
            Gain::OlderRelease => "an older release started",
            Gain::Identity => "a vouched-for identity",
            Gain::ChannelCommand => "a channel-only command",
            Gain::TestFeatures => "open test features",
            Gain::SignedImage => "a signed image",
            Gain::RegistrarSession => "a registrar session",
        }
    }
}

/// The gains' names, joined for a sentence ("an identity key or a symmetric key").
pub fn names(gains: &[Gain]) -> String {
    let names: Vec<&str> = gains.iter().map(|g| g.name()).collect();
    match names.split_last() {
        None => "nothing".to_owned(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_as_a_list() {
        assert_eq!(names(&[]), "nothing");
        assert_eq!(names(&[Gain::IdentityKey]), "an identity key");
        assert_eq!(
            names(&[Gain::IdentityKey, Gain::SymmetricKey, Gain::Identity]),
            "an identity key, a symmetric key or a vouched-for identity"
        );
    }
}
