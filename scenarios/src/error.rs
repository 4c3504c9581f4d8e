use std::path::PathBuf;

/// Why a scenario could not be loaded. Every variant names the file; syntax and
/// validation errors also give the 1-based line and column.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario file `{}`: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("`{}` is a directory, not a scenario file", path.display())]
    IsDirectory { path: PathBuf },
    #[error("{file}:{line}:{column}: {message}")]
    At {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: {message}")]
    Whole { file: String, message: String },
}

/// Why a run stopped before it could report.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Line(#[from] provsim_provisioner::LineError),
}
