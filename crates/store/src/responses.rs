//! What the council did to reach residents, gathered for a simulated town
//! to answer (`upstream town advance`), and the answers coming back as a
//! batch: each recorded once, as a contact on the household (engagement, as
//! the campaign page counts it) and, for a text, as a received text (a STOP
//! stops texts to the number, as Notify's callback does).

use crate::accounts::stamp;
use crate::{iso_date, parse_iso, parse_time, Pool, Store, StoreError};
use chrono::{NaiveDate, Utc};

/// Who the council recorded answers as, on contacts.
pub const TOWN_RESPONDER: &str = "Resident's reply (simulated town)";

/// One thing the council did that reached, or tried to reach, a household.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouncilContactRow {
    /// The message's reference, `contact-{id}` or `case-{id}`: unique.
    pub reference: String,
    pub on: NaiveDate,
    /// `letter`, `sms`, `email` (messages that went); `door_card_left`;
    /// `engaged` (a conversation or visit recorded, or a case opened).
    pub kind: String,
    /// A message's recipient as sent (a number, an email address, or a
    /// letter's name and address lines); empty otherwise.
    pub recipient: String,
    pub language: String,
    /// The household's home as the single view holds it now.
    pub uprn: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
}

/// One answer to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewResponse {
    /// The contact answered (see [`CouncilContactRow::reference`]).
    pub reference: String,
    /// `called`, `replied` or `stop`.
    pub kind: String,
    pub on: NaiveDate,
    pub sender: String,
    pub message: String,
    pub source: String,
}

type AddressCols = (Option<String>, Option<String>, Option<String>);

impl Store {
    /// Every message that went (or, without Notify, was kept to go), every
    /// conversation, visit or card left staff recorded, and every case
    /// opened, oldest first.
    pub async fn council_contacts(&self) -> Result<Vec<CouncilContactRow>, StoreError> {
        const MESSAGES: &str = "SELECT o.reference, o.created_at, o.channel, o.recipient, o.language, a.uprn, a.address, a.postcode
             FROM outbox o LEFT JOIN households h ON h.id = o.household_id LEFT JOIN addresses a ON a.id = h.address_id
             WHERE o.status IN ('sent', 'delivered', 'kept') ORDER BY o.id";
        const CONTACTS: &str = "SELECT c.id, c.contacted_on, c.channel, c.outcome, a.uprn, a.address, a.postcode
             FROM contacts c LEFT JOIN households h ON h.id = c.household_id LEFT JOIN addresses a ON a.id = h.address_id
             WHERE c.outcome IN ('spoke', 'met', 'replied', 'left_message') ORDER BY c.id";
        const CASES: &str = "SELECT c.id, c.opened_on, a.uprn, a.address, a.postcode
             FROM cases c LEFT JOIN households h ON h.id = c.household_id LEFT JOIN addresses a ON a.id = h.address_id
             ORDER BY c.id";
        type MessageRows = Vec<(
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
        )>;
        type ContactRows = Vec<(
            i64,
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
        )>;
        type CaseRows = Vec<(i64, String, Option<String>, Option<String>, Option<String>)>;
        let (messages, contacts, cases): (MessageRows, ContactRows, CaseRows) = on_pool!(self, p => (
            sqlx::query_as(MESSAGES).fetch_all(p).await?,
            sqlx::query_as(CONTACTS).fetch_all(p).await?,
            sqlx::query_as(CASES).fetch_all(p).await?,
        ));
        let row = |reference: String,
                   on: NaiveDate,
                   kind: &str,
                   (uprn, address, postcode): AddressCols| CouncilContactRow {
            reference,
            on,
            kind: kind.into(),
            recipient: String::new(),
            language: String::new(),
            uprn,
            address,
            postcode,
        };
        let mut out = Vec::new();
        for (reference, at, channel, recipient, language, uprn, address, postcode) in messages {
            out.push(CouncilContactRow {
                recipient,
                language,
                ..row(
                    reference,
                    parse_time(&at)?.date_naive(),
                    &channel,
                    (uprn, address, postcode),
                )
            });
        }
        for (id, on, channel, outcome, uprn, address, postcode) in contacts {
            let kind = match (outcome.as_str(), channel.as_str()) {
                // The town's own answers come back as contacts too; they
                // are engagement already counted, not new contact.
                ("left_message", "home_visit") => "door_card_left",
                ("left_message", _) => continue,
                _ => "engaged",
            };
            out.push(row(
                format!("contact-{id}"),
                parse_iso(&on)?,
                kind,
                (uprn, address, postcode),
            ));
        }
        for (id, on, uprn, address, postcode) in cases {
            out.push(row(
                format!("case-{id}"),
                parse_iso(&on)?,
                "engaged",
                (uprn, address, postcode),
            ));
        }
        Ok(out)
    }

    /// Record an answer once: a contact on the household the answered
    /// message went to (a call or a reply; a STOP is not engagement), and a
    /// received text for a text (a STOP stops texts to the number). False
    /// when it was recorded before, or answers nothing the council sent.
    pub async fn record_response(&self, r: &NewResponse) -> Result<bool, StoreError> {
        const MESSAGE: &str = "SELECT household_id, channel FROM outbox WHERE reference = $1";
        const CONTACT: &str = "SELECT household_id, 'letter' FROM contacts WHERE id = $1";
        const INSERT: &str = "INSERT INTO contact_responses (reference, kind, household_id, responded_on, sender, message, source, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (reference, kind) DO NOTHING";
        const ADD_CONTACT: &str = "INSERT INTO contacts (household_id, contacted_on, channel, outcome, recorded_by, note) VALUES ($1, $2, $3, $4, $5, $6)";
        const INBOUND: &str =
            "INSERT INTO inbound_texts (notify_id, from_number, message, received_at, opt_out)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (notify_id) DO NOTHING";
        const OPT_OUT: &str = "INSERT INTO text_opt_outs (phone, at, inbound_id)
             SELECT $1, $2, id FROM inbound_texts WHERE notify_id = $3 ON CONFLICT (phone) DO NOTHING";
        let contact_id = r
            .reference
            .strip_prefix("contact-")
            .and_then(|id| id.parse::<i64>().ok());
        let now = stamp(Utc::now());
        // Noon on the day answered, as the app counts days.
        let received =
            r.on.and_hms_opt(12, 0, 0)
                .map(|t| stamp(t.and_utc()))
                .unwrap_or_else(|| now.clone());
        let day = iso_date(r.on);
        let done = on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let target: Option<(i64, String)> = match contact_id {
                Some(id) => sqlx::query_as(CONTACT).bind(id).fetch_optional(&mut *tx).await?,
                None => sqlx::query_as(MESSAGE).bind(&r.reference).fetch_optional(&mut *tx).await?,
            };
            let Some((household, channel)) = target else {
                return Ok(false);
            };
            let inserted = sqlx::query(INSERT)
                .bind(&r.reference).bind(&r.kind).bind(household).bind(&day)
                .bind(&r.sender).bind(&r.message).bind(&r.source).bind(&now)
                .execute(&mut *tx).await?.rows_affected() > 0;
            if inserted {
                if channel == "sms" {
                    let id = format!("reply-{}-{}", r.reference, r.kind);
                    sqlx::query(INBOUND).bind(&id).bind(&r.sender).bind(&r.message).bind(&received)
                        .bind(r.kind == "stop").execute(&mut *tx).await?;
                    if r.kind == "stop" {
                        sqlx::query(OPT_OUT).bind(&r.sender).bind(&received).bind(&id).execute(&mut *tx).await?;
                    }
                }
                if r.kind != "stop" {
                    let (via, outcome) = match (r.kind.as_str(), channel.as_str()) {
                        ("replied", "sms") => ("text", "replied"),
                        ("replied", _) => ("email", "replied"),
                        _ => ("phone", "spoke"),
                    };
                    sqlx::query(ADD_CONTACT).bind(household).bind(&day).bind(via).bind(outcome)
                        .bind(TOWN_RESPONDER).bind(&r.message).execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
            inserted
        });
        Ok(done)
    }

    /// Answers recorded: (calls, replies, STOPs).
    pub async fn response_counts(&self) -> Result<(u64, u64, u64), StoreError> {
        const SQL: &str = "SELECT kind, COUNT(*) FROM contact_responses GROUP BY kind";
        let rows: Vec<(String, i64)> = on_pool!(self, p => sqlx::query_as(SQL).fetch_all(p).await?);
        let get = |k: &str| {
            rows.iter()
                .find(|(kind, _)| kind == k)
                .map_or(0, |(_, n)| *n as u64)
        };
        Ok((get("called"), get("replied"), get("stop")))
    }

    /// The monthly assessments after `after` that found each of these
    /// households in a crisis: (household, the assessment's date).
    pub async fn crisis_assessments(
        &self,
        ids: &[i64],
        after: NaiveDate,
    ) -> Result<Vec<(i64, NaiveDate)>, StoreError> {
        let mut out = Vec::new();
        for chunk in ids.chunks(400) {
            // Ids are integers we hold, so they are written into the text.
            let list = chunk
                .iter()
                .map(|h| h.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "SELECT a.household_id, r.as_of FROM assessments a JOIN assessment_runs r ON r.id = a.run_id
                 WHERE a.in_crisis AND r.as_of > $1 AND a.household_id IN ({list})"
            );
            let rows: Vec<(i64, String)> =
                on_pool!(self, p => sqlx::query_as(&sql).bind(iso_date(after)).fetch_all(p).await?);
            for (h, on) in rows {
                out.push((h, parse_iso(&on)?));
            }
        }
        Ok(out)
    }
}
