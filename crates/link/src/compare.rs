//! Field comparisons with graded levels. Level 0 is always the strongest
//! agreement; `NULL` means a value is missing on one side, which is neither
//! evidence for nor against a match.

use crate::config::{ComparisonConfig, ComparisonKind};
use crate::names::{initial_fits, short_form, slipped};
use crate::record::{Derived, Field, Record};
use chrono::{Datelike, NaiveDate};
use strsim::{jaro_winkler, osa_distance};

pub const NULL: u8 = 15;

#[derive(Debug, Clone)]
pub struct Comparison {
    pub name: String,
    pub kind: ComparisonKind,
    pub fields: Vec<Field>,
    pub tf: bool,
    pub similarity: Vec<f64>,
    /// `Numeric` only: differences still counted close, smallest first.
    pub within: Vec<f64>,
    /// A value one person holds and nobody else (see `ComparisonConfig`).
    pub identifier: bool,
}

impl Comparison {
    pub fn new(c: &ComparisonConfig, extra: &[String]) -> Option<Comparison> {
        Some(Comparison {
            name: c.name.clone(),
            kind: c.kind,
            fields: c
                .fields
                .iter()
                .map(|f| Field::resolve(f, extra))
                .collect::<Option<Vec<_>>>()?,
            tf: c.tf,
            similarity: c.similarity.clone(),
            within: c.within.clone(),
            identifier: c.identifier,
        })
    }

    /// How many levels (excluding NULL) this comparison has.
    pub fn levels(&self) -> usize {
        self.labels().len()
    }

    /// Plain-English meaning of each level.
    pub fn labels(&self) -> Vec<String> {
        let bands = |prefix: &str| -> Vec<String> {
            self.similarity
                .iter()
                .map(|s| format!("{prefix} spelling (similarity at least {s:.2})"))
                .collect()
        };
        match self.kind {
            ComparisonKind::Forename => {
                let mut l = vec!["exactly the same".to_string()];
                l.extend(bands("similar"));
                l.push("swapped with the surname".into());
                l.push("sound alike".into());
                l.push("a short form or nickname that fits, or one letter off".into());
                l.push("an initial that fits".into());
                l.push("different".into());
                l
            }
            ComparisonKind::Surname | ComparisonKind::Text => {
                let mut l = vec!["exactly the same".to_string()];
                l.extend(bands("similar"));
                if self.kind == ComparisonKind::Surname {
                    l.push("swapped with the forename".into());
                    l.push("sound alike".into());
                }
                l.push("different".into());
                l
            }
            ComparisonKind::Numeric => {
                let mut l = vec!["exactly the same".to_string()];
                l.extend(self.within.iter().map(|w| format!("within {w}")));
                l.push("different".into());
                l
            }
            ComparisonKind::Dob | ComparisonKind::Date => vec![
                "exactly the same".into(),
                "day and month swapped, or one part different".into(),
                "same year of birth only".into(),
                "different".into(),
            ],
            ComparisonKind::Location => vec![
                "the same property".into(),
                "the same house or flat number in the same postcode area".into(),
                "the same postcode; one side gives no address".into(),
                "the same postcode, a different property".into(),
                "the same postcode sector".into(),
                "different, at the same time".into(),
                "different, one after the other (a move?)".into(),
                "different".into(),
            ],
            ComparisonKind::Exact => vec!["exactly the same".into(), "different".into()],
        }
    }

    /// The value the term-frequency adjustment looks up for record `r`.
    pub fn tf_value<'a>(&self, r: &'a Record, d: &'a Derived) -> Option<&'a str> {
        match self.kind {
            ComparisonKind::Forename => d.forename.as_deref(),
            ComparisonKind::Dob | ComparisonKind::Location => None,
            ComparisonKind::Date => r.text(self.fields[0]),
            _ => r.text(self.fields[0]),
        }
    }

    pub fn level(&self, a: &Record, da: &Derived, b: &Record, db: &Derived) -> u8 {
        match self.kind {
            ComparisonKind::Forename => self.forename(a, da, b, db),
            ComparisonKind::Surname => match (a.text(self.fields[0]), b.text(self.fields[0])) {
                (Some(x), Some(y)) => {
                    let l = self.similar(x, y);
                    let n = self.similarity.len() as u8;
                    if l <= n {
                        l
                    } else if swapped(a, da, b, db) {
                        n + 1
                    } else if da.surname_sound.is_some() && da.surname_sound == db.surname_sound
                        || compound_contains(x, y)
                    {
                        n + 2
                    } else {
                        n + 3
                    }
                }
                _ => NULL,
            },
            ComparisonKind::Text => match (a.text(self.fields[0]), b.text(self.fields[0])) {
                (Some(x), Some(y)) => {
                    let l = self.similar(x, y);
                    let n = self.similarity.len() as u8;
                    // An initial that fits ("J" and "JAMES" as middle
                    // names) is as close as the loosest similar spelling.
                    let initial = (x.len() == 1) != (y.len() == 1)
                        && x.as_bytes().first() == y.as_bytes().first();
                    if l > n && initial && n > 0 {
                        n
                    } else {
                        l
                    }
                }
                _ => NULL,
            },
            ComparisonKind::Numeric => match (number(a, self.fields[0]), number(b, self.fields[0]))
            {
                (Some(x), Some(y)) => {
                    let d = (x - y).abs();
                    if d == 0.0 {
                        0
                    } else {
                        self.within
                            .iter()
                            .position(|w| d <= *w)
                            .map_or(self.within.len() as u8 + 1, |i| i as u8 + 1)
                    }
                }
                _ => NULL,
            },
            ComparisonKind::Date => {
                match (date_of(a, self.fields[0]), date_of(b, self.fields[0])) {
                    (Some(x), Some(y)) => dob_level(x, y),
                    _ => NULL,
                }
            }
            ComparisonKind::Exact => match (a.text(self.fields[0]), b.text(self.fields[0])) {
                (Some(x), Some(y)) => u8::from(x != y),
                _ => NULL,
            },
            ComparisonKind::Dob => match (a.dob, b.dob) {
                (Some(x), Some(y)) => dob_level(x, y),
                _ => NULL,
            },
            ComparisonKind::Location => self.location(a, da, b, db),
        }
    }

    /// 0 exact, 1..=n by similarity band, n+1 otherwise.
    fn similar(&self, x: &str, y: &str) -> u8 {
        if x == y {
            return 0;
        }
        let s = jaro_winkler(x, y);
        for (i, band) in self.similarity.iter().enumerate() {
            if s >= *band {
                return i as u8 + 1;
            }
        }
        self.similarity.len() as u8 + 1
    }

    fn forename(&self, a: &Record, da: &Derived, b: &Record, db: &Derived) -> u8 {
        let (Some(x), Some(y)) = (da.forename.as_deref(), db.forename.as_deref()) else {
            return NULL;
        };
        let n = self.similarity.len() as u8;
        let (swap, sound, short, initial, different) = (n + 1, n + 2, n + 3, n + 4, n + 5);
        if x.len() == 1 || y.len() == 1 {
            // An initial only ever "fits"; it cannot be exact or similar.
            let (i, name) = if x.len() == 1 { (x, y) } else { (y, x) };
            return if x.as_bytes()[0] == y.as_bytes()[0] || initial_fits(i.as_bytes()[0], name) {
                initial
            } else if swapped(a, da, b, db) {
                swap
            } else {
                different
            };
        }
        let l = self.similar(x, y);
        if l <= n {
            l
        } else if swapped(a, da, b, db) {
            swap
        } else if da.forename_sound.is_some() && da.forename_sound == db.forename_sound {
            sound
        } else if short_form(x, y) || slipped(x, da.forename_count, y, db.forename_count) {
            short
        } else {
            different
        }
    }

    fn location(&self, a: &Record, da: &Derived, b: &Record, db: &Derived) -> u8 {
        let [uprn, address, postcode] = [self.fields[0], self.fields[1], self.fields[2]];
        let (ua, ub) = (a.text(uprn), b.text(uprn));
        let (aa, ab) = (a.text(address), b.text(address));
        let (pa, pb) = (a.text(postcode), b.text(postcode));
        let uprns_differ = matches!((ua, ub), (Some(x), Some(y)) if x != y);
        if matches!((ua, ub), (Some(x), Some(y)) if x == y) {
            return 0;
        }
        if !uprns_differ {
            if let (Some(x), Some(y)) = (aa, ab) {
                if x == y && pa.is_some() && pa == pb {
                    return 0;
                }
                let same_premises = da.premises.is_some() && da.premises == db.premises;
                let same_area = match (pa, pb) {
                    (Some(p), Some(q)) => {
                        p == q
                            || da.postcode_district == db.postcode_district
                            || postcode_slip(p, q)
                    }
                    _ => true,
                };
                // A UK postcode covers some fifteen homes, so one number in
                // one postcode is one home; any other (a US zip code, an
                // Australian one: a suburb or a town) needs the address
                // lines to agree as well.
                let one_home_postcode = pa == pb && da.postcode_sector.is_some();
                if same_premises && same_area && (one_home_postcode || lines_agree(x, y)) {
                    return 1;
                }
            }
        }
        let both_addressed = (aa.is_some() && ab.is_some()) || uprns_differ;
        // Two places at once is unlikely for one person; one after the other is a move.
        let elsewhere = match time_apart(a.seen, b.seen) {
            Some(true) => 5,
            Some(false) if lasting(a.seen) && lasting(b.seen) => 6,
            _ => 7,
        };
        match (pa, pb) {
            (Some(p), Some(q)) if p == q && !both_addressed => 2,
            (Some(p), Some(q)) if p == q => 3,
            // Postcodes kept as text (not UK ones) have no sector.
            (Some(_), Some(_))
                if da.postcode_sector.is_some() && da.postcode_sector == db.postcode_sector =>
            {
                4
            }
            (Some(_), Some(_)) => elsewhere,
            _ if uprns_differ => elsewhere,
            _ if aa.is_some() && ab.is_some() => {
                if aa == ab {
                    0
                } else {
                    elsewhere
                }
            }
            _ => NULL,
        }
    }
}

/// Two address lines of one home: spelt nearly alike, or one holding every
/// word of the other, in any order, with words to spare ("297 IRRIGATION
/// FARM CAMPSIE" within "297 DISCOVERY STREET IRRIGATION FARM CAMPSIE"):
/// systems keep different lines of an address, and in different orders.
fn lines_agree(x: &str, y: &str) -> bool {
    if jaro_winkler(x, y) >= 0.9 {
        return true;
    }
    let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
    let long: Vec<&str> = long.split_whitespace().collect();
    let words: Vec<&str> = short.split_whitespace().collect();
    words.len() >= 3 && words.iter().all(|w| long.contains(w))
}

/// Two postcodes one keystroke apart: a character typed wrong, dropped,
/// added, or two side by side swapped ("B27 6AA" for "B72 6AA", "2617" for
/// "2167"). Postcodes are keyed by hand from forms and phone calls, and a
/// slip in the outward code moves them to another district; with the same
/// house or flat number and a near-identical address line it is still the
/// same home. Spaces do not count.
pub fn postcode_slip(p: &str, q: &str) -> bool {
    let compact = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    let (p, q) = (compact(p), compact(q));
    p.len().min(q.len()) >= 3 && osa_distance(&p, &q) == 1
}

/// A field read as a number (extras of kind `number`, or any numeric text).
fn number(r: &Record, f: Field) -> Option<f64> {
    r.text(f)?.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// A field read as a date: the date of birth, or an extra stored as
/// `YYYY-MM-DD` (extras of kind `date` are standardised so).
fn date_of(r: &Record, f: Field) -> Option<NaiveDate> {
    match f {
        Field::Dob => r.dob,
        f => NaiveDate::parse_from_str(r.text(f)?, "%Y-%m-%d").ok(),
    }
}

/// Whether two records' live periods overlap (beyond the few weeks a move
/// takes to reach every system); None when either is unknown.
fn time_apart(
    a: Option<(NaiveDate, NaiveDate)>,
    b: Option<(NaiveDate, NaiveDate)>,
) -> Option<bool> {
    match (a, b) {
        (Some((fa, ta)), Some((fb, tb))) => {
            let overlap = (ta.min(tb) - fa.max(fb)).num_days();
            // A one-off event (a call) inside the other's span counts too.
            let point = fa == ta || fb == tb;
            Some(if point { overlap >= 0 } else { overlap > 45 })
        }
        _ => None,
    }
}

/// A record seen in more than one extract: an account, a claim, a registration.
fn lasting(seen: Option<(NaiveDate, NaiveDate)>) -> bool {
    matches!(seen, Some((f, t)) if f != t)
}

/// Forename and surname typed the wrong way round on one side.
fn swapped(a: &Record, da: &Derived, b: &Record, db: &Derived) -> bool {
    // Both crossings must fit, so each may be looser than a plain comparison;
    // the surname side is not nickname-mapped ("LEUNG ANDY" / "ANDREW LEUNG").
    let close = |x: Option<&str>, y: Option<&str>| match (x, y) {
        (Some(x), Some(y)) => {
            x.len() > 1 && y.len() > 1 && (x == y || jaro_winkler(x, y) >= 0.8 || short_form(x, y))
        }
        _ => false,
    };
    // Or sound alike: the surname side is not nickname-mapped, so a
    // transliteration there ("MOHAMED" for "MUHAMMAD") only matches by sound.
    let sounds = |x: &Option<Box<str>>, y: &Option<Box<str>>| x.is_some() && x == y;
    // Or, on one crossing only, an initial ("S RICHARD" for Richard Sutton).
    let initial = |x: Option<&str>, y: Option<&str>| match (x, y) {
        (Some(x), Some(y)) => {
            let (i, name) = if x.len() == 1 { (x, y) } else { (y, x) };
            i.len() == 1 && name.len() > 1 && name.starts_with(i)
        }
        _ => false,
    };
    let (fa, sb) = (da.forename.as_deref(), first_surname(b));
    let (sa, fb) = (first_surname(a), db.forename.as_deref());
    let first = close(fa, sb) || sounds(&da.forename_sound, &db.surname_sound);
    let second = close(sa, fb) || sounds(&da.surname_sound, &db.forename_sound);
    (first && second) || (close(fa, sb) && initial(sa, fb)) || (initial(fa, sb) && close(sa, fb))
}

/// The first word of a record's surname: where a swapped forename lands.
pub fn first_surname(r: &Record) -> Option<&str> {
    r.surname.as_deref().and_then(|s| s.split(' ').next())
}

/// One surname is a part of the other ("SMITH" and "SMITH JONES").
fn compound_contains(x: &str, y: &str) -> bool {
    let (short, long) = if x.len() < y.len() { (x, y) } else { (y, x) };
    short.len() >= 3 && long.split(' ').any(|t| t == short)
}

fn dob_level(x: NaiveDate, y: NaiveDate) -> u8 {
    if x == y {
        return 0;
    }
    let swapped = x.day() == y.month() && x.month() == y.day() && x.year() == y.year();
    let differing = u8::from(x.day() != y.day())
        + u8::from(x.month() != y.month())
        + u8::from(x.year() != y.year());
    if swapped || differing == 1 {
        1
    } else if x.year() == y.year() {
        2
    } else {
        3
    }
}

/// Whether two dates of birth could belong to one person recorded with a
/// slip (used by the cluster guard).
pub fn dobs_compatible(x: NaiveDate, y: NaiveDate) -> bool {
    dob_level(x, y) <= 1
}

/// Whether two full forenames could be one person's (used by the cluster guard).
pub fn forenames_compatible(x: &str, y: &str, sx: Option<&str>, sy: Option<&str>) -> bool {
    x == y || jaro_winkler(x, y) >= 0.8 || (sx.is_some() && sx == sy) || short_form(x, y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::derive;

    fn cmp(kind: ComparisonKind, fields: &[Field]) -> Comparison {
        Comparison {
            name: "t".into(),
            kind,
            fields: fields.to_vec(),
            tf: false,
            similarity: vec![0.92, 0.85],
            within: vec![1.0, 5.0],
            identifier: false,
        }
    }

    fn level(c: &Comparison, a: Record, b: Record) -> u8 {
        let d = derive(&[a.clone(), b.clone()]);
        c.level(&a, &d[0], &b, &d[1])
    }

    fn named(f: &str, s: &str) -> Record {
        Record {
            forename: Some(f.into()),
            surname: Some(s.into()),
            ..Record::default()
        }
    }

    #[test]
    fn forename_levels() {
        let c = cmp(ComparisonKind::Forename, &[Field::Forename]);
        assert_eq!(c.levels(), 8);
        assert_eq!(level(&c, named("JOHN", "X"), named("JOHN", "Y")), 0);
        assert_eq!(level(&c, named("JO", "X"), named("JOANNE", "Y")), 5);
        assert_eq!(level(&c, named("SAMANTHA", "X"), named("SAMMY", "Y")), 5);
        assert_eq!(
            level(&c, named("DAVIES", "CHLOE"), named("CHLOE", "DAVIES")),
            3
        );
        // Typed surname first, a nickname on the surname side is not made
        // formal: JACK STEINERT's forename became JOHN.
        assert_eq!(
            level(&c, named("JOHN", "STEINERT"), named("STEINERT", "JACK")),
            3
        );
        assert_eq!(
            level(&c, named("CATHERINE", "X"), named("CATHERNE", "Y")),
            1
        );
        assert_eq!(level(&c, named("J", "X"), named("JOHN", "Y")), 6);
        assert_eq!(level(&c, named("K", "X"), named("JOHN", "Y")), 7);
        assert_eq!(level(&c, named("PETER", "X"), named("JOHN", "Y")), 7);
        assert_eq!(level(&c, named("SAMMY", "X"), named("JOHN", "Y")), 7);
        assert_eq!(level(&c, Record::default(), named("JOHN", "Y")), NULL);
    }

    #[test]
    fn surname_sounds_alike() {
        let c = cmp(ComparisonKind::Surname, &[Field::Surname]);
        assert_eq!(c.levels(), 6);
        assert_eq!(level(&c, named("A", "PHILLIPS"), named("A", "FILIPS")), 4);
        assert_eq!(level(&c, named("A", "JONES"), named("A", "SMITH JONES")), 4);
        assert_eq!(level(&c, named("A", "SMITH"), named("A", "KHAN")), 5);
        assert_eq!(
            level(&c, named("DAVIES", "CHLOE"), named("CHLOE", "DAVIES")),
            3
        );
    }

    #[test]
    fn numbers_dates_and_initials() {
        let with = |v: &str| Record {
            extra: vec![Some(v.into())],
            ..Record::default()
        };
        let n = cmp(ComparisonKind::Numeric, &[Field::Extra(0)]);
        assert_eq!(n.levels(), 4);
        assert_eq!(level(&n, with("10"), with("10.0")), 0);
        assert_eq!(level(&n, with("10"), with("11")), 1);
        assert_eq!(level(&n, with("10"), with("14")), 2);
        assert_eq!(level(&n, with("10"), with("40")), 3);
        assert_eq!(level(&n, with("10"), with("ten")), NULL);
        let d = cmp(ComparisonKind::Date, &[Field::Extra(0)]);
        assert_eq!(level(&d, with("2024-05-12"), with("2024-05-12")), 0);
        assert_eq!(level(&d, with("2024-05-12"), with("2024-12-05")), 1);
        assert_eq!(level(&d, with("2024-05-12"), with("2019-01-01")), 3);
        let t = cmp(ComparisonKind::Text, &[Field::Extra(0)]);
        assert_eq!(level(&t, with("J"), with("JAMES")), 2);
        assert_eq!(level(&t, with("K"), with("JAMES")), 3);
        // Postcodes kept as text have no sector: different ones are not "the same sector".
        let c = cmp(
            ComparisonKind::Location,
            &[Field::Uprn, Field::Address, Field::Postcode],
        );
        let zip = |z: &str| Record {
            postcode: Some(z.into()),
            ..Record::default()
        };
        assert_eq!(level(&c, zip("2119"), zip("3165")), 7);
    }

    #[test]
    fn dob_levels() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(dob_level(d(1980, 5, 12), d(1980, 5, 12)), 0);
        assert_eq!(dob_level(d(1980, 5, 12), d(1980, 12, 5)), 1);
        assert_eq!(dob_level(d(1980, 5, 12), d(1981, 5, 12)), 1);
        assert_eq!(dob_level(d(1980, 5, 12), d(1980, 6, 13)), 2);
        assert_eq!(dob_level(d(1980, 5, 12), d(1990, 6, 13)), 3);
    }

    #[test]
    fn location_levels() {
        let c = cmp(
            ComparisonKind::Location,
            &[Field::Uprn, Field::Address, Field::Postcode],
        );
        let at = |u: Option<&str>, a: &str, p: &str| Record {
            uprn: u.map(String::from),
            address: Some(a.into()),
            postcode: Some(p.into()),
            ..Record::default()
        };
        assert_eq!(
            level(
                &c,
                at(Some("1"), "X", "B1 1AA"),
                at(Some("1"), "Y", "B2 2BB")
            ),
            0
        );
        assert_eq!(
            level(
                &c,
                at(None, "12 OAK ROAD", "B1 1AA"),
                at(Some("1"), "12 OAK ROAD", "B1 1AA")
            ),
            0
        );
        assert_eq!(
            level(
                &c,
                at(None, "12 OAK ROAD ACOCKS GREEN", "B1 1AA"),
                at(None, "12 OAK ROAD", "B1 1AA")
            ),
            1
        );
        let postcode_only = Record {
            postcode: Some("B1 1AA".into()),
            ..Record::default()
        };
        assert_eq!(
            level(&c, postcode_only, at(None, "12 OAK ROAD", "B1 1AA")),
            2
        );
        assert_eq!(
            level(
                &c,
                at(None, "14 OAK ROAD", "B1 1AA"),
                at(None, "12 OAK ROAD", "B1 1AA")
            ),
            3
        );
        assert_eq!(
            level(
                &c,
                at(None, "14 OAK ROAD", "B1 1AB"),
                at(None, "12 OAK ROAD", "B1 1AA")
            ),
            4
        );
        assert_eq!(
            level(
                &c,
                at(None, "14 OAK ROAD", "B9 1AB"),
                at(None, "12 OAK ROAD", "B1 1AA")
            ),
            7
        );
        // A postcode one keystroke out (two characters swapped, one wrong)
        // at the same house number and address is the same home; two
        // keystrokes out is somewhere else. Postcodes kept as text too.
        for (p, q, l) in [
            ("B27 6AA", "B72 6AA", 1),
            ("B27 6AA", "B28 6AA", 1),
            ("B27 6AA", "B92 6AA", 7),
            ("2617", "2167", 1),
            ("2617", "3178", 7),
        ] {
            let (x, y) = (at(None, "12 OAK ROAD", p), at(None, "12 OAK ROAD", q));
            assert_eq!(level(&c, x, y), l, "{p} and {q}");
        }
        // One number in one UK postcode is one home, whatever the lines
        // say; in a postcode that covers a suburb (kept as text) the lines
        // must agree too: spelt alike, or one holding every word of the
        // other.
        let same = |p: &str, x: &str, y: &str| level(&c, at(None, x, p), at(None, y, p));
        assert_eq!(same("B27 6AA", "12 OAK ROAD", "12 ELM GROVE"), 1);
        assert_eq!(
            same("2315", "297 DISCOVERY ST CAMPSIE", "297 TEPPER CCT CAMPSIE"),
            3
        );
        assert_eq!(
            same(
                "2315",
                "297 IRRIGATION FARM CAMPSIE",
                "297 DISCOVERY STREET IRRIGATION FARM CAMPSIE"
            ),
            1
        );
        assert!(!lines_agree("12 OAK", "12 OAK ROAD ACOCKS GREEN X"));
        // Spaces do not count; a code too short to slip in never does.
        assert!(postcode_slip("B27 6AA", "B276AB"));
        assert!(!postcode_slip("B1", "B2"));
        let d = |m| NaiveDate::from_ymd_opt(2024, m, 1).unwrap();
        let mut before = at(None, "14 OAK ROAD", "B9 1AB");
        before.seen = Some((d(1), d(5)));
        let mut after = at(None, "12 OAK ROAD", "B1 1AA");
        after.seen = Some((d(6), d(12)));
        assert_eq!(level(&c, before.clone(), after.clone()), 6);
        after.seen = Some((d(2), d(12)));
        assert_eq!(level(&c, before.clone(), after.clone()), 5);
        // A one-off call from elsewhere while living here.
        after.seen = Some((d(3), d(3)));
        assert_eq!(level(&c, before.clone(), after.clone()), 5);
        after.seen = Some((d(9), d(9)));
        assert_eq!(level(&c, before, after), 7);
        assert_eq!(
            level(&c, Record::default(), at(None, "1 A", "B1 1AA")),
            NULL
        );
    }
}
