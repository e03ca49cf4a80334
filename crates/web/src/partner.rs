//! What a partner worker sees: their start page (households shared with
//! their organisation, referrals it made and referrals made to it) and the
//! partner's household page.
//!
//! A partner sees a household only while a live consent names their
//! organisation for a purpose its work serves, or because it referred the
//! household in (`household_visible`, checked again on every request, so a
//! withdrawal takes effect at once). Even then the page shows only what the
//! partner needs: names, the address, the consents covering their
//! organisation and the referrals between it and the council. Never the
//! risk, persona, resilience, life events, source records, contacts or
//! other organisations' consents.

use crate::auth::{audit_view, CurrentUser, Refused};
use crate::casework_data::{ConsentRow, ReferralFilter, ReferralRow};
use crate::household::person_names;
use crate::layout::Layout;
use crate::pages::render;
use crate::AppState;
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use std::sync::OnceLock;
use upstream_casework::{Consent, Standards};

fn standards() -> &'static Standards {
    static STANDARDS: OnceLock<Standards> = OnceLock::new();
    STANDARDS.get_or_init(Standards::default_standards)
}

fn day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

fn status_label(status: &str) -> &'static str {
    match status {
        "new" => "Waiting for a decision",
        "accepted" => "Accepted",
        "declined" => "Declined",
        _ => "Unknown",
    }
}

/// A partner's organisation; a partner account without one sees nothing.
fn organisation(user: &CurrentUser) -> Option<String> {
    user.account
        .organisation
        .as_deref()
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(String::from)
}

struct HouseholdRow {
    id: i64,
    label: String,
}

struct ReferralView {
    id: i64,
    subject: String,
    other_party: String,
    received: String,
    status: &'static str,
    note: String,
    /// Why the referral was made: what help is needed.
    reason: String,
}

fn referral_view(r: &ReferralRow, org: &str) -> ReferralView {
    ReferralView {
        id: r.id,
        subject: r.subject_name.clone(),
        other_party: if r.from_organisation == org {
            r.team.clone().unwrap_or_else(|| r.to_organisation.clone())
        } else {
            r.from_organisation.clone()
        },
        received: day(r.received_at.date_naive()),
        status: status_label(&r.status),
        note: r.decision_note.clone().unwrap_or_default(),
        reason: r.reason.clone(),
    }
}

#[derive(Template)]
#[template(path = "partner_start.html")]
struct PartnerStartPage {
    layout: Layout,
    organisation: Option<String>,
    households: Vec<HouseholdRow>,
    made: Vec<ReferralView>,
    to_us: Vec<ReferralView>,
}

/// The start page `/` for a partner worker.
pub(crate) async fn start(state: &AppState, user: &CurrentUser) -> Result<Response, Refused> {
    let layout = Layout::new(state, Some(user)).await;
    let Some(org) = organisation(user) else {
        let page = PartnerStartPage {
            layout,
            organisation: None,
            households: Vec::new(),
            made: Vec::new(),
            to_us: Vec::new(),
        };
        return Ok(render(StatusCode::OK, &page));
    };
    let today = state.today();
    let ids = state
        .casework
        .partner_households(org.clone(), today)
        .await?;
    let made = state
        .casework
        .referrals(ReferralFilter {
            from_organisation: Some(org.clone()),
            direction: Some("in".into()),
            ..ReferralFilter::default()
        })
        .await?;
    let to_us = state
        .casework
        .referrals(ReferralFilter {
            to_organisation: Some(org.clone()),
            direction: Some("out".into()),
            ..ReferralFilter::default()
        })
        .await?;
    let mut labels = if ids.is_empty() {
        Vec::new()
    } else {
        state.casework.household_labels(ids.clone()).await?
    };
    labels.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    if !(labels.is_empty() && made.is_empty() && to_us.is_empty()) {
        let detail = serde_json::json!({
            "households": ids,
            "referrals": made.iter().chain(&to_us).map(|r| r.id).collect::<Vec<_>>(),
        });
        crate::auth::record(
            state,
            &user.audit(
                upstream_core::AuditAction::View,
                "organisation",
                org.clone(),
                "partner start page",
                detail,
            ),
        )
        .await?;
    }
    let page = PartnerStartPage {
        layout,
        households: labels
            .into_iter()
            .map(|(id, label)| HouseholdRow {
                id,
                label: if label.is_empty() {
                    "Address not recorded".into()
                } else {
                    label
                },
            })
            .collect(),
        made: made.iter().map(|r| referral_view(r, &org)).collect(),
        to_us: to_us.iter().map(|r| referral_view(r, &org)).collect(),
        organisation: Some(org),
    };
    Ok(render(StatusCode::OK, &page))
}

struct ConsentView {
    given_by: String,
    purposes: Vec<String>,
    obtained_how: String,
    given_on: String,
    until: String,
}

/// The consents live today that name `org` (ignoring case and spaces, as
/// people type names), each without the other organisations it names.
fn consents_for(consents: &[ConsentRow], org: &str, today: NaiveDate) -> Vec<ConsentView> {
    let s = standards();
    consents
        .iter()
        .filter(|c| {
            Consent {
                given_by: c.given_by.clone(),
                organisations: c.organisations.clone(),
                purposes: c.purposes.clone(),
                obtained_how: c.obtained_how.clone(),
                given_on: c.given_on,
                expires_on: c.expires_on,
                withdrawn_on: c.withdrawn_on,
            }
            .covers(org, None, today)
        })
        .map(|c| ConsentView {
            given_by: c.given_by.clone(),
            purposes: c
                .purposes
                .iter()
                .map(|p| {
                    s.consent_purpose(p)
                        .map_or_else(|| p.clone(), |x| x.label.clone())
                })
                .collect(),
            obtained_how: s
                .obtained_how(&c.obtained_how)
                .map_or_else(|| c.obtained_how.clone(), |x| x.label.clone()),
            given_on: day(c.given_on),
            until: c
                .expires_on
                .map_or_else(|| "Until withdrawn".to_string(), day),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "partner_household.html")]
struct PartnerHouseholdPage {
    layout: Layout,
    id: i64,
    organisation: String,
    address: String,
    people: Vec<String>,
    consents: Vec<ConsentView>,
    referrals: Vec<ReferralView>,
}

/// `GET /households/{id}` for a partner worker, once `household_visible`
/// has let them through.
pub(crate) async fn household(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<Response, Refused> {
    let org = organisation(user).ok_or(Refused::NotFound)?;
    let today = state.today();
    let detail = state
        .source
        .household(id, today)
        .await?
        .ok_or(Refused::NotFound)?;
    let consents = state.casework.consents_of(id).await?;
    let referrals: Vec<ReferralRow> = state
        .casework
        .referrals(ReferralFilter {
            household_id: Some(id),
            ..ReferralFilter::default()
        })
        .await?
        .into_iter()
        .filter(|r| r.from_organisation == org || r.to_organisation == org)
        .collect();
    audit_view(
        state,
        user,
        "household",
        id.to_string(),
        "household page (partner)",
    )
    .await?;
    let page = PartnerHouseholdPage {
        layout: Layout::new(state, Some(user)).await.at("/search"),
        id,
        address: [detail.address.as_deref(), detail.postcode.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", "),
        people: person_names(&detail),
        consents: consents_for(&consents, &org, today),
        referrals: referrals.iter().map(|r| referral_view(r, &org)).collect(),
        organisation: org,
    };
    Ok(render(StatusCode::OK, &page))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consent(orgs: &[&str], withdrawn: Option<NaiveDate>) -> ConsentRow {
        ConsentRow {
            id: 1,
            household_id: 41,
            case_id: None,
            given_by: "Sam Green".into(),
            organisations: orgs.iter().map(|o| o.to_string()).collect(),
            purposes: vec!["money_advice".into()],
            obtained_how: "verbal_phone".into(),
            given_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            expires_on: None,
            recorded_by: "Asha".into(),
            withdrawn_on: withdrawn,
            withdrawal_note: None,
        }
    }

    #[test]
    fn only_live_consents_naming_the_organisation_are_shown_with_labels() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let shown = consents_for(
            &[
                consent(&["Citizens Advice", "Shelter"], None),
                consent(&["Shelter"], None),
                consent(&["Citizens Advice"], Some(today)),
            ],
            "citizens advice",
            today,
        );
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].purposes, ["Money and debt advice"]);
        assert_eq!(shown[0].obtained_how, "Verbally, by phone");
        assert_eq!(shown[0].until, "Until withdrawn");
    }
}
