//! Ingest: turn one council extract file into standardised person records,
//! as a TOML declaration describes the file. Pure apart from reading the file:
//! storing what comes out is the store crate's job.
//!
//! - `declaration`: the TOML schema an administrator writes for a source.
//! - `standardise`: names, dates, postcodes, NI numbers, phones, emails, addresses.
//! - `reader`: CSV and XLSX rows, header check, row mapping, quarantine.
//! - `gazetteer`: the council's LLPG export (BS 7666 LPIs), read by a
//!   declaration of `kind = "gazetteer"`.

pub mod declaration;
pub mod gazetteer;
pub mod reader;
pub mod standardise;

pub use declaration::{
    glob_match, AttributeDecl, AttributeType, Declaration, DeclarationError, Encoding, Format,
    Kind, PersonColumns, PersonDecl, SharedFields,
};
pub use gazetteer::GazetteerRow;
pub use reader::{read_bytes, read_file, IngestError, ParsedFile};

use chrono::NaiveDate;
use std::collections::BTreeMap;

/// One person as one source record describes them, standardised, with the
/// original text of every column the declaration maps kept beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRecord {
    /// The record key: the declared key columns joined with `/`, then the
    /// person's role when a row holds more than one person
    /// (e.g. `12345678/1`, `HB000123/claimant`).
    pub record_key: String,
    /// What the row means, from the declaration (e.g. `liable_person_on_account`).
    pub row_means: String,
    pub title: Option<String>,
    pub forename: Option<String>,
    pub middle_names: Option<String>,
    pub surname: Option<String>,
    pub dob: Option<NaiveDate>,
    pub nino: Option<String>,
    pub postcode: Option<String>,
    pub address: Option<String>,
    pub uprn: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// When the row says the thing happened or was true (e.g. an interaction's
    /// timestamp, an account's start), if the declaration names such a column.
    pub event_date: Option<NaiveDate>,
    /// Declared attributes (balance, band, topic, ...), standardised:
    /// money as integer pence, dates as ISO `YYYY-MM-DD`, codes as given.
    pub attributes: BTreeMap<String, String>,
    /// Column name to the text as it was in the file, for every mapped column.
    pub original: BTreeMap<String, String>,
}

/// A row (or one person in it) that could not be loaded, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantined {
    /// 1-based data row number (the header is row 0).
    pub row: u64,
    /// The column at fault, as named in the file.
    pub field: String,
    pub value: String,
    pub reason: String,
}
