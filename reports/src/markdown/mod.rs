//! `report.md`: the evaluator's reading copy, one module per section (`document` puts
//! them in order). The sections only lay out what the model states.

mod attempts;
mod claims;
mod costs;
mod devices;
mod document;
mod glitch_map;
mod header;
mod link;
mod locks;
mod site;
mod text;

pub use document::render_markdown;
