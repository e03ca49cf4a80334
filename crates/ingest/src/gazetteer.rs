//! The council's gazetteer (LLPG, BS 7666): which columns of its export hold
//! which part of a Land and Property Identifier, and one row read into a
//! typed `GazetteerRow`. `docs/gazetteer.md` describes the export.
//!
//! A gazetteer row is a property's address, not a person, so it has its own
//! declaration kind (`kind = "gazetteer"`) and its own table in storage; it
//! never reaches linkage as a record.

use crate::standardise;
use chrono::NaiveDate;

/// Every field of a gazetteer row: (field, required). A required field must
/// map to a column; an optional one may be mapped to "" when the export
/// lacks it. By default each field is read from the column of its own name.
pub const FIELDS: [(&str, bool); 28] = [
    ("change_type", false),
    ("lpi_key", false),
    ("uprn", true),
    ("parent_uprn", false),
    ("usrn", false),
    ("sao_start_number", false),
    ("sao_start_suffix", false),
    ("sao_end_number", false),
    ("sao_end_suffix", false),
    ("sao_text", false),
    ("pao_start_number", false),
    ("pao_start_suffix", false),
    ("pao_end_number", false),
    ("pao_end_suffix", false),
    ("pao_text", false),
    ("street_description", true),
    ("locality", false),
    ("town_name", false),
    ("administrative_area", false),
    ("postcode_locator", true),
    ("x_coordinate", false),
    ("y_coordinate", false),
    ("logical_status", true),
    ("classification_code", false),
    ("language", false),
    ("start_date", false),
    ("end_date", false),
    ("last_update_date", false),
];

/// Fields read as dates (with the declaration's `date_formats`).
pub const DATE_FIELDS: [&str; 3] = ["start_date", "end_date", "last_update_date"];

/// BS 7666 logical statuses: approved, alternative, candidate, provisional,
/// rejected, historical.
pub const LOGICAL_STATUSES: [u8; 6] = [1, 3, 5, 6, 7, 8];

/// One LPI as the gazetteer holds it. Text is trimmed and upper-cased (the
/// matcher folds accents itself); numbers are numbers.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct GazetteerRow {
    /// The LPI's key: the export's `lpi_key`, or when it has none, the UPRN
    /// with the language and whether the LPI is an alternative one, which
    /// tells a property's LPIs apart in every export seen.
    pub lpi_key: String,
    /// `I` insert, `U` update, `D` delete (DTF 7.3 change types).
    pub change_type: Option<String>,
    pub uprn: String,
    pub parent_uprn: Option<String>,
    pub usrn: Option<String>,
    pub sao_start_number: Option<u32>,
    pub sao_start_suffix: Option<String>,
    pub sao_end_number: Option<u32>,
    pub sao_end_suffix: Option<String>,
    pub sao_text: Option<String>,
    pub pao_start_number: Option<u32>,
    pub pao_start_suffix: Option<String>,
    pub pao_end_number: Option<u32>,
    pub pao_end_suffix: Option<String>,
    pub pao_text: Option<String>,
    pub street: Option<String>,
    pub locality: Option<String>,
    pub town: Option<String>,
    pub administrative_area: Option<String>,
    pub postcode: Option<String>,
    pub x: Option<f64>,
    pub y: Option<f64>,
    pub logical_status: u8,
    pub classification: Option<String>,
    pub language: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub last_update_date: Option<NaiveDate>,
}

impl GazetteerRow {
    /// Whether the LPI was deleted by a change-only export (`D`).
    pub fn deleted(&self) -> bool {
        self.change_type.as_deref() == Some("D")
    }
}

/// Why a field's text cannot be read; the row goes to quarantine with it.
pub type Problem = (&'static str, String);

/// Read one row: `get(field)` gives the text of the field's column ("" when
/// the export lacks it). A field that cannot be read names itself.
pub fn read_row(
    get: &dyn Fn(&str) -> String,
    date_formats: &[String],
) -> Result<GazetteerRow, Problem> {
    let text = |f: &str| -> Option<String> {
        let t = get(f);
        let t = t.trim();
        (!t.is_empty()).then(|| t.to_uppercase())
    };
    let digits = |f: &'static str| -> Result<Option<String>, Problem> {
        standardise::uprn(&get(f))
            .map_err(|_| (f, "not a reference number (1 to 12 digits)".into()))
    };
    let number = |f: &'static str| -> Result<Option<u32>, Problem> {
        match text(f) {
            None => Ok(None),
            Some(t) => t
                .parse::<u32>()
                .map(Some)
                .map_err(|_| (f, "not a whole number".to_string())),
        }
    };
    let coordinate = |f: &'static str| -> Result<Option<f64>, Problem> {
        match text(f) {
            None => Ok(None),
            Some(t) => match t.parse::<f64>() {
                // British National Grid eastings and northings are positive
                // and under 1,300 km; anything else is a wrong column.
                Ok(v) if v.is_finite() && (0.0..1_300_000.0).contains(&v) => Ok(Some(v)),
                _ => Err((f, "not a grid coordinate in metres".into())),
            },
        }
    };
    let date = |f: &'static str| -> Result<Option<NaiveDate>, Problem> {
        standardise::date(&get(f), date_formats).map_err(|why| (f, why))
    };
    let Some(uprn) = digits("uprn")? else {
        return Err(("uprn", "uprn is required but blank".into()));
    };
    let status = match text("logical_status") {
        None => {
            return Err((
                "logical_status",
                "logical_status is required but blank".into(),
            ))
        }
        Some(t) => t
            .parse::<u8>()
            .ok()
            .filter(|s| LOGICAL_STATUSES.contains(s))
            .ok_or_else(|| {
                (
                    "logical_status",
                    "not a BS 7666 logical status (1, 3, 5, 6, 7 or 8)".to_string(),
                )
            })?,
    };
    let postcode = match standardise::postcode(&get("postcode_locator")) {
        Ok(p) => p,
        Err(why) => return Err(("postcode_locator", why)),
    };
    let change_type = match text("change_type") {
        None => None,
        Some(t) if matches!(t.as_str(), "I" | "U" | "D") => Some(t),
        Some(_) => return Err(("change_type", "not a change type (I, U or D)".into())),
    };
    let language = text("language");
    let lpi_key = text("lpi_key").unwrap_or_else(|| {
        format!(
            "{uprn}/{}{}",
            language.as_deref().unwrap_or(""),
            if status == 3 { "/ALT" } else { "" }
        )
    });
    Ok(GazetteerRow {
        lpi_key,
        change_type,
        parent_uprn: digits("parent_uprn")?,
        usrn: digits("usrn")?,
        sao_start_number: number("sao_start_number")?,
        sao_start_suffix: text("sao_start_suffix"),
        sao_end_number: number("sao_end_number")?,
        sao_end_suffix: text("sao_end_suffix"),
        sao_text: text("sao_text"),
        pao_start_number: number("pao_start_number")?,
        pao_start_suffix: text("pao_start_suffix"),
        pao_end_number: number("pao_end_number")?,
        pao_end_suffix: text("pao_end_suffix"),
        pao_text: text("pao_text"),
        street: text("street_description"),
        locality: text("locality"),
        town: text("town_name"),
        administrative_area: text("administrative_area"),
        postcode,
        x: coordinate("x_coordinate")?,
        y: coordinate("y_coordinate")?,
        logical_status: status,
        classification: text("classification_code"),
        language,
        start_date: date("start_date")?,
        end_date: date("end_date")?,
        last_update_date: date("last_update_date")?,
        uprn,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn row(pairs: &[(&str, &str)]) -> Result<GazetteerRow, Problem> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        read_row(
            &|f| m.get(f).cloned().unwrap_or_default(),
            &["%Y-%m-%d".to_string()],
        )
    }

    const GOOD: [(&str, &str); 8] = [
        ("uprn", "100070012345"),
        ("usrn", "02701234"),
        ("sao_text", "Flat 3"),
        ("pao_start_number", "12"),
        ("street_description", "Oak Road"),
        ("postcode_locator", "b27 6aa"),
        ("logical_status", "1"),
        ("start_date", "2001-04-01"),
    ];

    #[test]
    fn a_row_reads_into_typed_fields() {
        let r = row(&GOOD).expect("reads");
        assert_eq!(r.uprn, "100070012345");
        assert_eq!(r.usrn.as_deref(), Some("2701234"));
        assert_eq!(r.sao_text.as_deref(), Some("FLAT 3"));
        assert_eq!(r.pao_start_number, Some(12));
        assert_eq!(r.street.as_deref(), Some("OAK ROAD"));
        assert_eq!(r.postcode.as_deref(), Some("B27 6AA"));
        assert_eq!(r.logical_status, 1);
        assert_eq!(r.lpi_key, "100070012345/");
        assert_eq!(r.start_date, NaiveDate::from_ymd_opt(2001, 4, 1));
    }

    #[test]
    fn a_bad_value_names_its_field() {
        let with = |k: &str, v: &str| {
            let mut g: Vec<(&str, &str)> = GOOD.iter().filter(|(f, _)| *f != k).copied().collect();
            g.push((k, v));
            row(&g).map(|_| ()).unwrap_err().0
        };
        assert_eq!(with("uprn", ""), "uprn");
        assert_eq!(with("uprn", "12AB"), "uprn");
        assert_eq!(with("logical_status", "2"), "logical_status");
        assert_eq!(with("logical_status", ""), "logical_status");
        assert_eq!(with("pao_start_number", "12A"), "pao_start_number");
        assert_eq!(
            with("postcode_locator", "NOT A POSTCODE"),
            "postcode_locator"
        );
        assert_eq!(with("x_coordinate", "-5"), "x_coordinate");
        assert_eq!(with("start_date", "01/04/2001"), "start_date");
        assert_eq!(with("change_type", "X"), "change_type");
    }

    #[test]
    fn lpis_of_one_property_get_their_own_keys_without_an_lpi_key_column() {
        let mut welsh = GOOD.to_vec();
        welsh.push(("language", "CYM"));
        let mut alt = GOOD.to_vec();
        alt.retain(|(k, _)| *k != "logical_status");
        alt.push(("logical_status", "3"));
        let keys = [row(&GOOD), row(&welsh), row(&alt)].map(|r| r.expect("reads").lpi_key);
        assert_eq!(keys[0], "100070012345/");
        assert_eq!(keys[1], "100070012345/CYM");
        assert_eq!(keys[2], "100070012345//ALT");
    }
}
