//! Message templates in GOV.UK Notify's syntax, checked before they are
//! saved and filled in for one household when sent.
//!
//! A field is written `((first_name))`, as in Notify, so a template written
//! here can be pasted into Notify and back. Optional content is written
//! `((field??text))`: the text appears when the field's value is "yes" and
//! not when it is "no". As in Notify, a field name cannot contain brackets;
//! unlike Notify, it cannot run over a line break, so a forgotten `))` is
//! reported on the line where the `((` was opened instead of swallowing the
//! rest of the message.
//!
//! [`check`] lists every problem at once (a person fixing a template wants
//! the whole list, not one error per save), each saying what is wrong and
//! why. A Welsh council's template must carry its Welsh text: the Welsh
//! Language Standards require correspondence and texts in Welsh, and Welsh
//! no less favourably than English, so the Welsh must use the same fields
//! (say no less) and have its own subject.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::{and_list, Channel, Language, Nation};

/// Notify refuses a text message longer than this (6 fragments of 153).
pub const SMS_MAX_CHARACTERS: usize = 918;

/// What a council writes: the English and, in Wales, the Welsh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub channel: Channel,
    /// An email's subject line or a letter's heading; texts have none.
    pub subject: Option<String>,
    pub body: String,
    pub welsh_subject: Option<String>,
    pub welsh_body: Option<String>,
}

/// Which text of a template a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Subject,
    Body,
    WelshSubject,
    WelshBody,
}

impl Part {
    /// "the English message": for use inside a sentence.
    pub fn label(self) -> &'static str {
        match self {
            Part::Subject => "the English subject",
            Part::Body => "the English message",
            Part::WelshSubject => "the Welsh subject",
            Part::WelshBody => "the Welsh message",
        }
    }

    pub fn language(self) -> Language {
        match self {
            Part::Subject | Part::Body => Language::English,
            Part::WelshSubject | Part::WelshBody => Language::Welsh,
        }
    }
}

/// One reason a template cannot be saved, worded for the person writing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateProblem {
    #[error("{} needs no template: templates are for letters, text messages and emails", .channel.label())]
    NotAWrittenChannel { channel: Channel },
    #[error("{} is empty; write the message people will receive", capitalise(.part.label()))]
    EmptyBody { part: Part },
    #[error("{} needs a subject: Notify will not send {} without one", capitalise(.channel.with_article()), .channel.with_article())]
    MissingSubject { channel: Channel },
    #[error("Text messages have no subject; remove {}", .part.label())]
    SubjectOnText { part: Part },
    #[error("(({field})) in {} is not a field Upstream knows; {}{}", .part.label(), known_fields_sentence(.known), did_you_mean(.suggestion))]
    UnknownField {
        part: Part,
        field: String,
        known: Vec<String>,
        suggestion: Option<String>,
    },
    #[error("Line {line} of {} has (( with no field name inside", .part.label())]
    EmptyField { part: Part, line: usize },
    #[error("Line {line} of {} opens a field with (( but does not close it with )), near \"{near}\"", .part.label())]
    Unclosed {
        part: Part,
        line: usize,
        near: String,
    },
    #[error("{} is {characters} characters ({fragments} text message fragments) before its fields are filled in; Notify sends at most {SMS_MAX_CHARACTERS} characters, so shorten it by at least {}", capitalise(.part.label()), .characters.saturating_sub(SMS_MAX_CHARACTERS))]
    TextTooLong {
        part: Part,
        characters: usize,
        fragments: usize,
    },
    #[error("A Welsh council's messages must be in Welsh as well as English (Welsh Language Standards); add the Welsh message")]
    MissingWelsh,
    #[error("The English has a subject but the Welsh does not; add the Welsh subject so Welsh readers are not treated less favourably (Welsh Language Standards)")]
    MissingWelshSubject,
    #[error("The Welsh and the English use different fields, so one would tell people less than the other; {}", fields_differ_sentence(.only_english, .only_welsh))]
    WelshFieldsDiffer {
        only_english: Vec<String>,
        only_welsh: Vec<String>,
    },
    #[error("The Welsh and the English together are {characters} characters ({fragments} fragments) before fields are filled in; a bilingual text must fit Notify's {SMS_MAX_CHARACTERS}, so shorten one or both")]
    BilingualTextTooLong { characters: usize, fragments: usize },
}

/// A template that passed [`check`]: only these can be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedTemplate {
    channel: Channel,
    english: ParsedText,
    welsh: Option<ParsedText>,
    fields: BTreeSet<String>,
}

impl CheckedTemplate {
    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// Every field either language uses (both use the same ones in Wales).
    pub fn fields(&self) -> &BTreeSet<String> {
        &self.fields
    }

    pub fn has_welsh(&self) -> bool {
        self.welsh.is_some()
    }
}

/// A message filled in for one household, ready for Notify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub channel: Channel,
    /// The languages in the order they appear: one, or Welsh then English.
    pub languages: Vec<Language>,
    pub subject: Option<String>,
    pub body: String,
    /// For a text message: its length and fragments as Notify counts them.
    pub sms: Option<SmsLength>,
}

/// Why a checked template could not be filled in for one household.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("No value for {}; every field the template uses needs one", and_list(&bracketed(.fields)))]
    MissingValues { fields: Vec<String> },
    #[error("(({field}??…)) shows its text for \"yes\" and hides it for \"no\", but the value is \"{value}\"")]
    NotYesOrNo { field: String, value: String },
    #[error("This template has no Welsh text")]
    NoWelsh,
    #[error("Filled in, the text message is {characters} characters ({fragments} fragments); Notify sends at most {SMS_MAX_CHARACTERS}")]
    TextTooLong { characters: usize, fragments: usize },
    #[error("In Welsh and English together the text message is {characters} characters, over Notify's {SMS_MAX_CHARACTERS}; send it in the language the resident chose, or shorten the template")]
    BilingualTextTooLong { characters: usize },
}

/// A text message's length as Notify counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsLength {
    pub characters: usize,
    pub fragments: usize,
    /// Welsh accented letters (â, ŵ, ŷ, ...) are outside the GSM alphabet,
    /// so the whole message goes as Unicode and fragments are shorter.
    pub unicode: bool,
}

/// Checks a template against the fields Upstream can fill in, listing every
/// problem at once.
pub fn check(
    template: &Template,
    known_fields: &[&str],
    nation: Nation,
) -> Result<CheckedTemplate, Vec<TemplateProblem>> {
    let mut problems = Vec::new();
    if !template.channel.needs_template() {
        problems.push(TemplateProblem::NotAWrittenChannel {
            channel: template.channel,
        });
        return Err(problems);
    }

    let subject = non_blank(template.subject.as_deref());
    let welsh_subject = non_blank(template.welsh_subject.as_deref());
    let welsh_body = non_blank(template.welsh_body.as_deref());
    let is_text = template.channel == Channel::Text;

    // Subjects: Notify requires one on emails and letters and has none on texts.
    if is_text {
        if subject.is_some() {
            problems.push(TemplateProblem::SubjectOnText {
                part: Part::Subject,
            });
        }
        if welsh_subject.is_some() {
            problems.push(TemplateProblem::SubjectOnText {
                part: Part::WelshSubject,
            });
        }
    } else if subject.is_none() {
        problems.push(TemplateProblem::MissingSubject {
            channel: template.channel,
        });
    }

    if template.body.trim().is_empty() {
        problems.push(TemplateProblem::EmptyBody { part: Part::Body });
    }

    // Welsh Language Standards: a Welsh council's message in both languages.
    if nation == Nation::Wales {
        if welsh_body.is_none() {
            problems.push(TemplateProblem::MissingWelsh);
        }
        if !is_text && subject.is_some() && welsh_subject.is_none() {
            problems.push(TemplateProblem::MissingWelshSubject);
        }
    }

    let english_subject = subject.map(|s| parse_part(s, Part::Subject, &mut problems));
    let english_body = parse_part(&template.body, Part::Body, &mut problems);
    let welsh_subject = welsh_subject.map(|s| parse_part(s, Part::WelshSubject, &mut problems));
    let welsh_body = welsh_body.map(|s| parse_part(s, Part::WelshBody, &mut problems));

    let known: Vec<String> = known_fields.iter().map(|f| f.to_string()).collect();
    let parts = [
        (Part::Subject, english_subject.as_ref()),
        (Part::Body, Some(&english_body)),
        (Part::WelshSubject, welsh_subject.as_ref()),
        (Part::WelshBody, welsh_body.as_ref()),
    ];
    for (part, pieces) in parts {
        let Some(pieces) = pieces else { continue };
        let mut reported = BTreeSet::new();
        for field in fields_of(pieces) {
            if !known_fields.contains(&field.as_str()) && reported.insert(field.clone()) {
                problems.push(TemplateProblem::UnknownField {
                    part,
                    suggestion: nearest(&field, known_fields),
                    field,
                    known: known.clone(),
                });
            }
        }
    }

    // Neither language less favourably: the same fields in each.
    if let Some(welsh_body) = &welsh_body {
        let english_fields: BTreeSet<String> = english_subject
            .iter()
            .chain(std::iter::once(&english_body))
            .flat_map(|p| fields_of(p))
            .collect();
        let welsh_fields: BTreeSet<String> = welsh_subject
            .iter()
            .chain(std::iter::once(welsh_body))
            .flat_map(|p| fields_of(p))
            .collect();
        if english_fields != welsh_fields {
            problems.push(TemplateProblem::WelshFieldsDiffer {
                only_english: english_fields.difference(&welsh_fields).cloned().collect(),
                only_welsh: welsh_fields.difference(&english_fields).cloned().collect(),
            });
        }
    }

    if is_text {
        // The literal text alone is a floor: field values only add to it.
        let english_text = literal_text(&english_body);
        let english_length = sms_length(&english_text);
        if english_length.characters > SMS_MAX_CHARACTERS {
            problems.push(TemplateProblem::TextTooLong {
                part: Part::Body,
                characters: english_length.characters,
                fragments: english_length.fragments,
            });
        }
        if let Some(welsh_body) = &welsh_body {
            let welsh_text = literal_text(welsh_body);
            let welsh_length = sms_length(&welsh_text);
            if welsh_length.characters > SMS_MAX_CHARACTERS {
                problems.push(TemplateProblem::TextTooLong {
                    part: Part::WelshBody,
                    characters: welsh_length.characters,
                    fragments: welsh_length.fragments,
                });
            }
            // A Welsh council sends both to anyone whose language it does
            // not know, so the pair must fit one message.
            let both = sms_length(&join_bilingual_text(&welsh_text, &english_text));
            if nation == Nation::Wales
                && english_length.characters <= SMS_MAX_CHARACTERS
                && welsh_length.characters <= SMS_MAX_CHARACTERS
                && both.characters > SMS_MAX_CHARACTERS
            {
                problems.push(TemplateProblem::BilingualTextTooLong {
                    characters: both.characters,
                    fragments: both.fragments,
                });
            }
        }
    }

    if !problems.is_empty() {
        return Err(problems);
    }
    let mut fields: BTreeSet<String> = BTreeSet::new();
    for pieces in [&english_subject, &welsh_subject].into_iter().flatten() {
        fields.extend(fields_of(pieces));
    }
    fields.extend(fields_of(&english_body));
    if let Some(welsh_body) = &welsh_body {
        fields.extend(fields_of(welsh_body));
    }
    Ok(CheckedTemplate {
        channel: template.channel,
        english: ParsedText {
            subject: english_subject,
            body: english_body,
        },
        welsh: welsh_body.map(|body| ParsedText {
            subject: welsh_subject,
            body,
        }),
        fields,
    })
}

/// Every field a template uses, in either language, subject or message,
/// whether or not the template passes [`check`].
pub fn fields_used(template: &Template) -> BTreeSet<String> {
    let mut ignored = Vec::new();
    [
        template.subject.as_deref(),
        Some(template.body.as_str()),
        template.welsh_subject.as_deref(),
        template.welsh_body.as_deref(),
    ]
    .into_iter()
    .flatten()
    .flat_map(|text| fields_of(&parse_part(text, Part::Body, &mut ignored)))
    .collect()
}

/// Fills in a checked template in one language. A blank value counts as
/// missing: "Dear ," is worse than not sending.
pub fn render(
    template: &CheckedTemplate,
    language: Language,
    values: &BTreeMap<String, String>,
) -> Result<Rendered, RenderError> {
    let text = match language {
        Language::English => &template.english,
        Language::Welsh => template.welsh.as_ref().ok_or(RenderError::NoWelsh)?,
    };
    let (subject, body) = fill_text(text, values)?;
    let sms = if template.channel == Channel::Text {
        let length = sms_length(&body);
        if length.characters > SMS_MAX_CHARACTERS {
            return Err(RenderError::TextTooLong {
                characters: length.characters,
                fragments: length.fragments,
            });
        }
        Some(length)
    } else {
        None
    };
    Ok(Rendered {
        channel: template.channel,
        languages: vec![language],
        subject,
        body,
        sms,
    })
}

/// Fills in a checked template in Welsh then English, for a Welsh council
/// writing to someone whose language it does not know. The Welsh comes
/// first, as the Welsh Language Standards expect of bilingual material.
/// Letters and emails put a rule (`---` in Notify's formatting) between the
/// two; a text puts a blank line, and must fit Notify's limit as a whole.
pub fn render_bilingual(
    template: &CheckedTemplate,
    values: &BTreeMap<String, String>,
) -> Result<Rendered, RenderError> {
    let welsh = template.welsh.as_ref().ok_or(RenderError::NoWelsh)?;
    let (welsh_subject, welsh_body) = fill_text(welsh, values)?;
    let (english_subject, english_body) = fill_text(&template.english, values)?;
    let languages = vec![Language::Welsh, Language::English];
    if template.channel == Channel::Text {
        let body = join_bilingual_text(&welsh_body, &english_body);
        let length = sms_length(&body);
        if length.characters > SMS_MAX_CHARACTERS {
            return Err(RenderError::BilingualTextTooLong {
                characters: length.characters,
            });
        }
        return Ok(Rendered {
            channel: template.channel,
            languages,
            subject: None,
            body,
            sms: Some(length),
        });
    }
    let subject = match (welsh_subject, english_subject) {
        (Some(cy), Some(en)) => Some(format!("{cy} / {en}")),
        (cy, en) => cy.or(en),
    };
    Ok(Rendered {
        channel: template.channel,
        languages,
        subject,
        body: format!("{welsh_body}\n\n---\n\n{english_body}"),
        sms: None,
    })
}

/// A text message's length and fragments, counted as Notify counts them:
/// up to 160 characters is one fragment, longer messages go in fragments of
/// 153; GSM's extended characters (`^{}\[~]|€`) take two places; Welsh
/// letters with a circumflex are outside GSM and make the message Unicode,
/// with 70 characters in one fragment or 67 in each of several.
pub fn sms_length(text: &str) -> SmsLength {
    let unicode = text.chars().any(|c| WELSH_NON_GSM.contains(c));
    let characters: usize = if unicode {
        // UCS-2 counts 16-bit units: a character beyond the basic plane takes two.
        text.chars().map(char::len_utf16).sum()
    } else {
        text.chars()
            .map(|c| if GSM_EXTENDED.contains(c) { 2 } else { 1 })
            .sum()
    };
    let (single, each) = if unicode { (70, 67) } else { (160, 153) };
    let fragments = if characters <= single {
        1
    } else {
        characters.div_ceil(each)
    };
    SmsLength {
        characters,
        fragments,
        unicode,
    }
}

// ---------------------------------------------------------------------------

/// Welsh letters Notify cannot send in the GSM alphabet.
const WELSH_NON_GSM: &str = "ÂâÊêÎîÔôÛûŴŵŶŷ";
const GSM_EXTENDED: &str = "^{}\\[~]|€";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Field(String),
    /// `((field??text))`: `text` shown when the field's value is yes.
    Optional {
        field: String,
        text: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct ParsedText {
    subject: Option<Vec<Piece>>,
    body: Vec<Piece>,
}

fn non_blank(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn bracketed(fields: &[String]) -> Vec<String> {
    fields.iter().map(|f| format!("(({f}))")).collect()
}

fn known_fields_sentence(known: &[String]) -> String {
    if known.is_empty() {
        "there are no fields to use".to_string()
    } else {
        format!("the fields are: {}", known.join(", "))
    }
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!(". Did you mean (({s}))?"),
        None => String::new(),
    }
}

fn fields_differ_sentence(only_english: &[String], only_welsh: &[String]) -> String {
    let mut parts = Vec::new();
    if !only_english.is_empty() {
        parts.push(format!(
            "only the English uses {}",
            and_list(&bracketed(only_english))
        ));
    }
    if !only_welsh.is_empty() {
        parts.push(format!(
            "only the Welsh uses {}",
            and_list(&bracketed(only_welsh))
        ));
    }
    parts.join("; ")
}

fn join_bilingual_text(welsh: &str, english: &str) -> String {
    format!("{welsh}\n\n{english}")
}

/// Splits text into literal text and fields, reporting unclosed and empty
/// fields. A `((` that is not closed on its line is kept as literal text.
fn parse_part(text: &str, part: Part, problems: &mut Vec<TemplateProblem>) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    let mut consumed = 0usize;
    while let Some(open) = rest.find("((") {
        // "(((name)))": the first bracket is literal, as in Notify.
        let mut open = open;
        while rest[open + 2..].starts_with('(') {
            open += 1;
        }
        literal.push_str(&rest[..open]);
        let inner_start = open + 2;
        let line = text[..consumed + open].matches('\n').count() + 1;
        match close_of(&rest[inner_start..]) {
            Some(inner_len) => {
                let inner = &rest[inner_start..inner_start + inner_len];
                let (name, optional_text) = match inner.split_once("??") {
                    Some((name, shown)) => (name.trim(), Some(shown)),
                    None => (inner.trim(), None),
                };
                if name.is_empty() {
                    problems.push(TemplateProblem::EmptyField { part, line });
                    literal.push_str(&rest[open..inner_start + inner_len + 2]);
                } else {
                    if !literal.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut literal)));
                    }
                    pieces.push(match optional_text {
                        Some(shown) => Piece::Optional {
                            field: name.to_string(),
                            text: shown.to_string(),
                        },
                        None => Piece::Field(name.to_string()),
                    });
                }
                let advance = inner_start + inner_len + 2;
                consumed += advance;
                rest = &rest[advance..];
            }
            None => {
                let near: String = rest[open..]
                    .chars()
                    .take_while(|c| *c != '\n')
                    .take(30)
                    .collect();
                problems.push(TemplateProblem::Unclosed { part, line, near });
                literal.push_str("((");
                consumed += inner_start;
                rest = &rest[inner_start..];
            }
        }
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        pieces.push(Piece::Text(literal));
    }
    pieces
}

/// The length of a field's name up to its `))`, if it closes before a
/// bracket or the end of the line.
fn close_of(after_open: &str) -> Option<usize> {
    for (i, c) in after_open.char_indices() {
        match c {
            ')' if after_open[i..].starts_with("))") => return Some(i),
            '(' | ')' | '\n' => return None,
            _ => {}
        }
    }
    None
}

fn fields_of(pieces: &[Piece]) -> Vec<String> {
    pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Text(_) => None,
            Piece::Field(f) | Piece::Optional { field: f, .. } => Some(f.clone()),
        })
        .collect()
}

/// The template's words without its fields: a lower bound on its length.
fn literal_text(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

/// The known field nearest a misspelt one, if it is close enough to be a
/// slip: two edits at most, or the same letters in a different case.
fn nearest(field: &str, known: &[&str]) -> Option<String> {
    let lower = field.to_lowercase();
    known
        .iter()
        .map(|k| (edit_distance(&lower, &k.to_lowercase()), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.to_string())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

fn fill_text(
    text: &ParsedText,
    values: &BTreeMap<String, String>,
) -> Result<(Option<String>, String), RenderError> {
    let mut missing = BTreeSet::new();
    let subject = text
        .subject
        .as_ref()
        .map(|pieces| fill(pieces, values, &mut missing))
        .transpose()?;
    let body = fill(&text.body, values, &mut missing)?;
    if !missing.is_empty() {
        return Err(RenderError::MissingValues {
            fields: missing.into_iter().collect(),
        });
    }
    Ok((subject, body))
}

fn fill(
    pieces: &[Piece],
    values: &BTreeMap<String, String>,
    missing: &mut BTreeSet<String>,
) -> Result<String, RenderError> {
    let mut out = String::new();
    for piece in pieces {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Field(field) => match values.get(field).filter(|v| !v.trim().is_empty()) {
                Some(value) => out.push_str(value),
                None => {
                    missing.insert(field.clone());
                }
            },
            Piece::Optional { field, text } => {
                match values.get(field).filter(|v| !v.trim().is_empty()) {
                    None => {
                        missing.insert(field.clone());
                    }
                    Some(value) => match value.trim().to_lowercase().as_str() {
                        "yes" | "true" | "1" => out.push_str(text),
                        "no" | "false" | "0" => {}
                        _ => {
                            return Err(RenderError::NotYesOrNo {
                                field: field.clone(),
                                value: value.clone(),
                            })
                        }
                    },
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[&str] = &["first_name", "council_name", "phone_number", "has_children"];

    fn text(body: &str) -> Template {
        Template {
            channel: Channel::Text,
            subject: None,
            body: body.to_string(),
            welsh_subject: None,
            welsh_body: None,
        }
    }

    fn letter(subject: &str, body: &str) -> Template {
        Template {
            channel: Channel::Letter,
            subject: Some(subject.to_string()),
            body: body.to_string(),
            welsh_subject: None,
            welsh_body: None,
        }
    }

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_good_english_text_passes_and_lists_its_fields() {
        let checked = check(
            &text("Hello ((first_name)), ((council_name)) can help. Call ((phone_number))."),
            FIELDS,
            Nation::England,
        )
        .unwrap();
        let fields: Vec<&str> = checked.fields().iter().map(String::as_str).collect();
        assert_eq!(fields, ["council_name", "first_name", "phone_number"]);
    }

    #[test]
    fn a_misspelt_field_is_named_with_the_fields_upstream_knows_and_a_suggestion() {
        let problems = check(&text("Hello ((frist_name))"), FIELDS, Nation::England).unwrap_err();
        assert_eq!(problems.len(), 1);
        let message = problems[0].to_string();
        assert!(
            message.starts_with("((frist_name)) in the English message is not a field Upstream knows; the fields are: first_name, council_name"),
            "{message}"
        );
        assert!(
            message.ends_with("Did you mean ((first_name))?"),
            "{message}"
        );
    }

    #[test]
    fn every_problem_is_listed_at_once() {
        let template = Template {
            channel: Channel::Email,
            subject: None,
            body: "Hello ((nmae)), call ((phone_number".to_string(),
            welsh_subject: None,
            welsh_body: None,
        };
        let problems = check(&template, FIELDS, Nation::Wales).unwrap_err();
        assert!(problems.contains(&TemplateProblem::MissingSubject {
            channel: Channel::Email
        }));
        assert!(problems.contains(&TemplateProblem::MissingWelsh));
        assert!(problems
            .iter()
            .any(|p| matches!(p, TemplateProblem::Unclosed { line: 1, .. })));
        assert!(problems
            .iter()
            .any(|p| matches!(p, TemplateProblem::UnknownField { field, .. } if field == "nmae")));
        assert_eq!(problems.len(), 4, "{problems:?}");
    }

    #[test]
    fn an_unclosed_field_is_reported_on_its_own_line_not_closed_by_a_later_one() {
        let problems = check(
            &text("Hello ((first_name,\nplease call ((phone_number))"),
            FIELDS,
            Nation::England,
        )
        .unwrap_err();
        assert_eq!(
            problems,
            [TemplateProblem::Unclosed {
                part: Part::Body,
                line: 1,
                near: "((first_name,".to_string()
            }]
        );
        assert!(problems[0]
            .to_string()
            .contains("Line 1 of the English message"));
    }

    #[test]
    fn an_empty_message_and_an_empty_field_are_refused() {
        let problems = check(&text("   "), FIELDS, Nation::England).unwrap_err();
        assert_eq!(problems, [TemplateProblem::EmptyBody { part: Part::Body }]);
        let problems = check(&text("Hi (( ))"), FIELDS, Nation::England).unwrap_err();
        assert_eq!(
            problems,
            [TemplateProblem::EmptyField {
                part: Part::Body,
                line: 1
            }]
        );
    }

    #[test]
    fn triple_brackets_keep_the_outer_one_as_text_as_notify_does() {
        let checked = check(&text("Ref (((first_name)))"), FIELDS, Nation::England).unwrap();
        let rendered = render(
            &checked,
            Language::English,
            &values(&[("first_name", "Sam")]),
        )
        .unwrap();
        assert_eq!(rendered.body, "Ref (Sam)");
    }

    #[test]
    fn a_text_over_918_characters_is_refused_with_its_fragments() {
        let problems = check(&text(&"a".repeat(1000)), FIELDS, Nation::England).unwrap_err();
        assert_eq!(
            problems,
            [TemplateProblem::TextTooLong {
                part: Part::Body,
                characters: 1000,
                fragments: 7
            }]
        );
        let message = problems[0].to_string();
        assert!(message.contains("7 text message fragments"), "{message}");
        assert!(message.contains("shorten it by at least 82"), "{message}");
    }

    #[test]
    fn fragments_follow_notify_160_then_153_and_70_then_67_for_welsh_accents() {
        assert_eq!(sms_length(&"a".repeat(160)).fragments, 1);
        assert_eq!(sms_length(&"a".repeat(161)).fragments, 2);
        assert_eq!(sms_length(&"a".repeat(306)).fragments, 2);
        assert_eq!(sms_length(&"a".repeat(307)).fragments, 3);
        assert_eq!(sms_length(&"a".repeat(918)).fragments, 6);
        let welsh = format!("ŵ{}", "a".repeat(69));
        assert_eq!(
            sms_length(&welsh),
            SmsLength {
                characters: 70,
                fragments: 1,
                unicode: true
            }
        );
        assert_eq!(sms_length(&format!("{welsh}a")).fragments, 2);
        // é is in GSM, so French-looking words do not force Unicode.
        assert!(!sms_length("café").unicode);
        assert_eq!(sms_length("[x]").characters, 5);
    }

    #[test]
    fn a_text_has_no_subject_and_an_email_or_letter_needs_one() {
        let mut with_subject = text("Hello");
        with_subject.subject = Some("Hi".to_string());
        assert_eq!(
            check(&with_subject, FIELDS, Nation::England).unwrap_err(),
            [TemplateProblem::SubjectOnText {
                part: Part::Subject
            }]
        );
        let problems =
            check(&letter(" ", "Dear ((first_name))"), FIELDS, Nation::England).unwrap_err();
        assert_eq!(
            problems,
            [TemplateProblem::MissingSubject {
                channel: Channel::Letter
            }]
        );
        assert_eq!(
            problems[0].to_string(),
            "A letter needs a subject: Notify will not send a letter without one"
        );
    }

    #[test]
    fn a_door_knock_needs_no_template() {
        let mut knock = text("Knock knock");
        knock.channel = Channel::DoorKnock;
        assert_eq!(
            check(&knock, FIELDS, Nation::England).unwrap_err(),
            [TemplateProblem::NotAWrittenChannel {
                channel: Channel::DoorKnock
            }]
        );
    }

    #[test]
    fn a_welsh_councils_template_without_welsh_is_refused() {
        let problems = check(
            &letter("Help with bills", "Dear ((first_name))"),
            FIELDS,
            Nation::Wales,
        )
        .unwrap_err();
        assert_eq!(
            problems,
            [
                TemplateProblem::MissingWelsh,
                TemplateProblem::MissingWelshSubject
            ]
        );
        assert!(problems[0].to_string().contains("Welsh Language Standards"));
        // The same template is fine for an English council.
        assert!(check(
            &letter("Help with bills", "Dear ((first_name))"),
            FIELDS,
            Nation::England
        )
        .is_ok());
    }

    #[test]
    fn welsh_that_uses_different_fields_is_refused_as_less_favourable() {
        let mut template = letter(
            "Help with bills",
            "Dear ((first_name)), call ((phone_number))",
        );
        template.welsh_subject = Some("Help gyda biliau".to_string());
        template.welsh_body = Some("Annwyl ((first_name))".to_string());
        let problems = check(&template, FIELDS, Nation::Wales).unwrap_err();
        assert_eq!(
            problems,
            [TemplateProblem::WelshFieldsDiffer {
                only_english: vec!["phone_number".to_string()],
                only_welsh: vec![]
            }]
        );
        assert!(problems[0]
            .to_string()
            .contains("only the English uses ((phone_number))"));
    }

    #[test]
    fn a_welsh_text_pair_too_long_together_is_refused_at_save_time() {
        let mut template = text(&"a".repeat(500));
        template.welsh_body = Some("b".repeat(500));
        let problems = check(&template, FIELDS, Nation::Wales).unwrap_err();
        assert!(matches!(
            problems.as_slice(),
            [TemplateProblem::BilingualTextTooLong {
                characters: 1002,
                ..
            }]
        ));
        // An English council never sends the pair, so it may keep both.
        assert!(check(&template, FIELDS, Nation::England).is_ok());
    }

    #[test]
    fn rendering_names_every_missing_value() {
        let checked = check(
            &text("Hello ((first_name)), call ((phone_number))"),
            FIELDS,
            Nation::England,
        )
        .unwrap();
        let err = render(&checked, Language::English, &values(&[("first_name", " ")])).unwrap_err();
        assert_eq!(
            err,
            RenderError::MissingValues {
                fields: vec!["first_name".to_string(), "phone_number".to_string()]
            }
        );
        assert_eq!(
            err.to_string(),
            "No value for ((first_name)) and ((phone_number)); every field the template uses needs one"
        );
    }

    #[test]
    fn optional_content_shows_for_yes_hides_for_no_and_refuses_anything_else() {
        let checked = check(
            &text("Hello.((has_children?? Ask about free school meals.))"),
            FIELDS,
            Nation::England,
        )
        .unwrap();
        let yes = render(
            &checked,
            Language::English,
            &values(&[("has_children", "Yes")]),
        )
        .unwrap();
        assert_eq!(yes.body, "Hello. Ask about free school meals.");
        let no = render(
            &checked,
            Language::English,
            &values(&[("has_children", "no")]),
        )
        .unwrap();
        assert_eq!(no.body, "Hello.");
        assert!(matches!(
            render(
                &checked,
                Language::English,
                &values(&[("has_children", "maybe")])
            ),
            Err(RenderError::NotYesOrNo { .. })
        ));
    }

    #[test]
    fn a_rendered_text_reports_its_length_and_refuses_values_that_make_it_too_long() {
        let checked = check(&text("Hello ((first_name))"), FIELDS, Nation::England).unwrap();
        let rendered = render(
            &checked,
            Language::English,
            &values(&[("first_name", "Sam")]),
        )
        .unwrap();
        assert_eq!(
            rendered.sms,
            Some(SmsLength {
                characters: 9,
                fragments: 1,
                unicode: false
            })
        );
        let long_name = "x".repeat(1000);
        assert!(matches!(
            render(
                &checked,
                Language::English,
                &values(&[("first_name", &long_name)])
            ),
            Err(RenderError::TextTooLong { .. })
        ));
    }

    #[test]
    fn bilingual_letters_put_the_welsh_first() {
        let mut template = letter("Help with bills", "Dear ((first_name))");
        template.welsh_subject = Some("Help gyda biliau".to_string());
        template.welsh_body = Some("Annwyl ((first_name))".to_string());
        let checked = check(&template, FIELDS, Nation::Wales).unwrap();
        let rendered = render_bilingual(&checked, &values(&[("first_name", "Siân")])).unwrap();
        assert_eq!(rendered.languages, [Language::Welsh, Language::English]);
        assert_eq!(
            rendered.subject.as_deref(),
            Some("Help gyda biliau / Help with bills")
        );
        assert_eq!(rendered.body, "Annwyl Siân\n\n---\n\nDear Siân");
        let welsh_only = render(
            &checked,
            Language::Welsh,
            &values(&[("first_name", "Siân")]),
        )
        .unwrap();
        assert_eq!(welsh_only.body, "Annwyl Siân");
    }

    #[test]
    fn a_bilingual_text_goes_welsh_then_english_or_says_it_is_too_long() {
        let mut template = text("Hi ((first_name)), we can help.");
        template.welsh_body = Some("Shwmae ((first_name)), gallwn ni helpu.".to_string());
        let checked = check(&template, FIELDS, Nation::Wales).unwrap();
        let rendered = render_bilingual(&checked, &values(&[("first_name", "Dai")])).unwrap();
        assert_eq!(
            rendered.body,
            "Shwmae Dai, gallwn ni helpu.\n\nHi Dai, we can help."
        );
        let long_name = "x".repeat(450);
        assert_eq!(
            render_bilingual(&checked, &values(&[("first_name", &long_name)])),
            Err(RenderError::BilingualTextTooLong { characters: 944 })
        );
    }

    #[test]
    fn english_only_templates_cannot_be_rendered_in_welsh() {
        let checked = check(&text("Hello"), FIELDS, Nation::England).unwrap();
        assert_eq!(
            render(&checked, Language::Welsh, &values(&[])),
            Err(RenderError::NoWelsh)
        );
        assert_eq!(
            render_bilingual(&checked, &values(&[])),
            Err(RenderError::NoWelsh)
        );
    }

    #[test]
    fn fields_used_covers_subjects_both_languages_and_optional_content() {
        let template = Template {
            channel: Channel::Email,
            subject: Some("For ((first_name))".to_string()),
            body: "((has_children??Meals)) and ((unclosed".to_string(),
            welsh_subject: None,
            welsh_body: Some("((council_name))".to_string()),
        };
        let used: Vec<String> = fields_used(&template).into_iter().collect();
        assert_eq!(used, ["council_name", "first_name", "has_children"]);
    }
}
