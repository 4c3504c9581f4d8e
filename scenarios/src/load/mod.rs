//! Reading and validating a scenario file, one module per TOML section: each holds the
//! section as written (serde, unknown fields refused) and the checks that turn it into
//! the typed configuration. `read` (`load_file`, `parse_str`) puts the sections
//! together in a fixed order; `resize` reads one at another volume (`provsim bench`).

mod attack;
mod canonical;
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
pub mod read;
pub mod resize;
mod returns;
mod scenario;
mod scope;
mod secrets;
mod site;
mod yields;

#[cfg(test)]
mod climb_tests;
#[cfg(test)]
mod scope_tests;
#[cfg(test)]
mod tests;
