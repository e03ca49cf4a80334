//! The words of an address: folding and splitting text, canonical
//! spellings, and what kind of word each is.
//!
//! Both sides go through the same functions: the text of a record and the
//! fields of every gazetteer LPI. So a rule here never has to say which side
//! it is on ("RD" and "ROAD" are one word whichever side wrote which).

use upstream_ingest::standardise;

/// No real address has more words than this; the rest of a longer text is
/// ignored, which bounds the work any input can cause.
pub(crate) const MAX_TOKENS: usize = 48;
/// Characters read from one text; the rest is ignored.
const MAX_CHARS: usize = 1000;

/// What separated a token from the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sep {
    Start,
    Space,
    /// A comma, semicolon or new line: a new address line.
    Line,
    /// "12-14": a hyphen with no space round it joins a range.
    Hyphen,
    /// "3/12": flat 3 at number 12.
    Slash,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawToken {
    pub text: String,
    pub sep: Sep,
}

/// Splits text into upper-case ASCII words, remembering the separators
/// that matter. Accents are folded ("LÔN" and "LON" are one word, as on
/// the many forms and systems that cannot type a circumflex), apostrophes
/// are dropped ("ST MARY'S" and "ST MARYS" are one word), "&" is "AND".
pub(crate) fn tokens(s: &str) -> Vec<RawToken> {
    let mut out: Vec<RawToken> = Vec::new();
    let mut word = String::new();
    let mut pending = Sep::Start;
    let push = |word: &mut String, out: &mut Vec<RawToken>, pending: &mut Sep| {
        if !word.is_empty() && out.len() < MAX_TOKENS {
            out.push(RawToken {
                text: std::mem::take(word),
                sep: *pending,
            });
            *pending = Sep::Space;
        }
        word.clear();
    };
    // A break's strength: a line break beats a slash or hyphen, which beat
    // a space; "12 - 14" is still a range, "12, -14" is not.
    let set = |pending: &mut Sep, s: Sep, first: bool| {
        if first {
            return;
        }
        *pending = match (*pending, s) {
            (Sep::Line, _) | (_, Sep::Line) => Sep::Line,
            (Sep::Slash, _) | (_, Sep::Slash) => Sep::Slash,
            (Sep::Hyphen, _) | (_, Sep::Hyphen) => Sep::Hyphen,
            _ => Sep::Space,
        };
    };
    for c in s.chars().take(MAX_CHARS) {
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_uppercase());
            continue;
        }
        match c {
            '\'' | '`' | '\u{00B4}' | '\u{2018}' | '\u{2019}' | '\u{02BB}' | '\u{02BC}' => {}
            '\u{0300}'..='\u{036F}' | '\u{00AD}' | '\u{200B}'..='\u{200D}' | '\u{FEFF}' => {}
            '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' => {
                push(&mut word, &mut out, &mut pending);
                set(&mut pending, Sep::Hyphen, out.is_empty());
            }
            '/' | '\\' => {
                push(&mut word, &mut out, &mut pending);
                set(&mut pending, Sep::Slash, out.is_empty());
            }
            ',' | ';' | '\n' | '\r' | '|' => {
                push(&mut word, &mut out, &mut pending);
                set(&mut pending, Sep::Line, out.is_empty());
            }
            '&' => {
                push(&mut word, &mut out, &mut pending);
                word.push_str("AND");
                push(&mut word, &mut out, &mut pending);
            }
            _ if c.is_ascii() || c.is_whitespace() => {
                push(&mut word, &mut out, &mut pending);
                set(&mut pending, Sep::Space, out.is_empty());
            }
            _ => {
                // Ingest's name standardiser folds Latin accents the same
                // way it does for every other field.
                let mut buf = [0u8; 4];
                match standardise::name(c.encode_utf8(&mut buf)) {
                    Some(f) if f.chars().all(|f| f.is_ascii_alphanumeric()) => word.push_str(&f),
                    _ => {
                        push(&mut word, &mut out, &mut pending);
                        set(&mut pending, Sep::Space, out.is_empty());
                    }
                }
            }
        }
    }
    push(&mut word, &mut out, &mut pending);
    out
}

/// The one spelling kept for a word that is written several ways.
///
/// Street types are abbreviated on forms and in PAF-derived data
/// ("RD", "AVE", "CRES") but written out in an LLPG (BS 7666 wants the
/// street name as the street naming authority gives it), and floors are
/// written "1ST" or "FIRST". APARTMENT and FLAT say the same thing about a
/// property. ST is deliberately left alone: it is SAINT at the front of a
/// street name and STREET at the end, and `tok_sim` matches it to both.
pub(crate) fn canon(w: &str) -> &str {
    match w {
        "RD" => "ROAD",
        "STR" | "STRT" => "STREET",
        "AVE" | "AV" | "AVEN" | "AVNUE" => "AVENUE",
        "LN" | "LNE" => "LANE",
        "CL" | "CLS" => "CLOSE",
        "CRES" | "CRESC" | "CRS" | "CRESENT" => "CRESCENT",
        "DR" | "DRV" => "DRIVE",
        "GDNS" | "GDN" | "GRDNS" => "GARDENS",
        "GR" | "GRO" | "GRV" => "GROVE",
        "PL" => "PLACE",
        "SQ" => "SQUARE",
        "TER" | "TERR" | "TCE" => "TERRACE",
        "CT" | "CRT" => "COURT",
        "WY" => "WAY",
        "PK" => "PARK",
        "PDE" => "PARADE",
        "WLK" => "WALK",
        "HSE" => "HOUSE",
        "COTT" | "CTG" => "COTTAGE",
        "COTTS" => "COTTAGES",
        "BLDGS" | "BLDG" => "BUILDINGS",
        "APARTMENT" | "APT" | "APPT" | "FLT" => "FLAT",
        "APARTMENTS" | "APTS" | "APPTS" => "APARTMENTS",
        "ANNEX" => "ANNEXE",
        "RM" => "ROOM",
        "FLR" => "FLOOR",
        "GRD" | "GRND" | "GND" => "GROUND",
        "BSMT" => "BASEMENT",
        "1ST" => "FIRST",
        "2ND" => "SECOND",
        "3RD" => "THIRD",
        "4TH" => "FOURTH",
        "5TH" => "FIFTH",
        "6TH" => "SIXTH",
        "NUMBER" => "NO",
        "UPR" => "UPPER",
        "LWR" => "LOWER",
        "NTH" => "NORTH",
        "STH" => "SOUTH",
        "MT" => "MOUNT",
        _ => w,
    }
}

/// A street's type when it ends the name ("OAK ROAD"). It tells which
/// street of a name is meant but is often left off or swapped in a record,
/// so it weighs less than the name itself. HILL, GREEN and PARK are names
/// as often as types ("GREEN LANE", "PARK ROAD"), so they count as a type
/// only at the end.
pub(crate) fn is_street_type(w: &str) -> bool {
    matches!(
        w,
        "ROAD"
            | "STREET"
            | "AVENUE"
            | "LANE"
            | "CLOSE"
            | "CRESCENT"
            | "DRIVE"
            | "GARDENS"
            | "GROVE"
            | "PLACE"
            | "SQUARE"
            | "TERRACE"
            | "COURT"
            | "WAY"
            | "PARK"
            | "PARADE"
            | "WALK"
            | "HILL"
            | "ROW"
            | "MEWS"
            | "VIEW"
            | "RISE"
            | "GREEN"
            | "CROFT"
            | "BOULEVARD"
            | "END"
            | "GATE"
            | "YARD"
            | "WHARF"
            | "PATH"
            | "VALE"
    )
}

/// A Welsh street's type, which comes first ("HEOL Y BONT", "LON GLAN
/// MOR", "STRYD FAWR", "FFORDD", "CLOS", "TERAS", "CILGANT", "RHODFA").
pub(crate) fn is_welsh_street_type(w: &str) -> bool {
    matches!(
        w,
        "HEOL" | "FFORDD" | "LON" | "STRYD" | "CLOS" | "TERAS" | "CILGANT" | "RHODFA" | "LLWYBR"
    )
}

/// Words that carry almost nothing ("THE", the Welsh article "Y"/"YR").
pub(crate) fn is_stop(w: &str) -> bool {
    matches!(w, "THE" | "Y" | "YR" | "OF" | "AND" | "R" | "AT" | "IN")
}

/// Words that name a floor.
pub(crate) fn floor_word(w: &str) -> Option<Floor> {
    Some(match w {
        "BASEMENT" => Floor::Basement,
        "GROUND" => Floor::Ground,
        "FIRST" => Floor::Level(1),
        "SECOND" => Floor::Level(2),
        "THIRD" => Floor::Level(3),
        "FOURTH" => Floor::Level(4),
        "FIFTH" => Floor::Level(5),
        "SIXTH" => Floor::Level(6),
        "TOP" => Floor::Top,
        "UPPER" => Floor::Upper,
        "LOWER" => Floor::Lower,
        "GARDEN" => Floor::Garden,
        _ => return None,
    })
}

/// Where in a building a flat is, when that is all its address says
/// ("GROUND FLOOR FLAT", "BASEMENT FLAT"): common for houses converted into
/// two or three flats, which are often not numbered at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Floor {
    Basement,
    LowerGround,
    Ground,
    Level(u8),
    Top,
    Upper,
    Lower,
    Garden,
}

/// What kind of secondary object a word introduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum UnitKind {
    Flat,
    Unit,
    Room,
    Studio,
    Maisonette,
    Annexe,
    /// Text a gazetteer gives that is none of the above ("STABLE BLOCK").
    Other,
}

pub(crate) fn unit_marker(w: &str) -> Option<UnitKind> {
    Some(match w {
        "FLAT" => UnitKind::Flat,
        "UNIT" => UnitKind::Unit,
        "ROOM" | "BEDSIT" => UnitKind::Room,
        "STUDIO" => UnitKind::Studio,
        "MAISONETTE" => UnitKind::Maisonette,
        "ANNEXE" => UnitKind::Annexe,
        _ => return None,
    })
}

/// A house or flat number as BS 7666 holds it: up to four digits and an
/// optional one-letter suffix ("12", "12A", "0012" is 12). Longer runs of
/// digits are phone numbers or references, not house numbers.
pub(crate) fn number(w: &str) -> Option<(u16, Option<char>)> {
    let digits_end = w
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(w.len());
    if digits_end == 0 {
        return None;
    }
    let digits = w.get(..digits_end)?;
    let trimmed = digits.trim_start_matches('0');
    if trimmed.len() > 4 {
        return None;
    }
    let n: u16 = if trimmed.is_empty() {
        0
    } else {
        trimmed.parse().ok()?
    };
    let rest = w.get(digits_end..)?;
    let mut chars = rest.chars();
    match (chars.next(), chars.next()) {
        (None, _) => Some((n, None)),
        (Some(c), None) if c.is_ascii_uppercase() => Some((n, Some(c))),
        _ => None,
    }
}

/// A flat's identifier after a marker: a number ("3", "3A"), a letter
/// ("A") or a letter and number ("G1" for ground-floor flat 1, "B2").
pub(crate) fn unit_id(w: &str) -> Option<String> {
    if let Some((n, s)) = number(w) {
        return Some(format_number(n, s));
    }
    let mut chars = w.chars();
    let first = chars.next()?;
    let rest = chars.as_str();
    if !first.is_ascii_uppercase() {
        return None;
    }
    if rest.is_empty() {
        return Some(first.to_string());
    }
    if rest.len() <= 3 && rest.bytes().all(|b| b.is_ascii_digit()) {
        let n: u16 = rest.parse().ok()?;
        return Some(format!("{first}{n}"));
    }
    None
}

pub(crate) fn format_number(n: u16, suffix: Option<char>) -> String {
    match suffix {
        Some(s) => format!("{n}{s}"),
        None => n.to_string(),
    }
}

/// How alike two canonical words are, 0 to 1.
///
/// Equal words score 1. ST is both SAINT and STREET. Otherwise one slip (a
/// letter wrong, missing, extra or two swapped: Damerau-Levenshtein 1)
/// scores 0.9 in words of four letters or more, and in three-letter words
/// only as a plural ("OAK"/"OAKS"); two slips score 0.8 in words of seven
/// or more. Shorter words must agree exactly: "LON" and "LAN" or "Y" and
/// "YR" are different words, not slips.
pub(crate) fn tok_sim(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    match (a, b) {
        ("ST", "SAINT" | "STREET") | ("SAINT" | "STREET", "ST") => return 1.0,
        _ => {}
    }
    let (la, lb) = (a.len(), b.len());
    let short = la.min(lb);
    if la.abs_diff(lb) > 2 || short < 3 {
        return 0.0;
    }
    // Digits are identity, never a slip: "A487" is not "A486".
    if a.bytes().chain(b.bytes()).any(|c| c.is_ascii_digit()) {
        return 0.0;
    }
    if short == 3 {
        // "OAK"/"OAKS" (a plural), "EAT"/"EAST" (a letter dropped from a
        // four-letter word); three-letter words never differ by a letter
        // changed, since too many real words do ("LON"/"LAN", "ASH"/"ASK").
        let plural = |x: &str, y: &str| x.strip_suffix('S') == Some(y);
        if plural(a, b) || plural(b, a) {
            return 0.9;
        }
        let dropped = la.abs_diff(lb) == 1 && osa_distance(a, b) == 1;
        return if dropped { 0.85 } else { 0.0 };
    }
    match osa_distance(a, b) {
        1 => 0.9,
        2 if short >= 7 => 0.8,
        _ => 0.0,
    }
}

/// Optimal string alignment distance (Damerau-Levenshtein without
/// repeated edits of one substring) of two ASCII words, on the stack for
/// words of up to 32 letters: this runs for every word pair a query
/// compares, and strsim's version allocates.
fn osa_distance(a: &str, b: &str) -> usize {
    const N: usize = 33;
    if a.len() >= N || b.len() >= N || !a.is_ascii() || !b.is_ascii() {
        return strsim::osa_distance(a, b);
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut before = [0usize; N];
    let mut prev: [usize; N] = std::array::from_fn(|j| j);
    let mut cur = [0usize; N];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
        }
        before = prev;
        prev = cur;
    }
    prev[b.len()]
}

/// A standardised postcode ("B27 6AA") from text, if it is one.
pub(crate) fn postcode(s: &str) -> Option<String> {
    standardise::postcode(s).ok().flatten()
}

/// Whether a word has the shape of a postcode's outward code ("B27",
/// "SY23", "EC1A"): the district, written alone at the end of an address.
pub(crate) fn is_outward(w: &str) -> bool {
    let shape: String = w
        .chars()
        .map(|c| {
            if c.is_ascii_uppercase() {
                'A'
            } else if c.is_ascii_digit() {
                '9'
            } else {
                '?'
            }
        })
        .collect();
    matches!(
        shape.as_str(),
        "A9" | "A99" | "AA9" | "AA99" | "A9A" | "AA9A"
    )
}

/// Whether a word has the shape of a postcode's inward code ("6AA").
pub(crate) fn is_inward(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() == 3 && b[0].is_ascii_digit() && b[1].is_ascii_uppercase() && b[2].is_ascii_uppercase()
}

/// Counties, countries and the like: people add them, gazetteers leave
/// them out, and they never tell two properties apart. Matched as whole
/// phrases among the words left over.
pub(crate) const NOISE_PHRASES: &[&str] = &[
    "UK",
    "GB",
    "UNITED KINGDOM",
    "GREAT BRITAIN",
    "ENGLAND",
    "WALES",
    "CYMRU",
    "SCOTLAND",
    "WEST MIDLANDS",
    "WARWICKSHIRE",
    "WORCESTERSHIRE",
    "STAFFORDSHIRE",
    "CEREDIGION",
    "SIR CEREDIGION",
    "DYFED",
    "CARDIGANSHIRE",
    "POWYS",
    "GWYNEDD",
    "CARMARTHENSHIRE",
    "PEMBROKESHIRE",
    "GLAMORGAN",
    "WEST YORKSHIRE",
    "SOUTH YORKSHIRE",
    "NORTH YORKSHIRE",
    "GREATER MANCHESTER",
    "MERSEYSIDE",
    "LANCASHIRE",
    "CHESHIRE",
    "DERBYSHIRE",
    "NOTTINGHAMSHIRE",
    "LEICESTERSHIRE",
    "LINCOLNSHIRE",
    "NORFOLK",
    "SUFFOLK",
    "ESSEX",
    "KENT",
    "SURREY",
    "SUSSEX",
    "EAST SUSSEX",
    "WEST SUSSEX",
    "HAMPSHIRE",
    "DORSET",
    "DEVON",
    "CORNWALL",
    "SOMERSET",
    "AVON",
    "GLOUCESTERSHIRE",
    "WILTSHIRE",
    "OXFORDSHIRE",
    "BERKSHIRE",
    "BUCKINGHAMSHIRE",
    "HERTFORDSHIRE",
    "BEDFORDSHIRE",
    "CAMBRIDGESHIRE",
    "NORTHAMPTONSHIRE",
    "SHROPSHIRE",
    "HEREFORDSHIRE",
    "DURHAM",
    "NORTHUMBERLAND",
    "CUMBRIA",
    "TYNE AND WEAR",
    "MIDDLESEX",
    "GREATER LONDON",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        tokens(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn text_splits_into_folded_upper_case_words() {
        assert_eq!(words("3 Lôn Glan-Môr"), ["3", "LON", "GLAN", "MOR"]);
        assert_eq!(words("St Mary's Rd."), ["ST", "MARYS", "RD"]);
        assert_eq!(words("Flat 3, 12 Oak Rd"), ["FLAT", "3", "12", "OAK", "RD"]);
        assert_eq!(words("Smith & Sons"), ["SMITH", "AND", "SONS"]);
        assert!(words("").is_empty());
        assert!(words(" ,,- / ").is_empty());
    }

    #[test]
    fn separators_are_remembered() {
        let t = tokens("12-14 Oak Rd, 3/5");
        let seps: Vec<Sep> = t.iter().map(|t| t.sep).collect();
        assert_eq!(
            seps,
            [
                Sep::Start,
                Sep::Hyphen,
                Sep::Space,
                Sep::Space,
                Sep::Line,
                Sep::Slash
            ]
        );
        // A hyphen with spaces round it still joins a range.
        assert_eq!(tokens("12 - 14")[1].sep, Sep::Hyphen);
    }

    #[test]
    fn combining_accents_do_not_split_words() {
        assert_eq!(words("LO\u{0302}N"), ["LON"]);
    }

    #[test]
    fn numbers_are_up_to_four_digits_and_a_letter() {
        assert_eq!(number("12"), Some((12, None)));
        assert_eq!(number("012A"), Some((12, Some('A'))));
        assert_eq!(number("0"), Some((0, None)));
        assert_eq!(number("12AB"), None);
        assert_eq!(number("07700900123"), None);
        assert_eq!(number("A12"), None);
        assert_eq!(unit_id("G1"), Some("G1".into()));
        assert_eq!(unit_id("A"), Some("A".into()));
        assert_eq!(unit_id("03"), Some("3".into()));
        assert_eq!(unit_id("OAK"), None);
    }

    #[test]
    fn words_are_alike_by_slips_not_by_chance() {
        assert_eq!(tok_sim("LOZELLS", "LOZELLS"), 1.0);
        assert_eq!(tok_sim("LOZELS", "LOZELLS"), 0.9);
        assert_eq!(tok_sim("LOZLELS", "LOZELLS"), 0.9);
        assert_eq!(tok_sim("ST", "STREET"), 1.0);
        assert_eq!(tok_sim("ST", "SAINT"), 1.0);
        assert_eq!(tok_sim("SAINT", "STREET"), 0.0);
        assert_eq!(tok_sim("OAK", "OAKS"), 0.9);
        assert_eq!(tok_sim("OAK", "ASH"), 0.0);
        assert_eq!(tok_sim("EAT", "EAST"), 0.85);
        assert_eq!(tok_sim("ASH", "ASK"), 0.0);
        assert_eq!(tok_sim("LON", "LAN"), 0.0);
        assert_eq!(tok_sim("A487", "A486"), 0.0);
        assert_eq!(tok_sim("ROAD", "LANE"), 0.0);
    }

    #[test]
    fn edit_distance_counts_swaps_as_one() {
        assert_eq!(osa_distance("LOZELLS", "LOZELLS"), 0);
        assert_eq!(osa_distance("LOZELLS", "LOZELS"), 1);
        assert_eq!(osa_distance("LOZELLS", "LOZLELS"), 1);
        assert_eq!(osa_distance("ABCD", "BADC"), 2);
        assert_eq!(osa_distance("", "ABC"), 3);
        assert_eq!(osa_distance("KITTEN", "SITTING"), 3);
        for (a, b) in [
            ("WARWICK", "WRAWICK"),
            ("MOSELEY", "MOSLEY"),
            ("HARBORNE", "HARBOURNE"),
        ] {
            assert_eq!(osa_distance(a, b), strsim::osa_distance(a, b), "{a} {b}");
        }
    }

    #[test]
    fn postcode_parts_are_recognised_by_shape() {
        assert!(is_outward("B27") && is_outward("SY23") && is_outward("EC1A"));
        assert!(!is_outward("27") && !is_outward("OAK"));
        assert!(is_inward("6AA") && !is_inward("6A") && !is_inward("AAA"));
        assert_eq!(postcode("sy23 1dz").as_deref(), Some("SY23 1DZ"));
        assert_eq!(postcode("nope"), None);
    }
}
