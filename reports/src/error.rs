/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("serializing the report: {0}")]
    Json(#[from] serde_json::Error),
}
