//! Reading GOV.UK-style forms: repeated fields (checkboxes), the three-part
//! date input, and the error summary's list of problems.

use chrono::NaiveDate;

/// Percent-encode a value for a query string or a form body: everything but
/// letters, digits and `- . _ ~` (the RFC 3986 unreserved characters).
pub fn percent_encode(s: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const RESERVED: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    utf8_percent_encode(s, RESERVED).to_string()
}

/// A submitted form as name–value pairs, in order (checkboxes repeat a name).
#[derive(Debug, Clone, Default)]
pub(crate) struct Fields(pub(crate) Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, trimmed ("" when absent).
    pub(crate) fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }

    /// Every non-blank value of `name`.
    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }

    pub(crate) fn int(&self, name: &str) -> Option<i64> {
        self.get(name).parse().ok()
    }

    /// A GOV.UK date input (`name-day`, `name-month`, `name-year`): `Ok(None)`
    /// when all three are blank, an error message when the date is not real.
    pub(crate) fn date(&self, name: &str, what: &str) -> Result<Option<NaiveDate>, String> {
        let (d, m, y) = (
            self.get(&format!("{name}-day")),
            self.get(&format!("{name}-month")),
            self.get(&format!("{name}-year")),
        );
        if d.is_empty() && m.is_empty() && y.is_empty() {
            return Ok(None);
        }
        let parts = (d.parse::<u32>(), m.parse::<u32>(), y.parse::<i32>());
        match parts {
            (Ok(d), Ok(m), Ok(y)) if y >= 1900 => NaiveDate::from_ymd_opt(y, m, d)
                .map(Some)
                .ok_or_else(|| format!("{what} must be a real date")),
            _ => Err(format!(
                "{what} must include a day, month and year, for example 27 3 2026"
            )),
        }
    }
}

/// Problems with one form: field name → message, in the order found.
#[derive(Debug, Clone, Default)]
pub(crate) struct Problems(pub(crate) Vec<(String, String)>);

impl Problems {
    pub(crate) fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push((field.to_string(), message.into()));
    }

    pub(crate) fn extend(&mut self, problems: Vec<upstream_casework::FieldProblem>) {
        for p in problems {
            self.add(p.field, p.message);
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for a field, for its inline error ("" when none).
    pub(crate) fn of(&self, field: &str) -> String {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
            .unwrap_or_default()
    }
}

/// Which form on a page failed, what was typed and what was wrong, to show
/// that form again (open, with its errors) and leave the others as they were.
#[derive(Debug, Clone, Default)]
pub(crate) struct Failed {
    /// The failed form's name; "" when nothing failed.
    pub(crate) form: &'static str,
    pub(crate) problems: Problems,
    pub(crate) fields: Fields,
}

impl Failed {
    /// What was typed in `name` of `form`, when that is the form that failed.
    pub(crate) fn typed(&self, form: &str, name: &str) -> String {
        if self.form == form {
            self.fields.get(name)
        } else {
            String::new()
        }
    }

    /// Whether checkbox `name` had `value` ticked in the failed `form`.
    pub(crate) fn ticked(&self, form: &str, name: &str, value: &str) -> bool {
        self.form == form && self.fields.all(name).iter().any(|v| v == value)
    }

    /// The problem with `field` of `form` ("" when none).
    pub(crate) fn error(&self, form: &str, field: &str) -> String {
        if self.form == form {
            self.problems.of(field)
        } else {
            String::new()
        }
    }

    /// 422 when a form failed, 200 otherwise.
    pub(crate) fn status(&self) -> axum::http::StatusCode {
        if self.form.is_empty() {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNPROCESSABLE_ENTITY
        }
    }
}
