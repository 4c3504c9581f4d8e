//! The runner: `execute` runs a scenario and returns typed results; `path` tries one
//! attack path on one device and asks the oracles; `targets` picks a path's devices;
//! `surfaces` hands a path its own copy of what it acts on and gathers what the oracles
//! observe of it; `what_if` replays the lock sequence for the what-if table.

pub mod execute;
pub mod path;
pub mod surfaces;
pub mod targets;
pub mod what_if;
