//! How people mistype things. Each function imitates one kind of slip seen in
//! council records, so the linkage built on this town meets realistic mess.
//! All are deterministic given the generator, and none panics on empty or
//! non-ASCII input.

use crate::names;
use chrono::{Datelike, NaiveDate};
use rand::seq::IndexedRandom;
use rand::Rng;

/// Keys next to each key on a UK QWERTY keyboard (digits along the number row).
fn neighbours(c: char) -> &'static str {
    match c.to_ascii_lowercase() {
        'q' => "wa",
        'w' => "qeas",
        'e' => "wrsd",
        'r' => "etdf",
        't' => "ryfg",
        'y' => "tugh",
        'u' => "yihj",
        'i' => "uojk",
        'o' => "ipkl",
        'p' => "ol",
        'a' => "qwsz",
        's' => "awedzx",
        'd' => "serfxc",
        'f' => "drtgcv",
        'g' => "ftyhvb",
        'h' => "gyujbn",
        'j' => "huiknm",
        'k' => "jiolm",
        'l' => "kop",
        'z' => "asx",
        'x' => "zsdc",
        'c' => "xdfv",
        'v' => "cfgb",
        'b' => "vghn",
        'n' => "bhjm",
        'm' => "njk",
        '1' => "2",
        '2' => "13",
        '3' => "24",
        '4' => "35",
        '5' => "46",
        '6' => "57",
        '7' => "68",
        '8' => "79",
        '9' => "80",
        '0' => "9",
        _ => "",
    }
}

/// Characters read or keyed as one another (O/0, I/1, S/5...).
fn lookalike(c: char) -> Option<char> {
    Some(match c.to_ascii_uppercase() {
        'O' => '0',
        '0' => 'O',
        'I' => '1',
        '1' => 'I',
        'S' => '5',
        '5' => 'S',
        'B' => '8',
        '8' => 'B',
        'Z' => '2',
        '2' => 'Z',
        'G' => '6',
        '6' => 'G',
        _ => return None,
    })
}

/// The letter without its accent, as typed on a keyboard that lacks it.
fn fold(c: char) -> char {
    let lower = c.to_lowercase().next().unwrap_or(c);
    let base = match lower {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ę' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ł' => 'l',
        'ñ' | 'ń' => 'n',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
        'ś' | 'š' | 'ș' | 'ş' => 's',
        'ț' | 'ţ' => 't',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ŵ' => 'w',
        'ý' | 'ÿ' | 'ŷ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        _ => return c,
    };
    if c.is_uppercase() {
        base.to_ascii_uppercase()
    } else {
        base
    }
}

fn fold_str(s: &str) -> String {
    s.chars().map(fold).collect()
}

/// Picks one of the weighted candidates that differs from `original`.
fn pick_different(
    original: &str,
    candidates: Vec<(String, u32)>,
    rng: &mut impl Rng,
) -> Option<String> {
    let options: Vec<(String, u32)> = candidates
        .into_iter()
        .filter(|(c, w)| c != original && *w > 0)
        .collect();
    let total: u32 = options.iter().map(|(_, w)| w).sum();
    if total == 0 {
        return None;
    }
    let mut x = rng.random_range(0..total);
    for (c, w) in options {
        if x < w {
            return Some(c);
        }
        x -= w;
    }
    None
}

/// A mistyped letter: an accented letter loses its accent (the keyboard has
/// none); otherwise a neighbouring key, in the same case.
fn substitute(c: char, rng: &mut impl Rng) -> char {
    let folded = fold(c);
    if folded != c {
        return folded;
    }
    let keys: Vec<char> = neighbours(c).chars().collect();
    match keys.choose(rng) {
        Some(k) if c.is_uppercase() => k.to_ascii_uppercase(),
        Some(k) => *k,
        None => c,
    }
}

/// One typing slip: a letter dropped, doubled, swapped with its neighbour or
/// mistyped as an adjacent key. The first letter is usually left alone, as it
/// is in real data. Strings shorter than two characters come back unchanged;
/// anything longer always changes and is never empty.
pub fn typo(s: &str, rng: &mut impl Rng) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if n < 2 {
        return s.to_string();
    }
    for _ in 0..16 {
        let i = if rng.random::<f64>() < 0.9 {
            rng.random_range(1..n)
        } else {
            rng.random_range(0..n)
        };
        let c = chars[i];
        let mut out = chars.clone();
        match rng.random_range(0..4) {
            // Dropping a space or apostrophe is a real slip too ("OBrien").
            0 => {
                out.remove(i);
            }
            1 if c.is_alphabetic() => out.insert(i, c),
            2 if i + 1 < n && c.is_alphabetic() && chars[i + 1].is_alphabetic() => {
                out.swap(i, i + 1)
            }
            3 if c.is_alphabetic() => out[i] = substitute(c, rng),
            _ => continue,
        }
        if out != chars {
            return out.into_iter().collect();
        }
    }
    // Every draw reproduced the input (e.g. "Aa" with a swap): doubling the
    // last character always changes it.
    let mut out = s.to_string();
    out.push(chars[n - 1]);
    out
}

/// A nickname or variant spelling if one is known; failing that, the name
/// without its accents ("Renée" -> "Renee"), which is how many systems store it.
pub fn nickname(forename: &str, rng: &mut impl Rng) -> Option<String> {
    if let Some(n) = names::nicknames(forename).choose(rng) {
        return Some(n.to_string());
    }
    let folded = fold_str(forename);
    (folded != forename).then_some(folded)
}

/// The same postcode written another way: no space, lower case, a double
/// space, a stray leading or trailing space. Always differs from the input and
/// keeps the same characters, ignoring case and spaces.
pub fn postcode_variant(pc: &str, rng: &mut impl Rng) -> String {
    let compact: String = pc.chars().filter(|c| !c.is_whitespace()).collect();
    let spaced = canonical_postcode(pc).unwrap_or_else(|| pc.trim().to_string());
    // Weights: a missing space is the commonest deviation, stray spaces the rarest.
    let candidates = vec![
        (compact.clone(), 35),
        (spaced.to_lowercase(), 20),
        (compact.to_lowercase(), 15),
        (spaced.replacen(' ', "  ", 1), 15),
        (format!(" {spaced}"), 7),
        (format!("{spaced} "), 8),
    ];
    pick_different(pc, candidates, rng).unwrap_or_else(|| format!("{pc} "))
}

/// One wrong character in the inward code (the last three characters): a
/// look-alike (O/0, I/1, S/5, B/8) or a neighbouring key. Case and spacing
/// are kept. Unchanged only if the inward code has no letter or digit.
pub fn postcode_typo(pc: &str, rng: &mut impl Rng) -> String {
    let mut chars: Vec<char> = pc.chars().collect();
    let inward: Vec<usize> = (0..chars.len())
        .rev()
        .filter(|&i| !chars[i].is_whitespace())
        .take(3)
        .filter(|&i| chars[i].is_ascii_alphanumeric())
        .collect();
    let Some(&i) = inward.choose(rng) else {
        return pc.to_string();
    };
    let c = chars[i];
    let keys: Vec<char> = neighbours(c).chars().collect();
    let wrong = match lookalike(c) {
        Some(l) if keys.is_empty() || rng.random::<f64>() < 0.5 => l,
        _ => keys
            .choose(rng)
            .copied()
            .unwrap_or(if c == '0' { '1' } else { '0' }),
    };
    chars[i] = if c.is_ascii_lowercase() {
        wrong.to_ascii_lowercase()
    } else {
        wrong.to_ascii_uppercase()
    };
    chars.into_iter().collect()
}

/// An NI number as people write it: spaced in pairs, lower case, or with a
/// spaced suffix. Anything that is not nine letters and digits only has its
/// case changed, since re-spacing it could split it wrongly.
pub fn nino_variant(nino: &str, rng: &mut impl Rng) -> String {
    let n: String = nino
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if n.len() != 9 || !n.chars().all(|c| c.is_ascii_alphanumeric()) {
        let lower = nino.to_lowercase();
        return if lower != nino {
            lower
        } else {
            nino.to_uppercase()
        };
    }
    let (prefix, digits, suffix) = (&n[..2], &n[2..8], &n[8..]);
    let pairs = format!(
        "{prefix} {} {} {} {suffix}",
        &digits[..2],
        &digits[2..4],
        &digits[4..]
    );
    let candidates = vec![
        (pairs.clone(), 40),
        (n.to_lowercase(), 20),
        (format!("{prefix}{digits} {suffix}"), 20),
        (format!("{prefix} {digits} {suffix}"), 10),
        (pairs.to_lowercase(), 10),
    ];
    pick_different(nino, candidates, rng).unwrap_or(n)
}

/// The same first address line in another style: flats as "3/12" or at the
/// end, the street suffix abbreviated, capitals, a stray comma, a lower-case
/// suffix, accents dropped. Differs from the input whenever any of these
/// applies; otherwise (e.g. an empty line) comes back unchanged.
pub fn address_variant(line1: &str, rng: &mut impl Rng) -> String {
    let line = line1.trim();
    let (flat, building) = split_flat(line);
    let abbreviated = abbreviate_suffix(building);
    let mut candidates: Vec<String> = Vec::new();
    match flat {
        Some(f) => {
            // "3/12 Oak Road" for flat 3 at number 12; never "A/12" for a
            // lettered flat, which nobody writes.
            if split_number(building).is_some() && f.starts_with(|c: char| c.is_ascii_digit()) {
                candidates.push(format!("{f}/{building}"));
            }
            candidates.push(format!("{building} Flat {f}"));
            candidates.push(format!(
                "Flat {f} {}",
                abbreviated.as_deref().unwrap_or(building)
            ));
            if let Some(a) = &abbreviated {
                candidates.push(format!("Flat {f}, {a}"));
            }
        }
        None => {
            if let Some(a) = &abbreviated {
                candidates.push(a.clone());
            }
            if let Some((number, street)) = split_number(line) {
                candidates.push(format!("{number}, {street}"));
            }
            if let Some((head, last)) = line.rsplit_once(' ') {
                candidates.push(format!("{head} {}", last.to_lowercase()));
            }
        }
    }
    candidates.push(line.to_uppercase());
    candidates.push(fold_str(line));
    let mut seen = std::collections::HashSet::new();
    candidates.retain(|c| c != line1 && seen.insert(c.clone()));
    candidates
        .choose(rng)
        .cloned()
        .unwrap_or_else(|| line1.to_string())
}

/// "Flat 3, 12 Oak Road" -> (Some("3"), "12 Oak Road"); otherwise (None, line).
fn split_flat(line: &str) -> (Option<&str>, &str) {
    let rest = match line.get(..5) {
        Some(head) if head.eq_ignore_ascii_case("Flat ") => &line[5..],
        _ => return (None, line),
    };
    let (flat, building) = rest
        .split_once(',')
        .or_else(|| rest.split_once(' '))
        .unwrap_or((rest, ""));
    let (flat, building) = (flat.trim(), building.trim());
    if flat.is_empty() || building.is_empty() {
        (None, line)
    } else {
        (Some(flat), building)
    }
}

/// "12 Oak Road" -> Some(("12", "Oak Road")); None without a house number.
fn split_number(building: &str) -> Option<(&str, &str)> {
    let (number, street) = building.split_once(' ')?;
    (number.starts_with(|c: char| c.is_ascii_digit()) && !street.trim().is_empty())
        .then_some((number, street))
}

/// "12 Oak Road" -> Some("12 Oak Rd"); None if the last word has no abbreviation.
fn abbreviate_suffix(line: &str) -> Option<String> {
    let (head, last) = line.rsplit_once(' ')?;
    names::street_abbreviation(last).map(|a| format!("{head} {a}"))
}

/// A date with day and month transposed (US order, or a slip), when the day
/// could be a month and the result is a different date.
pub fn swap_day_month(date: NaiveDate) -> Option<NaiveDate> {
    (date.day() <= 12 && date.day() != date.month())
        .then(|| NaiveDate::from_ymd_opt(date.year(), date.day(), date.month()))
        .flatten()
}

/// A UK phone number written another way: run together, international,
/// hyphenated or re-spaced. The digits are kept (a leading 0 becomes +44).
pub fn phone_variant(phone: &str, rng: &mut impl Rng) -> String {
    let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    let national = match digits.strip_prefix("44") {
        Some(rest) if digits.len() == 12 => format!("0{rest}"),
        _ => digits.clone(),
    };
    let mut candidates: Vec<String> = Vec::new();
    if national.len() == 11 && national.starts_with('0') {
        // Keep the caller's grouping where it has one ("0121 496 0000").
        let trimmed = phone.trim();
        let grouped = if trimmed.starts_with('0') && trimmed.contains(' ') {
            trimmed.to_string()
        } else {
            format!("{} {}", &national[..5], &national[5..])
        };
        candidates.push(national.clone());
        candidates.push(format!("+44 {}", &grouped[1..]));
        candidates.push(grouped.replacen(' ', "-", 1));
        candidates.push(format!("{} {}", &national[..5], &national[5..]));
    } else if !digits.is_empty() {
        candidates.push(digits);
    }
    candidates.retain(|c| c != phone);
    candidates
        .choose(rng)
        .cloned()
        .unwrap_or_else(|| phone.to_string())
}

// HMRC: the first letter is never D, F, I, Q, U or V; the second never those or O;
// and some pairs are never issued.
const NINO_FIRST: &[u8] = b"ABCEGHJKLMNOPRSTWXYZ";
const NINO_SECOND: &[u8] = b"ABCEGHJKLMNPRSTWXYZ";
const NINO_PREFIX_UNUSED: &[&str] = &["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"];

/// Two letters allowed at the start of a National Insurance number.
pub fn valid_nino_prefix(rng: &mut impl Rng) -> String {
    loop {
        let a = NINO_FIRST[rng.random_range(0..NINO_FIRST.len())] as char;
        let b = NINO_SECOND[rng.random_range(0..NINO_SECOND.len())] as char;
        let prefix = format!("{a}{b}");
        if !NINO_PREFIX_UNUSED.contains(&prefix.as_str()) {
            return prefix;
        }
    }
}

/// Whether a string is a well-formed NI number, ignoring spaces and case:
/// a valid prefix, six digits and a suffix A to D.
pub fn is_valid_nino(s: &str) -> bool {
    let n: Vec<u8> = s
        .bytes()
        .filter(|c| !c.is_ascii_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    n.len() == 9
        && NINO_FIRST.contains(&n[0])
        && NINO_SECOND.contains(&n[1])
        && !NINO_PREFIX_UNUSED.iter().any(|p| p.as_bytes() == &n[..2])
        && n[2..8].iter().all(u8::is_ascii_digit)
        && (b'A'..=b'D').contains(&n[8])
}

/// A UK postcode in standard form ("B12 9QT"), or None if it is not shaped
/// like one: outward A9, A99, A9A, AA9, AA99 or AA9A; inward 9AA.
pub fn canonical_postcode(s: &str) -> Option<String> {
    let c: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if !c.is_ascii() || !(5..=7).contains(&c.len()) {
        return None;
    }
    let c = c.to_ascii_uppercase();
    let (outward, inward) = c.split_at(c.len() - 3);
    let shape = |part: &str| -> String {
        part.bytes()
            .map(|b| match b {
                b'A'..=b'Z' => 'A',
                b'0'..=b'9' => '9',
                _ => '?',
            })
            .collect()
    };
    let outward_ok = matches!(
        shape(outward).as_str(),
        "A9" | "A99" | "A9A" | "AA9" | "AA99" | "AA9A"
    );
    (outward_ok && shape(inward) == "9AA").then(|| format!("{outward} {inward}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64Mcg;
    use std::collections::HashSet;

    fn rng() -> Pcg64Mcg {
        Pcg64Mcg::seed_from_u64(7)
    }

    fn samples(f: impl Fn(&mut Pcg64Mcg) -> String) -> HashSet<String> {
        let mut r = rng();
        (0..2000).map(|_| f(&mut r)).collect()
    }

    const NAMES: &[&str] = &[
        "Al",
        "Ng",
        "Anna",
        "Aaaa",
        "Smith",
        "Siân",
        "Zoë",
        "Dafydd",
        "O'Brien",
        "Ka Wai",
        "Al-Sayed",
        "ap Rhys",
        "Gwenllian",
        "Ŵŵ",
        "--",
    ];

    #[test]
    fn a_typo_always_changes_a_name_of_two_or_more_letters() {
        let mut r = rng();
        for name in NAMES {
            for _ in 0..1000 {
                let t = typo(name, &mut r);
                assert_ne!(&t, name);
                assert!(!t.is_empty());
            }
        }
    }

    #[test]
    fn a_typo_is_one_slip_and_leaves_single_letters_alone() {
        let mut r = rng();
        for name in NAMES {
            let n = name.chars().count() as i64;
            for _ in 0..500 {
                let m = typo(name, &mut r).chars().count() as i64;
                assert!((m - n).abs() <= 1, "{name}");
            }
        }
        assert_eq!(typo("A", &mut r), "A");
        assert_eq!(typo("", &mut r), "");
        assert_eq!(typo("Ŵ", &mut r), "Ŵ");
    }

    #[test]
    fn typos_usually_keep_the_first_letter() {
        let mut r = rng();
        let kept = (0..5000)
            .filter(|_| typo("Jennifer", &mut r).starts_with('J'))
            .count();
        assert!(kept > 4000, "{kept} of 5000");
    }

    #[test]
    fn typos_include_every_kind_of_slip() {
        let seen = samples(|r| typo("Jennifer", r));
        assert!(seen.contains("Jenifer"), "dropped letter");
        assert!(seen.contains("Jennnifer"), "doubled letter");
        assert!(seen.contains("Jennfier"), "transposed letters");
        assert!(seen.contains("Jennifet"), "neighbouring key");
        assert!(samples(|r| typo("Siân", r)).contains("Sian"), "lost accent");
    }

    #[test]
    fn accented_names_do_not_panic() {
        let mut r = rng();
        for s in [
            "Siân",
            "Zoë",
            "Lôn Glan Môr",
            "Tŷ Capel",
            "",
            " ",
            "é",
            "ÀB123456C",
        ] {
            for _ in 0..200 {
                let _ = typo(s, &mut r);
                let _ = nickname(s, &mut r);
                let _ = postcode_variant(s, &mut r);
                let _ = postcode_typo(s, &mut r);
                let _ = nino_variant(s, &mut r);
                let _ = address_variant(s, &mut r);
                let _ = phone_variant(s, &mut r);
                let _ = is_valid_nino(s);
                let _ = canonical_postcode(s);
            }
        }
    }

    #[test]
    fn nicknames_come_from_the_known_list_or_drop_accents() {
        let mut r = rng();
        for _ in 0..100 {
            let n = nickname("William", &mut r).unwrap_or_default();
            assert!(names::nicknames("William").contains(&n.as_str()), "{n}");
        }
        for _ in 0..100 {
            let n = nickname("Siân", &mut r).unwrap_or_default();
            assert!(n == "Sian" || n == "Shan", "{n}");
        }
        assert_eq!(nickname("Renée", &mut r).as_deref(), Some("Renee"));
        assert_eq!(nickname("Zebedee", &mut r), None);
        assert_eq!(nickname("", &mut r), None);
    }

    #[test]
    fn postcode_variants_keep_the_same_characters() {
        let mut r = rng();
        for pc in ["B12 9QT", "SY23 3DB", "B5 7AA", "b129qt", "B12  9QT"] {
            for _ in 0..500 {
                let v = postcode_variant(pc, &mut r);
                assert_ne!(v, pc);
                assert_eq!(canonical_postcode(&v), canonical_postcode(pc), "{v}");
            }
        }
    }

    #[test]
    fn postcode_variants_of_standard_postcodes_are_never_standard() {
        let seen = samples(|r| postcode_variant("B12 9QT", r));
        assert!(!seen.contains("B12 9QT"));
        for v in [
            "B129QT", "b12 9qt", "b129qt", "B12  9QT", " B12 9QT", "B12 9QT ",
        ] {
            assert!(seen.contains(v), "{v}");
        }
    }

    #[test]
    fn postcode_typos_change_one_character_of_the_inward_code() {
        let mut r = rng();
        for pc in ["SY23 3DB", "B12 9QT", "b5 7aa", "B1 1BB"] {
            for _ in 0..500 {
                let t = postcode_typo(pc, &mut r);
                assert_ne!(t, pc);
                let (a, b): (Vec<char>, Vec<char>) = (pc.chars().collect(), t.chars().collect());
                assert_eq!(a.len(), b.len());
                let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
                assert_eq!(diff.len(), 1, "{pc} -> {t}");
                assert!(diff[0] >= a.len() - 3, "{pc} -> {t}");
            }
        }
        let seen = samples(|r| postcode_typo("B12 9QS", r));
        assert!(seen.contains("B12 9Q5"), "look-alike");
        assert!(
            seen.contains("B12 8QS") || seen.contains("B12 0QS"),
            "neighbouring key"
        );
    }

    #[test]
    fn generated_nino_prefixes_are_always_valid() {
        let mut r = rng();
        let mut seen = HashSet::new();
        for _ in 0..10_000 {
            let p = valid_nino_prefix(&mut r);
            assert!(is_valid_nino(&format!("{p}123456C")), "{p}");
            seen.insert(p);
        }
        // 20 x 19 pairs less the 7 never issued.
        assert_eq!(seen.len(), 20 * 19 - 7);
    }

    #[test]
    fn ni_number_validity_follows_the_hmrc_rules() {
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                let p = format!("{}{}", a as char, b as char);
                let expected = !b"DFIQUV".contains(&a)
                    && !b"DFIOQUV".contains(&b)
                    && !["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"].contains(&p.as_str());
                assert_eq!(is_valid_nino(&format!("{p}123456A")), expected, "{p}");
            }
        }
        assert!(!is_valid_nino("qq 12 34 56 c"));
        assert!(is_valid_nino("ab 12 34 56 c"));
        assert!(is_valid_nino("AB123456 D"));
        for bad in [
            "AB123456E",
            "AB12345C",
            "AB1234567C",
            "AB12345CC",
            "",
            "ÀB123456C",
        ] {
            assert!(!is_valid_nino(bad), "{bad}");
        }
    }

    #[test]
    fn nino_variants_are_still_valid_ni_numbers() {
        let mut r = rng();
        for nino in ["AB123456C", "AB 12 34 56 C", "ab123456c"] {
            for _ in 0..200 {
                let v = nino_variant(nino, &mut r);
                assert!(is_valid_nino(&v), "{v}");
                assert_ne!(v, nino);
            }
        }
        let seen = samples(|r| nino_variant("AB123456C", r));
        for v in ["AB 12 34 56 C", "ab123456c", "AB123456 C"] {
            assert!(seen.contains(v), "{v}");
        }
    }

    #[test]
    fn address_variants_differ_from_the_original() {
        let mut r = rng();
        for line in [
            "Flat 3, 12 Oak Road",
            "12 Oak Road",
            "7 Heol y Bont",
            "Rose Cottage",
            "Sunnyside",
            "Lôn Glan Môr",
            "FLAT 3, 12 OAK ROAD",
        ] {
            for _ in 0..200 {
                assert_ne!(address_variant(line, &mut r), line);
            }
        }
        assert_eq!(address_variant("", &mut r), "");
        assert_eq!(address_variant("12", &mut r), "12");
    }

    #[test]
    fn address_variants_use_the_usual_styles() {
        let flat = samples(|r| address_variant("Flat 3, 12 Oak Road", r));
        for v in [
            "3/12 Oak Road",
            "12 Oak Road Flat 3",
            "Flat 3 12 Oak Rd",
            "FLAT 3, 12 OAK ROAD",
        ] {
            assert!(flat.contains(v), "{v}");
        }
        let house = samples(|r| address_variant("12 Oak Road", r));
        for v in ["12 Oak Rd", "12, Oak Road", "12 OAK ROAD", "12 Oak road"] {
            assert!(house.contains(v), "{v}");
        }
        let welsh = samples(|r| address_variant("5 Lôn Glan Môr", r));
        assert!(welsh.contains("5 Lon Glan Mor"));
    }

    #[test]
    fn address_variants_keep_the_numbers() {
        // Whatever the style, the flat and house numbers survive as words.
        let words = |s: &str| -> HashSet<String> {
            s.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_uppercase)
                .collect()
        };
        let mut r = rng();
        for (line, numbers) in [
            ("Flat 3, 12 Oak Road", &["3", "12"][..]),
            ("Flat 3A, 12 Oak Road", &["3A", "12"][..]),
            ("Flat A, 12 Oak Road", &["A", "12"][..]),
            ("12A Oak Road", &["12A"][..]),
            ("12 Oak Road", &["12"][..]),
        ] {
            for _ in 0..300 {
                let v = address_variant(line, &mut r);
                let w = words(&v);
                for n in numbers {
                    assert!(w.contains(*n), "{line} -> {v}");
                }
                assert!(!v.starts_with("A/"), "{v}");
            }
        }
    }

    #[test]
    fn day_and_month_swap_only_when_it_makes_a_different_date() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(swap_day_month(d(1980, 3, 7).unwrap()), d(1980, 7, 3));
        assert_eq!(swap_day_month(d(1980, 12, 1).unwrap()), d(1980, 1, 12));
        assert_eq!(swap_day_month(d(1980, 3, 25).unwrap()), None);
        assert_eq!(swap_day_month(d(1980, 4, 4).unwrap()), None);
        assert_eq!(swap_day_month(d(1980, 1, 13).unwrap()), None);
    }

    #[test]
    fn phone_variants_keep_the_digits() {
        let national = |s: &str| {
            let d: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
            match d.strip_prefix("44") {
                Some(rest) => format!("0{rest}"),
                None => d,
            }
        };
        let mut r = rng();
        for phone in [
            "07700 900123",
            "07700900123",
            "+44 7700 900123",
            "0121 496 0000",
        ] {
            for _ in 0..200 {
                let v = phone_variant(phone, &mut r);
                assert_ne!(v, phone);
                assert_eq!(national(&v), national(phone), "{v}");
            }
        }
        let seen = samples(|r| phone_variant("07700 900123", r));
        for v in ["07700900123", "+44 7700 900123", "07700-900123"] {
            assert!(seen.contains(v), "{v}");
        }
        assert!(samples(|r| phone_variant("0121 496 0000", r)).contains("+44 121 496 0000"));
    }

    #[test]
    fn canonical_postcodes() {
        assert_eq!(canonical_postcode("b129qt").as_deref(), Some("B12 9QT"));
        assert_eq!(
            canonical_postcode(" SY23  3DB ").as_deref(),
            Some("SY23 3DB")
        );
        for ok in [
            "B5 7AA", "M1 1AE", "W1A 0AX", "EC1A 1BB", "CR2 6XH", "DN55 1PT",
        ] {
            assert_eq!(canonical_postcode(ok).as_deref(), Some(ok));
        }
        for bad in [
            "12345", "B12", "B12 9Q0", "1B2 9QT", "B12 QQT", "BBB1 9QT", "B12 9QTT", "B12 9ÖT", "",
        ] {
            assert_eq!(canonical_postcode(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_noise() {
        let run = || {
            let mut r = rng();
            (0..200)
                .map(|_| {
                    format!(
                        "{}|{}|{}|{}",
                        typo("Gwenllian", &mut r),
                        postcode_typo("SY23 3DB", &mut r),
                        address_variant("Flat 3, 12 Oak Road", &mut r),
                        valid_nino_prefix(&mut r)
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(run(), run());
    }
}
