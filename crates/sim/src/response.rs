//! A town that answers back (issue "Reaching out", item 9).
//!
//! The council tells the simulator what it did (`council/contacts.csv`:
//! messages that went, doors knocked, conversations and cases), and the
//! town answers: a household reached may ring back, text back, reply STOP
//! or ignore it, by channel, its preferred channel, its language, its age,
//! its money worries and how embedded it is. A household that engaged is
//! less likely to reach crisis for a few months, by the profile's
//! `response.engaged_crisis_reduction` (0 switches it off).
//!
//! A contact reaches whoever really holds the number or lives at the
//! address, not the household our linkage thinks: a letter to a family that
//! has moved lands with strangers, who do not answer. That keeps the
//! measured effect honest about what the single view gets wrong.
//!
//! Every draw here comes from a generator seeded by the town's seed and
//! the contact's reference, never from the town's own generator, so
//! contacting a household changes nothing else in the town; with the effect
//! at 0 the town lives exactly as it would have, and only the answers are
//! new.

use crate::life::World;
use crate::town::{Channel, HouseholdId, Language};
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_pcg::Pcg64Mcg;
use std::collections::HashMap;
use std::path::Path;
use upstream_core::Month;

/// What the council did, as `council/contacts.csv` holds it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Contact {
    /// The message's reference, or the council's own id for a knock,
    /// conversation or case: unique, and the seed of the answer's draws.
    pub reference: String,
    pub date: NaiveDate,
    pub kind: ContactKind,
    /// The number a text went to, the address an email went to.
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    /// The UPRN of the address, when the council placed it on its gazetteer.
    #[serde(default)]
    pub uprn: Option<u64>,
    #[serde(default)]
    pub postcode: String,
    /// The address's first line as the council wrote it.
    #[serde(default)]
    pub address: String,
    /// Who a letter was addressed to: a letter to someone who does not live
    /// there is not answered.
    #[serde(default)]
    pub addressee: String,
    /// The message's language: `en`, `cy` or `cy+en`.
    #[serde(default)]
    pub language: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    Letter,
    Sms,
    Email,
    /// A knock answered: the conversation happened on the doorstep.
    DoorSpoke,
    /// No answer, a calling card through the door.
    DoorCardLeft,
    /// A knock with nothing left (no answer, refused, moved).
    DoorOther,
    /// A conversation staff recorded, or a case opened: the household engaged.
    Engaged,
}

/// How the town answered one contact, as `responses/responses_<YYYY-MM>.csv`
/// holds it: what the council's phone lines, inbox and Notify's received
/// texts would show.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Response {
    /// The contact answered.
    pub reference: String,
    pub date: NaiveDate,
    pub kind: ResponseKind,
    /// The number or email address it came from (blank for a call).
    pub sender: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseKind {
    /// Rang the council (after a letter or a card).
    Called,
    /// Texted or emailed back.
    Replied,
    /// Texted STOP: no more texts, and not engagement.
    Stop,
}

#[derive(Debug, thiserror::Error)]
pub enum ContactsError {
    #[error("{path}: {message}")]
    Read { path: String, message: String },
    #[error("{path}, row {row}: {message}")]
    Row {
        path: String,
        row: usize,
        message: String,
    },
}

/// Read the council's contacts. A missing file is no contacts.
pub fn read_contacts(path: &Path) -> Result<Vec<Contact>, ContactsError> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    read_rows(path)
}

/// Every row of a CSV file with a header, each named by its line when it
/// cannot be read.
fn read_rows<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>, ContactsError> {
    let shown = path.display().to_string();
    let mut reader = csv::Reader::from_path(path).map_err(|e| ContactsError::Read {
        path: shown.clone(),
        message: e.to_string(),
    })?;
    let mut out = Vec::new();
    for (i, row) in reader.deserialize::<T>().enumerate() {
        out.push(row.map_err(|e| ContactsError::Row {
            path: shown.clone(),
            // Row 1 is the header.
            row: i + 2,
            message: e.to_string(),
        })?);
    }
    Ok(out)
}

/// Write contacts as `read_contacts` reads them.
pub fn write_contacts(path: &Path, contacts: &[Contact]) -> std::io::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    for c in contacts {
        w.serialize(c).map_err(std::io::Error::other)?;
    }
    w.flush()
}

pub fn responses_file_name(month: Month) -> String {
    format!("responses/responses_{month}.csv")
}

/// Digits of a UK number in national form: "+44 7700 900123" and
/// "07700900123" are one number.
fn phone_key(s: &str) -> String {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix("44") {
        Some(rest) if digits.len() > 10 => format!("0{rest}"),
        _ => digits,
    }
}

/// Letters and digits only, upper case: "12, Oak Rd." and "12 OAK RD" agree.
fn squash(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// FNV-1a of the reference: the same on every platform and Rust version,
/// so a contact's answer does not change with the build.
fn reference_seed(seed: u64, reference: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in reference.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

const REPLIES: [&str; 5] = [
    "Yes please, can someone call me",
    "Thanks. Can you ring after 5pm",
    "Yes I would like some help with this",
    "Who is this? Please call me back",
    "ok thank you, I will phone on monday",
];

/// Indexes to find who a contact reached, built once for the month's contacts.
struct Directory {
    by_phone: HashMap<String, HouseholdId>,
    by_email: HashMap<String, HouseholdId>,
    by_uprn: HashMap<u64, HouseholdId>,
    by_postcode: HashMap<String, Vec<(String, HouseholdId)>>,
}

impl Directory {
    fn new(world: &World) -> Directory {
        let mut d = Directory {
            by_phone: HashMap::new(),
            by_email: HashMap::new(),
            by_uprn: HashMap::new(),
            by_postcode: HashMap::new(),
        };
        for h in world.households.iter().filter(|h| h.active) {
            for &pid in &h.members {
                let p = &world.people[pid as usize];
                if !p.alive {
                    continue;
                }
                if let Some(phone) = &p.phone {
                    d.by_phone.insert(phone_key(phone), h.id);
                }
                if let Some(email) = &p.email {
                    d.by_email.insert(email.trim().to_ascii_lowercase(), h.id);
                }
            }
            let home = &world.geo.dwellings[h.dwelling as usize];
            d.by_uprn.insert(home.uprn, h.id);
            d.by_postcode
                .entry(squash(&home.postcode))
                .or_default()
                .push((squash(&home.line1), h.id));
        }
        d
    }

    /// The household living where the letter or knock went: by UPRN when
    /// the council knew it, else as a postman would, by postcode and the
    /// first line.
    fn at_address(&self, c: &Contact) -> Option<HouseholdId> {
        if let Some(h) = c.uprn.and_then(|u| self.by_uprn.get(&u)) {
            return Some(*h);
        }
        let line = squash(&c.address);
        if line.is_empty() {
            return None;
        }
        self.by_postcode
            .get(&squash(&c.postcode))?
            .iter()
            .find(|(line1, _)| line.starts_with(line1.as_str()) || line1.starts_with(&line))
            .map(|(_, h)| *h)
    }
}

impl World {
    /// Let the town answer the council's contacts made in `month` (after
    /// the month's life has happened): record who engaged, and return the
    /// answers the council will see. Draws come from each contact's own
    /// generator (see the module's note).
    pub fn answer(&mut self, contacts: &[Contact], month: Month, seed: u64) -> Vec<Response> {
        let due: Vec<&Contact> = contacts
            .iter()
            .filter(|c| Month::of(c.date) == month)
            .collect();
        if due.is_empty() {
            return Vec::new();
        }
        let directory = Directory::new(self);
        let r = self.profile.response.clone();
        let welsh_council = matches!(self.profile.town.nation, upstream_core::Nation::Wales);
        let mut out = Vec::new();
        for c in due {
            let reached = match c.kind {
                ContactKind::Sms => directory.by_phone.get(&phone_key(&c.phone)).copied(),
                ContactKind::Email => directory
                    .by_email
                    .get(&c.email.trim().to_ascii_lowercase())
                    .copied(),
                _ => directory.at_address(c),
            };
            let Some(hh) = reached else { continue };
            let h = &self.households[hh as usize];
            let members: Vec<&crate::town::Person> = h
                .members
                .iter()
                .map(|p| &self.people[*p as usize])
                .filter(|p| p.alive)
                .collect();
            // A letter for someone who does not live there goes unanswered.
            if c.kind == ContactKind::Letter && !c.addressee.trim().is_empty() {
                let to = squash(&c.addressee);
                if !members.iter().any(|p| to.contains(&squash(p.surname))) {
                    continue;
                }
            }
            let mut rng = Pcg64Mcg::seed_from_u64(reference_seed(seed, &c.reference));
            let (base, channel) = match c.kind {
                ContactKind::Engaged | ContactKind::DoorSpoke => {
                    self.engaged.insert(hh, month);
                    continue;
                }
                ContactKind::DoorOther => continue,
                ContactKind::Letter => (r.letter, Channel::Letter),
                ContactKind::Sms => (r.text, Channel::Text),
                ContactKind::Email => (r.email, Channel::Email),
                ContactKind::DoorCardLeft => (r.card_left, Channel::Letter),
            };
            let today = c.date;
            let mut p = base;
            if h.channel == channel {
                p *= r.preferred_channel_factor;
            }
            let older = !members.is_empty() && members.iter().all(|m| m.age_at(today) >= 66);
            if older {
                p *= if channel == Channel::Letter {
                    r.older_letter_factor
                } else {
                    r.older_digital_factor
                };
            }
            if channel == Channel::Letter && h.in_difficulty {
                p *= r.difficulty_letter_factor;
            }
            // In Wales messages go bilingual; an English-only one reaches a
            // Welsh speaker less well. Elsewhere, someone whose first
            // language is another reads English less easily.
            let speaks = |l: Language| {
                members
                    .iter()
                    .filter(|m| m.is_adult(today))
                    .any(|m| m.language == l)
            };
            let in_their_language = match c.language.as_str() {
                "cy" | "cy+en" => true,
                _ => !(speaks(Language::Other) || (welsh_council && speaks(Language::Welsh))),
            };
            if !in_their_language {
                p *= r.other_language_factor;
            }
            // More embedded households have people around them who say "ring
            // them back": between 0.7 and 1.3 times as likely.
            p *= 0.7 + 0.6 * h.embeddedness;
            let p = p.clamp(0.0, 0.95);
            let delay = rng.random_range(0..=6u64);
            let date = today + chrono::Days::new(delay);
            let sender = |c: &Contact| match c.kind {
                ContactKind::Sms => c.phone.clone(),
                ContactKind::Email => c.email.clone(),
                _ => String::new(),
            };
            if c.kind == ContactKind::Sms && rng.random::<f64>() < r.stop {
                out.push(Response {
                    reference: c.reference.clone(),
                    date,
                    kind: ResponseKind::Stop,
                    sender: sender(c),
                    message: "STOP".into(),
                });
                continue;
            }
            if rng.random::<f64>() >= p {
                continue;
            }
            let kind = match c.kind {
                ContactKind::Sms | ContactKind::Email => ResponseKind::Replied,
                _ => ResponseKind::Called,
            };
            let message = match kind {
                ResponseKind::Replied => REPLIES[rng.random_range(0..REPLIES.len())].to_string(),
                _ => format!(
                    "Rang the council about the {} of {}",
                    match c.kind {
                        ContactKind::DoorCardLeft => "card left",
                        _ => "letter",
                    },
                    c.date.format("%-d %B").to_string().trim()
                ),
            };
            // Engaged from the day they answered; protection starts the
            // month after (see `World::protection`).
            self.engaged.insert(hh, Month::of(date).max(month));
            out.push(Response {
                reference: c.reference.clone(),
                date,
                kind,
                sender: sender(c),
                message,
            });
        }
        out
    }

    /// The multiplier on a household's chance of a homelessness approach or
    /// a crisis grant or food bank referral this month: lower for a few
    /// months after it engaged with the council, never before.
    pub fn protection(&self, hh: HouseholdId, now: Month) -> f64 {
        let r = &self.profile.response;
        match self.engaged.get(&hh) {
            Some(m) if now > *m && now.since(*m) <= r.protection_months as i32 => {
                1.0 - r.engaged_crisis_reduction
            }
            _ => 1.0,
        }
    }
}

/// Write one month's answers.
pub fn write_responses(dir: &Path, month: Month, responses: &[Response]) -> std::io::Result<()> {
    let path = dir.join(responses_file_name(month));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut w = csv::Writer::from_path(path)?;
    for r in responses {
        w.serialize(r).map_err(std::io::Error::other)?;
    }
    w.flush()
}

/// Read a month's answers.
pub fn read_responses(path: &Path) -> Result<Vec<Response>, ContactsError> {
    read_rows(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_addresses_compare_as_a_postman_would() {
        assert_eq!(phone_key("+44 7700 900123"), "07700900123");
        assert_eq!(phone_key("07700 900123"), "07700900123");
        assert_eq!(squash("12, Oak Rd."), "12OAKRD");
    }

    #[test]
    fn a_contact_seeds_its_own_draws() {
        assert_eq!(reference_seed(1, "c1-s1-h2"), reference_seed(1, "c1-s1-h2"));
        assert_ne!(reference_seed(1, "c1-s1-h2"), reference_seed(1, "c1-s1-h3"));
        assert_ne!(reference_seed(1, "c1-s1-h2"), reference_seed(2, "c1-s1-h2"));
    }
}
