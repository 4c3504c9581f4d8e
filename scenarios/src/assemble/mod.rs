//! Assembling the report: the runner's typed results (`crate::runner`) written down as
//! the result model (`crate::model`), one part of the report a module. Everything a
//! report states is decided before it gets here; this only words it.

pub mod applicability;
pub mod attempts;
pub mod claims;
pub mod costs;
pub mod glitch_map;
pub mod line;
pub mod locks;
pub mod report;
pub mod site;
