//! The real data source: `upstream_store::Store`. The whole seam is this file.

use crate::data::{BoxFuture, DataError, DataSource, Health, Overview, SourceSummary, TownSummary};
use upstream_store::{Store, StoreError};

impl DataSource for Store {
    fn database(&self) -> &'static str {
        self.backend().as_str()
    }

    fn health(&self) -> BoxFuture<'_, Result<Health, DataError>> {
        Box::pin(async move {
            let info = Store::health(self).await?;
            Ok(Health {
                migrations: info.migrations,
            })
        })
    }

    fn overview(&self) -> BoxFuture<'_, Result<Overview, DataError>> {
        Box::pin(async move {
            let overview = Store::overview(self).await?;
            Ok(Overview {
                town: overview.town.map(|t| TownSummary {
                    council_name: t.council_name,
                    profile: t.profile,
                    households: t.households,
                    months: t.months,
                    start_month: t.start_month,
                    seed: t.seed,
                }),
                sources: overview
                    .sources
                    .into_iter()
                    .map(|s| SourceSummary {
                        source: s.source,
                        files: s.files,
                        rows: s.rows,
                        first_period: s.first_period,
                        last_period: s.last_period,
                    })
                    .collect(),
            })
        })
    }
}

impl From<StoreError> for DataError {
    fn from(e: StoreError) -> DataError {
        DataError(e.to_string())
    }
}
