//! Storage for the council's gazetteer (its LPIs as the latest export holds
//! them) and for where each address of the records was placed on it.

use crate::{Pool, Store, StoreError};
use sqlx::Row;

/// One LPI to store: the fields storage searches on, and the whole LPI as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLpi {
    pub lpi_key: String,
    pub uprn: String,
    pub postcode: Option<String>,
    pub logical_status: i64,
    pub lpi: String,
}

/// Where one distinct address was placed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SavedPlacement {
    pub address: String,
    pub postcode: String,
    pub given_uprn: String,
    pub uprn: Option<String>,
    /// given_uprn | exact | fuzzy | unplaced
    pub method: String,
    pub score: Option<f64>,
    pub reason: Option<String>,
    pub candidates: Option<String>,
    pub sources: String,
    pub records: i64,
}

/// Per source, how many record versions were placed each way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementCount {
    pub source: String,
    pub method: String,
    pub records: i64,
}

impl Store {
    /// Every distinct address the records hold (standardised text, postcode,
    /// given UPRN; blank for none) with how many record versions of each
    /// source hold it.
    pub async fn distinct_addresses(
        &self,
    ) -> Result<Vec<(String, String, String, String, i64)>, StoreError> {
        const SQL: &str = "SELECT COALESCE(address, '') AS a, COALESCE(postcode, '') AS p, COALESCE(uprn, '') AS u, source, COUNT(*) AS n
             FROM source_records WHERE address IS NOT NULL OR uprn IS NOT NULL
             GROUP BY COALESCE(address, ''), COALESCE(postcode, ''), COALESCE(uprn, ''), source
             ORDER BY 1, 2, 3, 4";
        Ok(on_pool!(self, p => {
            let rows = sqlx::query(SQL).fetch_all(p).await?;
            rows.into_iter()
                .map(|r| -> Result<_, sqlx::Error> {
                    Ok((r.try_get("a")?, r.try_get("p")?, r.try_get("u")?, r.try_get("source")?, r.try_get("n")?))
                })
                .collect::<Result<Vec<_>, _>>()?
        }))
    }

    /// The surviving household a merged one became part of, following
    /// merges of merges.
    pub async fn household_merged_into(&self, id: i64) -> Result<Option<i64>, StoreError> {
        const SQL: &str = "SELECT into_id FROM household_merges WHERE from_id = $1";
        let mut at = id;
        let mut seen = std::collections::HashSet::from([id]);
        loop {
            let next: Option<i64> =
                on_pool!(self, p => sqlx::query_scalar(SQL).bind(at).fetch_optional(p).await?);
            match next {
                Some(n) if seen.insert(n) => at = n,
                _ => break,
            }
        }
        Ok((at != id).then_some(at))
    }

    /// Every LPI of the gazetteer as JSON, in key order.
    pub async fn gazetteer_lpis(&self) -> Result<Vec<String>, StoreError> {
        const SQL: &str = "SELECT lpi FROM gazetteer_lpis ORDER BY lpi_key";
        Ok(on_pool!(self, p => sqlx::query_scalar(SQL).fetch_all(p).await?))
    }

    /// How many LPIs and distinct UPRNs the gazetteer holds.
    pub async fn gazetteer_size(&self) -> Result<(i64, i64), StoreError> {
        const SQL: &str =
            "SELECT COUNT(*) AS lpis, COUNT(DISTINCT uprn) AS uprns FROM gazetteer_lpis";
        Ok(on_pool!(self, p => {
            let r = sqlx::query(SQL).fetch_one(p).await?;
            (r.try_get::<i64, _>("lpis")?, r.try_get::<i64, _>("uprns")?)
        }))
    }

    /// The last run's placements, unplaced first when `unplaced_only`.
    pub async fn address_placements(
        &self,
        unplaced_only: bool,
    ) -> Result<Vec<SavedPlacement>, StoreError> {
        const SQL: &str = "SELECT address, postcode, given_uprn, uprn, method, score, reason, candidates, sources, records
             FROM address_placements WHERE ($1 = 0 OR method = 'unplaced')
             ORDER BY records DESC, address, postcode, given_uprn";
        let only: i64 = i64::from(unplaced_only);
        Ok(on_pool!(self, p => {
            let rows = sqlx::query(SQL).bind(only).fetch_all(p).await?;
            rows.into_iter()
                .map(|r| -> Result<SavedPlacement, sqlx::Error> {
                    Ok(SavedPlacement {
                        address: r.try_get("address")?,
                        postcode: r.try_get("postcode")?,
                        given_uprn: r.try_get("given_uprn")?,
                        uprn: r.try_get("uprn")?,
                        method: r.try_get("method")?,
                        score: r.try_get("score")?,
                        reason: r.try_get("reason")?,
                        candidates: r.try_get("candidates")?,
                        sources: r.try_get("sources")?,
                        records: r.try_get("records")?,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        }))
    }

    /// The last run's per-source placement counts.
    pub async fn address_placement_counts(&self) -> Result<Vec<PlacementCount>, StoreError> {
        const SQL: &str =
            "SELECT source, method, records FROM address_placement_counts ORDER BY source, method";
        Ok(on_pool!(self, p => {
            let rows = sqlx::query(SQL).fetch_all(p).await?;
            rows.into_iter()
                .map(|r| -> Result<PlacementCount, sqlx::Error> {
                    Ok(PlacementCount {
                        source: r.try_get("source")?,
                        method: r.try_get("method")?,
                        records: r.try_get("records")?,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?
        }))
    }
}
