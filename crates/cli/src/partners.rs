//! `upstream partners`: the partner organisations consent can name, the
//! purposes each one's work serves, and the API keys their systems send
//! referrals with. What is done here is recorded in the audit log as
//! `cli:<operating-system user>`.

use anyhow::Result;
use clap::Subcommand;
use upstream_casework::Standards;
use upstream_core::AuditAction;
use upstream_store::{PartnerOrganisation, Store};

#[derive(Debug, Subcommand)]
pub enum PartnersCommand {
    /// Add a partner organisation, or change its kind and purposes.
    Add {
        /// The organisation's name, as consent forms and partner accounts name it.
        name: String,
        /// What it is: police, fire, school, health, voluntary, council, housing, ...
        #[arg(long)]
        kind: String,
        /// A consent purpose its work serves (repeat for more): housing_support,
        /// money_advice, health_wellbeing, community_support, children_family.
        #[arg(long = "purpose", required = true)]
        purposes: Vec<String>,
    },
    /// List the partner organisations.
    List,
    /// Make a new API key for an organisation's system to send referrals
    /// with (`POST /api/referrals`). It is shown once only.
    Key {
        /// The organisation, as added with `upstream partners add`.
        name: String,
    },
}

/// Checks a new organisation: a name that is not one of the referrer kinds
/// staff choose from (those become a referral's `from_organisation`, and a
/// partner sees the households it referred), a kind, and known purposes.
fn check(name: &str, kind: &str, purposes: &[String], standards: &Standards) -> Result<(), String> {
    if name.is_empty() || name.chars().count() > 200 {
        return Err("the organisation's name must be 1 to 200 characters".into());
    }
    if upstream_web::REFERRER_KINDS
        .iter()
        .any(|(_, label)| label.eq_ignore_ascii_case(name))
    {
        return Err(format!(
            "'{name}' is a kind of referrer staff choose on the referral form; give the organisation its own name (for example \"West Midlands Police\")"
        ));
    }
    if kind.is_empty() {
        return Err("give the organisation's --kind (police, school, voluntary, ...)".into());
    }
    let known: Vec<&str> = standards
        .consent_purposes
        .iter()
        .map(|c| c.code.as_str())
        .collect();
    if let Some(bad) = purposes.iter().find(|p| !known.contains(&p.as_str())) {
        return Err(format!(
            "'{bad}' is not a consent purpose; use one of {}",
            known.join(", ")
        ));
    }
    Ok(())
}

/// A new API key: about 200 random bits, in groups that are easy to copy.
fn new_key() -> Result<String> {
    Ok(format!(
        "{}-{}",
        upstream_store::generate_password()?,
        upstream_store::generate_password()?
    ))
}

pub async fn partners(store: &Store, command: PartnersCommand) -> Result<()> {
    match command {
        PartnersCommand::Add {
            name,
            kind,
            purposes,
        } => {
            let name = name.trim().to_string();
            let kind = kind.trim().to_lowercase();
            let mut purposes: Vec<String> = purposes.iter().map(|p| p.trim().to_string()).collect();
            purposes.sort();
            purposes.dedup();
            if let Err(m) = check(&name, &kind, &purposes, &Standards::default_standards()) {
                crate::user_error!("{m}");
            }
            let existed = store.partner_organisation(&name).await?.is_some();
            crate::accounts::audit(
                store,
                if existed {
                    AuditAction::Change
                } else {
                    AuditAction::Create
                },
                "partner_organisation",
                &name,
                "partner organisation saved",
                serde_json::json!({ "kind": kind, "purposes": purposes }),
            )
            .await?;
            store
                .save_partner_organisation(&PartnerOrganisation {
                    name: name.clone(),
                    kind,
                    purposes: purposes.clone(),
                })
                .await?;
            let verb = if existed { "Updated" } else { "Added" };
            println!("{verb} {name}, serving: {}.", purposes.join(", "));
            Ok(())
        }
        PartnersCommand::List => {
            let orgs = store.partner_organisations().await?;
            if orgs.is_empty() {
                println!("No partner organisations yet. Add one with `upstream partners add NAME --kind voluntary --purpose money_advice`.");
                return Ok(());
            }
            println!("{:<32} {:<12} purposes", "name", "kind");
            for o in orgs {
                println!("{:<32} {:<12} {}", o.name, o.kind, o.purposes.join(", "));
            }
            Ok(())
        }
        PartnersCommand::Key { name } => {
            let name = name.trim().to_string();
            if store.partner_organisation(&name).await?.is_none() {
                crate::user_error!(
                    "there is no partner organisation called '{name}'; add it first with `upstream partners add`"
                );
            }
            let key = make_key(store, &name).await?;
            println!("A new API key for {name}:");
            println!();
            println!("    {key}");
            println!();
            println!("Keep it safe: it is shown this once and cannot be shown again (only a hash of it is kept).");
            println!("Anyone who has it can send referrals as {name}. Give it to their system by a secure route, never by email.");
            println!("Their system sends it as `Authorization: Bearer <key>` with `POST /api/referrals`.");
            Ok(())
        }
    }
}

/// A new API key for a partner organisation already known: audited, and
/// stored as a hash only, so the caller must show it now or never.
pub(crate) async fn make_key(store: &Store, organisation: &str) -> Result<String> {
    let key = new_key()?;
    crate::accounts::audit(
        store,
        AuditAction::Create,
        "partner_api_key",
        organisation,
        "partner API key made",
        serde_json::json!({}),
    )
    .await?;
    store.add_partner_api_key(organisation, &key).await?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisations_need_a_name_a_kind_and_known_purposes() {
        let s = Standards::default_standards();
        let p = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            check("Citizens Advice", "voluntary", &p(&["money_advice"]), &s),
            Ok(())
        );
        assert!(check("", "voluntary", &p(&["money_advice"]), &s).is_err());
        assert!(check("Police", "police", &p(&["housing_support"]), &s)
            .unwrap_err()
            .contains("kind of referrer"));
        assert!(check("Shelter", "", &p(&["housing_support"]), &s).is_err());
        assert!(check("Shelter", "voluntary", &p(&["marketing"]), &s)
            .unwrap_err()
            .contains("not a consent purpose"));
    }

    #[test]
    fn keys_are_long_and_different_each_time() {
        let a = new_key().unwrap();
        assert!(a.len() >= 40, "{a}");
        assert_ne!(a, new_key().unwrap());
    }
}
