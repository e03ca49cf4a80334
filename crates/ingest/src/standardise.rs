//! Standardising identifiers so the same fact typed two ways compares equal.
//! Every function is pure and total: it never panics, whatever the input.
//! Each returns `None` for blank input; the `Result` ones return `Err(reason)`
//! (a plain-English reason, e.g. "not a valid NI number") for input that is
//! present but malformed.
//!
//! Names and addresses come out in upper case with accents folded to ASCII
//! (so "Siân" and "SIAN" agree); emails in lower case.

#[path = "nicknames.rs"]
mod nicknames;

use chrono::{NaiveDate, NaiveTime};

/// A person's name split into parts and standardised.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameParts {
    pub title: Option<String>,
    pub forename: Option<String>,
    pub middle_names: Option<String>,
    pub surname: Option<String>,
}

// ---------------------------------------------------------------------------
// Characters
// ---------------------------------------------------------------------------

/// The ASCII upper-case base of a Latin letter with a diacritic (Latin-1,
/// Latin Extended-A, Romanian comma-below S and T, Welsh W and Y with grave,
/// acute and diaeresis), or `None` for anything else.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'Ā' | 'ā' | 'Ă'
        | 'ă' | 'Ą' | 'ą' => "A",
        'Æ' | 'æ' => "AE",
        'Ç' | 'ç' | 'Ć' | 'ć' | 'Ĉ' | 'ĉ' | 'Ċ' | 'ċ' | 'Č' | 'č' => "C",
        'Ð' | 'ð' | 'Ď' | 'ď' | 'Đ' | 'đ' => "D",
        'È' | 'É' | 'Ê' | 'Ë' | 'è' | 'é' | 'ê' | 'ë' | 'Ē' | 'ē' | 'Ĕ' | 'ĕ' | 'Ė' | 'ė' | 'Ę'
        | 'ę' | 'Ě' | 'ě' => "E",
        'Ĝ' | 'ĝ' | 'Ğ' | 'ğ' | 'Ġ' | 'ġ' | 'Ģ' | 'ģ' => "G",
        'Ĥ' | 'ĥ' | 'Ħ' | 'ħ' => "H",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'ì' | 'í' | 'î' | 'ï' | 'Ĩ' | 'ĩ' | 'Ī' | 'ī' | 'Ĭ' | 'ĭ' | 'Į'
        | 'į' | 'İ' | 'ı' => "I",
        'Ĳ' | 'ĳ' => "IJ",
        'Ĵ' | 'ĵ' => "J",
        'Ķ' | 'ķ' | 'ĸ' => "K",
        'Ĺ' | 'ĺ' | 'Ļ' | 'ļ' | 'Ľ' | 'ľ' | 'Ŀ' | 'ŀ' | 'Ł' | 'ł' => "L",
        'Ñ' | 'ñ' | 'Ń' | 'ń' | 'Ņ' | 'ņ' | 'Ň' | 'ň' | 'ŉ' | 'Ŋ' | 'ŋ' => "N",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ō' | 'ō' | 'Ŏ'
        | 'ŏ' | 'Ő' | 'ő' => "O",
        'Œ' | 'œ' => "OE",
        'Ŕ' | 'ŕ' | 'Ŗ' | 'ŗ' | 'Ř' | 'ř' => "R",
        'Ś' | 'ś' | 'Ŝ' | 'ŝ' | 'Ş' | 'ş' | 'Š' | 'š' | 'ſ' | 'Ș' | 'ș' => "S",
        'ß' => "SS",
        'Ţ' | 'ţ' | 'Ť' | 'ť' | 'Ŧ' | 'ŧ' | 'Ț' | 'ț' => "T",
        'Þ' | 'þ' => "TH",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'ù' | 'ú' | 'û' | 'ü' | 'Ũ' | 'ũ' | 'Ū' | 'ū' | 'Ŭ' | 'ŭ' | 'Ů'
        | 'ů' | 'Ű' | 'ű' | 'Ų' | 'ų' => "U",
        'Ŵ' | 'ŵ' | 'Ẁ' | 'ẁ' | 'Ẃ' | 'ẃ' | 'Ẅ' | 'ẅ' => "W",
        'Ý' | 'ý' | 'ÿ' | 'Ŷ' | 'ŷ' | 'Ÿ' | 'Ỳ' | 'ỳ' => "Y",
        'Ź' | 'ź' | 'Ż' | 'ż' | 'Ž' | 'ž' => "Z",
        _ => return None,
    })
}

/// How a character behaves when a name or address is split into words.
enum CharKind {
    /// Part of a word (already folded to upper case).
    Word,
    /// Removed without splitting the word: apostrophes (O'NEILL -> ONEILL),
    /// combining accents, invisible joiners and soft hyphens.
    Join,
    /// A hyphen: splits words (in a name, remembered as a hyphen).
    Hyphen,
    /// Anything else: whitespace and other punctuation split words.
    Split,
}

/// Classifies `c`, pushing its folded upper-case form onto `word` if it is
/// part of a word.
fn classify(c: char, word: &mut String) -> CharKind {
    if c.is_ascii_alphanumeric() {
        word.push(c.to_ascii_uppercase());
        return CharKind::Word;
    }
    match c {
        '\'' | '`' | '\u{00B4}' | '\u{2018}' | '\u{2019}' | '\u{02BB}' | '\u{02BC}' => {
            return CharKind::Join
        }
        '\u{00AD}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' => return CharKind::Join,
        '\u{0300}'..='\u{036F}' => return CharKind::Join,
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => {
            return CharKind::Hyphen
        }
        _ => {}
    }
    if let Some(f) = fold(c) {
        word.push_str(f);
        return CharKind::Word;
    }
    // Letters from other scripts are kept (upper-cased) rather than lost.
    if c.is_alphanumeric() {
        word.extend(c.to_uppercase());
        return CharKind::Word;
    }
    CharKind::Split
}

/// One word of a name, and whether a hyphen joined it to the next word
/// ("BILLY" in "Billy-Jo").
struct NameToken {
    text: String,
    hyphen_after: bool,
}

/// The words of a name: upper case, accents folded, apostrophes removed,
/// hyphens and other punctuation splitting words.
fn name_tokens(s: &str) -> Vec<NameToken> {
    let mut out: Vec<NameToken> = Vec::new();
    let mut word = String::new();
    for c in s.chars() {
        match classify(c, &mut word) {
            CharKind::Word | CharKind::Join => {}
            CharKind::Hyphen => {
                flush_name(&mut word, &mut out);
                if let Some(last) = out.last_mut() {
                    last.hyphen_after = true;
                }
            }
            CharKind::Split => flush_name(&mut word, &mut out),
        }
    }
    flush_name(&mut word, &mut out);
    out
}

fn flush_name(word: &mut String, out: &mut Vec<NameToken>) {
    if !word.is_empty() {
        out.push(NameToken {
            text: std::mem::take(word),
            hyphen_after: false,
        });
    }
}

fn join_tokens<'a>(tokens: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let joined = tokens.into_iter().collect::<Vec<_>>().join(" ");
    (!joined.is_empty()).then_some(joined)
}

// ---------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------

/// Upper case, accents folded, punctuation dropped, spaces collapsed.
///
/// Apostrophes are removed (O'Neill -> ONEILL); hyphens and all other
/// punctuation become a word break (Smith-Jones -> SMITH JONES,
/// J.P. -> J P), so words run together by punctuation alone are not merged.
pub fn name(s: &str) -> Option<String> {
    join_tokens(name_tokens(s).iter().map(|t| t.text.as_str()))
}

/// The formal form of a forename's first word. A word hyphenated to the next
/// ("Billy-Jo") is part of a compound name and is left alone.
fn formal_first(token: &NameToken) -> String {
    if token.hyphen_after {
        return token.text.clone();
    }
    nicknames::formal(&token.text).map_or_else(|| token.text.clone(), str::to_string)
}

/// Each formal form with the nicknames, short forms and variant spellings
/// that `forename` turns into it ("WILLIAM": BILL, LIAM, ...).
pub fn nickname_table() -> &'static [(&'static str, &'static [&'static str])] {
    nicknames::TABLE
}

/// A forename: `name`, then a known nickname replaced by its formal form.
///
/// Only the first word is replaced (Bill John -> WILLIAM JOHN). Short forms
/// used for both men's and women's names (ALEX, SAM, CHRIS, JO, ...) stay.
pub fn forename(s: &str) -> Option<String> {
    let tokens = name_tokens(s);
    let first = formal_first(tokens.first()?);
    join_tokens(std::iter::once(first.as_str()).chain(tokens[1..].iter().map(|t| t.text.as_str())))
}

/// The standard form of one upper-case title word.
fn title_word(w: &str) -> Option<&'static str> {
    Some(match w {
        "MR" | "MISTER" => "MR",
        "MRS" => "MRS",
        "MISS" => "MISS",
        "MS" => "MS",
        "MX" => "MX",
        "DR" | "DOCTOR" => "DR",
        "REV" | "REVD" | "REVEREND" => "REV",
        "PROF" | "PROFESSOR" => "PROF",
        "SIR" => "SIR",
        "DAME" => "DAME",
        "LADY" => "LADY",
        "LORD" => "LORD",
        // Used for boys in many council systems.
        "MASTER" | "MSTR" => "MASTER",
        "CLLR" | "COUNCILLOR" => "CLLR",
        _ => return None,
    })
}

/// A title (MR, MRS, MISS, MS, DR, ...), standardised; `None` if not a title.
pub fn title(s: &str) -> Option<String> {
    match name_tokens(s).as_slice() {
        [only] => title_word(&only.text).map(str::to_string),
        _ => None,
    }
}

/// A whole name typed in one box ("Mrs J Smith", "john smith", "SMITH, John").
///
/// Rules, in order:
/// - With a comma, the part before it is the surname and the part after the
///   forenames ("SMITH, John Paul"); a title may lead either part or end
///   the second ("Smith, John (Mr)").
/// - Without a comma, leading titles are taken off ("Prof Sir John Smith":
///   title PROF, the second title dropped); the first word left is the
///   forename, the last the surname and any between are middle names. A
///   lone word is a surname ("Smith"), or a title if it is one ("Mrs").
/// - Surname then initials without a comma ("SMITH J", "Smith J P") is read
///   as surname first, because no surname is a single letter.
/// - The surname is always the last word: a double-barrelled or
///   multi-word surname ("Smith-Jones", "van der Berg") keeps only its last
///   word as surname and its other words become middle names. That is
///   crude, but it gives the same parts however the name was typed, with
///   or without the hyphen and with or without the comma.
/// - The forename goes through `forename`, so nicknames become formal
///   forms; a single initial stays an initial ("J").
pub fn full_name(s: &str) -> NameParts {
    let mut title: Option<&'static str> = None;
    if let Some((before, after)) = s.split_once(',') {
        let mut surnames = name_tokens(before);
        let mut given = name_tokens(after);
        if !surnames.is_empty() && !given.is_empty() {
            take_titles(&mut surnames, &mut title, 1);
            take_titles(&mut given, &mut title, 0);
            if given.len() > 1 {
                if let Some(t) = given.last().and_then(|t| title_word(&t.text)) {
                    title.get_or_insert(t);
                    given.pop();
                }
            }
            return assemble(title, &given, &surnames);
        }
        // "Smith," or ", John Smith": the comma tells us nothing.
        let mut tokens = surnames;
        tokens.extend(given);
        return plain_name(tokens);
    }
    plain_name(name_tokens(s))
}

/// Removes leading title words from `tokens`, leaving at least `keep`
/// words, and records the first one removed as the title.
fn take_titles(tokens: &mut Vec<NameToken>, title: &mut Option<&'static str>, keep: usize) {
    let removable = tokens.len().saturating_sub(keep);
    let leading = tokens
        .iter()
        .take(removable)
        .map_while(|t| title_word(&t.text))
        .collect::<Vec<_>>();
    if let Some(first) = leading.first() {
        title.get_or_insert(first);
    }
    tokens.drain(..leading.len());
}

/// A name with no comma: see `full_name`.
fn plain_name(mut tokens: Vec<NameToken>) -> NameParts {
    let mut title = None;
    // Keep one word back, so "Mr Lord" is a surname with a title; a lone
    // title ("Mrs") is still recognised below.
    take_titles(&mut tokens, &mut title, 1);
    if let [only] = tokens.as_slice() {
        if let Some(t) = title_word(&only.text) {
            if title.is_none() {
                return NameParts {
                    title: Some(t.to_string()),
                    ..NameParts::default()
                };
            }
        }
    }
    let n = tokens.len();
    if n == 0 {
        return NameParts {
            title: title.map(str::to_string),
            ..NameParts::default()
        };
    }
    let is_initial = |t: &NameToken| t.text.chars().count() == 1;
    let initials = tokens.iter().rev().take_while(|t| is_initial(t)).count();
    let surname_first = initials > 0 && initials < n && !is_initial(&tokens[0]);
    let (given, surnames) = if surname_first {
        // "SMITH J P": the initials are the given names.
        let (s, g) = tokens.split_at(n - initials);
        (g, s)
    } else {
        // "JOHN PAUL SMITH": everything but the last word is given names.
        tokens.split_at(n - 1)
    };
    assemble(title, given, surnames)
}

/// Name parts from given names and surname words, in typing order.
fn assemble(title: Option<&str>, given: &[NameToken], surnames: &[NameToken]) -> NameParts {
    let (surname, surname_rest) = match surnames.split_last() {
        Some((last, rest)) => (Some(last.text.clone()), rest),
        None => (None, &[][..]),
    };
    let (forename, given_rest) = match given.split_first() {
        Some((first, rest)) => (Some(formal_first(first)), rest),
        None => (None, &[][..]),
    };
    let middle_names = join_tokens(
        given_rest
            .iter()
            .chain(surname_rest)
            .map(|t| t.text.as_str()),
    );
    NameParts {
        title: title.map(str::to_string),
        forename,
        middle_names,
        surname,
    }
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

/// Earliest and latest dates accepted: anything outside is a typing slip
/// (a two-digit year read as year 24, 1024 for 2024) rather than a fact.
const EARLIEST: (i32, u32, u32) = (1880, 1, 1);
const LATEST: (i32, u32, u32) = (2100, 12, 31);

fn plausible(d: NaiveDate) -> bool {
    let earliest = NaiveDate::from_ymd_opt(EARLIEST.0, EARLIEST.1, EARLIEST.2);
    let latest = NaiveDate::from_ymd_opt(LATEST.0, LATEST.1, LATEST.2);
    matches!((earliest, latest), (Some(lo), Some(hi)) if lo <= d && d <= hi)
}

/// A date in the first of `formats` (chrono strftime patterns) that parses.
/// Impossible dates (31/02/2020) are errors, and so are dates before
/// 1880-01-01 or after 2100-12-31 ("not a plausible date").
///
/// A time after the date ("2024-03-05T10:11:12", "05/04/2024 00:00", as
/// spreadsheets and databases export dates) is ignored when the format has
/// no time fields of its own. Month names (`%b`, `%B`) match in any case.
pub fn date(s: &str, formats: &[String]) -> Result<Option<NaiveDate>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if formats.is_empty() {
        return Err("not a date: no date format is declared for this column".to_string());
    }
    let expected = || {
        let forms: Vec<String> = formats.iter().map(|f| describe_format(f)).collect();
        format!("not a date in the form {}", forms.join(" or "))
    };
    // No real date is this long; the cap also bounds the time search below.
    if t.chars().count() > 64 {
        return Err(expected());
    }
    let date_part = without_time(t);
    let mut implausible = None;
    for f in formats {
        let parsed = NaiveDate::parse_from_str(t, f).ok().or_else(|| {
            date_part
                .filter(|_| !has_time_field(f))
                .and_then(|d| NaiveDate::parse_from_str(d, f).ok())
        });
        if let Some(d) = parsed {
            if plausible(d) {
                return Ok(Some(d));
            }
            // A later format may still read it sensibly ("05/04/24" as %y).
            implausible.get_or_insert(d);
        }
    }
    match implausible {
        Some(d) => Err(format!(
            "not a plausible date: {d} is before 1880 or after 2100"
        )),
        None => Err(expected()),
    }
}

/// A chrono pattern as a person would read it: `%d/%m/%Y` -> `DD/MM/YYYY`.
fn describe_format(f: &str) -> String {
    let mut out = String::new();
    let mut chars = f.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = chars.next();
        // Padding modifiers: %-d is an unpadded day; %_d and %0d read as %d.
        let mut unpadded = false;
        if let Some(m @ ('-' | '_' | '0')) = spec {
            unpadded = m == '-';
            spec = chars.next();
        }
        let text = match spec {
            Some('d') if unpadded => "D",
            Some('m') if unpadded => "M",
            Some('d') => "DD",
            Some('e') => "D",
            Some('m') => "MM",
            Some('Y') => "YYYY",
            Some('y') => "YY",
            Some('b' | 'h') => "Mon",
            Some('B') => "Month",
            Some('a') => "Day",
            Some('A') => "Weekday",
            Some('j') => "DDD",
            Some('F') => "YYYY-MM-DD",
            Some('H') => "hh",
            Some('M') => "mm",
            Some('S') => "ss",
            Some('T') => "hh:mm:ss",
            Some('%') => "%",
            Some(other) => {
                out.push('%');
                out.push(other);
                continue;
            }
            None => "%",
        };
        out.push_str(text);
    }
    out
}

/// Whether a chrono pattern reads a time of day itself.
fn has_time_field(f: &str) -> bool {
    [
        "%H", "%k", "%I", "%l", "%M", "%S", "%T", "%R", "%r", "%X", "%c", "%+", "%s", "%p", "%P",
    ]
    .iter()
    .any(|spec| f.contains(spec))
}

/// The date before a trailing time of day ("2024-03-05" from
/// "2024-03-05T10:11:12Z"), or `None` if there is no such time.
fn without_time(t: &str) -> Option<&str> {
    t.char_indices()
        .filter(|&(_, c)| c == ' ' || c == 'T' || c == 't')
        .find_map(|(i, _)| {
            // ' ' and 'T' are one byte, so i + 1 is a character boundary.
            let rest = t.get(i + 1..)?;
            let head = t.get(..i)?.trim_end();
            (!head.is_empty() && time_like(rest)).then_some(head)
        })
}

/// "10:11", "10:11:12", "10:11:12.345", optionally with "Z", an offset
/// ("+01:00") or "AM"/"PM".
fn time_like(r: &str) -> bool {
    let mut r = r.trim();
    let n = r.len();
    if n >= 2 {
        if let Some(ampm) = r.get(n - 2..) {
            if ampm.eq_ignore_ascii_case("AM") || ampm.eq_ignore_ascii_case("PM") {
                r = r.get(..n - 2).unwrap_or("").trim_end();
            }
        }
    }
    r = r.strip_suffix(['Z', 'z']).unwrap_or(r);
    if let Some(i) = r.rfind(['+', '-']) {
        let offset = r.get(i + 1..).unwrap_or("");
        if i > 0
            && (2..=5).contains(&offset.len())
            && offset.chars().all(|c| c.is_ascii_digit() || c == ':')
        {
            r = r.get(..i).unwrap_or("").trim_end();
        }
    }
    ["%H:%M:%S%.f", "%H:%M"]
        .iter()
        .any(|f| NaiveTime::parse_from_str(r, f).is_ok())
}

// ---------------------------------------------------------------------------
// Postcodes
// ---------------------------------------------------------------------------

const NOT_POSTCODE: &str = "not a UK postcode";

/// Letters as 'A', digits as '9', anything else as '?'.
fn shape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                'A'
            } else if c.is_ascii_digit() {
                '9'
            } else {
                '?'
            }
        })
        .collect()
}

/// A UK postcode as `B1 1AA`: spaces removed and one put back before the
/// inward code, upper case. The outward code must be A9, A99, AA9, AA99,
/// A9A or AA9A and the inward code 9AA; GIR 0AA (Girobank) is accepted too.
/// Only the shape is checked, not whether the postcode exists.
pub fn postcode(s: &str) -> Result<Option<String>, String> {
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if compact.is_empty() {
        return Ok(None);
    }
    if compact == "GIR0AA" {
        return Ok(Some("GIR 0AA".to_string()));
    }
    // ASCII only, so the byte split below falls on a character boundary.
    if !compact.is_ascii() || !(5..=7).contains(&compact.len()) {
        return Err(NOT_POSTCODE.to_string());
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    let outward_ok = matches!(
        shape(outward).as_str(),
        "A9" | "A99" | "AA9" | "AA99" | "A9A" | "AA9A"
    );
    if !outward_ok || shape(inward) != "9AA" {
        return Err(NOT_POSTCODE.to_string());
    }
    Ok(Some(format!("{outward} {inward}")))
}

/// The outward code (district) of a standardised postcode: "B1" from
/// "B1 1AA". `None` unless `pc` is already in the form `postcode` returns.
pub fn postcode_district(pc: &str) -> Option<&str> {
    let pc = pc.trim();
    match postcode(pc) {
        Ok(Some(std)) if std == pc => pc.split(' ').next(),
        _ => None,
    }
}

/// The postcode sector: outward code, space, first inward digit ("B1 1").
/// Accepts any form `postcode` accepts.
pub fn postcode_sector(pc: &str) -> Option<String> {
    let std = postcode(pc).ok()??;
    let (outward, inward) = std.split_once(' ')?;
    let digit = inward.chars().next()?;
    Some(format!("{outward} {digit}"))
}

// ---------------------------------------------------------------------------
// NI numbers
// ---------------------------------------------------------------------------

/// An NI number as `AB123456C`: spaces and hyphens removed, upper case.
///
/// Checked against HMRC's rules: two prefix letters, six digits, a final
/// letter A to D. The first prefix letter is never D, F, I, Q, U or V, the
/// second never D, F, I, O, Q, U or V, and BG, GB, KN, NK, NT, TN and ZZ are
/// never issued. A number without its final letter is an error, not a guess.
pub fn nino(s: &str) -> Result<Option<String>, String> {
    const SHAPE: &str = "not a valid NI number: expected two letters, six digits and a \
                         letter A to D, like AB123456C";
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if compact.is_empty() {
        return Ok(None);
    }
    if !compact.is_ascii() {
        return Err(SHAPE.to_string());
    }
    let b = compact.as_bytes();
    let letters_then_digits = |b: &[u8]| {
        b.len() >= 8
            && b[0].is_ascii_uppercase()
            && b[1].is_ascii_uppercase()
            && b[2..8].iter().all(u8::is_ascii_digit)
    };
    if b.len() == 8 && letters_then_digits(b) {
        return Err("not a valid NI number: the final letter (A to D) is missing".to_string());
    }
    if b.len() != 9 || !letters_then_digits(b) || !b[8].is_ascii_uppercase() {
        return Err(SHAPE.to_string());
    }
    let prefix = &compact[..2];
    if b"DFIQUV".contains(&b[0])
        || b"DFIOQUV".contains(&b[1])
        || ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"].contains(&prefix)
    {
        return Err(format!(
            "not a valid NI number: prefix '{prefix}' is never issued"
        ));
    }
    if !b"ABCD".contains(&b[8]) {
        return Err("not a valid NI number: the final letter must be A, B, C or D".to_string());
    }
    Ok(Some(compact))
}

// ---------------------------------------------------------------------------
// Phones and emails
// ---------------------------------------------------------------------------

const NOT_PHONE: &str = "not a UK phone number";

/// A UK phone number as its national digits with the leading 0
/// (`07700900123`, `01214960000`).
///
/// Accepts +44 / 0044 / 44 international forms (with or without "(0)"),
/// spaces, hyphens, dots, slashes and brackets, an extension at the end
/// ("ext 123", "x123", "#123", which is dropped), a trailing ".0" from a
/// spreadsheet, and a 10-digit number that has lost its leading 0 when it
/// starts 1, 2, 3 or 7 (geographic or mobile). The result must be 11 digits
/// starting 01, 02, 03, 05, 07, 08 or 09, or 10 digits starting 01 or 08
/// (a few old area codes and 0800 numbers); anything else is an error,
/// including numbers abroad.
pub fn phone(s: &str) -> Result<Option<String>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    // No phone number is this long; the cap also bounds the extension search.
    if t.chars().count() > 48 {
        return Err(NOT_PHONE.to_string());
    }
    let lower = t.to_lowercase();
    let mut main = strip_extension(&lower).trim();
    if let Some(m) = main.strip_suffix(".0") {
        if !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()) {
            main = m;
        }
    }
    let allowed = |c: char| c.is_ascii_digit() || c.is_whitespace() || "+()-./".contains(c);
    if !main.chars().all(allowed) || main.chars().skip(1).any(|c| c == '+') {
        return Err(NOT_PHONE.to_string());
    }
    let digits: String = main.chars().filter(char::is_ascii_digit).collect();
    // The number after the country code, less any trunk "0" typed as "(0)".
    let from_international = |rest: &str| format!("0{}", rest.strip_prefix('0').unwrap_or(rest));
    let national = if main.starts_with('+') {
        match digits.strip_prefix("44") {
            Some(rest) => from_international(rest),
            None => return Err(NOT_PHONE.to_string()),
        }
    } else if let Some(rest) = digits.strip_prefix("0044") {
        from_international(rest)
    } else if digits.starts_with('0') {
        digits
    } else if digits.starts_with("44")
        && (digits.len() == 12 || (digits.len() == 13 && digits.get(2..3) == Some("0")))
    {
        from_international(digits.get(2..).unwrap_or(""))
    } else if digits.len() == 10 && digits.starts_with(['1', '2', '3', '7']) {
        format!("0{digits}")
    } else {
        return Err(NOT_PHONE.to_string());
    };
    let second = national.as_bytes().get(1).copied().unwrap_or(b'0');
    let ok = match national.len() {
        11 => b"1235789".contains(&second),
        10 => b"18".contains(&second),
        _ => false,
    };
    if ok {
        Ok(Some(national))
    } else {
        Err(NOT_PHONE.to_string())
    }
}

/// `lower` without an extension at its end ("... ext. 123", "... x123").
fn strip_extension(lower: &str) -> &str {
    for (i, _) in lower.char_indices().skip(1) {
        let Some(rest) = lower.get(i..) else { continue };
        for keyword in ["extension", "extn", "ext", "x", "#"] {
            let Some(after) = rest.strip_prefix(keyword) else {
                continue;
            };
            let number = after
                .trim_start_matches(|c: char| c == '.' || c == ':' || c.is_whitespace())
                .trim_end();
            let head = lower.get(..i).unwrap_or("");
            if !number.is_empty()
                && number.bytes().all(|b| b.is_ascii_digit())
                && head.bytes().any(|b| b.is_ascii_digit())
            {
                return head;
            }
        }
    }
    lower
}

/// An email address in lower case.
///
/// Surrounding angle brackets, a display name before them
/// ("Jo Bloggs <jo@example.com>") and "mailto:" are removed. The address
/// must have exactly one @, something before it, and a domain with a dot,
/// no empty labels and no spaces; this is a sanity check, not RFC 5322.
pub fn email(s: &str) -> Result<Option<String>, String> {
    const NOT_EMAIL: &str = "not an email address";
    let mut t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    if let (Some(open), Some(inner)) = (t.rfind('<'), t.strip_suffix('>')) {
        // '<' is one byte, so open + 1 is a character boundary.
        t = inner.get(open + 1..).unwrap_or("").trim();
    }
    if t.get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("mailto:"))
    {
        t = t.get(7..).unwrap_or("").trim();
    }
    let lower = t.to_lowercase();
    let Some((local, domain)) = lower.split_once('@') else {
        return Err(NOT_EMAIL.to_string());
    };
    let bad_char = |c: char| c.is_whitespace() || "@<>()[]\\,;:\"".contains(c);
    let ok = !local.is_empty()
        && !local.chars().any(bad_char)
        && !domain.chars().any(bad_char)
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty());
    if ok {
        Ok(Some(lower))
    } else {
        Err(NOT_EMAIL.to_string())
    }
}

// ---------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------

/// Street-type and flat abbreviations expanded wherever they stand as a
/// whole word. ST is handled apart (see `address`), and compass letters
/// (N, S, E, W) are left alone.
fn expand_abbreviation(w: &str) -> Option<&'static str> {
    Some(match w {
        "RD" => "ROAD",
        "STR" => "STREET",
        "AVE" | "AV" => "AVENUE",
        "LN" => "LANE",
        "CL" => "CLOSE",
        "CRES" | "CRESC" => "CRESCENT",
        "DR" => "DRIVE",
        "GDNS" => "GARDENS",
        "GR" | "GRO" => "GROVE",
        "PL" => "PLACE",
        "SQ" => "SQUARE",
        "TER" | "TERR" => "TERRACE",
        "CT" | "CRT" => "COURT",
        "WY" => "WAY",
        "PK" => "PARK",
        "PDE" => "PARADE",
        "HSE" => "HOUSE",
        "APARTMENT" | "APT" | "FLT" => "FLAT",
        _ => return None,
    })
}

/// A flat's number or letter: "3", "3A", "A", "G1".
fn is_flat_id(w: &str) -> bool {
    let mut chars = w.chars();
    match chars.next() {
        Some(c) if c.is_ascii_digit() => w.chars().all(|c| c.is_ascii_alphanumeric()),
        Some(c) if c.is_ascii_uppercase() => {
            let rest = chars.as_str();
            rest.is_empty() || (rest.len() <= 3 && rest.bytes().all(|b| b.is_ascii_digit()))
        }
        _ => false,
    }
}

/// "3/12" as a flat and a house number, if it is one.
fn flat_slash_number(w: &str) -> Option<(&str, &str)> {
    let (flat, house) = w.split_once('/')?;
    let numberish = |p: &str| {
        p.starts_with(|c: char| c.is_ascii_digit()) && p.chars().all(|c| c.is_ascii_alphanumeric())
    };
    (numberish(flat) && numberish(house)).then_some((flat, house))
}

/// The words of one address segment (a line, or part of a line between
/// commas), with slashes kept so "3/12" can be recognised.
fn address_words(segment: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in segment.chars() {
        if c == '/' {
            word.push('/');
            continue;
        }
        match classify(c, &mut word) {
            CharKind::Word | CharKind::Join => {}
            CharKind::Hyphen | CharKind::Split => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// One address segment's words with slashes resolved and abbreviations
/// (other than ST) expanded.
fn segment_words(segment: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in address_words(segment) {
        if w.contains('/') {
            if let Some((flat, house)) = flat_slash_number(&w) {
                // "3/12" and "Flat 3/12" both mean flat 3 at number 12.
                if out.last().map(String::as_str) != Some("FLAT") {
                    out.push("FLAT".to_string());
                }
                out.push(flat.to_string());
                out.push(house.to_string());
            } else {
                out.extend(w.split('/').filter(|p| !p.is_empty()).map(str::to_string));
            }
            continue;
        }
        match expand_abbreviation(&w) {
            Some(full) => out.push(full.to_string()),
            None => out.push(w),
        }
    }
    // "FLAT NO 3" -> "FLAT 3".
    let no_after_flat = |i: usize| {
        out[i] == "NO"
            && i > 0
            && out[i - 1] == "FLAT"
            && out.get(i + 1).is_some_and(|w| is_flat_id(w))
    };
    let keep: Vec<bool> = (0..out.len()).map(|i| !no_after_flat(i)).collect();
    out.into_iter()
        .zip(keep)
        .filter_map(|(w, k)| k.then_some(w))
        .collect()
}

/// Address lines joined into one standardised line (no postcode).
///
/// Upper case, accents folded, apostrophes removed, other punctuation a
/// word break, spaces collapsed, and then, so the same address typed in
/// different styles compares equal:
/// - "3/12 OAK ROAD" becomes "FLAT 3 12 OAK ROAD"; APARTMENT, APT and FLT
///   become FLAT, and "FLAT NO 3" becomes "FLAT 3".
/// - "FLAT n" at the end of a line or comma-separated part ("12 Oak Road,
///   Flat 3", "12 OAK ROAD FLAT 3") moves to the front. "FLAT n" in the
///   middle of a line is left where it is, because "GROUND FLOOR FLAT 12
///   OAK ROAD" does not mean flat 12.
/// - Street types are expanded as whole words: RD, AVE/AV, LN, CL,
///   CRES, DR, GDNS, GR/GRO, PL, SQ, TER/TERR, CT, WY, PK, HSE, PDE, STR.
/// - ST becomes STREET only when it ends a line or comma-separated part and
///   follows a word that is not a number ("12 High St, Town"). Elsewhere it
///   is left, since it is usually Saint ("ST MARYS ROAD"). So "12 HIGH ST
///   TOWN" typed on one line keeps ST.
///
/// Applying `address` to its own output changes nothing.
pub fn address(lines: &[&str]) -> Option<String> {
    let mut segments: Vec<Vec<String>> = lines
        .iter()
        .flat_map(|line| line.split([',', ';', '\n', '\r']))
        .map(segment_words)
        .filter(|words| !words.is_empty())
        .collect();

    // Move a trailing "FLAT n" to the front, unless the address starts with
    // a flat already.
    let starts_with_flat = segments
        .first()
        .is_some_and(|s| s.len() >= 2 && s[0] == "FLAT" && is_flat_id(&s[1]));
    let mut front: Vec<String> = Vec::new();
    if !starts_with_flat {
        if let Some(seg) = segments.iter_mut().find(|s| {
            let n = s.len();
            n >= 2 && s[n - 2] == "FLAT" && is_flat_id(&s[n - 1])
        }) {
            let id = seg.pop().unwrap_or_default();
            seg.pop();
            front = vec!["FLAT".to_string(), id];
        }
    }

    for seg in &mut segments {
        let n = seg.len();
        if n >= 2 && seg[n - 1] == "ST" && !seg[n - 2].starts_with(|c: char| c.is_ascii_digit()) {
            seg[n - 1] = "STREET".to_string();
        }
    }

    join_tokens(
        front
            .iter()
            .chain(segments.iter().flatten())
            .map(String::as_str),
    )
}

/// Where the flat id sits in a standardised address's words: after a FLAT
/// that starts the address, or after a FLAT whose id is followed by a house
/// number ("THE MALTINGS FLAT 3 12 OAK ROAD"). In "GROUND FLOOR FLAT 12 OAK
/// ROAD" the 12 is the house number, not a flat.
fn flat_id_index(words: &[&str]) -> Option<usize> {
    let starts_number = |w: &&str| w.starts_with(|c: char| c.is_ascii_digit());
    (0..words.len()).find_map(|i| {
        let id = words.get(i + 1)?;
        let is_flat = words[i] == "FLAT"
            && is_flat_id(id)
            && (i == 0 || words.get(i + 2).is_some_and(starts_number));
        is_flat.then_some(i + 1)
    })
}

/// The house number of an address: the first word starting with a digit
/// ("12", "12A"), not counting the flat number after FLAT. The address is
/// standardised first, so raw text works too.
pub fn house_number(address_line: &str) -> Option<String> {
    let std = address(&[address_line])?;
    let words: Vec<&str> = std.split(' ').collect();
    let flat = flat_id_index(&words);
    words
        .iter()
        .enumerate()
        .find(|&(i, w)| Some(i) != flat && w.starts_with(|c: char| c.is_ascii_digit()))
        .map(|(_, w)| w.to_string())
}

/// The flat number or letter of an address ("3" in "FLAT 3 12 OAK ROAD").
/// The address is standardised first, so raw text works too.
pub fn flat_number(address_line: &str) -> Option<String> {
    let std = address(&[address_line])?;
    let words: Vec<&str> = std.split(' ').collect();
    flat_id_index(&words)
        .and_then(|i| words.get(i))
        .map(|w| w.to_string())
}

// ---------------------------------------------------------------------------
// UPRNs and money
// ---------------------------------------------------------------------------

/// A UPRN as digits without leading zeros: 1 to 12 digits, not all zero.
/// A spreadsheet's "10012345678.0" is accepted; scientific notation
/// ("1.00123E+10") is not, because spreadsheets round it.
pub fn uprn(s: &str) -> Result<Option<String>, String> {
    const NOT_UPRN: &str = "not a UPRN";
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let digits = match t.split_once('.') {
        Some((whole, fraction)) if !fraction.is_empty() && fraction.bytes().all(|b| b == b'0') => {
            whole
        }
        Some(_) => return Err(NOT_UPRN.to_string()),
        None => t,
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NOT_UPRN.to_string());
    }
    let significant = digits.trim_start_matches('0');
    if significant.is_empty() || significant.len() > 12 {
        return Err(NOT_UPRN.to_string());
    }
    Ok(Some(significant.to_string()))
}

/// Money as integer pence ("1,234.50", "£12", "-3.5"), without floating
/// point.
///
/// Accepts a sign before or after "£" ("-£3", "£-3"), accountants'
/// brackets for a negative ("(12.00)"), thousands commas in groups of
/// three ("1,234,567"; "1,5" is an error rather than 15) and up to two
/// decimal places. More decimals, anything else, or an amount too large
/// for an `i64` of pence is an error.
pub fn money_pence(s: &str) -> Result<Option<i64>, String> {
    const NOT_MONEY: &str = "not an amount of money";
    let mut t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let mut negative = false;
    if let Some(inner) = t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        t = inner.trim();
    }
    let (sign_before, rest) = take_sign(t);
    t = rest.trim_start();
    if let Some(rest) = t.strip_prefix('£') {
        t = rest.trim_start();
    }
    let (sign_after, rest) = take_sign(t);
    t = rest;
    let sign = match (sign_before, sign_after) {
        (Some(_), Some(_)) => return Err(NOT_MONEY.to_string()),
        (s, None) | (None, s) => s,
    };
    if let Some(minus) = sign {
        if negative {
            // "(-12.00)": brackets and a sign together are ambiguous.
            return Err(NOT_MONEY.to_string());
        }
        negative = minus;
    }

    let (whole, fraction) = match t.split_once('.') {
        Some((w, f)) => (w, f),
        None => (t, ""),
    };
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if fraction.len() > 2 || !all_digits(fraction) {
        return Err(NOT_MONEY.to_string());
    }
    let whole_ok = if whole.contains(',') {
        let mut groups = whole.split(',');
        let first_ok = groups
            .next()
            .is_some_and(|g| (1..=3).contains(&g.len()) && all_digits(g));
        first_ok && groups.all(|g| g.len() == 3 && all_digits(g))
    } else {
        all_digits(whole)
    };
    let digit_count = whole.bytes().filter(u8::is_ascii_digit).count();
    if !whole_ok || (digit_count == 0 && fraction.is_empty()) {
        return Err(NOT_MONEY.to_string());
    }

    let too_large = || "not an amount of money: too large".to_string();
    let mut pounds: i128 = 0;
    for b in whole.bytes().filter(u8::is_ascii_digit) {
        pounds = pounds
            .checked_mul(10)
            .and_then(|v| v.checked_add(i128::from(b - b'0')))
            .ok_or_else(too_large)?;
    }
    let pence_part = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(2)
        .fold(0i128, |acc, b| acc * 10 + i128::from(b - b'0'));
    let total = pounds
        .checked_mul(100)
        .and_then(|v| v.checked_add(pence_part))
        .ok_or_else(too_large)?;
    let signed = if negative { -total } else { total };
    i64::try_from(signed).map(Some).map_err(|_| too_large())
}

/// A leading sign: `Some(true)` for minus, `Some(false)` for plus.
fn take_sign(t: &str) -> (Option<bool>, &str) {
    if let Some(rest) = t.strip_prefix('-').or_else(|| t.strip_prefix('\u{2212}')) {
        (Some(true), rest)
    } else if let Some(rest) = t.strip_prefix('+') {
        (Some(false), rest)
    } else {
        (None, t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    fn fmts(v: &[&str]) -> Vec<String> {
        v.iter().map(|f| f.to_string()).collect()
    }

    fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    fn parts(title: &str, forename: &str, middle: &str, surname: &str) -> NameParts {
        let opt = |v: &str| (!v.is_empty()).then(|| v.to_string());
        NameParts {
            title: opt(title),
            forename: opt(forename),
            middle_names: opt(middle),
            surname: opt(surname),
        }
    }

    // --- names ------------------------------------------------------------

    #[test]
    fn name_upper_cases_and_collapses_spaces() {
        assert_eq!(name("  john   smith "), s("JOHN SMITH"));
        assert_eq!(name("Anne\u{a0}Marie\tJones"), s("ANNE MARIE JONES"));
    }

    #[test]
    fn name_removes_apostrophes_and_splits_on_other_punctuation() {
        assert_eq!(name("O'Neill"), s("ONEILL"));
        assert_eq!(name("O\u{2019}Brien"), s("OBRIEN"));
        assert_eq!(name("Smith-Jones"), s("SMITH JONES"));
        assert_eq!(name("Smith \u{2013} Jones"), s("SMITH JONES"));
        assert_eq!(name("J.P."), s("J P"));
        assert_eq!(name("Smith,John"), s("SMITH JOHN"));
        assert_eq!(name("(Jo)"), s("JO"));
    }

    #[test]
    fn name_folds_accents() {
        assert_eq!(name("Siân Ŵyn"), s("SIAN WYN"));
        assert_eq!(name("José Łukasz Dvořák"), s("JOSE LUKASZ DVORAK"));
        assert_eq!(name("Gruffydd ap Rhŷs"), s("GRUFFYDD AP RHYS"));
        assert_eq!(name("Zoe\u{308}"), s("ZOE"), "decomposed accent");
        assert_eq!(name("Strauß"), s("STRAUSS"));
        assert_eq!(name("Ærøskøbing"), s("AEROSKOBING"));
        assert_eq!(name("Ștefan Țurcan"), s("STEFAN TURCAN"));
        assert_eq!(name("ẅ ẃ ẁ ỳ"), s("W W W Y"));
    }

    #[test]
    fn every_latin1_and_extended_a_letter_folds_to_ascii() {
        for cp in 0xC0u32..=0x17F {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            if c == '×' || c == '÷' {
                continue;
            }
            let out = name(&c.to_string()).unwrap_or_default();
            assert!(
                !out.is_empty() && out.bytes().all(|b| b.is_ascii_uppercase()),
                "{c} (U+{cp:04X}) -> {out:?}"
            );
        }
    }

    #[test]
    fn name_keeps_other_scripts() {
        assert_eq!(name("Иван"), s("ИВАН"));
        assert_eq!(name("محمد"), s("محمد"));
    }

    #[test]
    fn name_is_none_when_nothing_is_left() {
        for v in ["", "   ", "---", "''", ".,", "\u{feff}", "\u{301}"] {
            assert_eq!(name(v), None, "{v:?}");
        }
    }

    #[test]
    fn forename_replaces_first_word_nicknames() {
        assert_eq!(forename("bill"), s("WILLIAM"));
        assert_eq!(forename("Bill John"), s("WILLIAM JOHN"));
        assert_eq!(forename("John Bill"), s("JOHN BILL"));
        assert_eq!(forename("Mohamed"), s("MUHAMMAD"));
        assert_eq!(forename("MOHAMMED"), s("MUHAMMAD"));
        assert_eq!(forename("Catherine"), s("KATHERINE"));
        assert_eq!(forename("Kate"), s("KATHERINE"));
        assert_eq!(forename("Steven"), s("STEPHEN"));
        assert_eq!(forename("Liz"), s("ELIZABETH"));
        assert_eq!(forename("William"), s("WILLIAM"));
    }

    #[test]
    fn forename_leaves_ambiguous_and_compound_names() {
        assert_eq!(forename("Alex"), s("ALEX"));
        assert_eq!(forename("Sam"), s("SAM"));
        assert_eq!(forename("Chris"), s("CHRIS"));
        assert_eq!(forename("Jo"), s("JO"));
        assert_eq!(forename("Charlie"), s("CHARLIE"));
        assert_eq!(forename("Billie"), s("BILLIE"));
        // Hyphenated to the next word: a compound name, not a nickname.
        assert_eq!(forename("Billy-Jo"), s("BILLY JO"));
        assert_eq!(forename(""), None);
        assert_eq!(forename(" - "), None);
    }

    #[test]
    fn titles_are_standardised() {
        assert_eq!(title("Mr."), s("MR"));
        assert_eq!(title("mrs"), s("MRS"));
        assert_eq!(title("Miss"), s("MISS"));
        assert_eq!(title("ms"), s("MS"));
        assert_eq!(title("Mx"), s("MX"));
        assert_eq!(title("Dr."), s("DR"));
        assert_eq!(title("Revd"), s("REV"));
        assert_eq!(title("REV."), s("REV"));
        assert_eq!(title("Prof"), s("PROF"));
        assert_eq!(title("sir"), s("SIR"));
        assert_eq!(title("Dame"), s("DAME"));
        assert_eq!(title("Lady"), s("LADY"));
        assert_eq!(title("LORD"), s("LORD"));
        assert_eq!(title(" Master "), s("MASTER"));
    }

    #[test]
    fn non_titles_are_none() {
        for v in ["", " ", "John", "Mr Smith", "M", "MRS MRS", "M."] {
            assert_eq!(title(v), None, "{v:?}");
        }
    }

    // --- whole names ----------------------------------------------------

    #[test]
    fn full_name_handles_contact_centre_styles() {
        assert_eq!(full_name("Mrs J Smith"), parts("MRS", "J", "", "SMITH"));
        assert_eq!(full_name("john smith"), parts("", "JOHN", "", "SMITH"));
        assert_eq!(full_name("SMITH, John"), parts("", "JOHN", "", "SMITH"));
        assert_eq!(
            full_name("Mr John Paul Smith"),
            parts("MR", "JOHN", "PAUL", "SMITH")
        );
        assert_eq!(full_name("J. Smith"), parts("", "J", "", "SMITH"));
        assert_eq!(full_name("Smith"), parts("", "", "", "SMITH"));
        assert_eq!(
            full_name("Bill O'Neill"),
            parts("", "WILLIAM", "", "ONEILL")
        );
        assert_eq!(
            full_name("Dr. Siân Ŵyn Jones"),
            parts("DR", "SIAN", "WYN", "JONES")
        );
    }

    #[test]
    fn full_name_with_comma_puts_surname_first() {
        assert_eq!(
            full_name("SMITH, John Paul"),
            parts("", "JOHN", "PAUL", "SMITH")
        );
        assert_eq!(
            full_name("Smith, Mr John"),
            parts("MR", "JOHN", "", "SMITH")
        );
        assert_eq!(
            full_name("Mr Smith, John"),
            parts("MR", "JOHN", "", "SMITH")
        );
        assert_eq!(
            full_name("Smith, John (Mr)"),
            parts("MR", "JOHN", "", "SMITH")
        );
        assert_eq!(full_name("Smith, Mrs"), parts("MRS", "", "", "SMITH"));
        assert_eq!(full_name("Lord, John"), parts("", "JOHN", "", "LORD"));
        assert_eq!(full_name("Smith,"), parts("", "", "", "SMITH"));
        assert_eq!(full_name(", John Smith"), parts("", "JOHN", "", "SMITH"));
        assert_eq!(
            full_name("Smith, Billy-Jo"),
            parts("", "BILLY", "JO", "SMITH")
        );
    }

    #[test]
    fn full_name_double_barrelled_surname_keeps_last_word() {
        let expected = parts("", "JOHN", "SMITH", "JONES");
        assert_eq!(full_name("John Smith-Jones"), expected);
        assert_eq!(full_name("Smith-Jones, John"), expected);
        assert_eq!(full_name("John Smith Jones"), expected);
        assert_eq!(
            full_name("Smith-Jones, John Paul"),
            full_name("John Paul Smith-Jones")
        );
    }

    #[test]
    fn full_name_reads_trailing_initials_as_surname_first() {
        assert_eq!(full_name("SMITH J"), parts("", "J", "", "SMITH"));
        assert_eq!(full_name("Smith J P"), parts("", "J", "P", "SMITH"));
        assert_eq!(full_name("Mrs Smith J"), parts("MRS", "J", "", "SMITH"));
        // All initials: read in typing order.
        assert_eq!(full_name("J S"), parts("", "J", "", "S"));
    }

    #[test]
    fn full_name_titles() {
        assert_eq!(full_name("Mrs"), parts("MRS", "", "", ""));
        assert_eq!(full_name("Mr Lord"), parts("MR", "", "", "LORD"));
        assert_eq!(
            full_name("Prof Sir John Smith"),
            parts("PROF", "JOHN", "", "SMITH")
        );
        assert_eq!(
            full_name("Revd. Jim Jones"),
            parts("REV", "JAMES", "", "JONES")
        );
        assert_eq!(full_name("John Lord"), parts("", "JOHN", "", "LORD"));
    }

    #[test]
    fn full_name_blank_is_empty() {
        for v in ["", "   ", ",", " , ", "--", "'"] {
            assert_eq!(full_name(v), NameParts::default(), "{v:?}");
        }
    }

    // --- dates ------------------------------------------------------------

    #[test]
    fn date_uses_first_format_that_parses() {
        let f = fmts(&["%d/%m/%Y", "%Y-%m-%d"]);
        assert_eq!(date("05/04/2024", &f), Ok(ymd(2024, 4, 5)));
        assert_eq!(date(" 2024-04-05 ", &f), Ok(ymd(2024, 4, 5)));
        assert_eq!(date("", &f), Ok(None));
        assert_eq!(date("   ", &f), Ok(None));
    }

    #[test]
    fn date_rejects_impossible_and_malformed_dates() {
        let f = fmts(&["%d/%m/%Y", "%Y-%m-%d"]);
        assert!(date("31/02/2020", &f).is_err());
        assert!(date("2024-13-01", &f).is_err());
        assert_eq!(
            date("yesterday", &f),
            Err("not a date in the form DD/MM/YYYY or YYYY-MM-DD".to_string())
        );
        assert_eq!(
            date("05-Apr-24x", &fmts(&["%d-%b-%Y"])),
            Err("not a date in the form DD-Mon-YYYY".to_string())
        );
        assert!(date("05/04/2024", &[]).is_err());
        assert!(date(&"1".repeat(10_000), &f).is_err());
    }

    #[test]
    fn date_month_names_match_any_case() {
        let f = fmts(&["%d-%b-%Y"]);
        for v in ["05-APR-2024", "05-Apr-2024", "05-apr-2024"] {
            assert_eq!(date(v, &f), Ok(ymd(2024, 4, 5)), "{v}");
        }
        assert_eq!(
            date("05 OCTOBER 2024", &fmts(&["%d %B %Y"])),
            Ok(ymd(2024, 10, 5))
        );
    }

    #[test]
    fn date_ignores_a_trailing_time() {
        let iso = fmts(&["%Y-%m-%d"]);
        for v in [
            "2024-03-05T10:11:12",
            "2024-03-05 10:11:12",
            "2024-03-05T10:11",
            "2024-03-05T10:11:12.123456",
            "2024-03-05T10:11:12Z",
            "2024-03-05T10:11:12+01:00",
            "2024-03-05 10:11:12 -0500",
        ] {
            assert_eq!(date(v, &iso), Ok(ymd(2024, 3, 5)), "{v}");
        }
        let uk = fmts(&["%d/%m/%Y"]);
        assert_eq!(date("05/04/2024 00:00:00", &uk), Ok(ymd(2024, 4, 5)));
        assert_eq!(date("05/04/2024 10:30 PM", &uk), Ok(ymd(2024, 4, 5)));
        assert!(date("2024-03-05Tlunch", &iso).is_err());
        assert!(date("2024-03-05 25:00", &iso).is_err());
        assert!(date("2024-03-05 10", &iso).is_err());
    }

    #[test]
    fn date_rejects_implausible_years() {
        let iso = fmts(&["%Y-%m-%d"]);
        assert_eq!(date("1880-01-01", &iso), Ok(ymd(1880, 1, 1)));
        assert_eq!(date("2100-12-31", &iso), Ok(ymd(2100, 12, 31)));
        for v in ["1879-12-31", "2101-01-01", "0024-04-05", "1024-04-05"] {
            let e = date(v, &iso).unwrap_err();
            assert!(e.starts_with("not a plausible date"), "{v}: {e}");
        }
        // A two-digit year read by %Y is implausible, so %y gets its turn.
        let both = fmts(&["%d/%m/%Y", "%d/%m/%y"]);
        assert_eq!(date("05/04/24", &both), Ok(ymd(2024, 4, 5)));
        assert!(date("05/04/24", &fmts(&["%d/%m/%Y"]))
            .unwrap_err()
            .starts_with("not a plausible date"));
    }

    #[test]
    fn describe_format_reads_like_a_form() {
        assert_eq!(describe_format("%d/%m/%Y"), "DD/MM/YYYY");
        assert_eq!(describe_format("%-d %B %y"), "D Month YY");
        assert_eq!(describe_format("%F %H:%M"), "YYYY-MM-DD hh:mm");
        assert_eq!(describe_format("100%%"), "100%");
        assert_eq!(describe_format("%"), "%");
        assert_eq!(describe_format("%Q"), "%Q");
    }

    // --- postcodes ----------------------------------------------------------

    #[test]
    fn postcodes_are_standardised() {
        let cases = [
            ("b11aa", "B1 1AA"),
            ("B1  1AA", "B1 1AA"),
            ("sy23 3dd", "SY23 3DD"),
            (" sw1a 1aa ", "SW1A 1AA"),
            ("W1A0AX", "W1A 0AX"),
            ("EC1A 1BB", "EC1A 1BB"),
            ("M1 1AE", "M1 1AE"),
            ("B33 8TH", "B33 8TH"),
            ("CR2 6XH", "CR2 6XH"),
            ("DN55 1PT", "DN55 1PT"),
            ("gir 0aa", "GIR 0AA"),
            ("B 1 1 A A", "B1 1AA"),
        ];
        for (raw, want) in cases {
            assert_eq!(postcode(raw), Ok(s(want)), "{raw}");
        }
        assert_eq!(postcode(""), Ok(None));
        assert_eq!(postcode(" \t "), Ok(None));
    }

    #[test]
    fn malformed_postcodes_are_errors() {
        for raw in [
            "B1 1A",
            "B1 1AAA",
            "ABCDE",
            "1B 1AA",
            "B1-1AA",
            "B11 AA1",
            "12345",
            "BBB1 1AA",
            "B1A1 1AA",
            "ß1 1AA",
            "B1 1ÅA",
            "SY233 3DD",
            "N/A",
            "NFA",
        ] {
            assert_eq!(postcode(raw), Err("not a UK postcode".to_string()), "{raw}");
        }
    }

    #[test]
    fn postcode_district_and_sector() {
        assert_eq!(postcode_district("B1 1AA"), Some("B1"));
        assert_eq!(postcode_district("SW1A 1AA"), Some("SW1A"));
        assert_eq!(postcode_district(" SY23 3DD "), Some("SY23"));
        assert_eq!(postcode_district("b1 1aa"), None, "not standardised");
        assert_eq!(postcode_district("B11AA"), None, "not standardised");
        assert_eq!(postcode_district("junk"), None);
        assert_eq!(postcode_district(""), None);
        assert_eq!(postcode_sector("B1 1AA"), s("B1 1"));
        assert_eq!(postcode_sector("sy233dd"), s("SY23 3"));
        assert_eq!(postcode_sector("GIR 0AA"), s("GIR 0"));
        assert_eq!(postcode_sector("junk"), None);
        assert_eq!(postcode_sector(""), None);
    }

    // --- NI numbers -------------------------------------------------------

    #[test]
    fn ni_numbers_are_standardised() {
        assert_eq!(nino("ab 12 34 56 c"), Ok(s("AB123456C")));
        assert_eq!(nino("AB123456C"), Ok(s("AB123456C")));
        assert_eq!(nino("AB-12-34-56-C"), Ok(s("AB123456C")));
        assert_eq!(nino("OA123456D"), Ok(s("OA123456D")), "O is fine first");
        assert_eq!(nino(""), Ok(None));
        assert_eq!(nino("   "), Ok(None));
    }

    #[test]
    fn ni_prefixes_never_issued_are_errors() {
        for raw in [
            "QQ123456C",
            "DA123456A",
            "FA123456A",
            "IA123456A",
            "UA123456A",
            "VA123456A",
            "AD123456A",
            "AF123456A",
            "AI123456A",
            "AO123456A",
            "AQ123456A",
            "AU123456A",
            "AV123456A",
            "BG123456A",
            "GB123456A",
            "KN123456A",
            "NK123456A",
            "NT123456A",
            "TN123456A",
            "ZZ123456A",
        ] {
            let e = nino(raw).unwrap_err();
            let prefix = &raw[..2];
            assert_eq!(
                e,
                format!("not a valid NI number: prefix '{prefix}' is never issued"),
                "{raw}"
            );
        }
    }

    #[test]
    fn malformed_ni_numbers_are_errors() {
        assert!(nino("AB123456E").unwrap_err().contains("A, B, C or D"));
        assert!(nino("AB123456").unwrap_err().contains("missing"));
        for raw in [
            "AB12345C",
            "A1234567C",
            "AB1234567C",
            "AB123456CC",
            "123456789",
            "ÅB123456C",
            "AB12345€C",
            "AB 123 456",
            "N/A",
        ] {
            let e = nino(raw).unwrap_err();
            assert!(e.starts_with("not a valid NI number"), "{raw}: {e}");
        }
    }

    // --- phones -----------------------------------------------------------

    #[test]
    fn phones_are_standardised() {
        let cases = [
            ("+44 7700 900123", "07700900123"),
            ("0044 7700900123", "07700900123"),
            ("(0121) 496 0000", "01214960000"),
            ("07700-900-123", "07700900123"),
            ("07700.900.123", "07700900123"),
            ("7700900123", "07700900123"),
            ("1214960000", "01214960000"),
            ("+44 (0)121 496 0000", "01214960000"),
            ("+44(0)7700900123", "07700900123"),
            ("447700900123", "07700900123"),
            ("07700 900123 ext 123", "07700900123"),
            ("07700900123x123", "07700900123"),
            ("0121 496 0000 Ext. 45", "01214960000"),
            ("0121 496 0000 extension: 45", "01214960000"),
            ("0121 496 0000 #45", "01214960000"),
            ("7700900123.0", "07700900123"),
            ("016977 3456", "0169773456"),
            ("0800 123 4567", "08001234567"),
        ];
        for (raw, want) in cases {
            assert_eq!(phone(raw), Ok(s(want)), "{raw}");
        }
        assert_eq!(phone(""), Ok(None));
        assert_eq!(phone("  "), Ok(None));
    }

    #[test]
    fn non_uk_or_malformed_phones_are_errors() {
        for raw in [
            "+1 202 555 0123",
            "+33 1 23 45 67 89",
            "12345",
            "07700 90012",
            "0770090012345",
            "call me",
            "00",
            "+44",
            "07700+900123",
            "0044 0",
            "04123 456789",
            "06123 456789",
            "ext 123",
            "x",
            "07700 900123 x",
            "07700 900123 ext abc",
            "☎ 07700 900123",
        ] {
            assert_eq!(
                phone(raw),
                Err("not a UK phone number".to_string()),
                "{raw}"
            );
        }
        assert!(phone(&"0".repeat(1000)).is_err());
    }

    // --- emails -----------------------------------------------------------

    #[test]
    fn emails_are_lower_cased_and_unwrapped() {
        let want = s("jo.bloggs@example.com");
        assert_eq!(email(" Jo.Bloggs@Example.COM "), Ok(want.clone()));
        assert_eq!(email("<jo.bloggs@example.com>"), Ok(want.clone()));
        assert_eq!(email("mailto:jo.bloggs@example.com"), Ok(want.clone()));
        assert_eq!(email("MAILTO:JO.BLOGGS@EXAMPLE.COM"), Ok(want.clone()));
        assert_eq!(email("Jo Bloggs <jo.bloggs@example.com>"), Ok(want.clone()));
        assert_eq!(email("<mailto:jo.bloggs@example.com>"), Ok(want));
        assert_eq!(
            email("a+tag@mail.example.co.uk"),
            Ok(s("a+tag@mail.example.co.uk"))
        );
        assert_eq!(email(""), Ok(None));
        assert_eq!(email("  "), Ok(None));
    }

    #[test]
    fn malformed_emails_are_errors() {
        for raw in [
            "jo@example",
            "jo@@example.com",
            "jo@x@example.com",
            "@example.com",
            "jo example@example.com",
            "jo@exa mple.com",
            "jo@.com",
            "jo@example..com",
            "jo@example.com.",
            "not an email",
            "jo.example.com",
            "<>",
            "mailto:",
            "jo@example.com, al@example.com",
        ] {
            assert_eq!(email(raw), Err("not an email address".to_string()), "{raw}");
        }
    }

    // --- addresses ----------------------------------------------------------

    #[test]
    fn address_joins_and_expands_street_types() {
        assert_eq!(
            address(&["12 Oak Rd", "", "  Birmingham "]),
            s("12 OAK ROAD BIRMINGHAM")
        );
        assert_eq!(address(&["  12   Oak   Road  "]), s("12 OAK ROAD"));
        let cases = [
            ("1 Elm Ave", "1 ELM AVENUE"),
            ("1 Elm Av", "1 ELM AVENUE"),
            ("1 Elm Ln", "1 ELM LANE"),
            ("1 Elm Cl", "1 ELM CLOSE"),
            ("1 Elm Cres", "1 ELM CRESCENT"),
            ("1 Elm Dr", "1 ELM DRIVE"),
            ("1 Elm Gdns", "1 ELM GARDENS"),
            ("1 Elm Gr", "1 ELM GROVE"),
            ("1 Elm Gro", "1 ELM GROVE"),
            ("1 Elm Pl", "1 ELM PLACE"),
            ("1 Elm Sq", "1 ELM SQUARE"),
            ("1 Elm Ter", "1 ELM TERRACE"),
            ("1 Elm Terr", "1 ELM TERRACE"),
            ("1 Elm Ct", "1 ELM COURT"),
            ("1 Elm Wy", "1 ELM WAY"),
            ("1 Elm Pk", "1 ELM PARK"),
            ("Elm Hse, 1 Oak Rd.", "ELM HOUSE 1 OAK ROAD"),
            ("1 Elm Rd N", "1 ELM ROAD N"),
            ("1 Main Road E", "1 MAIN ROAD E"),
        ];
        for (raw, want) in cases {
            assert_eq!(address(&[raw]), s(want), "{raw}");
        }
    }

    #[test]
    fn address_drops_punctuation_and_folds_accents() {
        assert_eq!(
            address(&["St. Mary's Rd.,", "Aberystwyth"]),
            s("ST MARYS ROAD ABERYSTWYTH")
        );
        assert_eq!(
            address(&["Tŷ Gwyn, Ffordd y Môr"]),
            s("TY GWYN FFORDD Y MOR")
        );
        assert_eq!(address(&["12-14 High Street"]), s("12 14 HIGH STREET"));
    }

    #[test]
    fn address_flats() {
        let want = s("FLAT 3 12 OAK ROAD");
        assert_eq!(address(&["3/12 Oak Road"]), want);
        assert_eq!(address(&["Flat 3/12 Oak Road"]), want);
        assert_eq!(address(&["12 Oak Road Flat 3"]), want);
        assert_eq!(address(&["12 Oak Road", "Flat 3"]), want);
        assert_eq!(address(&["12 Oak Road, Flat 3"]), want);
        assert_eq!(address(&["Flat 3, 12 Oak Road"]), want);
        assert_eq!(address(&["Flat No. 3, 12 Oak Road"]), want);
        assert_eq!(address(&["Apartment 3", "12 Oak Rd"]), want);
        assert_eq!(address(&["Apt. 3, 12 Oak Rd"]), want);
        assert_eq!(address(&["flat 3", "12 oak road"]), want);
        assert_eq!(
            address(&["12 Oak Road Flat 3A", "Birmingham"]),
            s("FLAT 3A 12 OAK ROAD BIRMINGHAM")
        );
        assert_eq!(
            address(&["Riverside House Flat B"]),
            s("FLAT B RIVERSIDE HOUSE")
        );
        // A flat in the middle of a line stays put: it may not be a flat number.
        assert_eq!(
            address(&["Ground Floor Flat, 12 Oak Road"]),
            s("GROUND FLOOR FLAT 12 OAK ROAD")
        );
        assert_eq!(
            address(&["Ground Floor Flat 12 Oak Road"]),
            s("GROUND FLOOR FLAT 12 OAK ROAD")
        );
        assert_eq!(address(&["1/2/3 Oak Road"]), s("1 2 3 OAK ROAD"));
        assert_eq!(address(&["Oak Road / Elm Road"]), s("OAK ROAD ELM ROAD"));
    }

    #[test]
    fn address_expands_st_only_at_the_end_of_a_part() {
        assert_eq!(address(&["St Mary's Road"]), s("ST MARYS ROAD"));
        assert_eq!(
            address(&["12 High St", "Aberystwyth"]),
            s("12 HIGH STREET ABERYSTWYTH")
        );
        assert_eq!(
            address(&["12 High St, Aberystwyth"]),
            s("12 HIGH STREET ABERYSTWYTH")
        );
        assert_eq!(address(&["12 High St."]), s("12 HIGH STREET"));
        assert_eq!(address(&["12 High St Flat 3"]), s("FLAT 3 12 HIGH STREET"));
        // Documented limits: one line with a town after ST keeps ST, and ST
        // after a number is not a street.
        assert_eq!(
            address(&["12 High St Aberystwyth"]),
            s("12 HIGH ST ABERYSTWYTH")
        );
        assert_eq!(address(&["12 St"]), s("12 ST"));
        assert_eq!(address(&["St"]), s("ST"));
        assert_eq!(address(&["1 St Johns St"]), s("1 ST JOHNS STREET"));
    }

    #[test]
    fn address_blank_is_none() {
        assert_eq!(address(&[]), None);
        assert_eq!(address(&["", "  "]), None);
        assert_eq!(address(&[",,,", " . ", "/"]), None);
    }

    #[test]
    fn address_is_idempotent() {
        let inputs: [&[&str]; 10] = [
            &["3/12 Oak Rd"],
            &["12 Oak Road", "Flat 3"],
            &["12 High St", "Town"],
            &["St Mary's Rd"],
            &["Ground Floor Flat, 12 Oak Road"],
            &["Apt 4B, Elm Hse", "1 Oak Cl"],
            &["Tŷ Gwyn"],
            &["12 High St Aberystwyth"],
            &["Flat No 3 12 Oak Rd"],
            &["Riverside House Flat B"],
        ];
        for lines in inputs {
            let once = address(lines).unwrap_or_default();
            assert_eq!(address(&[&once]), Some(once.clone()), "{lines:?}");
        }
    }

    #[test]
    fn house_and_flat_numbers() {
        assert_eq!(house_number("FLAT 3 12 OAK ROAD"), s("12"));
        assert_eq!(house_number("Flat 3, 12A Oak Road"), s("12A"));
        assert_eq!(house_number("12 Oak Road Flat 3"), s("12"));
        assert_eq!(house_number("3/12 Oak Road"), s("12"));
        assert_eq!(house_number("The Maltings Flat 3 12 Oak Road"), s("12"));
        assert_eq!(house_number("Ground Floor Flat 12 Oak Road"), s("12"));
        assert_eq!(house_number("FLAT 3 ROSE COTTAGE"), None);
        assert_eq!(house_number("Rose Cottage"), None);
        assert_eq!(house_number(""), None);

        assert_eq!(flat_number("FLAT 3 12 OAK ROAD"), s("3"));
        assert_eq!(flat_number("3/12 Oak Road"), s("3"));
        assert_eq!(flat_number("Flat A, 12 Oak Road"), s("A"));
        assert_eq!(flat_number("The Maltings Flat 3 12 Oak Road"), s("3"));
        assert_eq!(flat_number("12 Oak Road"), None);
        assert_eq!(flat_number("Ground Floor Flat 12 Oak Road"), None);
        assert_eq!(flat_number(""), None);
    }

    // --- UPRNs and money --------------------------------------------------

    #[test]
    fn uprns() {
        assert_eq!(uprn("10012345678"), Ok(s("10012345678")));
        assert_eq!(uprn(" 010012345678 "), Ok(s("10012345678")));
        assert_eq!(uprn("10012345678.0"), Ok(s("10012345678")));
        assert_eq!(uprn("10012345678.00"), Ok(s("10012345678")));
        assert_eq!(uprn("123456789012"), Ok(s("123456789012")));
        assert_eq!(uprn("1"), Ok(s("1")));
        assert_eq!(uprn(""), Ok(None));
        for raw in [
            "0",
            "000",
            "1234567890123",
            "1.00123E+10",
            "100123456.5",
            "abc",
            "-1",
            "12 34",
            ".0",
            "12.",
            "1,234",
            "١٢٣",
        ] {
            assert_eq!(uprn(raw), Err("not a UPRN".to_string()), "{raw}");
        }
    }

    #[test]
    fn money_in_pence() {
        let cases = [
            ("1,234.50", 123_450),
            ("£12", 1_200),
            ("-3.5", -350),
            ("(12.00)", -1_200),
            ("( £12.00 )", -1_200),
            ("£-3", -300),
            ("-£3", -300),
            ("+5", 500),
            ("0.05", 5),
            (".5", 50),
            ("12.", 1_200),
            ("£ 1,234,567.89", 123_456_789),
            ("\u{2212}2", -200),
            ("-0.00", 0),
            ("0", 0),
            ("92233720368547758.07", i64::MAX),
            ("-92233720368547758.08", i64::MIN),
        ];
        for (raw, want) in cases {
            assert_eq!(money_pence(raw), Ok(Some(want)), "{raw}");
        }
        assert_eq!(money_pence(""), Ok(None));
        assert_eq!(money_pence("  "), Ok(None));
    }

    #[test]
    fn malformed_money_is_an_error() {
        for raw in [
            "1.234", "12,34", "1,5", "1234,567", ",123", "abc", "£", "-", ".", "(-12)", "--3",
            "-£-3", "1.2.3", "1 234", "12p", "£12 50", "1e3", "()", "NaN", "inf", "12.5.",
        ] {
            let e = money_pence(raw).unwrap_err();
            assert!(e.starts_with("not an amount of money"), "{raw}: {e}");
        }
        assert!(money_pence("92233720368547758.08").is_err());
        assert!(money_pence(&"9".repeat(100)).is_err());
    }

    // --- totality -----------------------------------------------------------

    /// Every function on many odd strings: none may panic.
    #[test]
    fn nothing_panics_on_odd_input() {
        let alphabet: Vec<char> = "aZ09 \t-',./()+£@<>:#xTéŵßİ\u{301}\u{feff}日🙂\u{2212}E%"
            .chars()
            .collect();
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let f = fmts(&["%d/%m/%Y", "%Y-%m-%d", "%d-%b-%Y", "%"]);
        let mut inputs: Vec<String> = vec![
            String::new(),
            "x".repeat(100_000),
            " ".repeat(10_000),
            "1".repeat(10_000),
            "x 1".repeat(10_000),
            "£(".to_string(),
            "<".to_string(),
            ">".to_string(),
            "@".to_string(),
            "Mr ".repeat(20_000),
            "Flat No 3, ".repeat(5_000),
            "12 Oak Rd Flat 3\n".repeat(5_000),
            "+44".repeat(20),
        ];
        for _ in 0..3000 {
            let len = (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            inputs.push(text);
        }
        for t in &inputs {
            let _ = name(t);
            let _ = forename(t);
            let _ = title(t);
            let _ = full_name(t);
            let _ = date(t, &f);
            let _ = postcode(t);
            let _ = postcode_district(t);
            let _ = postcode_sector(t);
            let _ = nino(t);
            let _ = phone(t);
            let _ = email(t);
            let _ = address(&[t, t]);
            let _ = house_number(t);
            let _ = flat_number(t);
            let _ = uprn(t);
            let _ = money_pence(t);
        }
    }
}
