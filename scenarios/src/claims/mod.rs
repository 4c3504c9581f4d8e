//! Claims: what one is (`claim`), the ones provsim states (`library`), and how each is
//! judged over a run's attempts (`judge`, from what each attempt did to it: `trial`). The oracles that decide them are in
//! `crate::oracles`.

pub mod claim;
pub mod judge;
pub mod library;
pub mod requirements;
pub mod trial;
