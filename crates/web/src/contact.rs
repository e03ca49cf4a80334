//! How to reach a household: each phone, email and postal address with
//! where it came from and when, the preferred channel and language, and
//! safe-contact notes. Staff correct and add details; what they record is
//! the council's own record and wins over the source systems
//! (`upstream_casework::reach`). Shown on the household and case pages;
//! changed on `/households/{id}/contact`. Every change is audited.

use crate::auth::{audit_view, record, CurrentUser, Refused};
use crate::casework_data::{ContactPreferences, NewContactDetail};
use crate::data::HouseholdDetail;
use crate::forms::{Failed, Fields, Problems};
use crate::household::{day, people, source_title, PersonView};
use crate::layout::Layout;
use crate::pages::render;
use crate::worklist::{see_other, standards};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::Form;
use std::collections::BTreeMap;
use upstream_casework::{contact_details, show_phone, Correction, DetailKind, Sighting};
use upstream_core::{AuditAction, Role};

/// Longest note or address staff may type; longer is almost surely a paste.
const MAX_TEXT: usize = 500;

pub(crate) struct DetailView {
    pub(crate) kind: &'static str,
    pub(crate) kind_code: &'static str,
    /// As people read it (a phone in groups).
    pub(crate) shown: String,
    /// As stored, for the forms that mark it.
    pub(crate) value: String,
    pub(crate) whose: String,
    pub(crate) person_id: String,
    pub(crate) from: String,
    pub(crate) council: String,
    pub(crate) usable: bool,
}

/// Everything the pages show about reaching a household.
pub(crate) struct ReachView {
    pub(crate) details: Vec<DetailView>,
    pub(crate) preferred: String,
    pub(crate) language: String,
    pub(crate) recorded: String,
    /// As recorded (empty when nothing is): safe-contact notes and the
    /// do-not-contact wish are read from here, and the form starts from it.
    pub(crate) preferences: ContactPreferences,
}

impl ReachView {
    /// For a household storage no longer has: nothing to offer.
    pub(crate) fn unknown() -> ReachView {
        ReachView {
            details: Vec::new(),
            preferred: "Not recorded".into(),
            language: "Not recorded".into(),
            recorded: String::new(),
            preferences: ContactPreferences::default(),
        }
    }

    pub(crate) fn usable(&self) -> impl Iterator<Item = &DetailView> {
        self.details.iter().filter(|d| d.usable)
    }
}

fn language_label(code: &str) -> String {
    match code {
        "en" => "English".into(),
        "cy" => "Welsh (Cymraeg)".into(),
        other => other.to_string(),
    }
}

/// What the sources hold: each record's phone and email, and the address the
/// household lives at now (a past household's address is not a way to reach anyone).
fn sightings(detail: &HouseholdDetail) -> Vec<Sighting> {
    // The same sightings campaigns weigh, with sources named for people.
    upstream_pipeline::campaigns::sightings(detail)
        .into_iter()
        .map(|mut s| {
            s.source = if s.kind == DetailKind::Address {
                "Where the household lives".into()
            } else {
                source_title(&s.source)
            };
            s
        })
        .collect()
}

fn home_address(detail: &HouseholdDetail) -> String {
    [detail.address.as_deref(), detail.postcode.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ")
}

/// The household's contact details and preferences, for any staff page.
pub(crate) async fn reach(
    state: &AppState,
    detail: &HouseholdDetail,
    people: &[PersonView],
) -> Result<ReachView, Refused> {
    let names: BTreeMap<i64, &str> = people.iter().map(|p| (p.id, p.name.as_str())).collect();
    let corrections: Vec<Correction> = state
        .casework
        .contact_details(detail.id)
        .await?
        .into_iter()
        .filter_map(|r| {
            Some(Correction {
                person_id: r.person_id,
                kind: DetailKind::parse(&r.kind)?,
                value: r.value,
                usable: r.usable,
                note: r.note,
                by: r.recorded_by,
                on: r.recorded_at.date_naive(),
            })
        })
        .collect();
    let details = contact_details(&sightings(detail), &corrections)
        .into_iter()
        .map(|d| DetailView {
            kind: d.kind.label(),
            kind_code: d.kind.as_str(),
            shown: if d.kind == DetailKind::Phone {
                show_phone(&d.value)
            } else {
                d.value.clone()
            },
            whose: if d.people.is_empty() {
                "The household".into()
            } else {
                d.people
                    .iter()
                    .map(|p| names.get(p).copied().unwrap_or("Someone who has left"))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            person_id: match d.people.as_slice() {
                [one] => one.to_string(),
                _ => String::new(),
            },
            from: d
                .sources
                .iter()
                .map(|(s, seen)| match seen {
                    Some(on) => format!("{s} (latest {})", day(*on)),
                    None => s.clone(),
                })
                .collect::<Vec<_>>()
                .join("; "),
            council: d.council.as_ref().map_or_else(String::new, |c| {
                format!(
                    "{} by {} on {}{}",
                    if c.usable {
                        "Confirmed"
                    } else {
                        "Marked not to be used"
                    },
                    c.by,
                    day(c.on),
                    if c.note.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", c.note)
                    }
                )
            }),
            usable: d.usable,
            value: d.value,
        })
        .collect();
    let prefs = state.casework.contact_preferences(detail.id).await?;
    let s = standards();
    Ok(match prefs {
        None => ReachView {
            details,
            ..ReachView::unknown()
        },
        Some(p) => ReachView {
            details,
            preferred: p.preferred_channel.as_deref().map_or_else(
                || "No preference recorded".into(),
                |c| {
                    s.channel(c)
                        .map_or_else(|| c.to_string(), |x| x.label.clone())
                },
            ),
            language: p
                .language
                .as_deref()
                .map_or_else(|| "Not recorded".into(), language_label),
            recorded: format!(
                "Recorded by {} on {}",
                p.recorded_by,
                p.recorded_at
                    .get(..10)
                    .and_then(|d| d.parse().ok())
                    .map(day)
                    .unwrap_or_default()
            ),
            preferences: p,
        },
    })
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactPage {
    layout: Layout,
    id: i64,
    address: String,
    reach: ReachView,
    people: Vec<PersonView>,
    channels: Vec<(String, String)>,
    /// What the preferences form starts with.
    language_other: String,
    failed: Failed,
}

impl ContactPage {
    fn channel_checked(&self, code: &str) -> bool {
        if self.failed.form == "preferences" {
            self.failed.fields.get("preferred_channel") == code
        } else {
            self.reach
                .preferences
                .preferred_channel
                .as_deref()
                .unwrap_or("")
                == code
        }
    }

    fn language_checked(&self, code: &str) -> bool {
        let current = if self.failed.form == "preferences" {
            self.failed.fields.get("language")
        } else {
            match self.reach.preferences.language.as_deref() {
                None => String::new(),
                Some(c @ ("en" | "cy")) => c.to_string(),
                Some(_) => "other".into(),
            }
        };
        current == code
    }

    /// Whether a safe-contact rule's box is ticked: as typed after a
    /// refused form, else as recorded.
    fn rule_ticked(&self, name: &str) -> bool {
        if self.failed.form == "preferences" {
            return self.failed.fields.get(name) == "yes";
        }
        let p = &self.reach.preferences;
        match name {
            "no_letters" => p.no_letters,
            "text_only" => p.text_only,
            "no_calls" => p.no_calls,
            _ => false,
        }
    }
}

/// Connectors and team leaders keep contact details; nobody else sees them here.
async fn household_for_contact(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<HouseholdDetail, Refused> {
    if !matches!(user.role(), Role::Connector | Role::TeamLeader) {
        return Err(Refused::NotFound);
    }
    let id: i64 = id.parse().map_err(|_| Refused::NotFound)?;
    state
        .source
        .household(id, state.today())
        .await?
        .ok_or(Refused::NotFound)
}

/// `GET /households/{id}/contact`.
pub(crate) async fn contact_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, Refused> {
    let detail = household_for_contact(&state, &user, &id).await?;
    page(&state, &user, detail, Failed::default()).await
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    detail: HouseholdDetail,
    failed: Failed,
) -> Result<Response, Refused> {
    audit_view(
        state,
        user,
        "household",
        detail.id.to_string(),
        "contact details",
    )
    .await?;
    let people = people(&detail);
    let reach = reach(state, &detail, &people).await?;
    let language_other = match reach.preferences.language.as_deref() {
        Some("en" | "cy") | None => String::new(),
        Some(other) => other.to_string(),
    };
    let page = ContactPage {
        layout: Layout::new(state, Some(user)).await.at("/search"),
        id: detail.id,
        address: home_address(&detail),
        reach,
        people,
        channels: standards()
            .channels
            .iter()
            .map(|c| (c.code.clone(), c.label.clone()))
            .collect(),
        language_other,
        failed,
    };
    Ok(render(page.failed.status(), &page))
}

/// A typed phone, email or address as stored, or what is wrong with it.
/// Phones and emails go through ingest's own standardising, so a number
/// staff mark wrong is the same text as the one the sources hold.
pub(crate) fn standard_value(kind: DetailKind, typed: &str) -> Result<String, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(match kind {
            DetailKind::Phone => "Enter a phone number".into(),
            DetailKind::Email => "Enter an email address".into(),
            DetailKind::Address => "Enter a postal address".into(),
        });
    }
    match kind {
        DetailKind::Phone => match upstream_ingest::standardise::phone(typed) {
            Ok(Some(p)) => Ok(p),
            _ => Err("Enter a UK phone number, like 07700 900982 or 0121 496 0000".into()),
        },
        DetailKind::Email => match upstream_ingest::standardise::email(typed) {
            Ok(Some(e)) => Ok(e),
            _ => Err("Enter an email address in the correct format, like name@example.com".into()),
        },
        DetailKind::Address => {
            let one_line = typed.split_whitespace().collect::<Vec<_>>().join(" ");
            if one_line.chars().count() > MAX_TEXT {
                Err(format!(
                    "The address must be {MAX_TEXT} characters or fewer"
                ))
            } else {
                Ok(one_line)
            }
        }
    }
}

type ContactForm = Form<Vec<(String, String)>>;

/// `POST /households/{id}/contact/details`: add a detail, or say whether
/// one may be used.
pub(crate) async fn add_detail(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): ContactForm,
) -> Result<Response, Refused> {
    let detail = household_for_contact(&state, &user, &id).await?;
    let fields = Fields(form);
    let mut problems = Problems::default();
    let kind = DetailKind::parse(&fields.get("kind"));
    let value = match kind {
        None => {
            problems.add(
                "kind",
                "Select whether it is a phone number, an email or an address",
            );
            String::new()
        }
        Some(k) => match standard_value(k, &fields.get("value")) {
            Ok(v) => v,
            Err(m) => {
                problems.add("value", m);
                String::new()
            }
        },
    };
    let usable = match fields.get("usable").as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            problems.add("usable", "Select whether it may be used to contact them");
            true
        }
    };
    let note = fields.get("note");
    if note.chars().count() > MAX_TEXT {
        problems.add(
            "note",
            format!("The note must be {MAX_TEXT} characters or fewer"),
        );
    }
    let person_id = match fields.get("person_id").as_str() {
        "" => None,
        p => match p.parse::<i64>() {
            Ok(p) if detail.members.contains(&p) => Some(p),
            _ => {
                problems.add("person_id", "Select someone who lives in this household");
                None
            }
        },
    };
    let (Some(kind), true) = (kind, problems.is_empty()) else {
        return page(
            &state,
            &user,
            detail,
            Failed {
                form: "detail",
                problems,
                fields,
            },
        )
        .await;
    };
    record(
        &state,
        &user.audit(
            AuditAction::Create,
            "household",
            detail.id.to_string(),
            "contact detail",
            serde_json::json!({ "kind": kind.as_str(), "usable": usable, "person": person_id }),
        ),
    )
    .await?;
    state
        .casework
        .add_contact_detail(
            NewContactDetail {
                household_id: detail.id,
                person_id,
                kind: kind.as_str().to_string(),
                value,
                usable,
                note,
            },
            user.account.id,
        )
        .await?;
    Ok(see_other(&format!("/households/{}/contact", detail.id)))
}

/// `POST /households/{id}/contact/preferences`.
pub(crate) async fn set_preferences(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): ContactForm,
) -> Result<Response, Refused> {
    let detail = household_for_contact(&state, &user, &id).await?;
    let fields = Fields(form);
    let mut problems = Problems::default();
    let channel = fields.get("preferred_channel");
    let preferred_channel = if channel.is_empty() {
        None
    } else if standards().channel(&channel).is_some() {
        Some(channel)
    } else {
        problems.add(
            "preferred_channel",
            "Select how they would like to be contacted",
        );
        None
    };
    let language = match fields.get("language").as_str() {
        "" => None,
        code @ ("en" | "cy") => Some(code.to_string()),
        "other" => {
            let other = fields.get("language_other");
            if other.is_empty() {
                problems.add(
                    "language_other",
                    "Enter the language they would like to use",
                );
                None
            } else if other.chars().count() > 60 {
                problems.add(
                    "language_other",
                    "The language must be 60 characters or fewer",
                );
                None
            } else {
                Some(other)
            }
        }
        _ => {
            problems.add("language", "Select a language");
            None
        }
    };
    let safe_contact = fields.get("safe_contact");
    if safe_contact.chars().count() > MAX_TEXT {
        problems.add(
            "safe_contact",
            format!("Safe-contact notes must be {MAX_TEXT} characters or fewer"),
        );
    }
    let note = fields.get("note");
    if note.chars().count() > MAX_TEXT {
        problems.add(
            "note",
            format!("The note must be {MAX_TEXT} characters or fewer"),
        );
    }
    if !problems.is_empty() {
        return page(
            &state,
            &user,
            detail,
            Failed {
                form: "preferences",
                problems,
                fields,
            },
        )
        .await;
    }
    let do_not_contact = fields.get("do_not_contact") == "yes";
    record(
        &state,
        &user.audit(
            AuditAction::Change,
            "household",
            detail.id.to_string(),
            "contact preferences",
            serde_json::json!({
                "preferred_channel": preferred_channel,
                "language": language,
                "do_not_contact": do_not_contact,
                "no_letters": fields.get("no_letters") == "yes",
                "text_only": fields.get("text_only") == "yes",
                "no_calls": fields.get("no_calls") == "yes",
                "safe_contact_changed": true,
            }),
        ),
    )
    .await?;
    state
        .casework
        .set_contact_preferences(
            detail.id,
            ContactPreferences {
                do_not_contact,
                preferred_channel,
                language,
                safe_contact,
                no_letters: fields.get("no_letters") == "yes",
                text_only: fields.get("text_only") == "yes",
                no_calls: fields.get("no_calls") == "yes",
                note,
                recorded_by: user.account.display_name.clone(),
                recorded_at: String::new(),
            },
        )
        .await?;
    Ok(see_other(&format!("/households/{}/contact", detail.id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_details_are_stored_as_the_sources_store_them() {
        assert_eq!(
            standard_value(DetailKind::Phone, "+44 (0)7700 900 123").as_deref(),
            Ok("07700900123")
        );
        assert!(standard_value(DetailKind::Phone, "12345").is_err());
        assert_eq!(
            standard_value(DetailKind::Email, " Jo@Example.COM ").as_deref(),
            Ok("jo@example.com")
        );
        assert!(standard_value(DetailKind::Email, "jo at example").is_err());
        assert_eq!(
            standard_value(DetailKind::Address, " 1  High St,\n B1 1AA ").as_deref(),
            Ok("1 High St, B1 1AA")
        );
        assert!(standard_value(DetailKind::Address, "  ").is_err());
    }
}
