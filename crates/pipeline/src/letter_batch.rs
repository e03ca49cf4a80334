//! Printing a campaign step's letters: the council prints them itself (or
//! hands the file to its print room) instead of sending them through GOV.UK
//! Notify.
//!
//! Exactly once. Making a batch claims the step's waiting letters in one
//! transaction (`Store::claim_letter_batch`): each becomes `sent`, with the
//! batch and its place in it noted, so no later batch prints it and the
//! Notify sender (which takes only `queued` messages) never sends it. The
//! PDF is written from the stored letters afterwards, a page of them at a
//! time, so printing the batch again gives the same letters in the same
//! order, and the same bytes while Upstream's layout is unchanged (the
//! SHA-256 of the first print is kept to tell).
//!
//! A letter whose address would not fit the envelope window is not claimed:
//! it is named, with why, and left waiting for someone to put right.

use crate::{Error, Result};
use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use std::io::Write;
use upstream_letters::batch::{window_address, BatchWriter, OutreachLetter, Part, Refused, Sender};
use upstream_store::{BatchLetter, LetterBatchRow, LetterCandidate, Store};

/// Letters read from storage at a time while a batch is written.
const PAGE: i64 = 500;

/// What making a batch did.
#[derive(Debug, Clone, PartialEq)]
pub struct Claimed {
    pub batch_id: i64,
    pub letters: usize,
    /// Letters left out because their address would not fit the window;
    /// they stay waiting.
    pub refused: Vec<Refused>,
}

/// What writing a batch's PDF did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printed {
    pub batch: LetterBatchRow,
    pub letters: usize,
    pub pages: usize,
    pub bytes: u64,
    pub sha256: String,
    /// `None` for the first print; for a reprint, whether its bytes are the
    /// first print's (they differ only if Upstream's layout has changed).
    pub same_as_first: Option<bool>,
}

/// Claim a campaign step's waiting letters as a new batch, in the order
/// they are to be printed. Refused, with why, when the campaign or step
/// does not exist, the step is not a letter, or no letter is waiting.
pub async fn make_batch(
    store: &Store,
    campaign_id: i64,
    step_no: i32,
    by: i64,
    dated: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Claimed> {
    let campaign = store
        .campaign(campaign_id)
        .await?
        .ok_or_else(|| Error::Refused(format!("There is no campaign {campaign_id}")))?;
    let step = usize::try_from(step_no - 1)
        .ok()
        .and_then(|i| campaign.steps.get(i))
        .ok_or_else(|| {
            Error::Refused(format!(
                "Campaign {campaign_id} has no step {step_no}: its steps are 1 to {}",
                campaign.steps.len()
            ))
        })?;
    if step.channel != "letter" {
        return Err(Error::Refused(format!(
            "Step {step_no} of campaign {campaign_id} is a {}, not a letter: only letters are printed",
            step.channel.replace('_', " ")
        )));
    }
    let mut refused = Vec::new();
    let made = store
        .claim_letter_batch(campaign_id, step_no, by, dated, now, |waiting| {
            choose(waiting, &mut refused)
        })
        .await?;
    match made {
        Some((batch_id, letters)) => Ok(Claimed {
            batch_id,
            letters,
            refused,
        }),
        None if refused.is_empty() => Err(Error::Refused(format!(
            "No letters of step {step_no} of campaign {campaign_id} are waiting to be printed: run the campaign's day first (`upstream campaign run {campaign_id}`), or they are already printed or sent"
        ))),
        None => Err(Error::Refused(format!(
            "None of the {} letters waiting could be printed: {}",
            refused.len(),
            refused
                .iter()
                .map(|r| r.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        ))),
    }
}

/// The waiting letters whose address fits the window, in print order; the
/// others into `refused`.
fn choose(waiting: Vec<LetterCandidate>, refused: &mut Vec<Refused>) -> Vec<i64> {
    let mut keep: Vec<(SortKey, i64)> = Vec::with_capacity(waiting.len());
    for c in waiting {
        match window_address(&address_lines(&c.recipient)) {
            Ok(lines) => keep.push((sort_key(&lines, &c.reference), c.id)),
            Err(problem) => refused.push(Refused {
                household_id: c.household_id,
                reference: c.reference,
                problem,
            }),
        }
    }
    // By postcode, then address: Royal Mail's sortation (and its discounts
    // for presorted mail) works by postcode, and a print room's inserter
    // keeps the file's order, so letters leave in the order the sorting
    // office wants, each postcode's together (one walk for the postie).
    keep.sort_by(|a, b| a.0.cmp(&b.0));
    keep.into_iter().map(|(_, id)| id).collect()
}

/// Postcode, then the address from its last line up (town, street, house),
/// house numbers compared as numbers ("2 High Street" before "10"), then
/// the name and the reference so the order is total.
type SortKey = (String, Vec<Vec<Piece>>, String, String);

fn sort_key(lines: &[String], reference: &str) -> SortKey {
    let postcode = lines.last().cloned().unwrap_or_default();
    let middle = lines.get(1..lines.len().saturating_sub(1)).unwrap_or(&[]);
    (
        postcode,
        middle.iter().rev().map(|l| natural(l)).collect(),
        lines.first().cloned().unwrap_or_default().to_lowercase(),
        reference.to_string(),
    )
}

/// A piece of text for natural ordering: runs of digits as numbers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Piece {
    Number(u64),
    Text(String),
}

fn natural(s: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut digits = String::new();
    let mut text = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !text.is_empty() {
                out.push(Piece::Text(std::mem::take(&mut text)));
            }
            digits.push(c);
        } else {
            if !digits.is_empty() {
                out.push(Piece::Number(digits.parse().unwrap_or(u64::MAX)));
                digits.clear();
            }
            text.extend(c.to_lowercase());
        }
    }
    if !digits.is_empty() {
        out.push(Piece::Number(digits.parse().unwrap_or(u64::MAX)));
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    out
}

/// A message's recipient as window lines: the outbox keeps a letter's name,
/// address and postcode a line each, the address as the single view writes
/// it ("Flat 3, Marlborough Court, 12 Oak Road, Northfield"); each part of
/// it goes on a line of its own, as Royal Mail asks, but a bare flat number
/// stays with what follows it ("3, 12 Oak Road"). If that makes more lines
/// than a window takes, the address keeps the lines it came in.
pub fn address_lines(recipient: &str) -> Vec<String> {
    let given: Vec<String> = recipient
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    let mut split = Vec::new();
    for line in &given {
        let mut pending: Option<String> = None;
        for part in line.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let part = match pending.take() {
                Some(p) => format!("{p}, {part}"),
                None => part.to_string(),
            };
            let bare_number = part.len() <= 4
                && part.starts_with(|c: char| c.is_ascii_digit())
                && part.chars().all(|c| c.is_ascii_alphanumeric());
            if bare_number {
                pending = Some(part);
            } else {
                split.push(part);
            }
        }
        split.extend(pending);
    }
    if split.len() <= upstream_letters::batch::MAX_ADDRESS_LINES {
        split
    } else {
        given
    }
}

/// The outbox's words for one letter as the parts of a printed letter: a
/// bilingual message (`cy+en`) was filled in by `upstream_outreach` as the
/// Welsh, a `---` line, then the English, with the subject "Welsh /
/// English"; it is printed Welsh first, the English on a page of its own.
pub fn letter_parts(language: &str, subject: &str, body: &str) -> Vec<Part> {
    match language {
        "cy+en" => {
            let (cy_body, en_body) = body.split_once("\n\n---\n\n").unwrap_or((body, ""));
            let (cy_subject, en_subject) = subject.split_once(" / ").unwrap_or((subject, subject));
            let mut parts = vec![Part {
                welsh: true,
                heading: cy_subject.to_string(),
                body: cy_body.to_string(),
            }];
            if !en_body.trim().is_empty() {
                parts.push(Part {
                    welsh: false,
                    heading: en_subject.to_string(),
                    body: en_body.to_string(),
                });
            }
            parts
        }
        lang => vec![Part {
            welsh: lang == "cy",
            heading: subject.to_string(),
            body: body.to_string(),
        }],
    }
}

/// A letter of a batch, ready to lay out.
pub fn outreach_letter(l: &BatchLetter) -> OutreachLetter {
    OutreachLetter {
        reference: l.reference.clone(),
        household_id: l.household_id,
        address: address_lines(&l.recipient),
        parts: letter_parts(&l.language, &l.subject, &l.body),
    }
}

/// Counts bytes into a SHA-256 on their way to `inner`.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Write a batch's PDF to `out`, reading its letters from storage a page at
/// a time; `progress(done, total)` after each letter. The first print's
/// pages and SHA-256 are kept; a later print says whether it matches.
pub async fn write_batch<W: Write>(
    store: &Store,
    batch_id: i64,
    return_address: &[String],
    out: W,
    progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<(W, Printed)> {
    let batch = store
        .letter_batch(batch_id)
        .await?
        .ok_or_else(|| Error::Refused(format!("There is no letter batch {batch_id}")))?;
    let campaign = store
        .campaign(batch.campaign_id)
        .await?
        .ok_or_else(|| Error::Damaged(format!("batch {batch_id}'s campaign is gone")))?;
    let council = store
        .latest_town()
        .await?
        .map(|t| t.council_name)
        .unwrap_or_else(|| "The council".into());
    let sender = Sender {
        name: council.clone(),
        lines: std::iter::once(campaign.team.clone())
            .chain(return_address.iter().cloned())
            .collect(),
    };
    let mut page = store.letter_batch_letters(batch_id, 0, PAGE).await?;
    let welsh = page.first().is_some_and(|l| l.language.starts_with("cy"));
    let title = format!(
        "{council}: {}, step {}, letters batch {batch_id}",
        campaign.name, batch.step_no
    );
    let total = usize::try_from(batch.letters).unwrap_or(0);
    let mut writer = BatchWriter::new(
        Hashing {
            inner: out,
            hash: Sha256::new(),
        },
        sender,
        batch.dated,
        &title,
        if welsh { "cy-GB" } else { "en-GB" },
    )?;
    let mut done = 0;
    while let Some(last) = page.last().map(|l| l.seq) {
        for l in &page {
            writer.add(&outreach_letter(l))?;
            done += 1;
            progress(done, total);
        }
        page = store.letter_batch_letters(batch_id, last, PAGE).await?;
    }
    if done != total {
        return Err(Error::Damaged(format!(
            "letter batch {batch_id} should hold {total} letters but {done} were found"
        )));
    }
    let (hashing, summary) = writer.finish()?;
    let sha256: String = hashing
        .hash
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let same_as_first = match &batch.sha256 {
        Some(first) => Some(*first == sha256),
        None => {
            store
                .record_letter_batch_pdf(batch_id, summary.pages as i64, &sha256)
                .await?;
            None
        }
    };
    Ok((
        hashing.inner,
        Printed {
            batch,
            letters: summary.letters,
            pages: summary.pages,
            bytes: summary.bytes,
            sha256,
            same_as_first,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    #[test]
    fn an_address_from_the_single_view_goes_a_part_a_line_keeping_a_bare_flat_number() {
        assert_eq!(
            address_lines("Jo Bloggs\nFlat 3, Marlborough Court, 12 Oak Road, Northfield\nB31 2AB"),
            [
                "Jo Bloggs",
                "Flat 3",
                "Marlborough Court",
                "12 Oak Road",
                "Northfield",
                "B31 2AB"
            ]
        );
        assert_eq!(
            address_lines("Jo Bloggs\n3, 12 Oak Road, Brumford\nB31 2AB"),
            ["Jo Bloggs", "3, 12 Oak Road", "Brumford", "B31 2AB"]
        );
        let long = "Jo Bloggs\nA, B, C, D, E, F, G\nB31 2AB";
        assert_eq!(address_lines(long).len(), 3, "too many parts: as given");
    }

    #[test]
    fn letters_are_ordered_by_postcode_then_street_then_house_number() {
        let c = |id: i64, r: &str| LetterCandidate {
            id,
            reference: format!("r{id}"),
            household_id: id,
            recipient: r.into(),
        };
        let mut refused = Vec::new();
        let order = choose(
            vec![
                c(1, "A Person\n10 High Street\nB2 2BB"),
                c(2, "A Person\n2 High Street\nB2 2BB"),
                c(3, "A Person\n1 Low Road\nB1 1AA"),
                c(4, "No Postcode\n1 Low Road\nBrumford"),
            ],
            &mut refused,
        );
        assert_eq!(order, [3, 2, 1]);
        assert_eq!(refused.len(), 1);
        assert!(
            refused[0].to_string().contains("household 4"),
            "{:?}",
            refused[0]
        );
    }

    #[test]
    fn a_bilingual_message_is_printed_welsh_first_then_english() {
        let parts = letter_parts(
            "cy+en",
            "Help gydag arian / Help with money",
            "Annwyl Jo,\n\nGallwn helpu.\n\n---\n\nDear Jo,\n\nWe can help.",
        );
        assert_eq!(parts.len(), 2);
        assert!(parts[0].welsh && parts[0].heading == "Help gydag arian");
        assert!(parts[0].body.contains("Gallwn helpu") && !parts[0].body.contains("Dear"));
        assert!(!parts[1].welsh && parts[1].heading == "Help with money");
        assert!(parts[1].body.starts_with("Dear Jo"));
        assert_eq!(letter_parts("en", "Hello", "Dear Jo").len(), 1);
        assert!(letter_parts("cy", "Helo", "Annwyl Jo")[0].welsh);
    }

    #[test]
    fn house_numbers_compare_as_numbers() {
        assert_eq!(
            natural("2 High St").cmp(&natural("10 High St")),
            Ordering::Less
        );
        assert_eq!(natural("10a").cmp(&natural("10b")), Ordering::Less);
    }
}
