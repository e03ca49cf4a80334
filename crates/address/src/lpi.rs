//! One row of the gazetteer export: a Land and Property Identifier (LPI) to
//! BS 7666, typed. `docs/gazetteer.md` describes the columns.

use serde::{Deserialize, Serialize};

/// An addressable object: a secondary one (SAO: a flat or unit) or a
/// primary one (PAO: a house number or range and/or a building name).
///
/// BS 7666 gives numbers as 0 to 9999 with an optional one-letter suffix,
/// so "12A" is 12 with suffix A and "12-14" is a start of 12 and an end of
/// 14. Text is whatever the number cannot say: "ROSE COTTAGE", "OAK COURT",
/// "FLAT 3", "GROUND FLOOR FLAT".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Aon {
    pub start_number: Option<u16>,
    pub start_suffix: Option<char>,
    pub end_number: Option<u16>,
    pub end_suffix: Option<char>,
    pub text: Option<String>,
}

impl Aon {
    /// A plain number ("12").
    pub fn number(n: u16) -> Aon {
        Aon {
            start_number: Some(n),
            ..Aon::default()
        }
    }

    /// Text alone ("ROSE COTTAGE", "FLAT 3").
    pub fn text(t: &str) -> Aon {
        Aon {
            text: Some(t.to_string()),
            ..Aon::default()
        }
    }

    /// The number or range with suffixes ("12A", "12-14"); empty without one.
    pub fn numbers(&self) -> String {
        let one = |n: Option<u16>, s: Option<char>| -> String {
            match (n, s) {
                (Some(n), Some(s)) => format!("{n}{s}"),
                (Some(n), None) => n.to_string(),
                (None, Some(s)) => s.to_string(),
                (None, None) => String::new(),
            }
        };
        let start = one(self.start_number, self.start_suffix);
        let end = one(self.end_number, self.end_suffix);
        match (start.is_empty(), end.is_empty()) {
            (false, false) => format!("{start}-{end}"),
            (false, true) => start,
            (true, _) => end,
        }
    }

    /// Text then numbers, as the address is written ("FLAT 3", "3A").
    pub fn render(&self) -> String {
        let numbers = self.numbers();
        match self
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            Some(t) if numbers.is_empty() => t.to_string(),
            Some(t) => format!("{t} {numbers}"),
            None => numbers,
        }
    }

    /// Nothing at all: no number and no text.
    pub fn is_empty(&self) -> bool {
        self.start_number.is_none()
            && self.start_suffix.is_none()
            && self.end_number.is_none()
            && self.end_suffix.is_none()
            && self.text.as_deref().is_none_or(|t| t.trim().is_empty())
    }
}

/// The LPI's logical status (BS 7666).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LogicalStatus {
    /// 1: the approved address.
    #[default]
    Approved,
    /// 3: an alternative address of the same property (another spelling,
    /// a name the occupier uses).
    Alternative,
    /// 6: provisional: planned, not yet built or not yet confirmed.
    Provisional,
    /// 8: historical: the property was demolished or the address changed.
    Historical,
}

impl LogicalStatus {
    /// From the export's code; `None` for a code BS 7666 does not define.
    pub fn from_code(code: u8) -> Option<LogicalStatus> {
        Some(match code {
            1 => LogicalStatus::Approved,
            3 => LogicalStatus::Alternative,
            6 => LogicalStatus::Provisional,
            8 => LogicalStatus::Historical,
            _ => return None,
        })
    }

    pub fn code(self) -> u8 {
        match self {
            LogicalStatus::Approved => 1,
            LogicalStatus::Alternative => 3,
            LogicalStatus::Provisional => 6,
            LogicalStatus::Historical => 8,
        }
    }
}

/// The language of an LPI: in Wales a property may have one in each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Language {
    #[default]
    Eng,
    Cym,
}

impl Language {
    /// "ENG" or "CYM" in any case; `None` otherwise.
    pub fn from_code(code: &str) -> Option<Language> {
        match code.trim().to_ascii_uppercase().as_str() {
            "ENG" => Some(Language::Eng),
            "CYM" => Some(Language::Cym),
            _ => None,
        }
    }
}

/// One gazetteer row: how one property (UPRN) is addressed. Several LPIs may
/// share a UPRN (alternative and Welsh-language LPIs, historical ones).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Lpi {
    /// The LPI's own key (`{uprn}L{n}` in the export).
    pub lpi_key: String,
    pub uprn: u64,
    /// For a flat or unit, the building it is in (a parent shell, class PP).
    pub parent_uprn: Option<u64>,
    /// The street's Unique Street Reference Number.
    pub usrn: Option<u32>,
    pub sao: Aon,
    pub pao: Aon,
    /// The street's name ("OAK ROAD", "HEOL Y BONT").
    pub street: String,
    pub locality: Option<String>,
    pub town: Option<String>,
    pub administrative_area: Option<String>,
    /// The postcode as exported ("B27 6AA"); standardised when indexed.
    pub postcode: Option<String>,
    /// Easting and northing in metres, British National Grid.
    pub x: Option<f64>,
    pub y: Option<f64>,
    pub logical_status: LogicalStatus,
    /// AddressBase classification: "RD03", "RD06", "PP", "CR", ...
    pub classification: String,
    pub language: Language,
}

impl Lpi {
    /// An LPI from the gazetteer as ingest read it. `None` for what no
    /// record should be placed on: a deleted LPI, a candidate (5) or
    /// rejected (7) one, or one whose numbers BS 7666 does not allow
    /// (above 9999), which ingest left to the gazetteer team.
    pub fn from_row(row: &upstream_ingest::GazetteerRow) -> Option<Lpi> {
        if row.deleted() {
            return None;
        }
        let number = |n: Option<u32>| -> Result<Option<u16>, ()> {
            n.map(|n| u16::try_from(n).map_err(|_| ())).transpose()
        };
        let suffix = |s: &Option<String>| s.as_deref().and_then(|s| s.trim().chars().next());
        let aon = |start, start_sfx, end, end_sfx, text: &Option<String>| -> Option<Aon> {
            Some(Aon {
                start_number: number(start).ok()?,
                start_suffix: suffix(start_sfx),
                end_number: number(end).ok()?,
                end_suffix: suffix(end_sfx),
                text: text.clone(),
            })
        };
        Some(Lpi {
            lpi_key: row.lpi_key.clone(),
            uprn: row.uprn.parse().ok()?,
            parent_uprn: row.parent_uprn.as_deref().and_then(|u| u.parse().ok()),
            usrn: row.usrn.as_deref().and_then(|u| u.parse().ok()),
            sao: aon(
                row.sao_start_number,
                &row.sao_start_suffix,
                row.sao_end_number,
                &row.sao_end_suffix,
                &row.sao_text,
            )?,
            pao: aon(
                row.pao_start_number,
                &row.pao_start_suffix,
                row.pao_end_number,
                &row.pao_end_suffix,
                &row.pao_text,
            )?,
            street: row.street.clone().unwrap_or_default(),
            locality: row.locality.clone(),
            town: row.town.clone(),
            administrative_area: row.administrative_area.clone(),
            postcode: row.postcode.clone(),
            x: row.x,
            y: row.y,
            logical_status: LogicalStatus::from_code(row.logical_status)?,
            classification: row.classification.clone().unwrap_or_default(),
            language: row
                .language
                .as_deref()
                .and_then(Language::from_code)
                .unwrap_or_default(),
        })
    }

    /// The address on one line as Royal Mail and BS 7666 order it: flat,
    /// building name, number and street, locality, town ("FLAT 3, OAK
    /// COURT, 12 OAK ROAD, ACOCKS GREEN, BIRMINGHAM"); the postcode apart.
    pub fn one_line(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let sao = self.sao.render();
        if !sao.is_empty() {
            // A bare number for a flat reads as a house number: say "FLAT".
            if self.sao.text.is_none() {
                parts.push(format!("FLAT {sao}"));
            } else {
                parts.push(sao);
            }
        }
        let numbers = self.pao.numbers();
        if let Some(text) = self.pao.text.as_deref().filter(|t| !t.trim().is_empty()) {
            parts.push(text.trim().to_string());
        }
        let street = self.street.trim();
        match (numbers.is_empty(), street.is_empty()) {
            (false, false) => parts.push(format!("{numbers} {street}")),
            (false, true) => parts.push(numbers),
            (true, false) => parts.push(street.to_string()),
            (true, true) => {}
        }
        for place in [&self.locality, &self.town].into_iter().flatten() {
            let place = place.trim();
            if !place.is_empty() && !parts.iter().any(|p| p == place) {
                parts.push(place.to_string());
            }
        }
        parts.join(", ")
    }

    /// A property shell: a building of flats or units, not a home itself.
    pub fn is_parent_shell(&self) -> bool {
        self.classification
            .trim()
            .to_ascii_uppercase()
            .starts_with("PP")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_lpi_reads_as_one_line_in_the_usual_order() {
        let flat = Lpi {
            sao: Aon::number(3),
            pao: Aon {
                start_number: Some(12),
                text: Some("OAK COURT".into()),
                ..Aon::default()
            },
            street: "OAK ROAD".into(),
            locality: Some("ACOCKS GREEN".into()),
            town: Some("BIRMINGHAM".into()),
            ..Lpi::default()
        };
        assert_eq!(
            flat.one_line(),
            "FLAT 3, OAK COURT, 12 OAK ROAD, ACOCKS GREEN, BIRMINGHAM"
        );
        let range = Lpi {
            pao: Aon {
                start_number: Some(12),
                start_suffix: Some('A'),
                end_number: Some(14),
                ..Aon::default()
            },
            street: "HIGH STREET".into(),
            ..Lpi::default()
        };
        assert_eq!(range.one_line(), "12A-14 HIGH STREET");
        let named = Lpi {
            sao: Aon::text("FLAT A"),
            pao: Aon::text("ROSE COTTAGE"),
            street: "LON GLAN MOR".into(),
            town: Some("ABERAERON".into()),
            ..Lpi::default()
        };
        assert_eq!(
            named.one_line(),
            "FLAT A, ROSE COTTAGE, LON GLAN MOR, ABERAERON"
        );
    }

    #[test]
    fn codes_round_trip() {
        for code in [1, 3, 6, 8] {
            assert_eq!(LogicalStatus::from_code(code).map(|s| s.code()), Some(code));
        }
        assert_eq!(LogicalStatus::from_code(2), None);
        assert_eq!(Language::from_code(" cym "), Some(Language::Cym));
        assert_eq!(Language::from_code("FR"), None);
    }

    #[test]
    fn a_shell_is_class_pp() {
        let shell = Lpi {
            classification: "PP".into(),
            ..Lpi::default()
        };
        assert!(shell.is_parent_shell());
        let flat = Lpi {
            classification: "RD06".into(),
            ..Lpi::default()
        };
        assert!(!flat.is_parent_shell());
        assert!(Aon::default().is_empty());
        assert!(!Aon::number(3).is_empty());
    }
}
