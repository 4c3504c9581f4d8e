//! The runner: `execute` runs a scenario and returns typed results; `path` tries one
//! attack path on one device and asks the oracles; `targets` picks a path's devices;
//! `what_if` replays the lock sequence for the what-if table.

pub mod execute;
pub mod path;
pub mod targets;
pub mod what_if;
