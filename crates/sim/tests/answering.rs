//! A town that answers back: contact changes nothing it should not, the
//! answers are drawn, and the engagement effect is there only when switched on.

use std::path::Path;
use upstream_core::Month;
use upstream_sim::response::{read_responses, Contact, ContactKind, ResponseKind};
use upstream_sim::{simulate, NoProgress, Profile, SimConfig};

fn config(months: u32, out: &Path, contacts: Vec<Contact>, effect: f64) -> SimConfig {
    let mut profile = Profile::load("birmingham").expect("built-in profile");
    profile.response.engaged_crisis_reduction = effect;
    SimConfig {
        profile,
        profile_name: "birmingham".into(),
        households: 400,
        months,
        seed: 11,
        out: out.to_path_buf(),
        contacts,
    }
}

fn file(dir: &Path, rel: &str) -> Vec<u8> {
    std::fs::read(dir.join(rel)).unwrap_or_default()
}

/// Letters and texts to every council tax payer in `month`'s extract.
fn contacts_from_council_tax(dir: &Path, month: Month) -> Vec<Contact> {
    let path = dir.join(format!("extracts/council_tax/council_tax_{month}.csv"));
    let mut reader = csv::Reader::from_path(path).expect("extract");
    let headers = reader.headers().expect("header").clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect("column");
    let (forename, surname, uprn, line1, postcode, phone) = (
        col("forename"),
        col("surname"),
        col("uprn"),
        col("address_1"),
        col("postcode"),
        col("phone"),
    );
    let date = month.first_day() + chrono::Days::new(9);
    let mut out = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.expect("row");
        out.push(Contact {
            reference: format!("letter-{i}"),
            date,
            kind: ContactKind::Letter,
            phone: String::new(),
            email: String::new(),
            uprn: row[uprn].parse().ok(),
            postcode: row[postcode].to_string(),
            address: row[line1].to_string(),
            addressee: format!("{} {}", &row[forename], &row[surname]),
            language: "en".into(),
        });
        if !row[phone].is_empty() {
            out.push(Contact {
                reference: format!("text-{i}"),
                kind: ContactKind::Sms,
                phone: row[phone].to_string(),
                ..out[out.len() - 1].clone()
            });
        }
    }
    out
}

fn extracts_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let manifest = upstream_sim::read_manifest(dir).expect("manifest");
    manifest
        .files
        .iter()
        .map(|f| (f.path.clone(), file(dir, &f.path)))
        .collect()
}

#[test]
fn contact_answers_without_changing_the_town_unless_engagement_protects() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let short = tmp.path().join("short");
    let quiet = tmp.path().join("quiet");
    let off = tmp.path().join("off");
    let on = tmp.path().join("on");

    simulate(&config(2, &short, Vec::new(), 0.3), &NoProgress).expect("short");
    let manifest = upstream_sim::read_manifest(&short).expect("manifest");
    let contacts = contacts_from_council_tax(&short, manifest.end_month);
    assert!(contacts.len() > 300, "{} contacts", contacts.len());

    simulate(&config(8, &quiet, Vec::new(), 0.3), &NoProgress).expect("quiet");
    simulate(&config(8, &off, contacts.clone(), 0.0), &NoProgress).expect("off");
    simulate(&config(8, &on, contacts.clone(), 0.9), &NoProgress).expect("on");

    // A longer run repeats the shorter one's months byte for byte: advancing
    // a town a month does not rewrite its past.
    for (path, bytes) in extracts_of(&short) {
        assert_eq!(bytes, file(&quiet, &path), "{path} changed when run longer");
    }
    // With the effect off, being contacted changes nothing in the town.
    let quiet_files = extracts_of(&quiet);
    assert_eq!(
        quiet_files,
        extracts_of(&off),
        "contact changed the town with the effect off"
    );

    // The town answered: calls after letters, texts back, some STOPs.
    let answers = read_responses(&off.join(upstream_sim::response::responses_file_name(
        manifest.end_month,
    )))
    .expect("responses");
    let calls = answers
        .iter()
        .filter(|r| r.kind == ResponseKind::Called)
        .count();
    let replies = answers
        .iter()
        .filter(|r| r.kind == ResponseKind::Replied)
        .count();
    assert!(calls > 5 && replies > 2, "calls {calls}, replies {replies}");
    assert!(
        calls < contacts.len() / 3,
        "nearly everyone answered: {calls}"
    );
    // The same contacts get the same answers.
    let again = read_responses(&on.join(upstream_sim::response::responses_file_name(
        manifest.end_month,
    )))
    .expect("responses");
    assert_eq!(answers, again);

    // With the effect on, the months after differ: fewer crises among those
    // who engaged.
    let later: Vec<_> = extracts_of(&on)
        .into_iter()
        .filter(|(p, _)| p.contains("homelessness") || p.contains("crisis"))
        .collect();
    let before: Vec<_> = quiet_files
        .into_iter()
        .filter(|(p, _)| p.contains("homelessness") || p.contains("crisis"))
        .collect();
    assert_ne!(later, before, "the effect changed nothing");
    assert!(on.join(upstream_sim::CONTACTS_FILE).exists());
}
