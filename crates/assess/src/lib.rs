//! Life events, risk of crisis, community resilience, personas and the
//! proactive worklist. Pure: reads [`HouseholdInput`]s, returns values;
//! storage and the command line are thin layers elsewhere.

pub mod card;
pub mod evaluate;
pub mod events;
pub mod features;
pub mod hypothesis;
pub mod input;
pub mod model;
pub mod outcomes;
pub mod personas;
pub mod resilience;
#[cfg(test)]
mod testing;
pub mod worklist;

pub use input::{
    DetectedEvent, Evidence, HouseholdInput, Member, Observation, Resilience, ResilienceBand,
};

/// Why an assessment input could not be used: a library or settings file
/// that does not parse or says something impossible.
#[derive(Debug, thiserror::Error)]
pub enum AssessError {
    #[error("{file}: {message}")]
    Config { file: String, message: String },
    #[error("{0}")]
    Invalid(String),
}
