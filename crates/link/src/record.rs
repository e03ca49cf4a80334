//! Records as the linker sees them, and the values derived from them once
//! (first forename token, phonetic codes, postcode sector) so that comparing
//! millions of pairs does no repeated work.

use chrono::{Datelike, NaiveDate};
use rphonetic::{DoubleMetaphone, Encoder};

/// One record to link. Values are expected standardised already (upper-case
/// names, `B1 1AA` postcodes, `AB123456C` NI numbers): ingest does that for
/// council extracts, `standalone` for arbitrary CSVs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// Unique within one run, e.g. `council_tax:40000001/1`.
    pub id: String,
    /// 0 or 1; when linking two files only pairs across them are compared.
    pub dataset: u8,
    pub forename: Option<String>,
    pub middle_names: Option<String>,
    pub surname: Option<String>,
    pub dob: Option<NaiveDate>,
    pub nino: Option<String>,
    pub postcode: Option<String>,
    pub address: Option<String>,
    pub uprn: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Further fields, in the order of the config's `columns.extra`.
    pub extra: Vec<Option<String>>,
    /// When the record was live (first and last extract it appears in), if known.
    pub seen: Option<(NaiveDate, NaiveDate)>,
    /// When the record's fact began, as its source declares it (an account
    /// opened, a claim started), if known: often years before the first
    /// extract. See `settle_spans`.
    pub started: Option<NaiveDate>,
    /// The system the record came from, if known (for the cluster guard).
    pub source: String,
}

/// Each record's live span made as true as the extracts allow: records
/// still current run to the end of the data (`mark_still_current`), and a
/// record from a source whose account is the property (`address_sources`:
/// council tax) runs from when it began, not from the first extract that
/// happens to hold it. Without the second, a namesake who left in the first
/// month of the data looked like someone who moved in that month, and was
/// joined to the other.
pub fn settle_spans(records: &mut [Record], address_sources: &[String]) {
    mark_still_current(records);
    for r in records.iter_mut() {
        if let (Some((from, _)), Some(started)) = (r.seen.as_mut(), r.started) {
            if started < *from && address_sources.contains(&r.source) {
                *from = started;
            }
        }
    }
}

/// Records still current at the end of the data, marked so: a record in its
/// source's latest full extract (the extract date most of the source's
/// records were last seen in) is live until the last extract of any source,
/// however many smaller extracts (a register's monthly alterations, which
/// list only changes) came after. Without this, a registration in December's
/// full register would look ended by March, and two people of one name
/// living at once would look like one person who moved.
fn mark_still_current(records: &mut [Record]) {
    use std::collections::HashMap;
    let mut ends: HashMap<(&str, NaiveDate), u32> = HashMap::new();
    let mut data_end: Option<NaiveDate> = None;
    for r in records.iter() {
        if let Some((_, to)) = r.seen {
            *ends.entry((r.source.as_str(), to)).or_default() += 1;
            data_end = data_end.max(Some(to));
        }
    }
    let Some(data_end) = data_end else { return };
    let mut full: HashMap<String, (u32, NaiveDate)> = HashMap::new();
    for ((source, to), n) in ends {
        let e = full.entry(source.to_string()).or_insert((n, to));
        if (n, to) > *e {
            *e = (n, to);
        }
    }
    for r in records.iter_mut() {
        if let (Some((_, to)), Some((_, latest_full))) = (r.seen.as_mut(), full.get(&r.source)) {
            if to == latest_full {
                *to = data_end;
            }
        }
    }
}

/// Where a config's field name points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Forename,
    MiddleNames,
    Surname,
    Dob,
    Nino,
    Postcode,
    Address,
    Uprn,
    Phone,
    Email,
    Extra(usize),
}

impl Field {
    /// The field a config name points at. An extra column the user named
    /// comes first, even when it is called like a built-in field: it is
    /// what they mapped, and hiding it behind an empty built-in field would
    /// leave a comparison silently comparing nothing.
    pub fn resolve(name: &str, extra: &[String]) -> Option<Field> {
        if let Some(i) = extra.iter().position(|e| e == name) {
            return Some(Field::Extra(i));
        }
        Some(match name {
            "forename" => Field::Forename,
            "middle_names" => Field::MiddleNames,
            "surname" => Field::Surname,
            "dob" => Field::Dob,
            "nino" => Field::Nino,
            "postcode" => Field::Postcode,
            "address" => Field::Address,
            "uprn" => Field::Uprn,
            "phone" => Field::Phone,
            "email" => Field::Email,
            _ => return None,
        })
    }
}

impl Record {
    /// A text field's value; dates are not text (see `dob`).
    pub fn text(&self, f: Field) -> Option<&str> {
        let v = match f {
            Field::Forename => &self.forename,
            Field::MiddleNames => &self.middle_names,
            Field::Surname => &self.surname,
            Field::Dob => return None,
            Field::Nino => &self.nino,
            Field::Postcode => &self.postcode,
            Field::Address => &self.address,
            Field::Uprn => &self.uprn,
            Field::Phone => &self.phone,
            Field::Email => &self.email,
            Field::Extra(i) => return self.extra.get(i).and_then(|v| v.as_deref()),
        };
        v.as_deref().filter(|s| !s.is_empty())
    }
}

/// Values derived once per record.
#[derive(Debug, Clone, Default)]
pub struct Derived {
    /// First token of the forename (middle names typed into it are dropped).
    pub forename: Option<Box<str>>,
    pub forename_sound: Option<Box<str>>,
    pub surname_sound: Option<Box<str>>,
    pub postcode_sector: Option<Box<str>>,
    pub postcode_district: Option<Box<str>>,
    pub house_number: Option<Box<str>>,
    /// Flat and house number together: "3/12", or "/12" with no flat.
    pub premises: Option<Box<str>>,
    /// How many records hold this `forename`: a slip makes a rare one.
    pub forename_count: u32,
    /// Nothing to tell this person from a namesake (`weak_records`).
    pub weak: bool,
}

pub fn derive(records: &[Record]) -> Vec<Derived> {
    use rayon::prelude::*;
    let dm = DoubleMetaphone::default();
    let mut derived: Vec<Derived> = records
        .par_iter()
        .map(|r| {
            let forename = r
                .forename
                .as_deref()
                .and_then(|f| f.split_whitespace().next())
                .map(Box::from);
            // Double Metaphone knows English letters only, and rphonetic
            // slices its input by byte, so a character outside ASCII (a
            // script ingest cannot fold) would panic it: such names are
            // sounded out from their ASCII letters alone.
            let sound = |s: &str| {
                let ascii: String = s.chars().filter(char::is_ascii).collect();
                let code = dm.encode(&ascii);
                (!code.is_empty()).then(|| code.into_boxed_str())
            };
            let (house, premises) = r
                .address
                .as_deref()
                .map(premises_of)
                .unwrap_or((None, None));
            Derived {
                forename_sound: forename
                    .as_deref()
                    .filter(|f: &&str| f.len() > 1)
                    .and_then(sound),
                forename,
                surname_sound: r.surname.as_deref().and_then(sound),
                postcode_sector: r.postcode.as_deref().and_then(sector).map(Box::from),
                postcode_district: r
                    .postcode
                    .as_deref()
                    .and_then(|p| p.split(' ').next())
                    .filter(|d| !d.is_empty())
                    .map(Box::from),
                house_number: house,
                premises,
                forename_count: 0,
                weak: false,
            }
        })
        .collect();
    let mut count: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    for d in &derived {
        if let Some(f) = d.forename.as_deref() {
            *count.entry(f).or_default() += 1;
        }
    }
    let counts: Vec<u32> = derived
        .iter()
        .map(|d| d.forename.as_deref().map_or(0, |f| count[f]))
        .collect();
    for ((d, n), weak) in derived.iter_mut().zip(counts).zip(weak_records(records)) {
        d.forename_count = n;
        d.weak = weak;
    }
    derived
}

/// Which records give nothing to tell one person from a namesake: nothing
/// but a name (perhaps a postcode; `cluster::is_weak`), or a phone number or
/// email address that no other record holds. A call log's mobile number that no council system has seen agrees with nobody,
/// so the call is placed on a person by the name alone, as a bare name is:
/// in a city, "JATEEN CHAVDA" on a call could be either Jateen Chavda the
/// council knows. A different number still counts against a pair (it is a
/// comparison like any other); only the choice between people is a name's.
fn weak_records(records: &[Record]) -> Vec<bool> {
    let mut held: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    for r in records {
        for v in [&r.phone, &r.email].into_iter().flatten() {
            *held.entry(v.as_str()).or_default() += 1;
        }
    }
    let shared = |v: &Option<String>| {
        v.as_deref()
            .is_some_and(|v| held.get(v).is_some_and(|&n| n > 1))
    };
    records
        .iter()
        .map(|r| {
            r.dob.is_none()
                && r.nino.is_none()
                && r.address.is_none()
                && r.uprn.is_none()
                && !shared(&r.phone)
                && !shared(&r.email)
        })
        .collect()
}

fn sector(pc: &str) -> Option<String> {
    let (out, inw) = pc.split_once(' ')?;
    let d = inw.chars().next()?;
    Some(format!("{out} {d}"))
}

/// House number and flat from a standardised address line
/// ("FLAT 3 12 OAK ROAD" → house 12, premises "3/12").
fn premises_of(address: &str) -> (Option<Box<str>>, Option<Box<str>>) {
    let mut tokens = address.split_whitespace().peekable();
    let mut flat: Option<&str> = None;
    let mut house: Option<&str> = None;
    while let Some(t) = tokens.next() {
        if t == "FLAT" || t == "APARTMENT" || t == "UNIT" {
            flat = tokens.next();
            continue;
        }
        if t.starts_with(|c: char| c.is_ascii_digit()) {
            house = Some(t);
            break;
        }
    }
    let house = house.map(Box::from);
    let premises = house
        .as_deref()
        .map(|h| format!("{}/{h}", flat.unwrap_or("")).into_boxed_str());
    (house, premises)
}

pub fn birth_year(r: &Record) -> Option<i32> {
    r.dob.map(|d| d.year())
}

#[cfg(test)]
mod tests {

    #[test]
    fn records_in_the_latest_full_extract_are_still_current() {
        let day = |m: u32| NaiveDate::from_ymd_opt(2025, m, 1).unwrap_or_default();
        let on_register = |key: &str, from: u32, to: u32| Record {
            id: key.into(),
            source: "register".into(),
            seen: Some((day(from), day(to))),
            ..Record::default()
        };
        // The full register in March, then one alteration in May.
        let mut records = vec![
            on_register("still-on", 1, 3),
            on_register("also-on", 3, 3),
            on_register("left", 1, 1),
            on_register("added", 5, 5),
        ];
        mark_still_current(&mut records);
        let until: Vec<u32> = records
            .iter()
            .map(|r| r.seen.map_or(0, |(_, to)| to.month()))
            .collect();
        assert_eq!(until, vec![5, 5, 1, 5]);
        // A record without dates is left alone.
        let mut undated = vec![Record::default()];
        mark_still_current(&mut undated);
        assert_eq!(undated[0].seen, None);
    }

    #[test]
    fn an_account_that_is_the_property_runs_from_when_it_began() {
        let day = |y: i32, m: u32| NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default();
        let record = |source: &str, started: Option<NaiveDate>| Record {
            source: source.into(),
            seen: Some((day(2024, 4), day(2024, 4))),
            started,
            ..Record::default()
        };
        let mut records = vec![
            // Opened in 2019, seen only in the first extract: live since 2019.
            record("council_tax", Some(day(2019, 2))),
            // A claim's start says nothing of where its address began.
            record("benefits", Some(day(2019, 2))),
            // A start after the first sighting changes nothing.
            record("council_tax", Some(day(2024, 6))),
            record("council_tax", None),
        ];
        settle_spans(&mut records, &["council_tax".to_string()]);
        let spans: Vec<_> = records.iter().map(|r| r.seen).collect();
        let first_extract_only = Some((day(2024, 4), day(2024, 4)));
        assert_eq!(spans[0], Some((day(2019, 2), day(2024, 4))));
        assert_eq!(spans[1..], [first_extract_only; 3]);
    }

    use super::*;

    #[test]
    fn derives_premises_and_sounds() {
        let r = Record {
            forename: Some("JOHN PAUL".into()),
            surname: Some("SMITH".into()),
            postcode: Some("B1 1AA".into()),
            address: Some("FLAT 3 12 OAK ROAD".into()),
            ..Record::default()
        };
        let d = &derive(&[r])[0];
        assert_eq!(d.forename.as_deref(), Some("JOHN"));
        assert_eq!(d.house_number.as_deref(), Some("12"));
        assert_eq!(d.premises.as_deref(), Some("3/12"));
        assert_eq!(d.postcode_sector.as_deref(), Some("B1 1"));
        assert_eq!(d.postcode_district.as_deref(), Some("B1"));
        let s = derive(&[Record {
            surname: Some("SMYTHE".into()),
            ..Record::default()
        }]);
        assert_eq!(s[0].surname_sound, d.surname_sound);
    }

    #[test]
    fn an_initial_has_no_sound() {
        let d = &derive(&[Record {
            forename: Some("J".into()),
            ..Record::default()
        }])[0];
        assert!(d.forename_sound.is_none());
        assert_eq!(d.forename.as_deref(), Some("J"));
    }
}
