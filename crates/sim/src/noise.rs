//! How people mistype things. Each function imitates one kind of slip seen in
//! council records, so the linkage built on this town meets realistic mess.

use crate::names;
use chrono::{Datelike, NaiveDate};
use rand::Rng;

/// Keys next to each letter on a QWERTY keyboard.
fn neighbours(c: char) -> &'static str {
    match c.to_ascii_lowercase() {
        'q' => "wa",
        'w' => "qes",
        'e' => "wrd",
        'r' => "etf",
        't' => "ryg",
        'y' => "tuh",
        'u' => "yij",
        'i' => "uok",
        'o' => "ipl",
        'p' => "ol",
        'a' => "qsz",
        's' => "adw",
        'd' => "sfe",
        'f' => "dgr",
        'g' => "fht",
        'h' => "gjy",
        'j' => "hku",
        'k' => "jli",
        'l' => "ko",
        'z' => "xa",
        'x' => "zc",
        'c' => "xv",
        'v' => "cb",
        'b' => "vn",
        'n' => "bm",
        'm' => "n",
        _ => "e",
    }
}

/// One typing slip: a letter dropped, doubled, swapped with its neighbour or
/// mistyped as an adjacent key. The first letter is usually left alone, as it
/// is in real data. Names shorter than two letters come back unchanged.
pub fn typo(s: &str, rng: &mut impl Rng) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if n < 2 {
        return s.to_string();
    }
    for _ in 0..8 {
        let start = if rng.random::<f64>() < 0.9 { 1 } else { 0 };
        let i = rng.random_range(start..n);
        let mut out = chars.clone();
        match rng.random_range(0..4) {
            0 if n > 2 => {
                out.remove(i);
            }
            1 => out.insert(i, chars[i]),
            2 if i + 1 < n => out.swap(i, i + 1),
            _ => {
                let options: Vec<char> = neighbours(chars[i]).chars().collect();
                let mut c = options[rng.random_range(0..options.len())];
                if chars[i].is_uppercase() {
                    c = c.to_ascii_uppercase();
                }
                out[i] = c;
            }
        }
        let result: String = out.into_iter().collect();
        if result != s && !result.is_empty() {
            return result;
        }
    }
    // Every attempt happened to reproduce the name (e.g. "Anna" with a swap): double the last letter.
    let mut out = s.to_string();
    if let Some(last) = chars.last() {
        out.push(*last);
    }
    out
}

/// A nickname or variant spelling, if one is known.
pub fn nickname(forename: &str, rng: &mut impl Rng) -> Option<String> {
    let list = names::nicknames(forename);
    (!list.is_empty()).then(|| list[rng.random_range(0..list.len())].to_string())
}

/// The same postcode written another way: no space, lower case, a double space.
pub fn postcode_variant(pc: &str, rng: &mut impl Rng) -> String {
    let compact: String = pc.chars().filter(|c| !c.is_whitespace()).collect();
    match rng.random_range(0..4) {
        0 => compact,
        1 => pc.to_lowercase(),
        2 => pc.replacen(' ', "  ", 1),
        _ => compact.to_lowercase(),
    }
}

/// One wrong character in the inward code: a digit/letter confusion or a neighbouring letter.
pub fn postcode_typo(pc: &str, rng: &mut impl Rng) -> String {
    let mut chars: Vec<char> = pc.chars().collect();
    let n = chars.len();
    if n < 3 {
        return pc.to_string();
    }
    let i = n - rng.random_range(1..=3);
    let c = chars[i];
    chars[i] = match c {
        'O' => '0',
        '0' => 'O',
        'I' => '1',
        '1' => 'I',
        'S' => '5',
        '5' => 'S',
        'B' => '8',
        '8' => 'B',
        d if d.is_ascii_digit() => {
            let v = d as u8 - b'0';
            (b'0' + (v + 1) % 10) as char
        }
        l => neighbours(l)
            .chars()
            .next()
            .unwrap_or('A')
            .to_ascii_uppercase(),
    };
    let out: String = chars.into_iter().collect();
    if out == pc {
        format!("{pc}X")
    } else {
        out
    }
}

/// An NI number as people write it: spaced in pairs, lower case, or with a spaced suffix.
pub fn nino_variant(nino: &str, rng: &mut impl Rng) -> String {
    let n: String = nino.chars().filter(|c| !c.is_whitespace()).collect();
    if n.len() != 9 || !n.is_ascii() {
        return nino.to_lowercase();
    }
    match rng.random_range(0..3) {
        0 => format!(
            "{} {} {} {} {}",
            &n[0..2],
            &n[2..4],
            &n[4..6],
            &n[6..8],
            &n[8..9]
        ),
        1 => n.to_lowercase(),
        _ => format!("{} {}", &n[0..8], &n[8..9]),
    }
}

/// The same address line in another style: abbreviations, flats written as
/// "3/12", capitals, a stray comma.
pub fn address_variant(line1: &str, rng: &mut impl Rng) -> String {
    let abbreviated = abbreviate_suffix(line1);
    let out = if let Some(rest) = line1.strip_prefix("Flat ") {
        // "Flat 3, 12 Oak Road"
        let (flat, building) = rest.split_once(", ").unwrap_or((rest, ""));
        match rng.random_range(0..4) {
            0 if !building.is_empty() => format!("{flat}/{building}"),
            1 if !building.is_empty() => format!("{building} Flat {flat}"),
            2 => abbreviated.replace(", ", " "),
            _ => line1.to_uppercase(),
        }
    } else {
        match rng.random_range(0..4) {
            0 => abbreviated.clone(),
            1 => line1.replacen(' ', ", ", 1),
            2 => line1.to_uppercase(),
            _ => match line1.rsplit_once(' ') {
                Some((head, last)) => format!("{head} {}", last.to_lowercase()),
                None => line1.to_uppercase(),
            },
        }
    };
    if out == line1 {
        line1.to_uppercase()
    } else {
        out
    }
}

fn abbreviate_suffix(line: &str) -> String {
    match line.rsplit_once(' ') {
        Some((head, last)) => match names::street_abbreviation(last) {
            Some(a) => format!("{head} {a}"),
            None => line.to_string(),
        },
        None => line.to_string(),
    }
}

/// A date with day and month transposed, when that still makes a date.
pub fn swap_day_month(date: NaiveDate) -> Option<NaiveDate> {
    (date.day() <= 12 && date.day() != date.month())
        .then(|| NaiveDate::from_ymd_opt(date.year(), date.day(), date.month()))
        .flatten()
}

/// A mobile number written another way.
pub fn phone_variant(phone: &str, rng: &mut impl Rng) -> String {
    let digits: String = phone.chars().filter(|c| c.is_ascii_digit()).collect();
    match rng.random_range(0..3) {
        0 => digits,
        1 if digits.len() == 11 && digits.starts_with('0') => {
            format!("+44 {} {}", &digits[1..5], &digits[5..])
        }
        _ if digits.len() == 11 => format!("{}-{}", &digits[..5], &digits[5..]),
        _ => digits,
    }
}

const FIRST_INVALID: &[u8] = b"DFIQUV";
const SECOND_INVALID: &[u8] = b"DFIOQUV";
const PREFIX_INVALID: &[&str] = &["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"];

/// Two letters allowed at the start of a National Insurance number (HMRC rules).
pub fn valid_nino_prefix(rng: &mut impl Rng) -> String {
    loop {
        let a = b'A' + rng.random_range(0..26u8);
        let b = b'A' + rng.random_range(0..26u8);
        let p = String::from_utf8(vec![a, b]).unwrap_or_default();
        if !FIRST_INVALID.contains(&a)
            && !SECOND_INVALID.contains(&b)
            && !PREFIX_INVALID.contains(&p.as_str())
        {
            return p;
        }
    }
}

/// Whether a string is a well-formed NI number, ignoring spaces and case.
pub fn is_valid_nino(s: &str) -> bool {
    let n: Vec<u8> = s
        .bytes()
        .filter(|c| !c.is_ascii_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if n.len() != 9 {
        return false;
    }
    let prefix = String::from_utf8_lossy(&n[0..2]).into_owned();
    n[0].is_ascii_uppercase()
        && n[1].is_ascii_uppercase()
        && !FIRST_INVALID.contains(&n[0])
        && !SECOND_INVALID.contains(&n[1])
        && !PREFIX_INVALID.contains(&prefix.as_str())
        && n[2..8].iter().all(|c| c.is_ascii_digit())
        && (b'A'..=b'D').contains(&n[8])
}

/// A UK postcode in standard form ("B12 9QT"), or None if it is not shaped like one.
pub fn canonical_postcode(s: &str) -> Option<String> {
    let c: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let n = c.len();
    if !(5..=7).contains(&n) || !c.is_ascii() {
        return None;
    }
    let (out, inn) = c.split_at(n - 3);
    let ib = inn.as_bytes();
    let ob = out.as_bytes();
    let ok = ob[0].is_ascii_alphabetic()
        && ob.iter().all(|b| b.is_ascii_alphanumeric())
        && ob.iter().any(|b| b.is_ascii_digit())
        && ib[0].is_ascii_digit()
        && ib[1].is_ascii_alphabetic()
        && ib[2].is_ascii_alphabetic();
    ok.then(|| format!("{out} {inn}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_pcg::Pcg64Mcg;

    fn rng() -> Pcg64Mcg {
        Pcg64Mcg::seed_from_u64(7)
    }

    #[test]
    fn a_typo_always_changes_a_name_of_two_or_more_letters() {
        let mut r = rng();
        for name in ["Al", "Anna", "Smith", "Siân", "O'Brien", "Ng", "Aaaa"] {
            for _ in 0..500 {
                let t = typo(name, &mut r);
                assert_ne!(t, name);
                assert!(!t.is_empty());
            }
        }
        assert_eq!(typo("A", &mut r), "A");
    }

    #[test]
    fn accented_names_do_not_panic() {
        let mut r = rng();
        for _ in 0..1000 {
            let _ = typo("Siân", &mut r);
            let _ = typo("Zoë", &mut r);
            let _ = address_variant("Lôn Glan Môr", &mut r);
        }
    }

    #[test]
    fn postcode_variants_keep_the_same_characters() {
        let mut r = rng();
        for _ in 0..200 {
            let v = postcode_variant("B12 9QT", &mut r);
            assert_eq!(canonical_postcode(&v).as_deref(), Some("B12 9QT"), "{v}");
        }
    }

    #[test]
    fn postcode_typos_change_the_postcode() {
        let mut r = rng();
        for _ in 0..200 {
            assert_ne!(postcode_typo("SY23 3DB", &mut r), "SY23 3DB");
        }
    }

    #[test]
    fn generated_nino_prefixes_are_always_valid() {
        let mut r = rng();
        for _ in 0..10_000 {
            let p = valid_nino_prefix(&mut r);
            assert!(is_valid_nino(&format!("{p}123456C")), "{p}");
        }
    }

    #[test]
    fn nino_variants_are_still_valid_ni_numbers() {
        let mut r = rng();
        for _ in 0..100 {
            let v = nino_variant("AB123456C", &mut r);
            assert!(is_valid_nino(&v), "{v}");
            assert_ne!(v, "AB123456C");
        }
        assert!(!is_valid_nino("DA123456C"));
        assert!(!is_valid_nino("AB12345C"));
    }

    #[test]
    fn address_variants_differ_from_the_original() {
        let mut r = rng();
        for line in ["Flat 3, 12 Oak Road", "12 Oak Road", "Rose Cottage"] {
            for _ in 0..100 {
                assert_ne!(address_variant(line, &mut r), line);
            }
        }
    }

    #[test]
    fn day_and_month_swap_only_when_it_makes_a_different_date() {
        let d = NaiveDate::from_ymd_opt(1980, 3, 7).unwrap();
        assert_eq!(swap_day_month(d), NaiveDate::from_ymd_opt(1980, 7, 3));
        assert_eq!(
            swap_day_month(NaiveDate::from_ymd_opt(1980, 3, 25).unwrap()),
            None
        );
        assert_eq!(
            swap_day_month(NaiveDate::from_ymd_opt(1980, 4, 4).unwrap()),
            None
        );
    }

    #[test]
    fn canonical_postcodes() {
        assert_eq!(canonical_postcode("b129qt").as_deref(), Some("B12 9QT"));
        assert_eq!(
            canonical_postcode(" SY23  3DB ").as_deref(),
            Some("SY23 3DB")
        );
        assert_eq!(canonical_postcode("12345"), None);
        assert_eq!(canonical_postcode("B12"), None);
    }
}
