//! Placing UK addresses on UPRNs through the council's gazetteer.
//!
//! Households in Upstream are built on addresses, so every address in
//! every council record is placed on a Unique Property Reference Number
//! (UPRN) through the council's Local Land and Property Gazetteer (LLPG,
//! `docs/gazetteer.md`). An address the gazetteer cannot tell apart from
//! another is left unplaced with the reason, never guessed.
//!
//! # How
//!
//! 1. **Prepare the gazetteer once** ([`Gazetteer::build`]). Each LPI's
//!    SAO (flat), PAO (number, range, building name), street, locality,
//!    town and postcode are split into canonical words by the same rules
//!    as queries, and interned. Indexes: by UPRN, by postcode, by street
//!    (its distinctive words, the same with one letter deleted, and the
//!    streets of each postcode district), by building-name word, and
//!    buildings of flats (shell plus units, grouped by street and PAO).
//! 2. **Parse the text** (`parse.rs`): the postcode (from its field or the
//!    text), the flat ("FLAT 3", "3/12", "APARTMENT 3", "FLAT A", "GROUND
//!    FLOOR FLAT", "UNIT 4", a trailing "FLAT 3"), the numbers and the
//!    words left for building, street, locality and town. Readings the
//!    text allows several of ("12 14" range or flat 12 at 14; "12A" house
//!    or flat A at 12; "3 OAK COURT" street or block) are all kept, each
//!    with a small prior, and the gazetteer decides.
//! 3. **Candidates**: the postcode's LPIs. When none of them fits well
//!    (no postcode, a mistyped or recoded one), the LPIs with the same
//!    number on streets the text names, found by word or within a slip anywhere
//!    in the gazetteer (or within a slip among the district's streets),
//!    and buildings by name. Historical and provisional LPIs are
//!    candidates: records refer to them.
//! 4. **Score** (`score.rs`): numbers are gates (house number, suffix,
//!    range, flat number or letter, floor), so a neighbour is never a
//!    near miss; street, building name, postcode distance, locality and
//!    town are evidence, and words nothing explains cost a little.
//! 5. **Decide** by property: LPIs of one UPRN never compete. The best
//!    must score at least [`ACCEPT`] and beat the next property by
//!    [`MARGIN`]; a flat is never placed on its building's shell, and a
//!    building of several flats named without its flat is "building
//!    only".
//!
//! What public UK matchers do shaped this, rebuilt for this gazetteer
//! contract rather than copied: the ONS Address Index scores a match as
//! separate building, unit and locality parts and will not let a number
//! mismatch pass as a near miss; the MoJ uk_address_matcher keeps numbers
//! and flat positions ("FIRST FLOOR", "FLAT A") apart from the other words,
//! reads "2 69 GIPSY HILL" as flat 2 at 69, and its edge cases ("FLAT 74
//! HIGH STREET" as the flat at 74, a house name the gazetteer lacks, a
//! business name before the number) are cases here too. The conventions
//! are PAF's and BS 7666's for SAO and PAO. Pure: no IO, deterministic,
//! `Sync`.
//!
//! # Example
//!
//! ```ignore
//! let g = Gazetteer::build(lpis);
//! let p = g.place(&Query::new("Flat 3, 12 Oak Rd").with_postcode("B27 6AA"));
//! match p.how {
//!     How::Exact | How::Fuzzy { .. } => println!("UPRN {:?}", p.uprn),
//!     How::Unplaced(why) => println!("not placed: {why:?}"),
//!     How::GivenUprn => {}
//! }
//! ```

mod gazetteer;
mod lpi;
mod parse;
mod place;
mod score;
mod text;

pub use gazetteer::Gazetteer;
pub use lpi::{Aon, Language, LogicalStatus, Lpi};
pub use place::{How, Placement, Query, Unplaced, ACCEPT, MARGIN};

#[cfg(test)]
mod tests {
    #[test]
    fn the_gazetteer_is_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<super::Gazetteer>();
        shared::<super::Placement>();
    }
}
