//! How hard a message is to read, before it goes to thousands of homes.
//!
//! GOV.UK's content design guidance ("Writing for GOV.UK") says the average
//! reading age in the UK is about 9, and asks for short sentences (25 words
//! or fewer) and plain words; the Plain English Campaign's A to Z of
//! alternative words gives the swaps below. People under stress take in
//! less than usual, and these messages go to people under stress, so the
//! default target is a reading age of 9, with 11 as the most a message may
//! need.
//!
//! English text gets the Flesch–Kincaid grade (Kincaid et al., 1975):
//! `0.39 × words per sentence + 11.8 × syllables per word − 15.59`, the US
//! school grade a reader needs; a UK reading age is that grade plus 5
//! (grade 1 is age 6). Syllables are counted by a heuristic (groups of
//! vowels, less silent endings): close on everyday words, not exact.
//!
//! The formula was built and fitted for English. Welsh syllables and
//! mutations differ, so a Flesch–Kincaid number for Welsh would be made up.
//! For Welsh text the check says so and reports sentence length only.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Language;

/// GOV.UK's "25 words or fewer" for a sentence.
pub const LONG_SENTENCE_WORDS: usize = 25;

/// The reading age a message should aim for, and the most it may need.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReadingAgeTarget {
    pub aim: f64,
    pub limit: f64,
}

impl Default for ReadingAgeTarget {
    /// Aim for 9 (GOV.UK's average UK reading age), never beyond 11.
    fn default() -> Self {
        ReadingAgeTarget {
            aim: 9.0,
            limit: 11.0,
        }
    }
}

/// How a reading age compares with the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetVerdict {
    WithinAim,
    AboveAim,
    TooHard,
}

impl TargetVerdict {
    pub fn label(self) -> &'static str {
        match self {
            TargetVerdict::WithinAim => "Easy to read",
            TargetVerdict::AboveAim => "Harder than the aim, within the limit",
            TargetVerdict::TooHard => "Too hard to read",
        }
    }
}

/// Something to change to make a message plainer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Warning {
    LongSentence {
        /// 1-based, in reading order.
        sentence: usize,
        words: usize,
        /// Its first few words, so the writer can find it.
        opening: String,
    },
    PlainerWord {
        found: String,
        instead: String,
        times: usize,
    },
    /// "was sent", "are needed": often clearer as "we sent", "you need".
    MaybePassive { phrase: String },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::LongSentence {
                sentence,
                words,
                opening,
            } => write!(
                f,
                "Sentence {sentence} (\"{opening}…\") has {words} words; keep sentences to {LONG_SENTENCE_WORDS} words or fewer"
            ),
            Warning::PlainerWord {
                found,
                instead,
                times,
            } => {
                let times = if *times == 1 {
                    String::new()
                } else {
                    format!(" ({times} times)")
                };
                write!(f, "Say \"{instead}\" rather than \"{found}\"{times}")
            }
            Warning::MaybePassive { phrase } => write!(
                f,
                "\"{phrase}\" may be passive; say who does it (\"we sent\", \"you need\")"
            ),
        }
    }
}

/// The reading check of an English text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnglishReadability {
    pub sentences: usize,
    pub words: usize,
    pub syllables: usize,
    /// Flesch–Kincaid grade; `None` for a text with no words.
    pub grade: Option<f64>,
    /// Grade + 5; `None` for a text with no words.
    pub reading_age: Option<f64>,
    pub verdict: Option<TargetVerdict>,
    pub warnings: Vec<Warning>,
}

/// The reading check of a Welsh text: sentence length only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WelshReadability {
    pub sentences: usize,
    pub words: usize,
    pub longest_sentence_words: usize,
    pub warnings: Vec<Warning>,
    /// Why there is no reading age, to show beside the result.
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "language")]
pub enum ReadabilityReport {
    English(EnglishReadability),
    Welsh(WelshReadability),
}

/// Said beside every Welsh result, so nobody reads a missing number as a
/// good one.
pub const WELSH_NOTE: &str = "The reading age formula (Flesch–Kincaid) was made for English and does not work for Welsh, so no reading age is given. Only sentence length is checked; ask a Welsh speaker to read it.";

/// Checks text in its own language.
pub fn check_text(text: &str, language: Language, target: ReadingAgeTarget) -> ReadabilityReport {
    match language {
        Language::English => ReadabilityReport::English(check_english(text, target)),
        Language::Welsh => ReadabilityReport::Welsh(check_welsh(text)),
    }
}

/// Reading age and plain-English warnings for English text. Notify fields
/// such as `((first_name))` count as one short word.
pub fn check_english(text: &str, target: ReadingAgeTarget) -> EnglishReadability {
    let sentences = sentences_of(text);
    let n_words: usize = sentences.iter().map(Vec::len).sum();
    let syllables: usize = sentences
        .iter()
        .flatten()
        .map(|w| count_syllables(w).max(1))
        .sum();
    let grade = (n_words > 0).then(|| {
        let words_per_sentence = n_words as f64 / sentences.len() as f64;
        let syllables_per_word = syllables as f64 / n_words as f64;
        0.39 * words_per_sentence + 11.8 * syllables_per_word - 15.59
    });
    let reading_age = grade.map(|g| g + 5.0);
    let verdict = reading_age.map(|age| {
        if age <= target.aim {
            TargetVerdict::WithinAim
        } else if age <= target.limit {
            TargetVerdict::AboveAim
        } else {
            TargetVerdict::TooHard
        }
    });
    let mut warnings = long_sentence_warnings(&sentences);
    warnings.extend(plainer_word_warnings(&sentences));
    warnings.extend(passive_warnings(&sentences));
    EnglishReadability {
        sentences: sentences.len(),
        words: n_words,
        syllables,
        grade,
        reading_age,
        verdict,
        warnings,
    }
}

/// Syllables in one English word, by rule of thumb: groups of vowels (with
/// `y` as a vowel after the first letter), less a silent final `e`, `es` or
/// `ed`. A word without letters (a number) counts as one; an empty one as 0.
pub fn count_syllables(word: &str) -> usize {
    let letters: String = word
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if letters.is_empty() {
        return usize::from(word.chars().any(|c| c.is_alphanumeric()));
    }
    if letters.len() <= 3 {
        return 1;
    }
    let bytes = letters.as_bytes();
    let n = bytes.len();
    let consonant_at = |i: usize| !is_vowel(bytes, i);
    // Silent endings: "makes", "helped", "home"; but "changes", "needed",
    // "table" keep theirs.
    let mut end = n;
    if letters.ends_with("les") && consonant_at(n - 4) {
        end = n - 1; // "tables" counts as "table"
    } else if letters.ends_with("es") {
        let sounded = ["ses", "xes", "zes", "ces", "ges", "ches", "shes"]
            .iter()
            .any(|s| letters.ends_with(s));
        if !sounded {
            end = n - 2;
        }
    } else if letters.ends_with("ed") {
        if !(letters.ends_with("ted") || letters.ends_with("ded")) {
            end = n - 2;
        }
    } else if letters.ends_with('e')
        && !letters.ends_with("ee")
        && !(letters.ends_with("le") && consonant_at(n - 3))
    {
        end = n - 1;
    }
    let mut groups = 0;
    let mut in_group = false;
    for i in 0..end {
        let vowel = is_vowel(bytes, i);
        if vowel && !in_group {
            groups += 1;
        }
        in_group = vowel;
    }
    // "lovely", "completely": the e before -ly is silent.
    if letters.ends_with("ely") && n >= 4 && consonant_at(n - 4) {
        groups -= 1;
    }
    groups.max(1)
}

// ---------------------------------------------------------------------------

fn is_vowel(bytes: &[u8], i: usize) -> bool {
    match bytes[i] {
        b'a' | b'e' | b'i' | b'o' | b'u' => true,
        b'y' => i > 0,
        _ => false,
    }
}

/// Plain English swaps (Plain English Campaign, GOV.UK words to avoid),
/// matched as whole words.
const PLAINER: &[(&str, &str)] = &[
    ("utilise", "use"),
    ("utilize", "use"),
    ("utilised", "used"),
    ("utilising", "using"),
    ("commence", "start"),
    ("commences", "starts"),
    ("commenced", "started"),
    ("in order to", "to"),
    ("facilitate", "help"),
    ("endeavour", "try"),
    ("prior to", "before"),
    ("in receipt of", "getting"),
    ("assistance", "help"),
    ("purchase", "buy"),
    ("terminate", "end"),
    ("regarding", "about"),
    ("with regard to", "about"),
    ("in relation to", "about"),
    ("approximately", "about"),
    ("ascertain", "find out"),
    ("require", "need"),
    ("requires", "needs"),
    ("sufficient", "enough"),
    ("notwithstanding", "despite"),
    ("forthwith", "now"),
    ("in the event that", "if"),
    ("due to the fact that", "because"),
    ("at this moment in time", "now"),
    ("obtain", "get"),
    ("remuneration", "pay"),
    ("whilst", "while"),
    ("in accordance with", "under"),
    ("furthermore", "also"),
    ("subsequently", "later"),
    ("dwelling", "home"),
    ("reside", "live"),
    ("expedite", "speed up"),
    ("inform", "tell"),
    ("enquire", "ask"),
];

const BE_VERBS: &[&str] = &["am", "is", "are", "was", "were", "be", "been", "being"];
const IRREGULAR_PARTICIPLES: &[&str] = &[
    "given", "taken", "sent", "made", "paid", "told", "seen", "written", "done", "known", "held",
    "kept", "shown", "sold", "left",
];

/// Abbreviations whose full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &["mr", "mrs", "ms", "dr", "st", "e.g", "i.e", "etc", "no"];

/// Sentences as lists of words. Each line is a paragraph, heading or list
/// item in Notify's formatting, so a line break also ends a sentence.
fn sentences_of(text: &str) -> Vec<Vec<String>> {
    let text = without_fields(text);
    let mut sentences = Vec::new();
    for line in text.lines() {
        let line = without_list_marker(line.trim());
        let mut current: Vec<String> = Vec::new();
        for token in line.split_whitespace() {
            let word = token
                .trim_matches(|c: char| !c.is_alphanumeric())
                .to_string();
            let ends_sentence = token
                .trim_end_matches(['"', '\'', ')', '’', '”'])
                .ends_with(['.', '!', '?'])
                && !ABBREVIATIONS.contains(&word.to_lowercase().as_str());
            if !word.is_empty() {
                current.push(word);
            }
            if ends_sentence && !current.is_empty() {
                sentences.push(std::mem::take(&mut current));
            }
        }
        if !current.is_empty() {
            sentences.push(current);
        }
    }
    sentences
}

/// `((first_name))` read as one short word.
fn without_fields(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("((") {
        out.push_str(&rest[..open]);
        match rest[open..].find("))") {
            Some(close) if !rest[open..open + close].contains('\n') => {
                out.push_str("Sam");
                rest = &rest[open + close + 2..];
            }
            _ => {
                out.push_str("((");
                rest = &rest[open + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// "* item", "- item", "1. item", "# Heading", "^ inset" → the text alone.
fn without_list_marker(line: &str) -> &str {
    for marker in ["* ", "- ", "• ", "# ", "## ", "^ "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return rest;
        }
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 {
        if let Some(rest) = line[digits..].strip_prefix(". ") {
            return rest;
        }
    }
    line
}

fn long_sentence_warnings(sentences: &[Vec<String>]) -> Vec<Warning> {
    sentences
        .iter()
        .enumerate()
        .filter(|(_, s)| s.len() > LONG_SENTENCE_WORDS)
        .map(|(i, s)| Warning::LongSentence {
            sentence: i + 1,
            words: s.len(),
            opening: s[..6.min(s.len())].join(" "),
        })
        .collect()
}

fn plainer_word_warnings(sentences: &[Vec<String>]) -> Vec<Warning> {
    let mut warnings: Vec<Warning> = Vec::new();
    for (phrase, instead) in PLAINER {
        let wanted: Vec<&str> = phrase.split(' ').collect();
        let times: usize = sentences
            .iter()
            .map(|s| {
                let lower: Vec<String> = s.iter().map(|w| w.to_lowercase()).collect();
                lower
                    .windows(wanted.len())
                    .filter(|window| window.iter().zip(&wanted).all(|(a, b)| a == b))
                    .count()
            })
            .sum();
        if times > 0 {
            warnings.push(Warning::PlainerWord {
                found: phrase.to_string(),
                instead: instead.to_string(),
                times,
            });
        }
    }
    warnings
}

fn passive_warnings(sentences: &[Vec<String>]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for sentence in sentences {
        for pair in sentence.windows(2) {
            let be = pair[0].to_lowercase();
            let next = pair[1].to_lowercase();
            let participle = (next.ends_with("ed") && next.len() > 3)
                || IRREGULAR_PARTICIPLES.contains(&next.as_str());
            if BE_VERBS.contains(&be.as_str()) && participle {
                warnings.push(Warning::MaybePassive {
                    phrase: format!("{} {}", pair[0], pair[1]),
                });
            }
        }
    }
    warnings
}

fn check_welsh(text: &str) -> WelshReadability {
    let sentences = sentences_of(text);
    WelshReadability {
        sentences: sentences.len(),
        words: sentences.iter().map(Vec::len).sum(),
        longest_sentence_words: sentences.iter().map(Vec::len).max().unwrap_or(0),
        warnings: long_sentence_warnings(&sentences),
        note: WELSH_NOTE.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables_of_everyday_words_are_counted_right() {
        let known = [
            ("the", 1),
            ("cat", 1),
            ("help", 1),
            ("house", 1),
            ("home", 1),
            ("whole", 1),
            ("free", 1),
            ("makes", 1),
            ("helped", 1),
            ("you're", 1),
            ("don't", 1),
            ("table", 2),
            ("tables", 2),
            ("water", 2),
            ("people", 2),
            ("money", 2),
            ("council", 2),
            ("council's", 2),
            ("support", 2),
            ("because", 2),
            ("lovely", 2),
            ("simple", 2),
            ("housing", 2),
            ("needed", 2),
            ("changes", 2),
            ("agreed", 2),
            ("commence", 2),
            ("services", 3),
            ("family", 3),
            ("beautiful", 3),
            ("utilise", 3),
            ("benefits", 3),
            ("assistance", 3),
            ("completely", 3),
            ("information", 4),
            ("eligible", 4),
            ("unfortunately", 5),
        ];
        let wrong: Vec<String> = known
            .iter()
            .filter(|(word, n)| count_syllables(word) != *n)
            .map(|(word, n)| format!("{word}: expected {n}, got {}", count_syllables(word)))
            .collect();
        assert!(wrong.is_empty(), "{wrong:?}");
    }

    #[test]
    fn numbers_count_as_one_syllable_and_nothing_as_none() {
        assert_eq!(count_syllables("£25"), 1);
        assert_eq!(count_syllables(""), 0);
        assert_eq!(count_syllables("--"), 0);
    }

    #[test]
    fn a_short_plain_message_is_within_the_aim() {
        let report = check_english(
            "We can help with your bills. Call us on 0300 123 4567. It is free.",
            ReadingAgeTarget::default(),
        );
        assert_eq!(report.sentences, 3);
        assert_eq!(report.verdict, Some(TargetVerdict::WithinAim));
        assert!(report.reading_age.unwrap() < 9.0, "{report:?}");
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    }

    #[test]
    fn the_grade_follows_the_flesch_kincaid_formula() {
        // 2 sentences, 8 words, 10 syllables: 0.39 × 4 + 11.8 × 1.25 − 15.59.
        let report = check_english(
            "The cat sat down. Families need money.",
            ReadingAgeTarget::default(),
        );
        assert_eq!(
            (report.sentences, report.words, report.syllables),
            (2, 7, 10)
        );
        let expected = 0.39 * 3.5 + 11.8 * (10.0 / 7.0) - 15.59;
        assert!((report.grade.unwrap() - expected).abs() < 1e-9);
        assert!((report.reading_age.unwrap() - (expected + 5.0)).abs() < 1e-9);
    }

    #[test]
    fn an_official_letter_is_too_hard_and_says_which_words_to_change() {
        let text = "In order to facilitate the commencement of your application, the council will utilise information regarding your household which was obtained from organisations providing assistance, and you are required to notify the authority of any subsequent alterations in your circumstances prior to the determination.";
        let report = check_english(text, ReadingAgeTarget::default());
        assert_eq!(report.verdict, Some(TargetVerdict::TooHard));
        assert!(report.reading_age.unwrap() > 11.0);
        let messages: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
        assert!(
            messages.iter().any(|m| m.starts_with(
                "Sentence 1 (\"In order to facilitate the commencement…\") has 43 words"
            )),
            "{messages:?}"
        );
        for expected in [
            "Say \"to\" rather than \"in order to\"",
            "Say \"help\" rather than \"facilitate\"",
            "Say \"use\" rather than \"utilise\"",
            "Say \"about\" rather than \"regarding\"",
            "Say \"before\" rather than \"prior to\"",
            "Say \"help\" rather than \"assistance\"",
        ] {
            assert!(
                messages.iter().any(|m| m == expected),
                "{expected} not in {messages:?}"
            );
        }
        assert!(
            messages
                .iter()
                .any(|m| m.starts_with("\"are required\" may be passive")),
            "{messages:?}"
        );
    }

    #[test]
    fn fields_lines_and_list_markers_are_read_sensibly() {
        let text = "Dear ((first_name))\n\nWe can help:\n* with rent\n* with bills\n1. Call us";
        let report = check_english(text, ReadingAgeTarget::default());
        assert_eq!(report.sentences, 5);
        assert_eq!(report.words, 11);
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        let report = check_english(
            "Mr. Jones and Dr. Patel can help, e.g. with forms.",
            ReadingAgeTarget::default(),
        );
        assert_eq!(report.sentences, 1);
    }

    #[test]
    fn an_empty_text_has_no_reading_age_rather_than_a_made_up_one() {
        let report = check_english("  \n ", ReadingAgeTarget::default());
        assert_eq!(report.words, 0);
        assert_eq!(report.reading_age, None);
        assert_eq!(report.verdict, None);
    }

    #[test]
    fn the_target_is_a_parameter() {
        let text =
            "Your council tax reduction application has been received and is being processed.";
        let strict = check_english(
            text,
            ReadingAgeTarget {
                aim: 7.0,
                limit: 8.0,
            },
        );
        let lenient = check_english(
            text,
            ReadingAgeTarget {
                aim: 20.0,
                limit: 25.0,
            },
        );
        assert_eq!(strict.verdict, Some(TargetVerdict::TooHard));
        assert_eq!(lenient.verdict, Some(TargetVerdict::WithinAim));
    }

    #[test]
    fn welsh_text_gets_no_reading_age_only_sentence_length_and_says_why() {
        let long_welsh = "Rydyn ni'n ysgrifennu atoch chi oherwydd ein bod ni eisiau gwneud yn siŵr eich bod chi'n cael yr holl help y mae gennych chi hawl iddo gan y cyngor a chan sefydliadau eraill yn eich ardal chi.";
        let ReadabilityReport::Welsh(report) =
            check_text(long_welsh, Language::Welsh, ReadingAgeTarget::default())
        else {
            panic!("Welsh text was checked as English");
        };
        assert_eq!(report.sentences, 1);
        assert_eq!(report.longest_sentence_words, 37);
        assert!(matches!(
            report.warnings.as_slice(),
            [Warning::LongSentence { words: 37, .. }]
        ));
        assert!(report.note.contains("does not work for Welsh"));
    }
}
