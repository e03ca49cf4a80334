//! The seam between the web pages and storage.
//!
//! Handlers never see the database. They ask a [`DataSource`] for small, plain
//! view models and turn those into pages. `upstream_store::Store` is one data
//! source (see `store.rs`); tests and the preview example use fakes.

use chrono::NaiveDate;
use std::future::Future;
use std::pin::Pin;
use upstream_core::{Month, SourceSystem};

// Plain rows from storage, used as they are by the search and household pages.
pub use upstream_store::{
    CandidateQuery, CaseRow, ContactRow, Flag, HouseholdDetail, MemberRecord, PersonCandidate,
    PersonHousehold, ResidenceRow, SavedAssessment, SavedEvent,
};

/// A boxed future, so that [`DataSource`] can be used as `Arc<dyn DataSource>`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Everything the web pages read from storage.
pub trait DataSource: Send + Sync + 'static {
    /// Which database answers: `"sqlite"` or `"postgres"`.
    fn database(&self) -> &'static str;

    /// Whether the database answers, and how far its schema has been migrated.
    fn health(&self) -> BoxFuture<'_, Result<Health, DataError>>;

    /// The town loaded and the extract files registered, for the start page.
    fn overview(&self) -> BoxFuture<'_, Result<Overview, DataError>>;

    /// The council whose data is loaded, for every page's header.
    fn council_name(&self) -> BoxFuture<'_, Result<Option<String>, DataError>> {
        Box::pin(async move { Ok(self.overview().await?.town.map(|t| t.council_name)) })
    }

    /// Linked source records that may match a person search (the search
    /// page ranks them). None by default.
    fn person_candidates<'a>(
        &'a self,
        query: &'a CandidateQuery,
    ) -> BoxFuture<'a, Result<Vec<PersonCandidate>, DataError>> {
        let _ = query;
        Box::pin(async { Ok(Vec::new()) })
    }

    /// The households these people belong to, current ones first. None by default.
    fn households_of<'a>(
        &'a self,
        people: &'a [i64],
    ) -> BoxFuture<'a, Result<Vec<PersonHousehold>, DataError>> {
        let _ = people;
        Box::pin(async { Ok(Vec::new()) })
    }

    /// The household a merged one is now part of (one family that an
    /// earlier run saw twice), if it was merged. None by default.
    fn household_merged_into(&self, id: i64) -> BoxFuture<'_, Result<Option<i64>, DataError>> {
        let _ = id;
        Box::pin(async { Ok(None) })
    }

    /// Everything the household page shows, flags as active on `today`;
    /// `None` for no such household (the default).
    fn household(
        &self,
        id: i64,
        today: NaiveDate,
    ) -> BoxFuture<'_, Result<Option<HouseholdDetail>, DataError>> {
        let _ = (id, today);
        Box::pin(async { Ok(None) })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// Migrations applied to the database.
    pub migrations: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Overview {
    /// The synthetic town most recently loaded, if any.
    pub town: Option<TownSummary>,
    /// One entry per source system with registered extract files, in display order.
    pub sources: Vec<SourceSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TownSummary {
    pub council_name: String,
    pub profile: String,
    pub households: i64,
    pub months: i64,
    pub start_month: Month,
    pub seed: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSummary {
    pub source: SourceSystem,
    pub files: i64,
    pub rows: i64,
    pub first_period: Month,
    pub last_period: Month,
}

/// Storage failed. The message is for logs, never for pages: it may name hosts or paths.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DataError(pub String);
