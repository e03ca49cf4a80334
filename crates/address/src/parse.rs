//! Free text into the parts of a BS 7666 address: the secondary object (a
//! flat or unit), the primary object's number, the postcode, and the words
//! left for building name, street, locality and town.
//!
//! Where text can be read two ways the parser does not guess: it returns
//! each reading as a hypothesis with a small prior, and the gazetteer
//! decides. "12 14 OAK ROAD" (ingest turns "12-14" into that) is a range,
//! or flat 12 at number 14; "12A" is a house of its own, or flat A at 12;
//! "3 OAK COURT" is number 3 on a street called Oak Court, or flat 3 in a
//! block called Oak Court. All of these are real, and common.

use crate::text::{
    self, canon, floor_word, format_number, is_inward, is_outward, is_stop, number, unit_id,
    unit_marker, Floor, Sep, UnitKind,
};

/// A secondary addressable object: what tells one flat or unit of a
/// building from another.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Unit {
    /// FLAT, UNIT, ROOM, ...: says little, since one council's "FLAT 3" is
    /// another's "APARTMENT 3" or plain "3".
    pub kind: Option<UnitKind>,
    /// The number or letter: "3", "3A", "A", "G1".
    pub id: Option<String>,
    /// The end of a range of units ("UNITS 3-4").
    pub end: Option<String>,
    pub floor: Option<Floor>,
    /// Gazetteer side only: words the unit's text holds beyond the above
    /// ("REAR" in "REAR FLAT", "STABLE BLOCK"), interned.
    pub descriptor: Option<u32>,
}

/// A primary object's number or range: 12, 12A, 12-14.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct PaoNum {
    pub start: u16,
    pub suffix: Option<char>,
    pub end: Option<u16>,
    pub end_suffix: Option<char>,
}

impl PaoNum {
    pub fn single(start: u16, suffix: Option<char>) -> PaoNum {
        PaoNum {
            start,
            suffix,
            end: None,
            end_suffix: None,
        }
    }
}

/// One reading of the text's numbers and flat.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Hypothesis {
    pub unit: Option<Unit>,
    pub pao: Option<PaoNum>,
    /// How much less likely this reading is than the plain one (1.0).
    pub prior: f64,
}

/// A query's text, parsed.
#[derive(Debug, Clone, Default)]
pub(crate) struct Parsed {
    /// The standardised postcodes given: the query's own field first, then
    /// one found in the text if it differs.
    pub postcodes: Vec<String>,
    /// A district written alone at the end ("... BIRMINGHAM B27").
    pub district: Option<String>,
    /// The words left for building name, street, locality and town, in
    /// order and in canonical spelling.
    pub words: Vec<String>,
    /// Bit k: word k follows word k-1 directly, with no number, flat or
    /// line break between ("EAT GROVE" but not "ROSE COTTAGE, 3 MILL LANE").
    pub glued: u64,
    pub hyps: Vec<Hypothesis>,
}

impl Parsed {
    /// Nothing to place: no words and no numbers or flat.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
            && self
                .hyps
                .iter()
                .all(|h| h.unit.is_none() && h.pao.is_none())
    }
}

#[derive(Debug, Clone)]
struct Tok {
    text: String,
    sep: Sep,
    used: bool,
}

/// Parses a query's address text and optional postcode field.
pub(crate) fn parse(address: &str, postcode: Option<&str>) -> Parsed {
    let mut toks: Vec<Tok> = text::tokens(address)
        .into_iter()
        .map(|t| Tok {
            text: canon(&t.text).to_string(),
            sep: t.sep,
            used: false,
        })
        .collect();

    let mut postcodes: Vec<String> = Vec::new();
    if let Some(pc) = postcode.and_then(text::postcode) {
        postcodes.push(pc);
    }
    if let Some(pc) = take_postcode(&mut toks) {
        if !postcodes.contains(&pc) {
            postcodes.push(pc);
        }
    }
    let district = if postcodes.is_empty() {
        take_district(&mut toks)
    } else {
        None
    };

    merge_number_letters(&mut toks);
    drop_no_before_numbers(&mut toks);

    let unit = take_unit(&mut toks);
    let numbers = take_numbers(&mut toks);
    let mut words: Vec<String> = Vec::new();
    let mut glued = 0u64;
    let mut last_word_at: Option<usize> = None;
    for (i, t) in toks.iter().enumerate() {
        if t.used {
            continue;
        }
        let k = words.len();
        if k > 0 && k < 64 && last_word_at == i.checked_sub(1) && t.sep != Sep::Line {
            glued |= 1 << k;
        }
        words.push(t.text.clone());
        last_word_at = Some(i);
    }
    let hyps = hypotheses(unit, &numbers);
    Parsed {
        postcodes,
        district,
        glued,
        words,
        hyps,
    }
}

/// Removes the last postcode in the text ("B27 6AA" or "B276AA") and
/// returns it. The last, because a postcode ends a UK address.
fn take_postcode(toks: &mut [Tok]) -> Option<String> {
    let last = toks.len().saturating_sub(1);
    for i in (0..toks.len()).rev() {
        // Only the last word may have an O for a zero: "FLAT G1 OAK
        // COURT" holds no postcode.
        let t = if i == last {
            zero_for_o(&toks[i].text)
        } else {
            toks[i].text.as_str().into()
        };
        if is_inward(&t) && i > 0 && is_outward(&toks[i - 1].text) {
            let pc = text::postcode(&format!("{} {}", toks[i - 1].text, t))?;
            toks[i - 1].used = true;
            toks[i].used = true;
            return Some(pc);
        }
        if (5..=7).contains(&t.len()) && t.bytes().any(|b| b.is_ascii_digit()) {
            if let Some(pc) = text::postcode(&t) {
                toks[i].used = true;
                return Some(pc);
            }
        }
    }
    None
}

/// The letter O typed for a zero where a postcode's inward code must have
/// its digit ("B17 OAA", "B17OAA"): the commonest postcode slip, since the
/// inward code is digit, letter, letter and O sits beside 0 in people's
/// minds if not on the keyboard.
fn zero_for_o(t: &str) -> std::borrow::Cow<'_, str> {
    let Some(at) = t.len().checked_sub(3) else {
        return t.into();
    };
    let (Some(head), Some(tail)) = (t.get(..at), t.get(at + 1..)) else {
        return t.into();
    };
    let fixable = t.as_bytes().get(at) == Some(&b'O')
        && tail.bytes().all(|b| b.is_ascii_uppercase())
        && (head.is_empty() || head.bytes().any(|b| b.is_ascii_digit()));
    if fixable {
        format!("{head}0{tail}").into()
    } else {
        t.into()
    }
}

/// A district alone at the very end ("... BIRMINGHAM B27"), when no full
/// postcode was given. Not after a flat marker: "FLAT G1" is a flat.
fn take_district(toks: &mut [Tok]) -> Option<String> {
    let n = toks.len();
    let last = toks.last()?;
    if n < 2 || !is_outward(&last.text) || number(&last.text).is_some() {
        return None;
    }
    if unit_marker(&toks[n - 2].text).is_some() {
        return None;
    }
    let d = last.text.clone();
    toks[n - 1].used = true;
    Some(d)
}

/// "12 A OAK ROAD" is 12A. Not the Welsh article: "3 Y GARTH" is number 3
/// on Y Garth.
fn merge_number_letters(toks: &mut Vec<Tok>) {
    let mut i = 0;
    while i + 1 < toks.len() {
        let letter = &toks[i + 1];
        let is_letter = letter.text.len() == 1
            && letter.text != "Y"
            && letter.text.bytes().all(|b| b.is_ascii_uppercase())
            && matches!(letter.sep, Sep::Space | Sep::Hyphen);
        if !toks[i].used
            && !letter.used
            && is_letter
            && matches!(number(&toks[i].text), Some((_, None)))
        {
            let l = toks.remove(i + 1);
            toks[i].text.push_str(&l.text);
        }
        i += 1;
    }
}

/// "NO 12" and "FLAT NO 3": the word adds nothing.
fn drop_no_before_numbers(toks: &mut [Tok]) {
    for i in 0..toks.len().saturating_sub(1) {
        if toks[i].text == "NO" && unit_id(&toks[i + 1].text).is_some() {
            toks[i].used = true;
        }
    }
}

/// A floor phrase starting at `i`: "GROUND FLOOR", "LOWER GROUND FLOOR",
/// "FIRST FLOOR FLAT", "BASEMENT", "GARDEN FLAT", "TOP FLOOR FLAT", and
/// the shorthands GFF, FFF and SFF. Returns the floor and the number of
/// tokens it spans (a FLAT that ends it included).
fn floor_phrase(toks: &[Tok], i: usize) -> Option<(Floor, usize)> {
    let word = |k: usize| toks.get(k).filter(|t| !t.used).map(|t| t.text.as_str());
    let flat_after = |k: usize| usize::from(word(k) == Some("FLAT"));
    let w = word(i)?;
    match w {
        "GFF" => return Some((Floor::Ground, 1)),
        "FFF" => return Some((Floor::Level(1), 1)),
        "SFF" => return Some((Floor::Level(2), 1)),
        _ => {}
    }
    if w == "LOWER" && word(i + 1) == Some("GROUND") && word(i + 2) == Some("FLOOR") {
        return Some((Floor::LowerGround, 3 + flat_after(i + 3)));
    }
    let floor = floor_word(w)?;
    if word(i + 1) == Some("FLOOR") {
        return Some((floor, 2 + flat_after(i + 2)));
    }
    if word(i + 1) == Some("FLAT") {
        return Some((floor, 2));
    }
    // BASEMENT alone names a flat ("BASEMENT, 4 HIGH STREET"); the other
    // words alone are too often part of a name ("FIRST AVENUE",
    // "UPPER PARK ROAD", "TOP ROAD").
    if floor == Floor::Basement {
        return Some((floor, 1));
    }
    None
}

/// How many unused number tokens are at or after `from`.
fn numbers_after(toks: &[Tok], from: usize) -> usize {
    toks.iter()
        .skip(from)
        .filter(|t| !t.used && number(&t.text).is_some())
        .count()
}

/// Finds the flat or unit, marks its tokens used and returns it.
fn take_unit(toks: &mut [Tok]) -> Option<Unit> {
    // "3/12 OAK ROAD": flat 3 at number 12 (England and Wales; in Glasgow
    // "3/2" is a floor and position, which no gazetteer here holds).
    for i in 1..toks.len() {
        if toks[i].sep == Sep::Slash && !toks[i - 1].used && !toks[i].used {
            if let (Some((n, s)), Some(_)) = (number(&toks[i - 1].text), number(&toks[i].text)) {
                toks[i - 1].used = true;
                toks[i].sep = Sep::Space;
                // "FLAT 3/12": the marker goes with the flat.
                let kind = (i >= 2)
                    .then(|| unit_marker(&toks[i - 2].text))
                    .flatten()
                    .inspect(|_| toks[i - 2].used = true);
                return Some(Unit {
                    kind: kind.or(Some(UnitKind::Flat)),
                    id: Some(format_number(n, s)),
                    ..Unit::default()
                });
            }
        }
    }

    for i in 0..toks.len() {
        if toks[i].used {
            continue;
        }
        if let Some((floor, span)) = floor_phrase(toks, i) {
            for t in toks.iter_mut().skip(i).take(span) {
                t.used = true;
            }
            let mut unit = Unit {
                kind: Some(UnitKind::Flat),
                floor: Some(floor),
                ..Unit::default()
            };
            // "GROUND FLOOR FLAT 3, 12 OAK ROAD": the 3 is the flat when
            // another number follows; in "GROUND FLOOR FLAT 12 OAK ROAD"
            // the 12 is the house.
            let next = i + span;
            if let Some(id) = toks.get(next).and_then(|t| unit_id(&t.text)) {
                let another = numbers_after(toks, next + 1) > 0;
                let ends_in_flat = toks[next - 1].text == "FLAT";
                if ends_in_flat && (another || number(&toks[next].text).is_none()) {
                    toks[next].used = true;
                    unit.id = Some(id);
                }
            }
            return Some(unit);
        }
        let Some(kind) = unit_marker(&toks[i].text) else {
            continue;
        };
        toks[i].used = true;
        // "FLAT GROUND FLOOR", "FLAT 1ST FLOOR".
        if let Some((floor, span)) = floor_phrase(toks, i + 1) {
            for t in toks.iter_mut().skip(i + 1).take(span) {
                t.used = true;
            }
            return Some(Unit {
                kind: Some(kind),
                floor: Some(floor),
                ..Unit::default()
            });
        }
        let mut unit = Unit {
            kind: Some(kind),
            ..Unit::default()
        };
        // The next word not already taken ("FLAT NO 3" has lost its NO).
        let next = (i + 1..toks.len()).find(|&k| !toks[k].used);
        if let Some(k) = next {
            if let Some(id) = unit_id(&toks[k].text) {
                toks[k].used = true;
                unit.id = Some(id);
                // "UNITS 3-4", "FLAT 3-4" (rare, but BS 7666 allows it).
                if let Some(t) = toks.get(k + 1) {
                    if t.sep == Sep::Hyphen && numbers_after(toks, k + 2) > 0 {
                        if let Some(end) = unit_id(&t.text) {
                            unit.end = Some(end);
                            toks[k + 1].used = true;
                        }
                    }
                }
            }
        }
        return Some(unit);
    }
    None
}

/// A number token: one number or a range.
#[derive(Debug, Clone, Copy, PartialEq)]
struct NumTok {
    num: PaoNum,
    /// Whether a plain space (not a line break) separated it from the
    /// token before.
    space_before: bool,
    /// Its position among the tokens.
    at: usize,
}

/// The remaining numbers, in order, ranges joined ("12-14", "12A-12B").
fn take_numbers(toks: &mut [Tok]) -> Vec<NumTok> {
    let mut out: Vec<NumTok> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if toks[i].used {
            i += 1;
            continue;
        }
        let Some((n, s)) = number(&toks[i].text) else {
            i += 1;
            continue;
        };
        toks[i].used = true;
        let (at, space_before) = (i, toks[i].sep == Sep::Space);
        let mut num = PaoNum::single(n, s);
        if let Some(t) = toks.get(i + 1).filter(|t| t.sep == Sep::Hyphen && !t.used) {
            if let Some((e, es)) = number(&t.text) {
                if e > n || (e == n && es > s) {
                    num.end = Some(e);
                    num.end_suffix = es;
                    toks[i + 1].used = true;
                    i += 1;
                }
            }
        }
        out.push(NumTok {
            num,
            space_before,
            at,
        });
        i += 1;
    }
    out
}

fn plain(n: &PaoNum) -> bool {
    n.suffix.is_none() && n.end.is_none()
}

/// The readings of a unit and the numbers left after it.
fn hypotheses(unit: Option<Unit>, nums: &[NumTok]) -> Vec<Hypothesis> {
    let h = |unit: Option<Unit>, pao: Option<PaoNum>, prior: f64| Hypothesis { unit, pao, prior };
    // Two plain numbers with only a space between: a range whose hyphen
    // was lost ("12 14" from "12-14"), when the first is the smaller.
    let as_range = |a: &NumTok, b: &NumTok| {
        (plain(&a.num)
            && plain(&b.num)
            && b.space_before
            && b.at == a.at + 1
            && a.num.start < b.num.start)
            .then_some(PaoNum {
                start: a.num.start,
                suffix: None,
                end: Some(b.num.start),
                end_suffix: None,
            })
    };
    let unit_of = |n: &PaoNum| -> Option<Unit> {
        n.end.is_none().then(|| Unit {
            id: Some(format_number(n.start, n.suffix)),
            ..Unit::default()
        })
    };
    match (unit, nums) {
        (Some(u), []) => {
            let mut out = vec![h(Some(u.clone()), None, 1.0)];
            // "FLAT 74 HIGH STREET": flat 74 of a named building, or the
            // one flat at number 74 (PAF writes a single unnumbered flat
            // that way). Both are common.
            if let (Some(id), None, None) = (&u.id, &u.end, &u.floor) {
                if let Some((n, s)) = number(id) {
                    let flat = Unit { id: None, ..u };
                    out.push(h(Some(flat), Some(PaoNum::single(n, s)), 0.97));
                }
            }
            out
        }
        (Some(u), [a]) => vec![h(Some(u), Some(a.num), 1.0)],
        (Some(u), [a, b]) => as_range(a, b)
            .map(|r| vec![h(Some(u), Some(r), 0.98)])
            .unwrap_or_default(),
        (Some(_), _) => Vec::new(),
        (None, []) => vec![h(None, None, 1.0)],
        (None, [a]) => {
            let mut out = vec![h(None, Some(a.num), 1.0)];
            if let (Some(letter), None) = (a.num.suffix, a.num.end) {
                // "12A": house 12A, or flat A at 12.
                let flat = Unit {
                    id: Some(letter.to_string()),
                    ..Unit::default()
                };
                out.push(h(Some(flat), Some(PaoNum::single(a.num.start, None)), 0.97));
            }
            // "3 OAK COURT": flat 3 of a block named Oak Court.
            if let Some(u) = unit_of(&a.num) {
                out.push(h(Some(u), None, 0.95));
            }
            out
        }
        (None, [a, b]) => {
            // "2 69 GIPSY HILL": flat 2 at 69, as written on many forms.
            let mut out = Vec::new();
            if let Some(u) = unit_of(&a.num) {
                out.push(h(Some(u), Some(b.num), 1.0));
            }
            if let Some(r) = as_range(a, b) {
                out.push(h(None, Some(r), 0.98));
            }
            out
        }
        (None, [a, b, c]) => match (unit_of(&a.num), as_range(b, c)) {
            (Some(u), Some(r)) => vec![h(Some(u), Some(r), 0.98)],
            _ => Vec::new(),
        },
        (None, _) => Vec::new(),
    }
}

/// The secondary object of a gazetteer LPI, from its numbers and text.
/// `descriptor` interns words the text holds beyond kind, number and floor.
pub(crate) fn gazetteer_unit(
    start: Option<u16>,
    start_suffix: Option<char>,
    end: Option<u16>,
    end_suffix: Option<char>,
    text_field: Option<&str>,
    mut descriptor: impl FnMut(&[String]) -> u32,
) -> Option<Unit> {
    let mut unit = Unit::default();
    match (start, start_suffix) {
        (Some(n), s) => unit.id = Some(format_number(n, s)),
        (None, Some(s)) => unit.id = Some(s.to_string()),
        (None, None) => {}
    }
    if let Some(e) = end {
        unit.end = Some(format_number(e, end_suffix));
    }
    let mut toks: Vec<Tok> = text::tokens(text_field.unwrap_or(""))
        .into_iter()
        .map(|t| Tok {
            text: canon(&t.text).to_string(),
            sep: t.sep,
            used: false,
        })
        .collect();
    drop_no_before_numbers(&mut toks);
    if let Some(u) = take_unit(&mut toks) {
        unit.kind = u.kind;
        unit.floor = u.floor;
        if unit.id.is_none() {
            unit.id = u.id;
            unit.end = u.end;
        }
    }
    // Text that is only an identifier: "3", "3A", "A".
    let mut rest = toks.iter_mut().filter(|t| !t.used);
    if let (Some(only), None, None) = (rest.next(), rest.next(), &unit.id) {
        if let Some(id) = unit_id(&only.text) {
            unit.id = Some(id);
            only.used = true;
        }
    }
    let words: Vec<String> = toks
        .iter()
        .filter(|t| !t.used && !is_stop(&t.text))
        .map(|t| t.text.clone())
        .collect();
    if !words.is_empty() {
        unit.descriptor = Some(descriptor(&words));
        if unit.kind.is_none() {
            unit.kind = Some(UnitKind::Other);
        }
    }
    let empty = unit.kind.is_none() && unit.id.is_none() && unit.floor.is_none();
    (!empty).then_some(unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: &str) -> Option<Unit> {
        Some(Unit {
            id: Some(id.into()),
            ..Unit::default()
        })
    }

    fn flat(id: &str) -> Option<Unit> {
        Some(Unit {
            kind: Some(UnitKind::Flat),
            id: Some(id.into()),
            ..Unit::default()
        })
    }

    fn num(n: u16) -> Option<PaoNum> {
        Some(PaoNum::single(n, None))
    }

    fn readings(p: &Parsed) -> Vec<(Option<Unit>, Option<PaoNum>)> {
        p.hyps.iter().map(|h| (h.unit.clone(), h.pao)).collect()
    }

    #[test]
    fn a_house_number_street_and_postcode() {
        let p = parse("12 Oak Road, Acocks Green, Birmingham B27 6AA", None);
        assert_eq!(p.postcodes, ["B27 6AA"]);
        assert_eq!(p.words, ["OAK", "ROAD", "ACOCKS", "GREEN", "BIRMINGHAM"]);
        // ROAD runs on from OAK and GREEN from ACOCKS; OAK follows a
        // number, and ACOCKS and BIRMINGHAM begin lines.
        assert_eq!(p.glued, 0b01010);
        assert_eq!(readings(&p)[0], (None, num(12)));
        assert!(!p.is_empty());
    }

    #[test]
    fn the_postcode_field_comes_first_and_the_texts_is_kept_when_different() {
        let p = parse("12 OAK ROAD B27 6AB", Some("b27 6aa"));
        assert_eq!(p.postcodes, ["B27 6AA", "B27 6AB"]);
        let p = parse("12 OAK ROAD B276AA", Some("B27 6AA"));
        assert_eq!(p.postcodes, ["B27 6AA"]);
        // A letter O for the inward code's zero.
        assert_eq!(parse("12 OAK ROAD B17 OAA", None).postcodes, ["B17 0AA"]);
        assert_eq!(parse("12 OAK ROAD B17OAA", None).postcodes, ["B17 0AA"]);
        // Not in a word that merely starts with O.
        assert_eq!(parse("12 OAK ROAD", None).words, ["OAK", "ROAD"]);
        assert_eq!(parse("FLAT G1 OAK COURT", None).words, ["OAK", "COURT"]);
        let p = parse("12 OAK ROAD BIRMINGHAM B27", None);
        assert_eq!(p.district.as_deref(), Some("B27"));
        assert!(p.postcodes.is_empty());
    }

    #[test]
    fn flats_in_every_style() {
        for s in [
            "Flat 3, 12 Oak Road",
            "FLAT 3 12 OAK ROAD",
            "3/12 Oak Road",
            "Flat 3/12 Oak Road",
            "12 Oak Road Flat 3",
            "12 Oak Road, Flat 3",
            "Apartment 3, 12 Oak Road",
            "Flat No. 3, 12 Oak Rd",
        ] {
            let p = parse(s, None);
            let r = readings(&p);
            assert!(
                r.iter().any(
                    |(u, n)| u.as_ref().and_then(|u| u.id.as_deref()) == Some("3") && *n == num(12)
                ),
                "{s}: {r:?}"
            );
            assert_eq!(p.words, ["OAK", "ROAD"], "{s}");
        }
    }

    #[test]
    fn floors_and_letters() {
        let p = parse("Ground Floor Flat, 12 Oak Road", None);
        let (u, n) = &readings(&p)[0];
        assert_eq!(u.as_ref().and_then(|u| u.floor), Some(Floor::Ground));
        assert_eq!(*n, num(12));
        let p = parse("GROUND FLOOR FLAT 12 OAK ROAD", None);
        assert_eq!(readings(&p)[0].1, num(12));
        let p = parse("Ground floor flat 3, 12 Oak Road", None);
        let (u, n) = &readings(&p)[0];
        assert_eq!(u.as_ref().and_then(|u| u.id.as_deref()), Some("3"));
        assert_eq!(*n, num(12));
        let p = parse("Flat A, 12 Oak Road", None);
        assert_eq!(readings(&p)[0], (flat("A"), num(12)));
        let p = parse("Basement, 12 Oak Road", None);
        assert_eq!(
            readings(&p)[0].0.as_ref().and_then(|u| u.floor),
            Some(Floor::Basement)
        );
        // FIRST in a street name is not a floor.
        let p = parse("12 First Avenue", None);
        assert_eq!(readings(&p)[0], (None, num(12)));
        assert_eq!(p.words, ["FIRST", "AVENUE"]);
    }

    #[test]
    fn ambiguous_numbers_give_every_reading() {
        let p = parse("12A Oak Road", None);
        let r = readings(&p);
        assert_eq!(r[0], (None, Some(PaoNum::single(12, Some('A')))));
        assert!(r.contains(&(unit("A"), num(12))));
        let p = parse("12 A Oak Road", None);
        assert_eq!(readings(&p)[0].1, Some(PaoNum::single(12, Some('A'))));

        let p = parse("12 14 OAK ROAD", None);
        let range = Some(PaoNum {
            start: 12,
            suffix: None,
            end: Some(14),
            end_suffix: None,
        });
        let r = readings(&p);
        assert!(r.contains(&(unit("12"), num(14))));
        assert!(r.contains(&(None, range)));
        let p = parse("12-14 Oak Road", None);
        assert_eq!(readings(&p), [(None, range)]);

        let p = parse("3 Oak Court, Mill Lane", None);
        assert!(readings(&p).contains(&(unit("3"), None)));

        let p = parse("Flat 74 High Street", None);
        let r = readings(&p);
        assert_eq!(r[0], (flat("74"), None));
        assert_eq!(r[1].1, num(74));
    }

    #[test]
    fn the_welsh_article_is_not_a_suffix() {
        let p = parse("3 Y Garth", None);
        assert_eq!(readings(&p)[0], (None, num(3)));
        assert_eq!(p.words, ["Y", "GARTH"]);
    }

    #[test]
    fn too_many_numbers_leave_no_reading() {
        let p = parse("1 2 3 4 OAK ROAD", None);
        assert!(p.hyps.is_empty());
        assert!(parse("", None).is_empty());
        assert!(parse(" , ", None).is_empty());
    }

    #[test]
    fn gazetteer_units_from_numbers_or_text() {
        let mut names: Vec<Vec<String>> = Vec::new();
        let mut intern = |w: &[String]| {
            names.push(w.to_vec());
            names.len() as u32 - 1
        };
        let u = gazetteer_unit(Some(3), None, None, None, None, &mut intern);
        assert_eq!(u.and_then(|u| u.id), Some("3".into()));
        let u = gazetteer_unit(None, None, None, None, Some("FLAT 3A"), &mut intern);
        assert_eq!(u.and_then(|u| u.id), Some("3A".into()));
        let u = gazetteer_unit(None, None, None, None, Some("A"), &mut intern);
        assert_eq!(u.and_then(|u| u.id), Some("A".into()));
        let u = gazetteer_unit(
            None,
            None,
            None,
            None,
            Some("Ground Floor Flat"),
            &mut intern,
        )
        .unwrap_or_default();
        assert_eq!((u.floor, u.id), (Some(Floor::Ground), None));
        let u =
            gazetteer_unit(None, None, None, None, Some("FLAT"), &mut intern).unwrap_or_default();
        assert_eq!((u.kind, u.id), (Some(UnitKind::Flat), None));
        let u = gazetteer_unit(None, None, None, None, Some("Stable Block"), &mut intern)
            .unwrap_or_default();
        assert_eq!(u.kind, Some(UnitKind::Other));
        assert!(u.descriptor.is_some());
        assert!(gazetteer_unit(None, None, None, None, Some(""), &mut intern).is_none());
        assert_eq!(names.last().map(Vec::len), Some(2));
    }
}
