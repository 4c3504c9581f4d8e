//! The attack copies: what an attack path works on instead of the run. Each path gets
//! its own copy of the part of the world it touches, rebuilt from the seed, so every
//! violation is attributed to exactly one path and the order of attacks never changes a
//! verdict: a device re-created exactly as it shipped, or the site as it was while a
//! device was on the station (`rebuild`), reached only through the interfaces an
//! attacker at the site really has ([`SiteAccess`], in `site_access`). Oracles compare
//! what the copies yield with ground truth, the keys re-derived from the seed
//! (`ground_truth`).
//!
//! The copies are made from the run's site, station and link and know nothing of the
//! line that holds them: the line stands on this room and opens it through its own
//! methods (`Line::rebuild_device`, `Line::site_during`, `Line::identity_key`), and its
//! RMA desk gets a returned part back the same way.

pub(crate) mod board_access;
pub(crate) mod extra_dies;
pub(crate) mod field_access;
pub(crate) mod ground_truth;
pub(crate) mod link_access;
pub(crate) mod rebuild;
pub(crate) mod site_access;

pub use board_access::BoardAccess;
pub use extra_dies::ExtraDie;
pub use field_access::FieldAccess;
pub use link_access::LinkAccess;
pub use site_access::SiteAccess;
