//! A case's chronology in sentences: what happened, when, and who did it,
//! newest first. Storage gathers the rows (`Store::case_chronology`); this
//! turns each into words a caseworker, a manager or the resident reading
//! their own record can follow.

use crate::casework_data::{ChronologyRow, StaffMember};
use crate::household::{day, words};
use crate::worklist::standards;
use upstream_casework::{ActionStatus, DutyKind};

pub(crate) struct ChronologyView {
    pub(crate) date: String,
    pub(crate) title: String,
    pub(crate) detail: String,
    pub(crate) by: String,
}

/// Each row in words, newest first.
pub(crate) fn chronology(rows: &[ChronologyRow], staff: &[StaffMember]) -> Vec<ChronologyView> {
    let s = standards();
    let channel = |c: &str| s.channel(c).map_or_else(|| words(c), |x| x.label.clone());
    let duty_title =
        |k: &str| DutyKind::parse(k).map_or_else(|| words(k), |d| d.label().to_string());
    let mut out: Vec<ChronologyView> = rows
        .iter()
        .map(|r| {
            let (title, detail) = match r.kind.as_str() {
                "opened" => (
                    "Case opened".to_string(),
                    match r.a.as_str() {
                        "referral" => "From a referral".to_string(),
                        "self_referral" => "The resident asked for help".to_string(),
                        _ => "From the weekly list".to_string(),
                    },
                ),
                "closed" => (
                    format!(
                        "Case closed: {}",
                        s.closure_reason(&r.a)
                            .map_or_else(|| words(&r.a), |c| c.label.clone())
                            .to_lowercase()
                    ),
                    r.b.clone(),
                ),
                "conversation" => ("Conversation recorded".to_string(), what_matters(&r.a)),
                "action" => (
                    "Action added to the support plan".to_string(),
                    format!("{} ({}, due {})", r.a, r.b, due(&r.c)),
                ),
                "attempt" => (
                    format!(
                        "{}: {}",
                        channel(&r.a),
                        s.attempt_result(&r.b)
                            .map_or_else(|| words(&r.b), |x| x.label.clone())
                            .to_lowercase()
                    ),
                    r.c.clone(),
                ),
                "duty" => (
                    format!("{} recorded", duty_title(&r.a)),
                    format!("Started on {}", due(&r.b)),
                ),
                "consent" => (
                    "Consent to share recorded".to_string(),
                    format!("Given by {}", r.a),
                ),
                "consent_withdrawn" => (format!("Consent given by {} withdrawn", r.a), r.b.clone()),
                "referral" => (format!("Referred to {}", r.a), r.b.clone()),
                "note" => ("Note".to_string(), r.a.clone()),
                "letter" => (
                    format!("Letter written: {}", r.a),
                    format!("Dated {}", due(&r.b)),
                ),
                "change" => change(&r.a, &r.b, staff),
                other => (words(other), r.a.clone()),
            };
            ChronologyView {
                date: r.on().map(day).unwrap_or_default(),
                title,
                detail,
                by: r.by.clone(),
            }
        })
        .collect();
    // Rows come oldest first; people read a case's story newest first.
    out.reverse();
    out
}

fn due(iso: &str) -> String {
    iso.parse().map(day).unwrap_or_else(|_| iso.to_string())
}

/// The first line of what matters to the resident, as a reminder.
fn what_matters(text: &str) -> String {
    let first = text.lines().next().unwrap_or("").trim();
    if first.chars().count() > 160 {
        format!("{}…", first.chars().take(160).collect::<String>())
    } else {
        first.to_string()
    }
}

/// A change the audit log recorded, from its purpose and detail.
fn change(purpose: &str, detail: &str, staff: &[StaffMember]) -> (String, String) {
    let d: serde_json::Value = serde_json::from_str(detail).unwrap_or_default();
    match purpose {
        "support plan action status" => (
            format!(
                "Support plan action marked “{}”",
                d["status"]
                    .as_str()
                    .and_then(ActionStatus::parse)
                    .map_or("changed", |s| s.label())
                    .to_lowercase()
            ),
            String::new(),
        ),
        "case connector" => {
            let name = d["connector"]
                .as_i64()
                .and_then(|id| staff.iter().find(|m| m.id == id))
                .map_or_else(
                    || "another connector".to_string(),
                    |m| m.display_name.clone(),
                );
            (format!("Case given to {name}"), String::new())
        }
        "homelessness duty" => (
            match d["what"].as_str() {
                Some("start_letter") => "Letter about the duty sent",
                Some("end_letter") => "End-of-duty letter sent",
                Some("ended") => "Duty ended",
                _ => "Duty changed",
            }
            .to_string(),
            d["on"].as_str().map(due).unwrap_or_default(),
        ),
        other => (words(other), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(at: &str, kind: &str, a: &str, b: &str, c: &str, by: &str) -> ChronologyRow {
        ChronologyRow {
            at: at.into(),
            kind: kind.into(),
            a: a.into(),
            b: b.into(),
            c: c.into(),
            by: by.into(),
        }
    }

    #[test]
    fn a_case_reads_newest_first_in_sentences_with_who_did_it() {
        let staff = vec![StaffMember {
            id: 7,
            display_name: "Sam Connector".into(),
            team: Some("prevention".into()),
        }];
        let rows = vec![
            row("2026-03-01", "opened", "worklist", "", "", "Lee Leader"),
            row(
                "2026-03-02T10:00:00.000000Z",
                "attempt",
                "phone",
                "no_answer",
                "left a voicemail",
                "Sam Connector",
            ),
            row(
                "2026-03-03T09:00:00.000000Z",
                "change",
                "case connector",
                r#"{"connector":7}"#,
                "",
                "lee",
            ),
            row(
                "2026-03-04T09:00:00.000000Z",
                "change",
                "homelessness duty",
                r#"{"duty":1,"what":"start_letter","on":"2026-03-04"}"#,
                "",
                "sam",
            ),
            row(
                "2026-03-05T09:00:00.000000Z",
                "note",
                "Rang the landlord",
                "",
                "",
                "Sam Connector",
            ),
        ];
        let out = chronology(&rows, &staff);
        let titles: Vec<&str> = out.iter().map(|v| v.title.as_str()).collect();
        assert_eq!(
            titles,
            vec![
                "Note",
                "Letter about the duty sent",
                "Case given to Sam Connector",
                "Phone: no answer",
                "Case opened"
            ]
        );
        assert_eq!(out[0].detail, "Rang the landlord");
        assert_eq!(out[0].date, "5 March 2026");
        assert_eq!(out[4].by, "Lee Leader");
        assert_eq!(out[4].detail, "From the weekly list");
    }
}
