//! Reading and validating a scenario file, one module per TOML section: each holds the
//! section as written (serde, unknown fields refused) and the checks that turn it into
//! the typed configuration. `read` puts the sections together in a fixed order.

mod attack;
mod claim;
mod cost;
mod countermeasures;
mod file;
mod line;
mod link;
mod locator;
mod lock;
mod lot;
mod mcu;
mod order;
mod read;
mod returns;
mod scenario;
mod secrets;
mod site;
mod yields;

pub use read::{load_file, parse_str};

#[cfg(test)]
mod tests;
