//! Staff pages about people and households: the person search and the
//! household page. Both show personal data, so both are recorded in the
//! audit log before anything is shown, and a household the user may not see
//! is "Page not found".

use crate::auth::{audit_view, household_visible, record, CurrentUser, Refused};
use crate::data::{CandidateQuery, HouseholdDetail, MemberRecord, PersonCandidate};
use crate::layout::Layout;
use crate::pages::render;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::BTreeMap;
use upstream_core::{AuditAction, Role, SourceSystem};

/// Names this similar (Jaro-Winkler) or closer count as a match.
const NAME_SIMILARITY: f64 = 0.88;
/// People shown for one search, at most.
const SHOWN: usize = 50;
/// The longest search read; the rest is ignored.
const LONGEST_QUERY: usize = 200;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SearchForm {
    #[serde(default)]
    q: String,
}

/// A search as typed, taken apart.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ParsedQuery {
    pub(crate) dob: Option<NaiveDate>,
    /// Upper case, no spaces.
    pub(crate) postcode: Option<String>,
    /// Upper-case words that are neither a date nor the postcode.
    pub(crate) words: Vec<String>,
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

/// Whether `s` (upper case, no spaces) has the shape of a UK postcode.
pub(crate) fn is_postcode(s: &str) -> bool {
    let b = s.as_bytes();
    if !(5..=7).contains(&b.len()) || !b.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let (outward, inward) = b.split_at(b.len() - 3);
    outward[0].is_ascii_alphabetic()
        && outward.iter().any(u8::is_ascii_digit)
        && inward[0].is_ascii_digit()
        && inward[1].is_ascii_alphabetic()
        && inward[2].is_ascii_alphabetic()
}

pub(crate) fn parse_query(q: &str) -> ParsedQuery {
    let upper: String = q
        .chars()
        .take(LONGEST_QUERY)
        .collect::<String>()
        .to_uppercase();
    let tokens: Vec<&str> = upper
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .collect();
    let mut parsed = ParsedQuery::default();
    let mut used = vec![false; tokens.len()];
    for (i, t) in tokens.iter().enumerate() {
        if parsed.dob.is_none() {
            if let Some(d) = parse_date(t) {
                parsed.dob = Some(d);
                used[i] = true;
            }
        }
    }
    // A postcode typed with its space is two words; without, one.
    for i in 0..tokens.len() {
        if parsed.postcode.is_some() {
            break;
        }
        if used[i] {
            continue;
        }
        if i + 1 < tokens.len() && !used[i + 1] {
            let joined = format!("{}{}", tokens[i], tokens[i + 1]);
            if is_postcode(&joined) {
                parsed.postcode = Some(joined);
                used[i] = true;
                used[i + 1] = true;
                break;
            }
        }
        if is_postcode(tokens[i]) {
            parsed.postcode = Some(tokens[i].to_string());
            used[i] = true;
        }
    }
    parsed.words = tokens
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(t, _)| t.to_string())
        .collect();
    parsed
}

pub(crate) fn candidate_query(p: &ParsedQuery) -> CandidateQuery {
    let mut initials: Vec<char> = p.words.iter().filter_map(|w| w.chars().next()).collect();
    initials.sort_unstable();
    initials.dedup();
    CandidateQuery {
        postcode: p.postcode.clone(),
        dob: p.dob,
        surname_initials: initials,
        address: (!p.words.is_empty()).then(|| p.words.join(" ")),
    }
}

fn normal(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_uppercase()
}

/// How well `word` (upper case) matches `name`: 1 for the same, down to the
/// similarity threshold; a prefix of two letters or more counts as 0.9.
fn name_score(word: &str, name: Option<&str>) -> Option<f64> {
    let name = normal(name?);
    if name.is_empty() {
        return None;
    }
    let jw = strsim::jaro_winkler(word, &name);
    if jw >= NAME_SIMILARITY {
        Some(jw)
    } else if word.chars().count() >= 2 && name.starts_with(word) {
        Some(0.9)
    } else {
        None
    }
}

/// How well one record matches the words as a name: the first word as
/// forename and the last as surname (either way round), or one word as either.
fn record_name_score(words: &[String], c: &PersonCandidate) -> Option<f64> {
    let (fore, sur) = (c.forename.as_deref(), c.surname.as_deref());
    match words {
        [] => None,
        [one] => name_score(one, sur).or_else(|| name_score(one, fore)),
        [first, .., last] => {
            let straight = name_score(first, fore).zip(name_score(last, sur));
            let swapped = name_score(last, fore).zip(name_score(first, sur));
            [straight, swapped]
                .into_iter()
                .flatten()
                .map(|(a, b)| (a + b) / 2.0)
                .fold(None, |best: Option<f64>, s| {
                    Some(best.map_or(s, |b| b.max(s)))
                })
        }
    }
}

/// Whether someone in the household is the person `name` (born `dob`, if
/// given): a member's record with that name (forename and surname, as a
/// search would match them) and, where both give one, the same date of
/// birth. Accepting a referral into a household shows the referrer that
/// household; it must be the referred person's own.
pub(crate) fn has_member(detail: &HouseholdDetail, name: &str, dob: Option<NaiveDate>) -> bool {
    let words: Vec<String> = normal(name)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    if words.len() < 2 {
        return false;
    }
    detail.records.iter().any(|r| {
        let candidate = PersonCandidate {
            person_id: r.person_id,
            forename: r.forename.clone(),
            surname: r.surname.clone(),
            dob: r.dob,
            postcode: None,
            address: None,
        };
        let born_then = match (dob, r.dob) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        born_then && record_name_score(&words, &candidate).is_some()
    })
}

/// One person found, best match first.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ranked {
    pub(crate) person_id: i64,
    pub(crate) score: f64,
    pub(crate) name: String,
    pub(crate) dob: Option<NaiveDate>,
}

/// The people whose records meet every part of the search: the date of
/// birth, the postcode, and the other words as a name or in an address.
pub(crate) fn rank(p: &ParsedQuery, candidates: &[PersonCandidate]) -> Vec<Ranked> {
    let text = normal(&p.words.join(" "));
    let mut people: BTreeMap<i64, (bool, bool, Option<f64>, bool, &PersonCandidate)> =
        BTreeMap::new();
    for c in candidates {
        let entry = people
            .entry(c.person_id)
            .or_insert((false, false, None, false, c));
        entry.0 |= p.dob.is_some() && c.dob == p.dob;
        entry.1 |= p.postcode.as_ref().is_some_and(|pc| {
            c.postcode
                .as_deref()
                .is_some_and(|x| x.replace(' ', "").to_uppercase() == *pc)
        });
        if let Some(s) = record_name_score(&p.words, c) {
            if entry.2.is_none_or(|b| s > b) {
                entry.2 = Some(s);
                entry.4 = c;
            }
        }
        entry.3 |= !text.is_empty()
            && c.address
                .as_deref()
                .is_some_and(|a| normal(a).contains(&text));
    }
    let mut out: Vec<Ranked> = people
        .into_iter()
        .filter(|(_, (dob, pc, name, addr, _))| {
            (p.dob.is_none() || *dob)
                && (p.postcode.is_none() || *pc)
                && (p.words.is_empty() || name.is_some() || *addr)
        })
        .map(|(person_id, (_, _, name, _, c))| Ranked {
            person_id,
            score: name.unwrap_or(0.0),
            name: full_name(c.forename.as_deref(), c.surname.as_deref()),
            dob: c.dob,
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.name.cmp(&b.name))
            .then(a.person_id.cmp(&b.person_id))
    });
    out
}

fn full_name(forename: Option<&str>, surname: Option<&str>) -> String {
    let name = [forename, surname]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        "Name not recorded".to_string()
    } else {
        name
    }
}

pub(crate) fn day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

fn day_or_blank(d: Option<NaiveDate>) -> String {
    d.map(day).unwrap_or_default()
}

struct ResultRow {
    name: String,
    dob: String,
    address: String,
    household_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    q: String,
    searched: bool,
    rows: Vec<ResultRow>,
    found: String,
}

/// `GET /search?q=…`: find people by name, date of birth, address or postcode.
pub(crate) async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(form): Query<SearchForm>,
) -> Result<Response, Refused> {
    user.require_role(&[Role::Connector, Role::TeamLeader, Role::PartnerWorker])?;
    let q = form.q.trim().to_string();
    let mut rows = Vec::new();
    let mut found = String::new();
    if !q.is_empty() {
        // Who searched for whom is personal data too: recorded before anything is shown.
        record(
            &state,
            &user.audit(
                AuditAction::View,
                "search",
                "",
                "search",
                serde_json::json!({ "query": q }),
            ),
        )
        .await?;
        let parsed = parse_query(&q);
        let candidates = state
            .source
            .person_candidates(&candidate_query(&parsed))
            .await?;
        let ranked = rank(&parsed, &candidates);
        let ids: Vec<i64> = ranked.iter().map(|r| r.person_id).collect();
        let homes = state.source.households_of(&ids).await?;
        let mut home_of = BTreeMap::new();
        for h in homes {
            // Current first, then the latest: keep the first seen.
            home_of.entry(h.person_id).or_insert(h);
        }
        for r in ranked {
            let home = home_of.get(&r.person_id);
            let household_id = match home {
                Some(h)
                    if household_visible(&state, &user, h.household_id)
                        .await
                        .is_ok() =>
                {
                    Some(h.household_id)
                }
                // Someone in no household the user may see is not shown at all.
                _ => continue,
            };
            let address = home
                .map(|h| {
                    [h.address.as_deref(), h.postcode.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            rows.push(ResultRow {
                name: r.name,
                dob: day_or_blank(r.dob),
                address,
                household_id,
            });
            if rows.len() == SHOWN {
                break;
            }
        }
        found = match rows.len() {
            0 => "No people found".to_string(),
            1 => "1 person found".to_string(),
            n if n == SHOWN => format!("The best {SHOWN} matches"),
            n => format!("{n} people found"),
        };
    }
    let page = SearchPage {
        layout: Layout::new(&state, Some(&user)).await.at("/search"),
        searched: !q.is_empty(),
        q,
        rows,
        found,
    };
    Ok(render(StatusCode::OK, &page))
}

pub(crate) struct PersonView {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) dob: String,
}

struct ResidenceView {
    person: String,
    address: String,
    from: String,
    to: String,
}

struct RecordView {
    person: String,
    source: String,
    record_key: String,
    first: String,
    last: String,
}

struct EventView {
    date: String,
    name: String,
    detail: String,
}

struct RiskView {
    percentage: String,
    in_crisis: bool,
    reasons: Vec<String>,
    persona: String,
    persona_reason: String,
    resilience: i32,
    resilience_band: String,
    resilience_parts: Vec<(String, String)>,
}

struct FlagView {
    reason: String,
    set_by: String,
    expires: String,
}

struct ContactView {
    on: String,
    channel: String,
    outcome: String,
    recorded_by: String,
}

struct CaseView {
    id: i64,
    status: String,
    opened: String,
    closed: String,
}

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage {
    layout: Layout,
    id: i64,
    address: String,
    period: String,
    people: Vec<PersonView>,
    residences: Vec<ResidenceView>,
    records: Vec<RecordView>,
    assessed_on: String,
    events: Vec<EventView>,
    risk: Option<RiskView>,
    flags: Vec<FlagView>,
    contacts: Vec<ContactView>,
    cases: Vec<CaseView>,
    has_open_case: bool,
    /// (given by, organisations, purposes, status) for each consent.
    consents: Vec<(String, String, String, String)>,
    reach: crate::contact::ReachView,
    reach_link: String,
}

/// "Job loss" from `job_loss`.
pub(crate) fn words(s: &str) -> String {
    let s = s.replace(['_', '-'], " ");
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(crate) fn source_title(source: &str) -> String {
    SourceSystem::parse(source).map_or_else(|| words(source), |s| s.title().to_string())
}

/// Each member's name and date of birth from their latest records.
pub(crate) fn people(detail: &HouseholdDetail) -> Vec<PersonView> {
    detail
        .members
        .iter()
        .map(|&id| {
            let mut forename = None;
            let mut surname = None;
            let mut dob = None;
            // Records come oldest first: the latest known value wins.
            for r in detail.records.iter().filter(|r| r.person_id == id) {
                forename = r.forename.clone().or(forename);
                surname = r.surname.clone().or(surname);
                dob = r.dob.or(dob);
            }
            PersonView {
                id,
                name: full_name(forename.as_deref(), surname.as_deref()),
                dob: day_or_blank(dob),
            }
        })
        .collect()
}

/// Each member's name, one per person (the partner's household page).
pub(crate) fn person_names(detail: &HouseholdDetail) -> Vec<String> {
    people(detail).into_iter().map(|p| p.name).collect()
}

/// One row per source record, with the first and last extract it was in.
fn records(detail: &HouseholdDetail, names: &BTreeMap<i64, String>) -> Vec<RecordView> {
    type Span = (Option<NaiveDate>, Option<NaiveDate>);
    let mut seen: BTreeMap<(i64, &str, &str), Span> = BTreeMap::new();
    for MemberRecord {
        person_id,
        source,
        record_key,
        extract_date,
        ..
    } in &detail.records
    {
        let e = seen
            .entry((*person_id, source.as_str(), record_key.as_str()))
            .or_insert((*extract_date, *extract_date));
        e.0 = match (e.0, *extract_date) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        e.1 = match (e.1, *extract_date) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
    seen.into_iter()
        .map(|((person, source, key), (first, last))| RecordView {
            person: names.get(&person).cloned().unwrap_or_default(),
            source: source_title(source),
            record_key: key.to_string(),
            first: day_or_blank(first),
            last: day_or_blank(last),
        })
        .collect()
}

fn risk(detail: &HouseholdDetail) -> Option<RiskView> {
    let a = detail.assessment.as_ref()?;
    let reasons: Vec<String> = serde_json::from_str(&a.reasons).unwrap_or_default();
    let parts: Vec<(String, f64)> = serde_json::from_str(&a.resilience_parts).unwrap_or_default();
    Some(RiskView {
        percentage: a.probability.map_or_else(
            || "Not scored".to_string(),
            |p| format!("{:.0}%", p * 100.0),
        ),
        in_crisis: a.in_crisis,
        reasons,
        persona: words(&a.persona),
        persona_reason: a.persona_reason.clone(),
        resilience: a.resilience,
        resilience_band: words(&a.resilience_band),
        resilience_parts: parts
            .into_iter()
            .map(|(text, points)| (text, format!("{points:+}")))
            .collect(),
    })
}

/// `GET /households/{id}`: everything known about one household.
pub(crate) async fn household(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, Refused> {
    let id: i64 = id.parse().map_err(|_| Refused::NotFound)?;
    household_visible(&state, &user, id).await?;
    if user.role() == Role::PartnerWorker {
        return crate::partner::household(&state, &user, id).await;
    }
    let today = state.today();
    let Some(detail) = state.source.household(id, today).await? else {
        // One family an earlier run saw twice: a link to the merged copy
        // (a kept worklist, a bookmark) leads to the family's household.
        return match state.source.household_merged_into(id).await? {
            Some(into) => Ok(axum::response::IntoResponse::into_response(
                axum::response::Redirect::to(&format!("/households/{into}")),
            )),
            None => Err(Refused::NotFound),
        };
    };
    audit_view(&state, &user, "household", id.to_string(), "household page").await?;
    let people = people(&detail);
    let names: BTreeMap<i64, String> = people.iter().map(|p| (p.id, p.name.clone())).collect();
    let reach = crate::contact::reach(&state, &detail, &people).await?;
    let standards = crate::worklist::standards();
    let consents = state
        .casework
        .consents_of(id)
        .await?
        .into_iter()
        .map(|c| {
            let status = if c.is_live(today) {
                format!(
                    "In force{}",
                    c.expires_on
                        .map(|e| format!(" until {}", day(e)))
                        .unwrap_or_default()
                )
            } else if let Some(w) = c.withdrawn_on {
                format!("Withdrawn on {}", day(w))
            } else {
                "Expired".to_string()
            };
            let purposes = c
                .purposes
                .iter()
                .map(|p| {
                    standards
                        .consent_purpose(p)
                        .map_or_else(|| words(p), |x| x.label.clone())
                })
                .collect::<Vec<_>>()
                .join(", ");
            (c.given_by, c.organisations.join(", "), purposes, status)
        })
        .collect();
    let page = HouseholdPage {
        layout: Layout::new(&state, Some(&user)).await.at("/search"),
        id,
        address: [detail.address.as_deref(), detail.postcode.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", "),
        period: if detail.current {
            format!("Living here since {}", day(detail.from))
        } else {
            format!("Lived here from {} to {}", day(detail.from), day(detail.to))
        },
        residences: detail
            .residences
            .iter()
            .map(|r| ResidenceView {
                person: names.get(&r.person_id).cloned().unwrap_or_default(),
                address: [r.address.as_deref(), r.postcode.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", "),
                from: day(r.from),
                to: day(r.to),
            })
            .collect(),
        records: records(&detail, &names),
        assessed_on: day_or_blank(detail.assessed_on),
        events: detail
            .events
            .iter()
            .map(|e| EventView {
                date: day(e.date),
                name: words(&e.event),
                detail: e.detail.clone(),
            })
            .collect(),
        risk: risk(&detail),
        flags: detail
            .flags
            .iter()
            .map(|f| FlagView {
                reason: f.reason.clone(),
                set_by: f.set_by.clone(),
                expires: day(f.expires_on),
            })
            .collect(),
        contacts: detail
            .contacts
            .iter()
            .map(|c| ContactView {
                on: day(c.on),
                channel: words(&c.channel),
                outcome: words(&c.outcome),
                recorded_by: c.recorded_by.clone(),
            })
            .collect(),
        cases: detail
            .cases
            .iter()
            .map(|c| CaseView {
                id: c.id,
                status: words(&c.status),
                opened: day(c.opened_on),
                closed: day_or_blank(c.closed_on),
            })
            .collect(),
        has_open_case: detail.cases.iter().any(|c| c.status == "open"),
        consents,
        people,
        reach,
        reach_link: format!("/households/{id}/contact"),
    };
    Ok(render(StatusCode::OK, &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(person_id: i64, fore: &str, sur: &str, dob: &str, pc: &str) -> PersonCandidate {
        PersonCandidate {
            person_id,
            forename: Some(fore.into()),
            surname: Some(sur.into()),
            dob: parse_date(dob),
            postcode: Some(pc.into()),
            address: Some("12 Acacia Avenue".into()),
        }
    }

    #[test]
    fn searches_are_taken_apart_into_date_postcode_and_words() {
        let p = parse_query("  jon  Smiht 02/03/1980 b1 1aa ");
        assert_eq!(p.dob, NaiveDate::from_ymd_opt(1980, 3, 2));
        assert_eq!(p.postcode.as_deref(), Some("B11AA"));
        assert_eq!(p.words, vec!["JON".to_string(), "SMIHT".to_string()]);
        assert_eq!(parse_query("B11AA").postcode.as_deref(), Some("B11AA"));
        assert_eq!(
            parse_query("1980-03-02").dob,
            NaiveDate::from_ymd_opt(1980, 3, 2)
        );
    }

    #[test]
    fn names_with_typos_match_and_others_do_not() {
        let people = [
            candidate(1, "John", "Smith", "1980-03-02", "B1 1AA"),
            candidate(2, "Mary", "Jones", "1975-01-01", "B2 2BB"),
        ];
        let found = rank(&parse_query("jon smiht"), &people);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].person_id, 1);
        assert_eq!(rank(&parse_query("SMITH JOHN"), &people)[0].person_id, 1);
        assert_eq!(rank(&parse_query("b22bb"), &people)[0].person_id, 2);
        assert!(rank(&parse_query("jon smiht 1975-01-01"), &people).is_empty());
        assert_eq!(rank(&parse_query("acacia avenue"), &people).len(), 2);
    }
}
