//! Crises after a campaign, by arm (issue "Reaching out", item 8): did the
//! households contacted reach crisis less often than those held back?
//!
//! A crisis here is what the council's own monthly assessment saw: the
//! household in a crisis (a homelessness duty, temporary accommodation, an
//! eviction, enforcement, a crisis grant or food bank referral) at an
//! assessment in the months after it joined. Monthly snapshots can miss a
//! crisis that began and ended between two runs; both arms are seen the
//! same way, so the comparison stays fair.

use crate::campaigns::CONTACT;
use crate::Result;
use chrono::{Months, NaiveDate};
use std::collections::BTreeSet;
use upstream_store::Store;

/// Crises within the window, by arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CrisesByArm {
    /// (households with a crisis, households) in the contact arm.
    pub contact: (u64, u64),
    pub held_back: (u64, u64),
    /// The latest assessment's date, when one ran after the first household
    /// joined; `None` until then.
    pub seen_until: Option<NaiveDate>,
    /// Whether every member's window has ended by `seen_until`: until then
    /// the figures are "so far".
    pub complete: bool,
}

/// Crises within `months` of joining, by arm, as far as assessments reach.
pub async fn crises_by_arm(store: &Store, campaign_id: i64, months: u32) -> Result<CrisesByArm> {
    let members = store.campaign_members(campaign_id).await?;
    let Some(first_joined) = members.iter().map(|m| m.2).min() else {
        return Ok(CrisesByArm::default());
    };
    let seen_until = store
        .latest_assessment_run()
        .await?
        .map(|r| r.as_of)
        .filter(|d| *d > first_joined);
    let ids: Vec<i64> = members.iter().map(|m| m.0).collect();
    let crises: BTreeSet<(i64, NaiveDate)> = store
        .crisis_assessments(&ids, first_joined)
        .await?
        .into_iter()
        .collect();
    let mut out = CrisesByArm {
        seen_until,
        complete: true,
        ..Default::default()
    };
    for (household, arm, joined) in &members {
        let until = joined
            .checked_add_months(Months::new(months))
            .unwrap_or(*joined);
        if seen_until.is_none_or(|s| s < until) {
            out.complete = false;
        }
        let crisis = crises
            .range((*household, *joined)..=(*household, until))
            .any(|(_, on)| on > joined);
        let tally = if arm == CONTACT {
            &mut out.contact
        } else {
            &mut out.held_back
        };
        tally.1 += 1;
        if crisis {
            tally.0 += 1;
        }
    }
    Ok(out)
}
