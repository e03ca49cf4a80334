//! Reads for the staff pages: candidates for the person search, and
//! everything the household page shows. Plain SQL that both SQLite and
//! PostgreSQL run; ranking and presentation are the web crate's job.

use crate::{parse_iso as parse, parse_iso_opt as parse_opt};
use crate::{Flag, Pool, SavedAssessment, SavedEvent, Store, StoreError};
use chrono::NaiveDate;
use sqlx::Row;

/// Source-record rows read for one search, at most.
pub const SEARCH_CANDIDATE_LIMIT: i64 = 20_000;

/// What narrows the search in SQL. Rows matching any given part come back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CandidateQuery {
    /// Upper case, no spaces: `B11AA`.
    pub postcode: Option<String>,
    pub dob: Option<NaiveDate>,
    /// Upper-case first letters a surname may start with.
    pub surname_initials: Vec<char>,
    /// Upper case, single spaces: matched anywhere in the address.
    pub address: Option<String>,
}

/// One linked source record that may match a search.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonCandidate {
    pub person_id: i64,
    pub forename: Option<String>,
    pub surname: Option<String>,
    pub dob: Option<NaiveDate>,
    pub postcode: Option<String>,
    pub address: Option<String>,
}

/// The household a person belongs to now (or last belonged to).
#[derive(Debug, Clone, PartialEq)]
pub struct PersonHousehold {
    pub person_id: i64,
    pub household_id: i64,
    pub current: bool,
    pub address: Option<String>,
    pub postcode: Option<String>,
}

/// A linked source record of a household member, one row per extract it appears in.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberRecord {
    pub person_id: i64,
    pub source: String,
    pub record_key: String,
    pub extract_date: Option<NaiveDate>,
    pub forename: Option<String>,
    pub surname: Option<String>,
    pub dob: Option<NaiveDate>,
    /// As ingest standardised them: national digits, lower-case email.
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A member's stay at an address.
#[derive(Debug, Clone, PartialEq)]
pub struct ResidenceRow {
    pub person_id: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub sources: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContactRow {
    pub on: NaiveDate,
    pub channel: String,
    pub outcome: String,
    pub recorded_by: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    pub id: i64,
    pub status: String,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
}

/// Everything stored about one household of the last linkage run.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdDetail {
    pub id: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub current: bool,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub members: Vec<i64>,
    /// Oldest extract first.
    pub records: Vec<MemberRecord>,
    /// Earliest first.
    pub residences: Vec<ResidenceRow>,
    /// The latest assessment run's as-of date and findings, if it assessed this household.
    pub assessed_on: Option<NaiveDate>,
    pub assessment: Option<SavedAssessment>,
    /// The latest run's life events, newest first.
    pub events: Vec<SavedEvent>,
    /// Flags neither cleared nor expired on `today`.
    pub flags: Vec<Flag>,
    /// Newest first.
    pub contacts: Vec<ContactRow>,
    /// Newest first.
    pub cases: Vec<CaseRow>,
}

impl Store {
    /// Linked source records that may match a search: those with the
    /// postcode or the date of birth when either is given, otherwise those
    /// whose surname starts with one of the initials or whose address holds
    /// the text. At most [`SEARCH_CANDIDATE_LIMIT`] rows.
    pub async fn person_candidates(
        &self,
        q: &CandidateQuery,
    ) -> Result<Vec<PersonCandidate>, StoreError> {
        let strong = q.postcode.is_some() || q.dob.is_some();
        let weak = !q.surname_initials.is_empty() || q.address.is_some();
        if !strong && !weak {
            return Ok(Vec::new());
        }
        let rows = on_pool!(self, p => {
            let mut qb = sqlx::QueryBuilder::new(
                // DISTINCT: a snapshot record is stored once per month; one copy of each spelling will do.
                "SELECT DISTINCT pr.person_id, s.forename, s.surname, s.dob, s.postcode, s.address
                 FROM source_records s JOIN person_records pr ON pr.source = s.source AND pr.record_key = s.record_key
                 WHERE 1 = 0",
            );
            if strong {
                if let Some(pc) = &q.postcode {
                    qb.push(" OR REPLACE(UPPER(s.postcode), ' ', '') = ").push_bind(pc.clone());
                }
                if let Some(dob) = q.dob {
                    qb.push(" OR s.dob = ").push_bind(dob.format("%Y-%m-%d").to_string());
                }
            } else {
                for c in &q.surname_initials {
                    qb.push(" OR UPPER(SUBSTR(s.surname, 1, 1)) = ").push_bind(c.to_string());
                }
                if let Some(a) = &q.address {
                    qb.push(" OR UPPER(s.address) LIKE ").push_bind(format!("%{}%", a.replace(['%', '_'], "")));
                }
            }
            qb.push(" ORDER BY pr.person_id LIMIT ").push_bind(SEARCH_CANDIDATE_LIMIT);
            let rows = qb.build().fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                out.push((
                    r.try_get::<i64, _>("person_id")?,
                    r.try_get::<Option<String>, _>("forename")?,
                    r.try_get::<Option<String>, _>("surname")?,
                    r.try_get::<Option<String>, _>("dob")?,
                    r.try_get::<Option<String>, _>("postcode")?,
                    r.try_get::<Option<String>, _>("address")?,
                ));
            }
            out
        });
        rows.into_iter()
            .map(|(person_id, forename, surname, dob, postcode, address)| {
                Ok(PersonCandidate {
                    person_id,
                    forename,
                    surname,
                    dob: parse_opt(dob)?,
                    postcode,
                    address,
                })
            })
            .collect()
    }

    /// The households of the last linkage run these people belong to, with
    /// their addresses; current households first, then the latest.
    pub async fn households_of(&self, people: &[i64]) -> Result<Vec<PersonHousehold>, StoreError> {
        if people.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for chunk in people.chunks(400) {
            let rows = on_pool!(self, p => {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT m.person_id, h.id, h.current, a.address, a.postcode
                     FROM household_members m JOIN households h ON h.id = m.household_id
                     JOIN addresses a ON a.id = h.address_id WHERE m.person_id IN (",
                );
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                qb.push(") ORDER BY m.person_id, h.current DESC, h.to_date DESC, h.id DESC");
                let rows = qb.build().fetch_all(p).await?;
                let mut v = Vec::with_capacity(rows.len());
                for r in rows {
                    v.push(PersonHousehold {
                        person_id: r.try_get("person_id")?,
                        household_id: r.try_get("id")?,
                        current: r.try_get("current")?,
                        address: r.try_get("address")?,
                        postcode: r.try_get("postcode")?,
                    });
                }
                v
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// Everything the household page shows; `None` when there is no such
    /// household. Flags count as active on `today`.
    pub async fn household_detail(
        &self,
        id: i64,
        today: NaiveDate,
    ) -> Result<Option<HouseholdDetail>, StoreError> {
        const HOUSEHOLD: &str = "SELECT h.from_date, h.to_date, h.current, a.address, a.postcode
             FROM households h JOIN addresses a ON a.id = h.address_id WHERE h.id = $1";
        const MEMBERS: &str =
            "SELECT person_id FROM household_members WHERE household_id = $1 ORDER BY person_id";
        const RECORDS: &str = "SELECT pr.person_id, s.source, s.record_key, s.extract_date, s.forename, s.surname, s.dob, s.phone, s.email
             FROM household_members m JOIN person_records pr ON pr.person_id = m.person_id
             JOIN source_records s ON s.source = pr.source AND s.record_key = pr.record_key
             WHERE m.household_id = $1 ORDER BY s.extract_date, s.id";
        const RESIDENCES: &str =
            "SELECT r.person_id, r.from_date, r.to_date, a.address, a.postcode, r.sources
             FROM household_members m JOIN residences r ON r.person_id = m.person_id
             JOIN addresses a ON a.id = r.address_id
             WHERE m.household_id = $1 ORDER BY r.from_date, r.person_id";
        const FLAGS: &str = "SELECT id, household_id, set_by, set_at, reason, expires_on, cleared_at
             FROM fast_track_flags WHERE household_id = $1 AND cleared_at IS NULL AND expires_on >= $2 ORDER BY id";
        const CONTACTS: &str = "SELECT contacted_on, channel, outcome, recorded_by FROM contacts
             WHERE household_id = $1 ORDER BY contacted_on DESC, id DESC";
        const CASES: &str = "SELECT id, status, opened_on, closed_on FROM cases
             WHERE household_id = $1 ORDER BY opened_on DESC, id DESC";
        const ASSESSMENT: &str = "SELECT household_id, in_crisis, probability, reasons, resilience, resilience_band, resilience_parts, persona, persona_reason
             FROM assessments WHERE run_id = $1 AND household_id = $2";

        type Head = (String, String, bool, Option<String>, Option<String>);
        type Rec = (
            i64,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            (Option<String>, Option<String>),
        );
        type Res = (i64, String, String, Option<String>, Option<String>, String);
        type FlagRow = (i64, i64, String, String, String, String, Option<String>);
        type Contact = (String, String, String, String);
        type Case = (i64, String, String, Option<String>);

        type Found = (
            Head,
            Vec<i64>,
            Vec<Rec>,
            Vec<Res>,
            Vec<FlagRow>,
            Vec<Contact>,
            Vec<Case>,
        );
        let found: Option<Found> = on_pool!(self, p => {
            match sqlx::query(HOUSEHOLD).bind(id).fetch_optional(p).await? {
                None => None,
                Some(r) => {
                    let head: Head = (
                        r.try_get("from_date")?,
                        r.try_get("to_date")?,
                        r.try_get("current")?,
                        r.try_get("address")?,
                        r.try_get("postcode")?,
                    );
                    let members: Vec<i64> = sqlx::query_scalar(MEMBERS).bind(id).fetch_all(p).await?;
                    let mut records = Vec::new();
                    for r in sqlx::query(RECORDS).bind(id).fetch_all(p).await? {
                        records.push((
                            r.try_get("person_id")?,
                            r.try_get("source")?,
                            r.try_get("record_key")?,
                            r.try_get("extract_date")?,
                            r.try_get("forename")?,
                            r.try_get("surname")?,
                            r.try_get("dob")?,
                            (r.try_get("phone")?, r.try_get("email")?),
                        ));
                    }
                    let mut residences = Vec::new();
                    for r in sqlx::query(RESIDENCES).bind(id).fetch_all(p).await? {
                        residences.push((
                            r.try_get("person_id")?,
                            r.try_get("from_date")?,
                            r.try_get("to_date")?,
                            r.try_get("address")?,
                            r.try_get("postcode")?,
                            r.try_get("sources")?,
                        ));
                    }
                    let mut flags = Vec::new();
                    for r in sqlx::query(FLAGS).bind(id).bind(today.format("%Y-%m-%d").to_string()).fetch_all(p).await? {
                        flags.push((
                            r.try_get("id")?,
                            r.try_get("household_id")?,
                            r.try_get("set_by")?,
                            r.try_get("set_at")?,
                            r.try_get("reason")?,
                            r.try_get("expires_on")?,
                            r.try_get("cleared_at")?,
                        ));
                    }
                    let mut contacts = Vec::new();
                    for r in sqlx::query(CONTACTS).bind(id).fetch_all(p).await? {
                        contacts.push((
                            r.try_get("contacted_on")?,
                            r.try_get("channel")?,
                            r.try_get("outcome")?,
                            r.try_get("recorded_by")?,
                        ));
                    }
                    let mut cases = Vec::new();
                    for r in sqlx::query(CASES).bind(id).fetch_all(p).await? {
                        cases.push((
                            r.try_get("id")?,
                            r.try_get("status")?,
                            r.try_get("opened_on")?,
                            r.try_get("closed_on")?,
                        ));
                    }
                    Some((head, members, records, residences, flags, contacts, cases))
                }
            }
        });
        let Some((head, members, records, residences, flags, contacts, cases)) = found else {
            return Ok(None);
        };
        let run = self.latest_assessment_run().await?;
        let (assessed_on, assessment, events) = match &run {
            Some(run) => {
                let assessment = on_pool!(self, p => {
                    match sqlx::query(ASSESSMENT).bind(run.id).bind(id).fetch_optional(p).await? {
                        Some(r) => Some(SavedAssessment {
                            household_id: r.try_get("household_id")?,
                            in_crisis: r.try_get("in_crisis")?,
                            probability: r.try_get("probability")?,
                            reasons: r.try_get("reasons")?,
                            resilience: r.try_get("resilience")?,
                            resilience_band: r.try_get("resilience_band")?,
                            resilience_parts: r.try_get("resilience_parts")?,
                            persona: r.try_get("persona")?,
                            persona_reason: r.try_get("persona_reason")?,
                        }),
                        None => None,
                    }
                });
                let events = self.life_events(run.id, id).await?;
                (Some(run.as_of), assessment, events)
            }
            None => (None, None, Vec::new()),
        };
        let (from, to, current, address, postcode) = head;
        Ok(Some(HouseholdDetail {
            id,
            from: parse(&from)?,
            to: parse(&to)?,
            current,
            address,
            postcode,
            members,
            records: records
                .into_iter()
                .map(
                    |(person_id, source, record_key, e, forename, surname, dob, (phone, email))| {
                        Ok(MemberRecord {
                            person_id,
                            source,
                            record_key,
                            extract_date: parse_opt(e)?,
                            forename,
                            surname,
                            dob: parse_opt(dob)?,
                            phone,
                            email,
                        })
                    },
                )
                .collect::<Result<_, StoreError>>()?,
            residences: residences
                .into_iter()
                .map(|(person_id, f, t, address, postcode, sources)| {
                    Ok(ResidenceRow {
                        person_id,
                        from: parse(&f)?,
                        to: parse(&t)?,
                        address,
                        postcode,
                        sources,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            assessed_on,
            assessment,
            events,
            flags: flags
                .into_iter()
                .map(
                    |(id, household_id, set_by, set_at, reason, expires, cleared_at)| {
                        Ok(Flag {
                            id,
                            household_id,
                            set_by,
                            set_at,
                            reason,
                            expires_on: parse(&expires)?,
                            cleared_at,
                        })
                    },
                )
                .collect::<Result<_, StoreError>>()?,
            contacts: contacts
                .into_iter()
                .map(|(on, channel, outcome, recorded_by)| {
                    Ok(ContactRow {
                        on: parse(&on)?,
                        channel,
                        outcome,
                        recorded_by,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
            cases: cases
                .into_iter()
                .map(|(id, status, opened, closed)| {
                    Ok(CaseRow {
                        id,
                        status,
                        opened_on: parse(&opened)?,
                        closed_on: parse_opt(closed)?,
                    })
                })
                .collect::<Result<_, StoreError>>()?,
        }))
    }
}
