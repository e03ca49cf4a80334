//! The council's statutory homelessness letters: templates as data
//! (`letters.toml`, which a council can replace), filled in for one case and
//! written as PDF, bilingual in Wales with the Welsh first.
//!
//! Pure: values in, bytes out. Storage keeps the PDF on the case; the web
//! app chooses the letter and records what sending it means for the duty.

pub mod batch;
pub mod pdf;

use chrono::{Datelike, NaiveDate};
use pdf::{Block, Document};
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the letter templates: {0}")]
    Templates(String),
    #[error("writing the PDF: {0}")]
    Pdf(String),
    /// A letter whose address would not fit the envelope window.
    #[error(transparent)]
    Refused(#[from] batch::Refused),
}

/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 8] = [
    "name",
    "council",
    "date",
    "case",
    "duty_start",
    "duty_end",
    "connector",
    "details",
];

/// What sending a letter records on its duty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Records {
    StartLetter,
    EndLetter,
    Nothing,
}

/// One letter as the council wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub code: String,
    /// `england` or `wales`.
    pub nation: String,
    /// `prevention` or `relief`, when the letter is about one duty.
    pub duty: Option<String>,
    pub records: Records,
    #[serde(default)]
    pub attach_plan: bool,
    pub title: String,
    pub body: String,
    pub title_cy: Option<String>,
    pub body_cy: Option<String>,
}

impl Template {
    pub fn is_welsh(&self) -> bool {
        self.nation == "wales"
    }

    /// Whether the letter needs a duty to be about (its dates, or what it records).
    pub fn needs_duty(&self) -> bool {
        self.duty.is_some() || self.records != Records::Nothing
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    letter: Vec<Template>,
}

/// Every letter template, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Library {
    pub letters: Vec<Template>,
}

/// The placeholders in `text` that are not known, by name.
fn unknown_placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push(after.chars().take(20).collect());
            break;
        };
        let name = &after[..close];
        if !PLACEHOLDERS.contains(&name) {
            out.push(name.to_string());
        }
        rest = &after[close + 1..];
    }
    out
}

impl Library {
    /// The letters built in (`letters.toml`).
    pub fn built_in() -> Result<Library, Error> {
        Library::from_toml(include_str!("../letters.toml"))
    }

    /// Read and check a council's letters: every key known, codes unique,
    /// nations and duties real, placeholders known, Welsh for every letter
    /// in Wales.
    pub fn from_toml(text: &str) -> Result<Library, Error> {
        let file: File = toml::from_str(text).map_err(|e| Error::Templates(e.to_string()))?;
        let mut seen = std::collections::BTreeSet::new();
        for t in &file.letter {
            let bad = |m: String| Error::Templates(format!("letter {}: {m}", t.code));
            if !seen.insert(t.code.clone()) {
                return Err(bad("this code is used twice".into()));
            }
            if !matches!(t.nation.as_str(), "england" | "wales") {
                return Err(bad(format!(
                    "nation must be england or wales, not '{}'",
                    t.nation
                )));
            }
            if let Some(d) = &t.duty {
                if !matches!(d.as_str(), "prevention" | "relief") {
                    return Err(bad(format!("duty must be prevention or relief, not '{d}'")));
                }
            }
            if t.is_welsh() && (t.title_cy.is_none() || t.body_cy.is_none()) {
                return Err(bad(
                    "a letter in Wales needs title_cy and body_cy (Welsh and English, neither less favourably)"
                        .into(),
                ));
            }
            for text in [
                Some(&t.title),
                Some(&t.body),
                t.title_cy.as_ref(),
                t.body_cy.as_ref(),
            ]
            .into_iter()
            .flatten()
            {
                if let Some(name) = unknown_placeholders(text).first() {
                    return Err(bad(format!(
                        "no placeholder {{{name}}}; known: {}",
                        PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(" ")
                    )));
                }
            }
        }
        Ok(Library {
            letters: file.letter,
        })
    }

    pub fn get(&self, code: &str) -> Option<&Template> {
        self.letters.iter().find(|t| t.code == code)
    }

    /// The letters written under one nation's law.
    pub fn for_nation<'a>(&'a self, nation: &'a str) -> impl Iterator<Item = &'a Template> + 'a {
        self.letters.iter().filter(move |t| t.nation == nation)
    }
}

/// What fills a letter in for one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub name: String,
    /// The address it goes to, one line each.
    pub address: Vec<String>,
    pub date: NaiveDate,
    pub council: String,
    pub case: String,
    pub duty_start: Option<NaiveDate>,
    pub duty_end: Option<NaiveDate>,
    pub connector: String,
    /// What the caseworker writes for this case.
    pub details: String,
    /// The same in Welsh, for a letter in Wales (the English stands in both
    /// parts when it is empty).
    pub details_cy: String,
    /// The personal housing plan: each action, in words.
    pub plan: Vec<String>,
}

pub(crate) fn english_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

pub(crate) fn welsh_date(d: NaiveDate) -> String {
    const MONTHS: [&str; 12] = [
        "Ionawr",
        "Chwefror",
        "Mawrth",
        "Ebrill",
        "Mai",
        "Mehefin",
        "Gorffennaf",
        "Awst",
        "Medi",
        "Hydref",
        "Tachwedd",
        "Rhagfyr",
    ];
    let month = MONTHS.get(d.month0() as usize).copied().unwrap_or("");
    format!("{} {month} {}", d.day(), d.year())
}

fn fill(text: &str, f: &Fields, welsh: bool) -> String {
    let date = if welsh { welsh_date } else { english_date };
    let details = if welsh && !f.details_cy.trim().is_empty() {
        &f.details_cy
    } else {
        &f.details
    };
    let maybe = |d: Option<NaiveDate>| d.map(date).unwrap_or_default();
    text.replace("{name}", &f.name)
        .replace("{council}", &f.council)
        .replace("{date}", &date(f.date))
        .replace("{case}", &f.case)
        .replace("{duty_start}", &maybe(f.duty_start))
        .replace("{duty_end}", &maybe(f.duty_end))
        .replace("{connector}", &f.connector)
        .replace("{details}", details)
}

/// A body's paragraphs as blocks: a blank line ends a paragraph; inside a
/// paragraph, lines that are short (a signature) are kept as lines.
fn body_blocks(body: &str) -> Vec<Block> {
    body.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let lines: Vec<&str> = p.lines().map(str::trim).collect();
            if lines.len() > 1 {
                Block::Lines(lines.into_iter().map(String::from).collect())
            } else {
                Block::Paragraph(p.to_string())
            }
        })
        .collect()
}

/// One language's part of a letter: heading, body and (when asked) the plan.
fn part(title: &str, body: &str, t: &Template, f: &Fields, welsh: bool) -> Vec<Block> {
    let mut out = vec![Block::Heading(fill(title, f, welsh))];
    out.extend(body_blocks(&fill(body, f, welsh)));
    if t.attach_plan {
        out.push(Block::Heading(
            if welsh {
                "Eich cynllun tai personol"
            } else {
                "Your personal housing plan"
            }
            .to_string(),
        ));
        if f.plan.is_empty() {
            out.push(Block::Paragraph(
                if welsh {
                    "Nid oes camau wedi'u cytuno eto. Byddwn yn cytuno arnynt gyda chi."
                } else {
                    "No steps have been agreed yet. We will agree them with you."
                }
                .to_string(),
            ));
        }
        out.extend(f.plan.iter().cloned().map(Block::Item));
    }
    out
}

/// The letter for one case, ready to write as PDF: the address and date,
/// then (in Wales) the Welsh and then the English.
pub fn render(t: &Template, f: &Fields) -> Document {
    let mut blocks = vec![Block::Lines(
        std::iter::once(f.name.clone())
            .chain(f.address.iter().cloned())
            .collect(),
    )];
    let dated = if t.is_welsh() {
        format!("{} / {}", welsh_date(f.date), english_date(f.date))
    } else {
        english_date(f.date)
    };
    blocks.push(Block::Lines(vec![dated, format!("Ref: {}", f.case)]));
    let mut title = fill(&t.title, f, false);
    if let (Some(title_cy), Some(body_cy)) = (&t.title_cy, &t.body_cy) {
        title = format!("{} / {title}", fill(title_cy, f, true));
        blocks.extend(part(title_cy, body_cy, t, f, true));
    }
    blocks.extend(part(&t.title, &t.body, t, f, false));
    Document {
        title,
        language: if t.is_welsh() { "cy-GB" } else { "en-GB" }.into(),
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Fields {
        Fields {
            name: "Jo Bloggs".into(),
            address: vec!["12 Acacia Avenue".into(), "B1 1AA".into()],
            date: NaiveDate::from_ymd_opt(2026, 3, 4).unwrap(),
            council: "Brumford City Council".into(),
            case: "C-17".into(),
            duty_start: NaiveDate::from_ymd_opt(2026, 3, 2),
            duty_end: None,
            connector: "Casey Morgan".into(),
            details: "You told us your landlord has served a section 21 notice.".into(),
            details_cy: String::new(),
            plan: vec!["Apply for a discretionary housing payment (Jo, by 20 March 2026)".into()],
        }
    }

    fn text(d: &Document) -> String {
        d.blocks
            .iter()
            .map(|b| match b {
                Block::Heading(t) | Block::Paragraph(t) | Block::Item(t) => t.clone(),
                Block::Lines(l) => l.join("\n"),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_built_in_letters_are_all_known_and_wales_is_bilingual() {
        let lib = Library::built_in().expect("letters");
        assert_eq!(lib.for_nation("england").count(), 4);
        assert_eq!(lib.for_nation("wales").count(), 4);
        assert!(lib.for_nation("wales").all(|t| t.title_cy.is_some()));
    }

    #[test]
    fn an_english_duty_letter_is_filled_in_with_its_plan() {
        let lib = Library::built_in().expect("letters");
        let t = lib.get("s195_prevention_duty").expect("letter");
        let d = render(t, &fields());
        let all = text(&d);
        assert!(all.contains("Dear Jo Bloggs"), "{all}");
        assert!(
            all.contains("From 2 March 2026 we owe you the prevention duty"),
            "{all}"
        );
        assert!(all.contains("section 21 notice"), "{all}");
        assert!(all.contains("Your personal housing plan"), "{all}");
        assert!(all.contains("discretionary housing payment"), "{all}");
        assert!(!all.contains('{'), "every placeholder filled: {all}");
        assert_eq!(d.language, "en-GB");
    }

    #[test]
    fn a_welsh_letter_puts_the_welsh_first_with_welsh_dates_then_the_english() {
        let lib = Library::built_in().expect("letters");
        let d = render(lib.get("s66_prevention_duty").expect("letter"), &fields());
        let all = text(&d);
        let cy = all.find("Annwyl Jo Bloggs").expect("Welsh");
        let en = all.find("Dear Jo Bloggs").expect("English");
        assert!(cy < en, "Welsh first");
        assert!(
            all.contains("O 2 Mawrth 2026 mae arnom ddyletswydd"),
            "{all}"
        );
        assert!(all.contains("Eich cynllun tai personol"), "{all}");
        assert!(all.contains("4 Mawrth 2026 / 4 March 2026"), "{all}");
        let welsh_details = Fields {
            details_cy: "Dywedoch wrthym fod eich landlord wedi rhoi rhybudd.".into(),
            ..fields()
        };
        let both = text(&render(
            lib.get("s66_prevention_duty").expect("letter"),
            &welsh_details,
        ));
        assert!(
            both.contains("Dywedoch wrthym") && both.contains("section 21 notice"),
            "{both}"
        );
        assert_eq!(d.language, "cy-GB");
        let pdf = pdf::write(&d).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
    }

    #[test]
    fn a_councils_letters_are_checked_with_the_mistake_named() {
        let one = |extra: &str| {
            format!(
                "[[letter]]\ncode = \"x\"\nnation = \"england\"\nrecords = \"nothing\"\ntitle = \"T\"\nbody = \"B\"\n{extra}"
            )
        };
        assert!(Library::from_toml(&one("")).is_ok());
        let e = Library::from_toml(&one("").replace("body = \"B\"", "body = \"Dear {nmae}\""))
            .expect_err("unknown placeholder")
            .to_string();
        assert!(e.contains("{nmae}") && e.contains("letter x"), "{e}");
        let e = Library::from_toml(&one("").replace("england", "wales"))
            .expect_err("no Welsh")
            .to_string();
        assert!(e.contains("title_cy"), "{e}");
        let e = Library::from_toml(&one("colour = \"red\""))
            .expect_err("unknown key")
            .to_string();
        assert!(e.contains("colour"), "{e}");
        let twice = format!("{}\n{}", one(""), one(""));
        assert!(Library::from_toml(&twice)
            .expect_err("twice")
            .to_string()
            .contains("twice"));
    }
}
