//! The council's monthly run and each of its steps: register a simulated
//! town's extract files, ingest what is new, place addresses and link
//! records into people and households, assess every household, and make
//! each team's weekly list. The `upstream` command and the web server both
//! call these; neither holds the logic itself.
//!
//! `run::monthly` chains the steps as one job an operator can schedule: it
//! takes a lock in storage, records each run and step, and decides each step
//! from what storage already holds, so a run killed at any point and started
//! again finishes with the state an uninterrupted run would have left.

pub mod assessing;
pub mod campaign_outcomes;
pub mod campaigns;
pub mod ingest;
pub mod letter_batch;
pub mod linking;
pub mod placing;
pub mod register;
pub mod run;
pub mod sending;
pub mod town;

use std::path::PathBuf;

/// What can stop a step.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Something the operator can put right (nothing ingested yet, no such
    /// team, a settings file with a mistake); the message says what to do.
    #[error("{0}")]
    Refused(String),
    /// Another run holds the lock, or a stale lock needs a person's decision.
    #[error("{0}")]
    Busy(String),
    #[error(transparent)]
    Store(#[from] upstream_store::StoreError),
    #[error(transparent)]
    Link(#[from] upstream_link::LinkError),
    #[error(transparent)]
    LinkConfig(#[from] upstream_link::ConfigError),
    #[error(transparent)]
    Assess(#[from] upstream_assess::AssessError),
    #[error(transparent)]
    Declaration(#[from] upstream_ingest::DeclarationError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("loading {path}: {source}")]
    Loading {
        path: PathBuf,
        source: upstream_store::StoreError,
    },
    /// Laying out or writing letters (an address that will not fit the
    /// envelope window is a refusal).
    #[error(transparent)]
    Letters(#[from] upstream_letters::Error),
    #[error("could not write JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Stored data that cannot be read back as it was written.
    #[error("stored data is damaged: {0}")]
    Damaged(String),
    /// The thread sending messages stopped (a panic): what was claimed
    /// stays `sending` and is settled by the next pass.
    #[error("{0}")]
    Sending(String),
}

impl Error {
    /// Whether the operator can put it right (a scheduler should not retry).
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Error::Refused(_)
                | Error::Declaration(_)
                | Error::LinkConfig(_)
                | Error::Letters(upstream_letters::Error::Refused(_))
        ) || matches!(
            self,
            Error::Link(
                upstream_link::LinkError::Input { .. }
                    | upstream_link::LinkError::Unusable(_)
                    | upstream_link::LinkError::Config(_)
            )
        )
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Stop with [`Error::Refused`].
#[macro_export]
macro_rules! refuse {
    ($($arg:tt)*) => {
        return Err($crate::Error::Refused(format!($($arg)*)))
    };
}

/// Where a step reports how it is getting on: the CLI draws progress bars,
/// the server writes log lines; the steps know neither.
pub trait Progress: Sync {
    /// A stage of a step has begun ("Placing addresses on the gazetteer").
    fn stage(&self, _message: &str) {}
    /// One of `total` files is being read.
    fn file(&self, _done: usize, _total: usize, _name: &str) {}
    /// Something the operator should read (a file skipped or refused).
    fn note(&self, _message: &str) {}
    /// The step is over: clear any bar.
    fn finish(&self) {}
}

/// Reports nothing.
pub struct Quiet;

impl Progress for Quiet {}

/// Writes each stage and note to the log (the server, a scheduled run).
pub struct Logged;

impl Progress for Logged {
    fn stage(&self, message: &str) {
        tracing::info!("{message}");
    }
    fn note(&self, message: &str) {
        tracing::warn!("{message}");
    }
}
