//! Door-knocking rounds: the order to walk, and what happened at each door.
//!
//! Seed 002 describes teams knocking "on every household on a street by
//! street basis", in pairs for safety. A round is easier to walk, and
//! fewer doors are missed, when the list follows the street: up one side
//! (odd numbers ascending), back down the other (even numbers descending),
//! every flat in a building together, and named houses without a number at
//! the end of their street, where a knocker can look for them. Streets are
//! ordered by postcode (postcodes follow the postman's walk, so neighbouring
//! codes are usually neighbouring streets) and then by name. A long street
//! spanning two postcodes is two stretches, one per postcode.
//!
//! The addresses come from many source systems, so the parser here is
//! forgiving: it reads the first line of an address ("FLAT 2, 9 CANAL
//! STREET", "9A HIGH ST", "ROSE COTTAGE, MILL LANE", "12-14 KING ROAD")
//! into flat, number, building and street, and never fails: what it cannot
//! read stays in the street, at the end of the walk.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// One household to visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Door {
    pub household_id: i64,
    /// The first line of the address, e.g. "FLAT 2, 9 CANAL STREET".
    pub address_line: String,
    pub postcode: Option<String>,
    pub safety: VisitSafety,
}

/// Lone-working notes for a door, carried to the knockers as recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisitSafety {
    pub visit_in_pairs: bool,
    pub notes: Option<String>,
}

/// A house number: "9", "9A", "12-14".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseNumber {
    pub number: u32,
    pub suffix: Option<char>,
    /// The end of a range such as 12-14.
    pub to: Option<u32>,
}

impl fmt::Display for HouseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.number)?;
        if let Some(suffix) = self.suffix {
            write!(f, "{suffix}")?;
        }
        if let Some(to) = self.to {
            write!(f, "-{to}")?;
        }
        Ok(())
    }
}

/// An address line read into its parts, in capitals as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParsedAddress {
    /// The flat within a building (BS 7666's SAON): "FLAT 2", "GROUND FLOOR FLAT".
    pub flat: Option<String>,
    pub number: Option<HouseNumber>,
    /// A building's or house's name: "ROSE COTTAGE", "ROSE COURT".
    pub building: Option<String>,
    pub street: String,
    /// Anything after the street (a locality or town), not used for order.
    pub locality: Option<String>,
}

/// Which side of the street a door is on, in walking order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Walked up, ascending.
    Odd,
    /// Walked back down, descending.
    Even,
    /// Named, not numbered: at the end of the street.
    Unnumbered,
}

/// A door in its place on the walk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalkedDoor {
    pub door: Door,
    pub parsed: ParsedAddress,
    pub side: Side,
}

/// One street within one postcode, in walking order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreetStretch {
    pub postcode: Option<String>,
    /// As first written among the stretch's doors.
    pub street: String,
    pub doors: Vec<WalkedDoor>,
}

impl StreetStretch {
    /// How many doors on the stretch are to be visited in pairs.
    pub fn doors_for_pairs(&self) -> usize {
        self.doors
            .iter()
            .filter(|d| d.door.safety.visit_in_pairs)
            .count()
    }
}

/// What happened at a door.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DoorOutcome {
    Spoke,
    NoAnswer,
    CardLeft,
    Refused,
    MovedAway,
    /// The knocker is worried for someone's safety.
    SafetyConcern,
}

impl DoorOutcome {
    pub const ALL: [DoorOutcome; 6] = [
        DoorOutcome::Spoke,
        DoorOutcome::NoAnswer,
        DoorOutcome::CardLeft,
        DoorOutcome::Refused,
        DoorOutcome::MovedAway,
        DoorOutcome::SafetyConcern,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DoorOutcome::Spoke => "spoke",
            DoorOutcome::NoAnswer => "no_answer",
            DoorOutcome::CardLeft => "card_left",
            DoorOutcome::Refused => "refused",
            DoorOutcome::MovedAway => "moved_away",
            DoorOutcome::SafetyConcern => "safety_concern",
        }
    }

    pub fn parse(s: &str) -> Option<DoorOutcome> {
        let s = s.trim().to_ascii_lowercase();
        DoorOutcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            DoorOutcome::Spoke => "Spoke to someone",
            DoorOutcome::NoAnswer => "No answer",
            DoorOutcome::CardLeft => "No answer, card left",
            DoorOutcome::Refused => "Did not want to talk",
            DoorOutcome::MovedAway => "Household has moved away",
            DoorOutcome::SafetyConcern => {
                "Worried for someone's safety: needs a safeguarding follow-up"
            }
        }
    }

    /// A worry for someone's safety is never just a note on a round: it goes
    /// to the council's safeguarding route the same day.
    pub fn needs_safeguarding_follow_up(self) -> bool {
        self == DoorOutcome::SafetyConcern
    }

    /// Whether the campaign stops knocking here: someone answered (to talk
    /// or to say no), the household has gone, or safeguarding takes over.
    /// No answer and a card left mean try again.
    pub fn ends_knocking(self) -> bool {
        !matches!(self, DoorOutcome::NoAnswer | DoorOutcome::CardLeft)
    }
}

/// Reads the first line of a UK address. Never fails: text it cannot
/// place is left as the street.
pub fn parse_address_line(line: &str) -> ParsedAddress {
    let normalised = normalise(line);
    let mut parts: Vec<Vec<String>> = normalised
        .split(',')
        .map(|p| p.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .filter(|p: &Vec<String>| !p.is_empty())
        .collect();
    let mut parsed = ParsedAddress::default();

    // A flat first: "FLAT 2", "GROUND FLOOR FLAT", or "FLAT 2 9 CANAL STREET"
    // with no comma.
    if let Some(first) = parts.first().cloned() {
        if let Some((flat, rest)) = split_flat(&first) {
            parsed.flat = Some(flat);
            if rest.is_empty() {
                parts.remove(0);
            } else {
                parts[0] = rest;
            }
        }
    }

    let numbered: Vec<usize> = (0..parts.len())
        .filter(|&i| parts[i].len() > 1 && house_number(&parts[i][0]).is_some())
        .collect();
    let street_at = match numbered.last() {
        Some(&i) => Some(i),
        None => parts.iter().position(|p| has_street_word(p)).or_else(|| {
            parts
                .iter()
                .position(|p| p.iter().any(|w| WEAK_STREET_WORDS.contains(&w.as_str())))
        }),
    };
    let street_at = match street_at {
        Some(i) => i,
        // No number and no street word: "ROSE COTTAGE, MILL" — a name, then a street.
        None if parts.len() >= 2 => 1,
        None => {
            if let Some(only) = parts.first() {
                if parsed.flat.is_some() {
                    parsed.building = Some(only.join(" "));
                } else {
                    parsed.street = only.join(" ");
                }
            }
            return parsed;
        }
    };

    let mut street_words = parts[street_at].clone();
    if let Some(number) = street_words.first().and_then(|w| house_number(w)) {
        if street_words.len() > 1 {
            parsed.number = Some(number);
            street_words.remove(0);
        }
    }
    parsed.street = street_words.join(" ");

    // Parts before the street: a building, perhaps numbered as a flat
    // within it ("2 ROSE COURT, 9 CANAL STREET").
    let mut building_words: Vec<String> = Vec::new();
    for part in &parts[..street_at] {
        let mut words = part.clone();
        if parsed.flat.is_none() && words.len() > 1 && house_number(&words[0]).is_some() {
            parsed.flat = Some(words.remove(0));
        } else if parsed.flat.is_none() && words.len() == 1 && house_number(&words[0]).is_some() {
            parsed.flat = Some(words.remove(0));
            continue;
        }
        if let Some((flat, rest)) = split_flat(&words) {
            if parsed.flat.is_none() {
                parsed.flat = Some(flat);
            }
            words = rest;
        }
        building_words.extend(words);
    }
    if !building_words.is_empty() {
        parsed.building = Some(building_words.join(" "));
    }
    let locality: Vec<String> = parts[street_at + 1..].iter().map(|p| p.join(" ")).collect();
    if !locality.is_empty() {
        parsed.locality = Some(locality.join(", "));
    }
    parsed
}

/// Orders a round: stretches by postcode then street name; within one,
/// odd numbers up, even numbers down, flats of a building together,
/// unnumbered at the end. Doors without a postcode come last.
pub fn order_round(doors: Vec<Door>) -> Vec<StreetStretch> {
    let mut stretches: BTreeMap<(PostcodeKey, String), StreetStretch> = BTreeMap::new();
    for door in doors {
        let parsed = parse_address_line(&door.address_line);
        let postcode = door
            .postcode
            .as_deref()
            .map(normalise_postcode)
            .filter(|p| !p.is_empty());
        let key = (
            postcode_key(postcode.as_deref()),
            street_key(&parsed.street),
        );
        let side = match &parsed.number {
            Some(n) if n.number % 2 == 1 => Side::Odd,
            Some(_) => Side::Even,
            None => Side::Unnumbered,
        };
        let stretch = stretches.entry(key).or_insert_with(|| StreetStretch {
            postcode: postcode.clone(),
            street: parsed.street.clone(),
            doors: Vec::new(),
        });
        stretch.doors.push(WalkedDoor { door, parsed, side });
    }
    let mut ordered: Vec<StreetStretch> = stretches.into_values().collect();
    for stretch in &mut ordered {
        stretch.doors.sort_by_cached_key(walk_key);
    }
    ordered
}

// ---------------------------------------------------------------------------

const FLAT_MARKERS: &[&str] = &[
    "FLAT",
    "APARTMENT",
    "APT",
    "UNIT",
    "ROOM",
    "STUDIO",
    "MAISONETTE",
];
const FLOOR_WORDS: &[&str] = &[
    "BASEMENT", "LOWER", "GROUND", "UPPER", "FIRST", "SECOND", "THIRD", "FOURTH", "TOP", "FLOOR",
    "1ST", "2ND", "3RD", "4TH",
];
/// Words that mark the street part of an address with no house number,
/// English and Welsh. Abbreviations count only as a part's last word (at
/// the start, "ST" is usually SAINT and "DR" a doctor).
const STREET_WORDS: &[&str] = &[
    "STREET", "ROAD", "LANE", "AVENUE", "CLOSE", "DRIVE", "WAY", "CRESCENT", "GARDENS", "PLACE",
    "TERRACE", "GROVE", "ROW", "SQUARE", "WALK", "PARADE", "MEWS", "HEOL", "FFORDD", "STRYD",
    "LON", "LÔN", "RHODFA", "CILGANT",
];
const STREET_ABBREVIATION_WORDS: &[&str] = &[
    "ST", "RD", "LN", "AVE", "AV", "CL", "DR", "CRES", "GDNS", "PL", "TER", "SQ",
];
/// Words that are street types but often also building names ("ROSE
/// COURT"); used only when no part has a clearer street word.
const WEAK_STREET_WORDS: &[&str] = &["COURT", "HILL", "VIEW", "RISE", "GREEN"];

/// Abbreviations read as the same street (`ST` only at the end: at the
/// start it is usually SAINT).
const STREET_ABBREVIATIONS: &[(&str, &str)] = &[
    ("RD", "ROAD"),
    ("AVE", "AVENUE"),
    ("AV", "AVENUE"),
    ("LN", "LANE"),
    ("CL", "CLOSE"),
    ("DR", "DRIVE"),
    ("CRES", "CRESCENT"),
    ("GDNS", "GARDENS"),
    ("PL", "PLACE"),
    ("TER", "TERRACE"),
    ("SQ", "SQUARE"),
];

fn normalise(line: &str) -> String {
    let upper = line.to_uppercase().replace(['.', ';'], " ");
    // "12 - 14" and "12 -14" are ranges like "12-14".
    let words: Vec<&str> = upper.split(' ').filter(|w| !w.is_empty()).collect();
    let starts_with_digit = |w: &str| w.chars().next().is_some_and(|c| c.is_ascii_digit());
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        let next = words.get(i + 1).copied().unwrap_or("");
        let after = words.get(i + 2).copied().unwrap_or("");
        if starts_with_digit(word) && next == "-" && starts_with_digit(after) {
            out.push(format!("{word}-{after}"));
            i += 3;
        } else if starts_with_digit(word)
            && next.len() > 1
            && next.starts_with('-')
            && starts_with_digit(&next[1..])
        {
            out.push(format!("{word}{next}"));
            i += 2;
        } else {
            out.push(word.to_string());
            i += 1;
        }
    }
    out.join(" ")
}

/// "9", "9A", "12-14", "12A-12C" (commas trimmed).
fn house_number(word: &str) -> Option<HouseNumber> {
    let word = word.trim_end_matches(',');
    let (first, to) = match word.split_once('-') {
        Some((a, b)) => (a, Some(b)),
        None => (word, None),
    };
    let (number, suffix) = number_with_suffix(first)?;
    let to = match to {
        Some(b) => Some(number_with_suffix(b)?.0),
        None => None,
    };
    Some(HouseNumber { number, suffix, to })
}

fn number_with_suffix(s: &str) -> Option<(u32, Option<char>)> {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let rest: Vec<char> = s[digits.len()..].chars().collect();
    let suffix = match rest.as_slice() {
        [] => None,
        [c] if c.is_ascii_alphabetic() => Some(*c),
        _ => return None,
    };
    Some((digits.parse().ok()?, suffix))
}

/// A flat's words at the start of a part, and the words after them.
fn split_flat(words: &[String]) -> Option<(String, Vec<String>)> {
    let marker = words
        .iter()
        .position(|w| FLAT_MARKERS.contains(&w.as_str()))?;
    if !words[..marker]
        .iter()
        .all(|w| FLOOR_WORDS.contains(&w.as_str()))
    {
        return None;
    }
    let id_follows = words.get(marker + 1).is_some_and(|w| {
        w.chars().any(|c| c.is_ascii_digit())
            || (w.len() == 1 && w.chars().all(|c| c.is_ascii_alphabetic()))
    });
    let end = if id_follows { marker + 2 } else { marker + 1 };
    Some((words[..end].join(" "), words[end..].to_vec()))
}

fn has_street_word(words: &[String]) -> bool {
    words.iter().any(|w| STREET_WORDS.contains(&w.as_str()))
        || words
            .last()
            .is_some_and(|w| STREET_ABBREVIATION_WORDS.contains(&w.as_str()))
}

fn normalise_postcode(postcode: &str) -> String {
    let compact: String = postcode
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if compact.len() >= 5 {
        let (outward, inward) = compact.split_at(compact.len() - 3);
        format!("{outward} {inward}")
    } else {
        compact
    }
}

/// Streets spelt differently in different systems read as one.
fn street_key(street: &str) -> String {
    let words: Vec<&str> = street.split_whitespace().collect();
    let last = words.len().saturating_sub(1);
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            if i == last && w == "ST" {
                return "STREET".to_string();
            }
            STREET_ABBREVIATIONS
                .iter()
                .find(|(short, _)| *short == w)
                .map_or_else(|| w.replace('\'', ""), |(_, long)| long.to_string())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A postcode in walking order; none sorts last.
type PostcodeKey = (bool, NaturalKey);

fn postcode_key(postcode: Option<&str>) -> PostcodeKey {
    match postcode {
        Some(p) => (false, natural_key(p)),
        None => (true, Vec::new()),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum NaturalPart {
    Number(u64),
    Text(String),
}

/// Text with its numbers compared as numbers: "FLAT 2" before "FLAT 10",
/// "CF5" before "CF10".
type NaturalKey = Vec<NaturalPart>;

fn natural_key(s: &str) -> NaturalKey {
    let mut key = Vec::new();
    let mut digits = String::new();
    let mut text = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !text.is_empty() {
                key.push(NaturalPart::Text(std::mem::take(&mut text)));
            }
            digits.push(c);
        } else {
            if !digits.is_empty() {
                key.push(NaturalPart::Number(digits.parse().unwrap_or(u64::MAX)));
                digits.clear();
            }
            text.push(c);
        }
    }
    if !digits.is_empty() {
        key.push(NaturalPart::Number(digits.parse().unwrap_or(u64::MAX)));
    }
    if !text.is_empty() {
        key.push(NaturalPart::Text(text));
    }
    key
}

/// Floors in climbing order, so a building is walked bottom to top.
fn flat_key(flat: Option<&str>) -> (i32, NaturalKey) {
    let Some(flat) = flat else {
        return (i32::MIN, Vec::new());
    };
    let floor = flat
        .split_whitespace()
        .find_map(|w| match w {
            "BASEMENT" | "LOWER" => Some(-1),
            "GROUND" => Some(0),
            "FIRST" | "1ST" => Some(1),
            "SECOND" | "2ND" => Some(2),
            "THIRD" | "3RD" => Some(3),
            "FOURTH" | "4TH" => Some(4),
            "TOP" | "UPPER" => Some(100),
            _ => None,
        })
        .unwrap_or(0);
    (floor, natural_key(flat))
}

type WalkKey = (Side, i64, i64, NaturalKey, (i32, NaturalKey), i64);

/// Odd ascending; even descending (number and suffix) with each
/// building's flats still in ascending order; unnumbered by name.
fn walk_key(door: &WalkedDoor) -> WalkKey {
    let parsed = &door.parsed;
    let building = natural_key(parsed.building.as_deref().unwrap_or(""));
    let flat = flat_key(parsed.flat.as_deref());
    let (number, suffix) = parsed.number.map_or((0, 0), |n| {
        (
            i64::from(n.number),
            n.suffix.map_or(0, |c| i64::from(u32::from(c))),
        )
    });
    let (number, suffix) = match door.side {
        Side::Odd => (number, suffix),
        Side::Even => (-number, -suffix),
        Side::Unnumbered => (0, 0),
    };
    (
        door.side,
        number,
        suffix,
        building,
        flat,
        door.door.household_id,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(
        flat: Option<&str>,
        number: Option<(u32, Option<char>, Option<u32>)>,
        building: Option<&str>,
        street: &str,
    ) -> ParsedAddress {
        ParsedAddress {
            flat: flat.map(str::to_string),
            number: number.map(|(number, suffix, to)| HouseNumber { number, suffix, to }),
            building: building.map(str::to_string),
            street: street.to_string(),
            locality: None,
        }
    }

    fn door(id: i64, line: &str, postcode: &str) -> Door {
        Door {
            household_id: id,
            address_line: line.to_string(),
            postcode: Some(postcode.to_string()),
            safety: VisitSafety::default(),
        }
    }

    fn walk(stretch: &StreetStretch) -> Vec<&str> {
        stretch
            .doors
            .iter()
            .map(|d| d.door.address_line.as_str())
            .collect()
    }

    #[test]
    fn a_flat_in_a_numbered_building_is_read() {
        assert_eq!(
            parse_address_line("FLAT 2, 9 CANAL STREET"),
            parsed(Some("FLAT 2"), Some((9, None, None)), None, "CANAL STREET")
        );
        assert_eq!(
            parse_address_line("Flat 2 9 Canal Street"),
            parsed(Some("FLAT 2"), Some((9, None, None)), None, "CANAL STREET")
        );
    }

    #[test]
    fn a_number_with_a_letter_is_read() {
        assert_eq!(
            parse_address_line("9A HIGH ST"),
            parsed(None, Some((9, Some('A'), None)), None, "HIGH ST")
        );
    }

    #[test]
    fn a_named_house_without_a_number_is_read() {
        assert_eq!(
            parse_address_line("ROSE COTTAGE, MILL LANE"),
            parsed(None, None, Some("ROSE COTTAGE"), "MILL LANE")
        );
    }

    #[test]
    fn a_building_called_court_is_not_mistaken_for_the_street() {
        assert_eq!(
            parse_address_line("ROSE COURT, MILL LANE"),
            parsed(None, None, Some("ROSE COURT"), "MILL LANE")
        );
        assert_eq!(
            parse_address_line("THE LODGE, ROSE HILL"),
            parsed(None, None, Some("THE LODGE"), "ROSE HILL")
        );
        assert_eq!(
            parse_address_line("ST MARY'S HOUSE, CHURCH ST"),
            parsed(None, None, Some("ST MARY'S HOUSE"), "CHURCH ST")
        );
    }

    #[test]
    fn a_range_of_numbers_is_read() {
        assert_eq!(
            parse_address_line("12-14 KING ROAD"),
            parsed(None, Some((12, None, Some(14))), None, "KING ROAD")
        );
        assert_eq!(
            parse_address_line("12 - 14 KING ROAD"),
            parsed(None, Some((12, None, Some(14))), None, "KING ROAD")
        );
    }

    #[test]
    fn a_flat_in_a_named_block_and_a_numbered_flat_before_a_building_are_read() {
        assert_eq!(
            parse_address_line("Flat 3, Rose Court, 9 Canal Street"),
            parsed(
                Some("FLAT 3"),
                Some((9, None, None)),
                Some("ROSE COURT"),
                "CANAL STREET"
            )
        );
        assert_eq!(
            parse_address_line("2 Rose Court, 9 Canal Street, Newtown"),
            ParsedAddress {
                locality: Some("NEWTOWN".to_string()),
                ..parsed(
                    Some("2"),
                    Some((9, None, None)),
                    Some("ROSE COURT"),
                    "CANAL STREET"
                )
            }
        );
        assert_eq!(
            parse_address_line("Ground Floor Flat, 22 Mill Lane"),
            parsed(
                Some("GROUND FLOOR FLAT"),
                Some((22, None, None)),
                None,
                "MILL LANE"
            )
        );
    }

    #[test]
    fn welsh_streets_and_unreadable_lines_do_not_fail() {
        assert_eq!(
            parse_address_line("Tŷ Gwyn, Heol y Frenhines"),
            parsed(None, None, Some("TŶ GWYN"), "HEOL Y FRENHINES")
        );
        assert_eq!(parse_address_line("  "), ParsedAddress::default());
        assert_eq!(parse_address_line("THE OLD MILL").street, "THE OLD MILL");
    }

    #[test]
    fn a_street_is_walked_up_the_odd_side_and_back_down_the_even_side() {
        let doors = vec![
            door(1, "2 CANAL STREET", "LS1 1AA"),
            door(2, "1 CANAL STREET", "LS1 1AA"),
            door(3, "5 CANAL STREET", "LS1 1AA"),
            door(4, "10 CANAL STREET", "LS1 1AA"),
            door(5, "3A CANAL STREET", "LS1 1AA"),
            door(6, "3 CANAL STREET", "LS1 1AA"),
            door(7, "4 CANAL ST", "LS1 1AA"),
        ];
        let round = order_round(doors);
        assert_eq!(round.len(), 1, "CANAL ST and CANAL STREET are one street");
        assert_eq!(
            walk(&round[0]),
            [
                "1 CANAL STREET",
                "3 CANAL STREET",
                "3A CANAL STREET",
                "5 CANAL STREET",
                "10 CANAL STREET",
                "4 CANAL ST",
                "2 CANAL STREET"
            ]
        );
    }

    #[test]
    fn flats_stay_together_in_their_building_in_flat_order() {
        let doors = vec![
            door(1, "FLAT 10, 9 CANAL STREET", "LS1 1AA"),
            door(2, "11 CANAL STREET", "LS1 1AA"),
            door(3, "FLAT 2, 9 CANAL STREET", "LS1 1AA"),
            door(4, "7 CANAL STREET", "LS1 1AA"),
            door(5, "FLAT 1, 9 CANAL STREET", "LS1 1AA"),
            door(6, "FLAT B, 8 CANAL STREET", "LS1 1AA"),
            door(7, "FLAT A, 8 CANAL STREET", "LS1 1AA"),
        ];
        let round = order_round(doors);
        assert_eq!(
            walk(&round[0]),
            [
                "7 CANAL STREET",
                "FLAT 1, 9 CANAL STREET",
                "FLAT 2, 9 CANAL STREET",
                "FLAT 10, 9 CANAL STREET",
                "11 CANAL STREET",
                "FLAT A, 8 CANAL STREET",
                "FLAT B, 8 CANAL STREET",
            ]
        );
    }

    #[test]
    fn named_houses_come_at_the_end_of_their_street() {
        let doors = vec![
            door(1, "ROSE COTTAGE, MILL LANE", "CF5 1AA"),
            door(2, "2 MILL LANE", "CF5 1AA"),
            door(3, "ASH HOUSE, MILL LANE", "CF5 1AA"),
            door(4, "1 MILL LANE", "CF5 1AA"),
        ];
        let round = order_round(doors);
        assert_eq!(
            walk(&round[0]),
            [
                "1 MILL LANE",
                "2 MILL LANE",
                "ASH HOUSE, MILL LANE",
                "ROSE COTTAGE, MILL LANE"
            ]
        );
        assert_eq!(
            round[0].doors.iter().map(|d| d.side).collect::<Vec<_>>(),
            [Side::Odd, Side::Even, Side::Unnumbered, Side::Unnumbered]
        );
    }

    #[test]
    fn streets_are_ordered_by_postcode_then_name_and_split_by_postcode() {
        let doors = vec![
            door(1, "1 ZETLAND ROAD", "cf10 1aa"),
            door(2, "1 ABBEY ROAD", "CF10 1AA"),
            door(3, "1 KING ROAD", "CF5 2BB"),
            door(4, "99 ABBEY ROAD", "CF10 1AB"),
            Door {
                postcode: None,
                ..door(5, "1 NOWHERE LANE", "")
            },
        ];
        let round = order_round(doors);
        let order: Vec<(Option<&str>, &str)> = round
            .iter()
            .map(|s| (s.postcode.as_deref(), s.street.as_str()))
            .collect();
        assert_eq!(
            order,
            [
                (Some("CF5 2BB"), "KING ROAD"),
                (Some("CF10 1AA"), "ABBEY ROAD"),
                (Some("CF10 1AA"), "ZETLAND ROAD"),
                (Some("CF10 1AB"), "ABBEY ROAD"),
                (None, "NOWHERE LANE"),
            ]
        );
    }

    #[test]
    fn safety_notes_are_carried_to_the_round() {
        let mut careful = door(1, "3 CANAL STREET", "LS1 1AA");
        careful.safety = VisitSafety {
            visit_in_pairs: true,
            notes: Some("Dog; knock at the side door".to_string()),
        };
        let round = order_round(vec![careful.clone(), door(2, "5 CANAL STREET", "LS1 1AA")]);
        assert_eq!(round[0].doors[0].door.safety, careful.safety);
        assert_eq!(round[0].doors_for_pairs(), 1);
    }

    #[test]
    fn a_worry_for_someones_safety_says_it_needs_safeguarding_follow_up() {
        for outcome in DoorOutcome::ALL {
            assert_eq!(DoorOutcome::parse(outcome.as_str()), Some(outcome));
            assert_eq!(
                outcome.needs_safeguarding_follow_up(),
                outcome == DoorOutcome::SafetyConcern
            );
        }
        assert!(DoorOutcome::SafetyConcern
            .label()
            .contains("needs a safeguarding follow-up"));
        assert!(!DoorOutcome::NoAnswer.ends_knocking());
        assert!(!DoorOutcome::CardLeft.ends_knocking());
        assert!(DoorOutcome::Spoke.ends_knocking());
        assert!(DoorOutcome::SafetyConcern.ends_knocking());
    }

    #[test]
    fn house_numbers_print_as_written() {
        assert_eq!(
            HouseNumber {
                number: 12,
                suffix: None,
                to: Some(14)
            }
            .to_string(),
            "12-14"
        );
        assert_eq!(
            HouseNumber {
                number: 9,
                suffix: Some('A'),
                to: None
            }
            .to_string(),
            "9A"
        );
    }
}
