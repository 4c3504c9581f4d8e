//! The oracle library. Each oracle is one module holding its statement and its check
//! together; `oracle` defines what an oracle is and sees, `truth` the ledger it looks
//! shipped devices up in, and `library` lists them all.

pub mod anti_rollback;
pub mod books_balance;
pub mod books_detection;
pub mod counterfeit_identity;
pub mod firmware_key;
pub mod identity_key;
pub mod library;
pub mod oracle;
pub mod retired_identity;
pub mod scope;
pub mod scrapped_part;
pub mod secure_channel;
pub mod signed_firmware;
pub mod symmetric_key;
pub mod test_features;
pub mod truth;
pub mod unique_identity;
