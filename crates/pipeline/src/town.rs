//! A simulated town and the council's contact with it (issue "Reaching
//! out", item 9): what the council did, as the town reads it, and the
//! town's answers recorded back, as Notify's received texts and the contact
//! centre would bring them. `upstream town advance` calls these around
//! simulating the town a month further.

use crate::{Error, Result};
use std::path::Path;
use upstream_core::Month;
use upstream_sim::response::{read_responses, Contact, ContactKind, ResponseKind};
use upstream_store::{NewResponse, Store};

/// Who the answers are recorded as coming through.
pub const TOWN_SOURCE: &str = "simulated town";

/// Everything the council did up to the end of `until`, as the town reads
/// it: messages to the number, email or address they were sent to, knocks,
/// conversations and cases at the household's home as the single view
/// holds it.
pub async fn council_contacts(store: &Store, until: Month) -> Result<Vec<Contact>> {
    let mut out = Vec::new();
    for row in store.council_contacts().await? {
        if Month::of(row.on) > until {
            // The town has not lived that far yet: the next advance takes it.
            continue;
        }
        let kind = match row.kind.as_str() {
            "letter" => ContactKind::Letter,
            "sms" => ContactKind::Sms,
            "email" => ContactKind::Email,
            "door_card_left" => ContactKind::DoorCardLeft,
            _ => ContactKind::Engaged,
        };
        let mut contact = Contact {
            reference: row.reference,
            date: row.on,
            kind,
            phone: String::new(),
            email: String::new(),
            uprn: row.uprn.as_deref().and_then(|u| u.trim().parse().ok()),
            postcode: row.postcode.unwrap_or_default(),
            address: row.address.unwrap_or_default(),
            addressee: String::new(),
            language: row.language,
        };
        match kind {
            ContactKind::Sms => contact.phone = row.recipient,
            ContactKind::Email => contact.email = row.recipient,
            // A letter goes where its own address says: name, address
            // lines, postcode last.
            ContactKind::Letter => {
                let lines: Vec<&str> = row.recipient.lines().map(str::trim).collect();
                if lines.len() >= 3 {
                    contact.addressee = lines[0].to_string();
                    contact.address = lines[1].to_string();
                    contact.postcode = lines[lines.len() - 1].to_string();
                }
            }
            _ => {}
        }
        out.push(contact);
    }
    Ok(out)
}

/// What recording the town's answers did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResponsesRecorded {
    /// Answers in the town's files.
    pub read: usize,
    /// Recorded now (the rest were recorded before, or answer nothing this
    /// council sent).
    pub new: usize,
    pub calls: usize,
    pub replies: usize,
    pub stops: usize,
}

/// Record every answer in the town's `responses/` folder; reading the same
/// files again records nothing twice.
pub async fn record_responses(store: &Store, town: &Path) -> Result<ResponsesRecorded> {
    let folder = town.join("responses");
    let mut recorded = ResponsesRecorded::default();
    if !folder.exists() {
        return Ok(recorded);
    }
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .map_err(|source| Error::Io {
            path: folder.clone(),
            source,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    for file in files {
        let responses = read_responses(&file).map_err(|e| Error::Refused(e.to_string()))?;
        for r in responses {
            recorded.read += 1;
            let kind = match r.kind {
                ResponseKind::Called => "called",
                ResponseKind::Replied => "replied",
                ResponseKind::Stop => "stop",
            };
            let new = store
                .record_response(&NewResponse {
                    reference: r.reference,
                    kind: kind.into(),
                    on: r.date,
                    sender: r.sender,
                    message: r.message,
                    source: TOWN_SOURCE.into(),
                })
                .await?;
            if new {
                recorded.new += 1;
                match r.kind {
                    ResponseKind::Called => recorded.calls += 1,
                    ResponseKind::Replied => recorded.replies += 1,
                    ResponseKind::Stop => recorded.stops += 1,
                }
            }
        }
    }
    Ok(recorded)
}
