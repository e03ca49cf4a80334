//! The stand-in's checks of recipients, addresses and templates, modelled on
//! `notifications-utils` (`recipient_validation/*.py`, `field.py`,
//! `insensitive_dict.py`). Simplified where Notify leans on large data sets;
//! each simplification is named on its function.

use std::collections::BTreeMap;

/// Check a UK mobile number and return it normalised to `447xxxxxxxxx`.
///
/// This is Notify's long-standing UK-mobile rule (strip spaces, brackets,
/// hyphens and `+`; refuse anything else; drop a leading `44` and `0`s; what
/// is left must be `7` and nine more digits), i.e. a service without the
/// international or landline permissions. Notify now runs numbers through
/// `phonenumbers` as well; the stand-in does not, so it does not know which
/// `07` ranges are unallocated, and it never sends abroad or to landlines.
/// The error is Notify's message without the `phone_number ` prefix.
pub fn normalise_uk_mobile(raw: &str) -> Result<String, &'static str> {
    let mut digits = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_whitespace() || matches!(c, '(' | ')' | '-' | '+') {
            continue;
        }
        if !c.is_ascii_digit() {
            return Err("Must not contain letters or symbols");
        }
        digits.push(c);
    }
    let mut rest = digits.trim_start_matches('0');
    if let Some(after) = rest.strip_prefix("44") {
        rest = after;
    }
    let rest = rest.trim_start_matches('0');
    if rest.is_empty() {
        return Err("Not enough digits");
    }
    if !rest.starts_with('7') {
        return Err("Not a UK mobile number");
    }
    match rest.len() {
        n if n > 10 => Err("Too many digits"),
        n if n < 10 => Err("Not enough digits"),
        _ => Ok(format!("44{rest}")),
    }
}

fn is_hostname_part(part: &str) -> bool {
    // `^(xn|[a-z0-9]+)(-?-[a-z0-9]+)*$`: alphanumeric runs joined by one or
    // two hyphens, not starting or ending with one.
    let b = part.as_bytes();
    if b.is_empty() || !b[0].is_ascii_alphanumeric() || !b[b.len() - 1].is_ascii_alphanumeric() {
        return false;
    }
    let mut hyphens = 0;
    for c in b {
        if *c == b'-' {
            hyphens += 1;
            if hyphens > 2 {
                return false;
            }
        } else if c.is_ascii_alphanumeric() {
            hyphens = 0;
        } else {
            return false;
        }
    }
    true
}

fn is_tld(part: &str) -> bool {
    // `^([a-z]{2,63}|xn--([a-z0-9]+-)*[a-z0-9]+)$`
    let lower = part.to_ascii_lowercase();
    if (2..=63).contains(&lower.len()) && lower.bytes().all(|c| c.is_ascii_lowercase()) {
        return true;
    }
    match lower.strip_prefix("xn--") {
        Some(rest) => {
            !rest.is_empty()
                && !rest.starts_with('-')
                && !rest.ends_with('-')
                && !rest.contains("--")
                && rest.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
        }
        None => false,
    }
}

/// Notify's email address check (`validate_email_address`), except that
/// internationalised domain names are refused rather than converted to
/// punycode.
pub fn is_valid_email(raw: &str) -> bool {
    let email = raw.trim();
    if email.len() > 320 || email.contains("..") {
        return false;
    }
    let Some((local, host)) = email.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b".!#$%&'*+/=?^_`{|}~-".contains(&c));
    if !local_ok || host.is_empty() || host.starts_with('.') || host.contains('@') || host.len() < 2
    {
        return false;
    }
    if host.chars().any(char::is_whitespace) || !host.is_ascii() {
        return false;
    }
    let parts: Vec<&str> = host.split('.').collect();
    if host.len() > 253 || parts.len() < 2 {
        return false;
    }
    if !parts
        .iter()
        .all(|p| !p.is_empty() && p.len() <= 63 && is_hostname_part(p))
    {
        return false;
    }
    parts.last().is_some_and(|tld| is_tld(tld))
}

/// A UK postcode's shape: outward code (one or two letters, a digit, an
/// optional letter or digit) and inward code (a digit and two letters, not
/// C, I, K, M, O or V), spaces ignored, any case. Notify also checks the
/// letters against the real list of postcode areas and accepts BFPO and
/// overseas addresses; the stand-in does neither.
pub fn is_uk_postcode(raw: &str) -> bool {
    let pc: Vec<u8> = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_ascii_uppercase())
        .collect::<String>()
        .into_bytes();
    if !(5..=7).contains(&pc.len()) || !pc.is_ascii() {
        return false;
    }
    let (outward, inward) = pc.split_at(pc.len() - 3);
    let inward_ok = inward[0].is_ascii_digit()
        && inward[1..]
            .iter()
            .all(|c| c.is_ascii_uppercase() && !b"CIKMOV".contains(c));
    let letters = outward
        .iter()
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    let outward_ok = matches!(letters, 1 | 2)
        && outward.get(letters).is_some_and(u8::is_ascii_digit)
        && match &outward[letters + 1..] {
            [] => true,
            [c] => c.is_ascii_alphanumeric(),
            _ => false,
        };
    inward_ok && outward_ok
}

/// The personalisation keys Notify reads an address from.
pub const ADDRESS_KEYS: [&str; 8] = [
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "address_line_4",
    "address_line_5",
    "address_line_6",
    "address_line_7",
    "postcode",
];

/// A letter's address lines as Notify reads them: lines 1–6, then line 7 if
/// given, otherwise the legacy `postcode` key; whitespace normalised, trailing
/// commas and spaces dropped, empty lines skipped.
pub fn address_lines(personalisation: &BTreeMap<String, String>) -> Vec<String> {
    let get = |k: &str| personalisation.get(k).map(String::as_str).unwrap_or("");
    let mut keys: Vec<&str> = ADDRESS_KEYS[..6].to_vec();
    keys.push(if personalisation.contains_key("address_line_7") {
        "address_line_7"
    } else {
        "postcode"
    });
    keys.iter()
        .map(|k| get(k).split_whitespace().collect::<Vec<_>>().join(" "))
        .map(|l| l.trim_end_matches([' ', ',']).to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Notify's letter address checks, in its order, with its messages.
pub fn check_address(personalisation: &BTreeMap<String, String>) -> Result<Vec<String>, String> {
    if !personalisation.contains_key("address_line_1") {
        return Err("personalisation address_line_1 is a required property".into());
    }
    let lines = address_lines(personalisation);
    if lines.len() < 3 {
        return Err("Address must be at least 3 lines".into());
    }
    if lines.len() > 7 {
        return Err("Address must be no more than 7 lines".into());
    }
    if !lines[..2]
        .iter()
        .all(|l| l.chars().any(char::is_alphanumeric))
    {
        return Err("The first 2 lines of the address must both include at least one alphanumeric character".into());
    }
    if !lines.last().is_some_and(|l| is_uk_postcode(l)) {
        return Err("Must be a real UK postcode".into());
    }
    if lines.iter().any(|l| {
        l.starts_with([
            '@', '(', ')', '=', '[', ']', '"', '\\', '/', ',', '<', '>', '~',
        ])
    }) {
        return Err(
            "Address lines must not start with any of the following characters: @ ( ) = [ ] \u{201d} \\ / , < >".into(),
        );
    }
    Ok(lines)
}

/// How Notify matches placeholder names to personalisation keys: case,
/// spaces, underscores and hyphens do not matter.
pub fn placeholder_key(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Each `((placeholder))` in `text`, as the raw body between the brackets.
fn placeholder_bodies(text: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(open) = text[i..].find("((") {
        let start = i + open;
        let body_start = start + 2;
        let rest = &text[body_start..];
        let end = rest.find(['(', ')']);
        match end {
            Some(e) if e > 0 && rest[e..].starts_with("))") => {
                out.push((start, body_start + e + 2, &rest[..e]));
                i = body_start + e + 2;
            }
            _ => i = start + 1,
        }
    }
    out
}

/// The placeholder names in a template text, in order, without repeats
/// (`((name??text))` is a conditional on `name`).
pub fn placeholders(text: &str) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for (_, _, body) in placeholder_bodies(text) {
        let name = body.split("??").next().unwrap_or(body).to_string();
        if !seen
            .iter()
            .any(|s| placeholder_key(s) == placeholder_key(&name))
        {
            seen.push(name);
        }
    }
    seen
}

fn lookup<'a>(personalisation: &'a BTreeMap<String, String>, name: &str) -> Option<&'a String> {
    let key = placeholder_key(name);
    personalisation
        .iter()
        .find(|(k, _)| placeholder_key(k) == key)
        .map(|(_, v)| v)
}

/// The placeholders in `texts` that `personalisation` does not fill.
pub fn missing_personalisation(
    texts: &[&str],
    personalisation: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut missing: Vec<String> = Vec::new();
    for text in texts {
        for name in placeholders(text) {
            if lookup(personalisation, &name).is_none()
                && !missing
                    .iter()
                    .any(|m| placeholder_key(m) == placeholder_key(&name))
            {
                missing.push(name);
            }
        }
    }
    missing
}

/// Fill in a template text. A conditional `((name??text))` shows `text`
/// when the value is yes/y/true/t/1/include/show (Notify's `str2bool`).
pub fn render(text: &str, personalisation: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, end, body) in placeholder_bodies(text) {
        out.push_str(&text[last..start]);
        match body.split_once("??") {
            Some((name, shown)) => {
                let on = lookup(personalisation, name).is_some_and(|v| {
                    matches!(
                        v.to_lowercase().as_str(),
                        "yes" | "y" | "true" | "t" | "1" | "include" | "show"
                    )
                });
                if on {
                    out.push_str(shown);
                }
            }
            None => match lookup(personalisation, body) {
                Some(v) => out.push_str(v),
                None => out.push_str(&text[start..end]),
            },
        }
        last = end;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn uk_mobiles() {
        for ok in [
            "07700900123",
            "+447700900123",
            "447700900123",
            "0044 7700 900123",
            "+44 (0)7700-900-123",
            " 07700 900123\n",
        ] {
            assert_eq!(
                normalise_uk_mobile(ok),
                Ok("447700900123".to_string()),
                "{ok}"
            );
        }
        assert_eq!(
            normalise_uk_mobile("01709510122"),
            Err("Not a UK mobile number")
        );
        assert_eq!(
            normalise_uk_mobile("+12025550123"),
            Err("Not a UK mobile number")
        );
        assert_eq!(normalise_uk_mobile("0770090012"), Err("Not enough digits"));
        assert_eq!(normalise_uk_mobile("077009001234"), Err("Too many digits"));
        assert_eq!(
            normalise_uk_mobile("07700 9OO123"),
            Err("Must not contain letters or symbols")
        );
        assert_eq!(normalise_uk_mobile(""), Err("Not enough digits"));
    }

    #[test]
    fn emails() {
        for ok in [
            "a@b.co",
            "first.o'last+tag@council.gov.uk",
            "simulate-delivered@notifications.service.gov.uk",
            "x@xn--r8jz45g.xn--zckzah",
            "perm-fail@simulator.notify",
        ] {
            assert!(is_valid_email(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "a@",
            "@b.com",
            "a@b",
            "a@b.c",
            "a..b@c.com",
            "a@-b.com",
            "a@b-.com",
            "a b@c.com",
            "a@b.c0m",
            "a@@b.com",
            "a\"@b.com",
            "a@b.com.",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
    }

    #[test]
    fn postcodes() {
        for ok in [
            "SW1A 1AA", "sw1a1aa", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "EC1A 1BB",
            "W1A 0AX",
        ] {
            assert!(is_uk_postcode(ok), "{ok}");
        }
        for bad in [
            "",
            "SW1A",
            "1AA",
            "SW1A 1AC",
            "SWW1A 1AA",
            "S 1AA",
            "12345",
            "Leeds",
            "LS1 1UK",
        ] {
            assert!(!is_uk_postcode(bad), "{bad}");
        }
    }

    #[test]
    fn addresses() {
        let good = map(&[
            ("address_line_1", "A Person"),
            ("address_line_2", "1 High St,"),
            ("address_line_3", "LS1 4AP"),
        ]);
        assert_eq!(
            check_address(&good).unwrap(),
            vec!["A Person", "1 High St", "LS1 4AP"]
        );
        let two = map(&[
            ("address_line_1", "A Person"),
            ("address_line_2", "LS1 4AP"),
        ]);
        assert_eq!(
            check_address(&two).unwrap_err(),
            "Address must be at least 3 lines"
        );
        let no_pc = map(&[
            ("address_line_1", "A Person"),
            ("address_line_2", "1 High St"),
            ("address_line_3", "Leeds"),
        ]);
        assert_eq!(
            check_address(&no_pc).unwrap_err(),
            "Must be a real UK postcode"
        );
        let legacy = map(&[
            ("address_line_1", "A"),
            ("address_line_2", "1 High St"),
            ("address_line_4", " "),
            ("postcode", "ls1 4ap"),
        ]);
        assert!(check_address(&legacy).is_ok());
        let none = map(&[("name", "A")]);
        assert_eq!(
            check_address(&none).unwrap_err(),
            "personalisation address_line_1 is a required property"
        );
        let symbols = map(&[
            ("address_line_1", "--"),
            ("address_line_2", "1 High St"),
            ("address_line_3", "LS1 4AP"),
        ]);
        assert!(check_address(&symbols)
            .unwrap_err()
            .starts_with("The first 2 lines"));
    }

    #[test]
    fn placeholders_render_and_missing() {
        let text = "Dear ((First name)), your visit is on ((date)).((urgent??  Please call today.)) ((date))";
        assert_eq!(placeholders(text), vec!["First name", "date", "urgent"]);
        let p = map(&[("first_name", "Sam"), ("DATE", "Monday"), ("urgent", "yes")]);
        assert!(missing_personalisation(&[text], &p).is_empty());
        assert_eq!(
            render(text, &p),
            "Dear Sam, your visit is on Monday.  Please call today. Monday"
        );
        let partial = map(&[("date", "Monday")]);
        assert_eq!(
            missing_personalisation(&[text, "((name))"], &partial),
            vec!["First name", "urgent", "name"]
        );
        assert_eq!(
            render("((a)) (b) ((c ((d))", &map(&[("d", "D")])),
            "((a)) (b) ((c D"
        );
    }
}
