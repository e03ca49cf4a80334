use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A calendar month. The platform works "as of" months: extracts arrive monthly
/// and every analysis is cut at a month end so nothing from the future leaks in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    /// Months since January of year 0; makes arithmetic trivial.
    index: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a month: write it as YYYY-MM, for example 2024-04")]
pub struct MonthError(String);

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        (1..=12).contains(&month).then_some(Month {
            index: year * 12 + month as i32 - 1,
        })
    }

    pub fn of(date: NaiveDate) -> Month {
        Month {
            index: date.year() * 12 + date.month0() as i32,
        }
    }

    pub fn year(self) -> i32 {
        self.index.div_euclid(12)
    }

    /// 1 = January.
    pub fn month(self) -> u32 {
        self.index.rem_euclid(12) as u32 + 1
    }

    pub fn plus(self, months: i32) -> Month {
        Month {
            index: self.index + months,
        }
    }

    /// Whole months from `earlier` to `self` (negative if `earlier` is later).
    pub fn since(self, earlier: Month) -> i32 {
        self.index - earlier.index
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year(), self.month(), 1).expect("month is always valid")
    }

    pub fn last_day(self) -> NaiveDate {
        self.plus(1)
            .first_day()
            .pred_opt()
            .expect("a month has a last day")
    }

    pub fn days(self) -> u32 {
        self.last_day().day()
    }

    /// A day within the month, clamped to its length (day 31 of February is its last day).
    pub fn day(self, day: u32) -> NaiveDate {
        let d = day.clamp(1, self.days());
        NaiveDate::from_ymd_opt(self.year(), self.month(), d).expect("clamped day is valid")
    }

    /// November to March: heating costs rise.
    pub fn is_winter(self) -> bool {
        matches!(self.month(), 11 | 12 | 1 | 2 | 3)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

impl FromStr for Month {
    type Err = MonthError;
    fn from_str(s: &str) -> Result<Month, MonthError> {
        let bad = || MonthError(s.to_string());
        let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        Month::new(year, month).ok_or_else(bad)
    }
}

impl Serialize for Month {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Month {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Month, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let m: Month = "2024-04".parse().unwrap();
        assert_eq!(m.year(), 2024);
        assert_eq!(m.month(), 4);
        assert_eq!(m.to_string(), "2024-04");
        assert!("2024-13".parse::<Month>().is_err());
        assert!("24-01".parse::<Month>().is_err());
        assert!("April".parse::<Month>().is_err());
    }

    #[test]
    fn arithmetic_crosses_years() {
        let m = Month::new(2024, 11).unwrap();
        assert_eq!(m.plus(3).to_string(), "2025-02");
        assert_eq!(m.plus(-11).to_string(), "2023-12");
        assert_eq!(m.plus(3).since(m), 3);
    }

    #[test]
    fn knows_its_days() {
        assert_eq!(Month::new(2024, 2).unwrap().days(), 29);
        assert_eq!(
            Month::new(2025, 2).unwrap().day(31).to_string(),
            "2025-02-28"
        );
        assert!(Month::new(2025, 1).unwrap().is_winter());
        assert!(!Month::new(2025, 6).unwrap().is_winter());
    }
}
