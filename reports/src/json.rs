use crate::error::ReportError;
use provsim_scenarios::RunReport;

/// `report.json`: the result tree, pretty-printed with a trailing newline. Field order
/// is the model's declaration order, so the bytes depend on the run alone.
pub fn render_json(report: &RunReport) -> Result<String, ReportError> {
    let mut text = serde_json::to_string_pretty(report)?;
    text.push('\n');
    Ok(text)
}
