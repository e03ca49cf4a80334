//! UK local time from UTC, by rule.
//!
//! Quiet hours ("no texts between 8pm and 8am") are in the time residents
//! live by, while Upstream stores instants in UTC. A timezone database
//! would be one more dependency to keep current for a single zone whose
//! rule has not changed since 1981 and is fixed in law (the Summer Time
//! Order 2002, following EU Directive 2000/84/EC): British Summer Time,
//! UTC+1, runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on
//! the last Sunday of October; Greenwich Mean Time (UTC) the rest of the
//! year. Should Parliament change that, this file is the one place to edit.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};

/// The last Sunday of a month (March and October are the ones that matter).
pub fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = first_of_next.pred_opt()?;
    let back = last.weekday().num_days_from_sunday();
    Some(last - Duration::days(i64::from(back)))
}

/// Whether British Summer Time is in force at this instant.
pub fn is_bst(at: DateTime<Utc>) -> bool {
    let year = at.year();
    let (Some(start), Some(end)) = (last_sunday(year, 3), last_sunday(year, 10)) else {
        return false;
    };
    let one_am = NaiveTime::from_hms_opt(1, 0, 0).unwrap_or(NaiveTime::MIN);
    let starts = start.and_time(one_am).and_utc();
    let ends = end.and_time(one_am).and_utc();
    at >= starts && at < ends
}

/// The clock time in the UK at this instant.
pub fn uk_local(at: DateTime<Utc>) -> NaiveDateTime {
    let offset = if is_bst(at) {
        Duration::hours(1)
    } else {
        Duration::zero()
    };
    at.naive_utc() + offset
}

/// The instant a UK clock shows this time. In October's repeated hour the
/// earlier (BST) instant is chosen; a time in March's skipped hour
/// (01:00 to 02:00) is read as GMT, which lands just after the clocks go
/// forward.
pub fn uk_local_to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    let as_bst = (local - Duration::hours(1)).and_utc();
    if is_bst(as_bst) {
        return as_bst;
    }
    local.and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
            .unwrap()
            .and_utc()
    }

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn the_last_sundays_of_march_and_october_are_found() {
        assert_eq!(last_sunday(2025, 3), NaiveDate::from_ymd_opt(2025, 3, 30));
        assert_eq!(last_sunday(2025, 10), NaiveDate::from_ymd_opt(2025, 10, 26));
        assert_eq!(last_sunday(2026, 3), NaiveDate::from_ymd_opt(2026, 3, 29));
        assert_eq!(last_sunday(2026, 10), NaiveDate::from_ymd_opt(2026, 10, 25));
        // 31 March 2024 was itself a Sunday.
        assert_eq!(last_sunday(2024, 3), NaiveDate::from_ymd_opt(2024, 3, 31));
        assert_eq!(last_sunday(2024, 12), NaiveDate::from_ymd_opt(2024, 12, 29));
    }

    #[test]
    fn summer_time_starts_at_one_am_utc_on_the_last_sunday_of_march() {
        assert!(!is_bst(utc("2025-03-30 00:59")));
        assert!(is_bst(utc("2025-03-30 01:00")));
        assert_eq!(uk_local(utc("2025-03-30 00:59")), local("2025-03-30 00:59"));
        assert_eq!(uk_local(utc("2025-03-30 01:00")), local("2025-03-30 02:00"));
        // The week before is still GMT.
        assert!(!is_bst(utc("2025-03-23 12:00")));
    }

    #[test]
    fn summer_time_ends_at_one_am_utc_on_the_last_sunday_of_october() {
        assert!(is_bst(utc("2025-10-26 00:59")));
        assert!(!is_bst(utc("2025-10-26 01:00")));
        assert_eq!(uk_local(utc("2025-10-26 00:30")), local("2025-10-26 01:30"));
        assert_eq!(uk_local(utc("2025-10-26 01:30")), local("2025-10-26 01:30"));
        assert!(!is_bst(utc("2025-12-25 12:00")));
        assert!(is_bst(utc("2025-07-01 12:00")));
    }

    #[test]
    fn local_times_go_back_to_utc_across_both_changes() {
        assert_eq!(
            uk_local_to_utc(local("2025-01-15 08:00")),
            utc("2025-01-15 08:00")
        );
        assert_eq!(
            uk_local_to_utc(local("2025-07-15 08:00")),
            utc("2025-07-15 07:00")
        );
        // The morning the clocks go forward, 8am is already BST.
        assert_eq!(
            uk_local_to_utc(local("2025-03-30 08:00")),
            utc("2025-03-30 07:00")
        );
        // The skipped hour lands after the jump.
        assert_eq!(
            uk_local_to_utc(local("2025-03-30 01:30")),
            utc("2025-03-30 01:30")
        );
        // The repeated hour takes the first (BST) instant.
        assert_eq!(
            uk_local_to_utc(local("2025-10-26 01:30")),
            utc("2025-10-26 00:30")
        );
        // The morning the clocks go back, 8am is GMT again.
        assert_eq!(
            uk_local_to_utc(local("2025-10-26 08:00")),
            utc("2025-10-26 08:00")
        );
    }

    #[test]
    fn every_hour_of_a_year_goes_there_and_back() {
        let mut at = utc("2025-01-01 00:00");
        while at < utc("2026-01-01 00:00") {
            let back = uk_local_to_utc(uk_local(at));
            // Only October's repeated hour is ambiguous, and it maps to BST.
            if back != at {
                assert_eq!(at, utc("2025-10-26 01:00"));
                assert_eq!(back, utc("2025-10-26 00:00"));
            }
            at += Duration::hours(1);
        }
    }
}
