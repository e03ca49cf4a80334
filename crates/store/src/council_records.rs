//! Records the council makes itself: a resident a referral names whom no
//! source system holds yet. A case must open today, so the person gets a
//! household now; and the referral is kept as a source record of its own, so
//! the next linkage run meets it like any other record and joins it to the
//! family if a source later shows one (the household's id then follows the
//! family through `household_merges`, and the case with it).

use crate::single_view::NewSourceRecord;
use crate::{Pool, Store, StoreError};
use chrono::{NaiveDate, Utc};
use sha2::{Digest, Sha256};

/// The source name the council's own records are kept under.
pub const COUNCIL_REFERRALS: &str = "council_referrals";

/// A resident to record from a referral; `record.record_key` is set here.
#[derive(Debug, Clone, PartialEq)]
pub struct NewResident {
    pub referral_id: i64,
    pub record: NewSourceRecord,
    pub today: NaiveDate,
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl Store {
    /// The household of the resident recorded from this referral, making the
    /// record, person, address and household when there is none yet. Doing it
    /// twice gives the same household and writes nothing more.
    pub async fn record_new_resident(&self, r: &NewResident) -> Result<i64, StoreError> {
        let key = format!("referral-{}", r.referral_id);
        let period = key.clone();
        let rec = &r.record;
        let original = rec.original.clone();
        let sha = format!("{:x}", Sha256::digest(original.as_bytes()));
        let today = day(r.today);
        let now = Utc::now().to_rfc3339();
        const EXISTING: &str = "SELECT m.household_id FROM person_records pr
             JOIN household_members m ON m.person_id = pr.person_id
             JOIN households h ON h.id = m.household_id
             WHERE pr.source = $1 AND pr.record_key = $2
             ORDER BY h.current DESC, h.to_date DESC, h.id DESC LIMIT 1";
        const FILE: &str = "INSERT INTO ingest_files (source, file_name, sha256, extract_date, period_key, rows_read, records, quarantined, loaded_at)
             VALUES ($1, $2, $3, $4, $5, 1, 1, 0, $6) RETURNING id";
        const FILE_THERE: &str =
            "SELECT COUNT(*) FROM ingest_files WHERE source = $1 AND period_key = $2";
        const RECORD: &str = "INSERT INTO source_records (file_id, row_no, source, record_key, row_means, extract_date, title, forename, middle_names, surname, dob, nino, postcode, address, uprn, phone, email, event_date, attributes, original)
             VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)";
        const NEXT_PERSON: &str = "SELECT COALESCE(MAX(id), 0) + 1 FROM (
                SELECT MAX(id) AS id FROM persons UNION ALL SELECT MAX(person_id) FROM person_records) ids";
        const LAST_RUN: &str = "SELECT COALESCE(MAX(id), 0) FROM link_runs";
        const PERSON: &str =
            "INSERT INTO persons (id, first_run, last_run, status) VALUES ($1, $2, $2, 'active')";
        const PERSON_RECORD: &str =
            "INSERT INTO person_records (source, record_key, person_id, run_id) VALUES ($1, $2, $3, $4)";
        const SAME_ADDRESS: &str =
            "SELECT id FROM addresses WHERE address = $1 AND postcode = $2 ORDER BY id LIMIT 1";
        const NEXT_ADDRESS: &str = "SELECT COALESCE(MAX(id), 0) + 1 FROM addresses";
        const ADDRESS: &str =
            "INSERT INTO addresses (id, addr_key, uprn, address, postcode) VALUES ($1, $2, NULL, $3, $4)";
        const RESIDENCE: &str = "INSERT INTO residences (person_id, address_id, from_date, to_date, sources) VALUES ($1, $2, $3, $3, $4)";
        const NEXT_HOUSEHOLD: &str = "SELECT COALESCE(MAX(m), 0) + 1 FROM (
                SELECT MAX(max_household_id) AS m FROM link_runs
                UNION ALL SELECT MAX(id) FROM households
                UNION ALL SELECT MAX(from_id) FROM household_merges) ids";
        const HOUSEHOLD: &str = "INSERT INTO households (id, address_id, from_date, to_date, current) VALUES ($1, $2, $3, $3, $4)";
        const MEMBER: &str = "INSERT INTO household_members (household_id, person_id, from_date, to_date) VALUES ($1, $2, $3, $3)";

        let household = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            // Take the write lock before reading the next free ids, so two
            // residents recorded at once never get the same ones.
            if let Pool::Postgres(_) = &self.pool {
                sqlx::query("LOCK TABLE households IN SHARE ROW EXCLUSIVE MODE")
                    .execute(&mut *tx)
                    .await?;
            } else {
                sqlx::query("UPDATE ingest_files SET id = id WHERE 1 = 0")
                    .execute(&mut *tx)
                    .await?;
            }
            let found: Option<i64> = sqlx::query_scalar(EXISTING)
                .bind(COUNCIL_REFERRALS)
                .bind(&key)
                .fetch_optional(&mut *tx)
                .await?;
            let there: i64 = sqlx::query_scalar(FILE_THERE)
                .bind(COUNCIL_REFERRALS)
                .bind(&period)
                .fetch_one(&mut *tx)
                .await?;
            match found {
                Some(h) => {
                    tx.rollback().await?;
                    Ok(h)
                }
                // The record is there but a linkage run has not yet placed it
                // in a household: say so rather than make a second person.
                None if there > 0 => {
                    tx.rollback().await?;
                    Err(StoreError::Invalid(format!(
                        "the resident from referral {} is already recorded and waits for the next linkage run",
                        r.referral_id
                    )))
                }
                None => {
                    let file_id: i64 = sqlx::query_scalar(FILE)
                        .bind(COUNCIL_REFERRALS)
                        .bind(format!("referral {}", r.referral_id))
                        .bind(&sha)
                        .bind(&today)
                        .bind(&period)
                        .bind(&now)
                        .fetch_one(&mut *tx)
                        .await?;
                    sqlx::query(RECORD)
                        .bind(file_id)
                        .bind(COUNCIL_REFERRALS)
                        .bind(&key)
                        .bind(&rec.row_means)
                        .bind(&today)
                        .bind(&rec.title)
                        .bind(&rec.forename)
                        .bind(&rec.middle_names)
                        .bind(&rec.surname)
                        .bind(rec.dob.map(day))
                        .bind(&rec.nino)
                        .bind(&rec.postcode)
                        .bind(&rec.address)
                        .bind(&rec.uprn)
                        .bind(&rec.phone)
                        .bind(&rec.email)
                        .bind(rec.event_date.map(day))
                        .bind(&rec.attributes)
                        .bind(&original)
                        .execute(&mut *tx)
                        .await?;
                    let person: i64 = sqlx::query_scalar(NEXT_PERSON).fetch_one(&mut *tx).await?;
                    let run: i64 = sqlx::query_scalar(LAST_RUN).fetch_one(&mut *tx).await?;
                    sqlx::query(PERSON).bind(person).bind(run).execute(&mut *tx).await?;
                    sqlx::query(PERSON_RECORD)
                        .bind(COUNCIL_REFERRALS)
                        .bind(&key)
                        .bind(person)
                        .bind(run)
                        .execute(&mut *tx)
                        .await?;
                    // A home the single view already knows is the same
                    // address row, so the household page and search agree.
                    let known: Option<i64> = match (&rec.address, &rec.postcode) {
                        (Some(a), Some(pc)) => sqlx::query_scalar(SAME_ADDRESS)
                            .bind(a)
                            .bind(pc)
                            .fetch_optional(&mut *tx)
                            .await?,
                        _ => None,
                    };
                    let address = match known {
                        Some(a) => a,
                        None => {
                            let a: i64 = sqlx::query_scalar(NEXT_ADDRESS).fetch_one(&mut *tx).await?;
                            sqlx::query(ADDRESS)
                                .bind(a)
                                .bind(format!("council:{key}"))
                                .bind(&rec.address)
                                .bind(&rec.postcode)
                                .execute(&mut *tx)
                                .await?;
                            a
                        }
                    };
                    sqlx::query(RESIDENCE)
                        .bind(person)
                        .bind(address)
                        .bind(&today)
                        .bind(COUNCIL_REFERRALS)
                        .execute(&mut *tx)
                        .await?;
                    let household: i64 = sqlx::query_scalar(NEXT_HOUSEHOLD).fetch_one(&mut *tx).await?;
                    sqlx::query(HOUSEHOLD)
                        .bind(household)
                        .bind(address)
                        .bind(&today)
                        .bind(true)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(MEMBER)
                        .bind(household)
                        .bind(person)
                        .bind(&today)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(household)
                }
            }
        });
        household
    }
}
