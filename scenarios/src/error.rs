/// Why a scenario could not be loaded. Every variant names the file; syntax and
/// validation errors also give the 1-based line and column.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// Not readable as a file, not a regular file, or too large to be a scenario.
    #[error(transparent)]
    Input(#[from] crate::input::InputError),
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
    #[error("reading the run's ledger: {0}")]
    Ledger(#[from] std::io::Error),
    /// The loader refuses a cap that leaves no rung; this is its last line.
    #[error("the scenario leaves {attack} no rung of its ladder to climb")]
    NoRung { attack: &'static str },
}
