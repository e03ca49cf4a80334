//! What `base.html` needs on every page: the council's name for the header
//! and, when someone is signed in, who they are, their menu and the CSRF
//! token that every form they see must carry.

use crate::auth::CurrentUser;
use crate::AppState;
use upstream_core::Role;

/// The header's name when no council's data is loaded (or it cannot be read).
pub(crate) const NO_COUNCIL: &str = "Council services";

/// Every page struct has a `layout: Layout` field; `base.html` reads it.
pub(crate) struct Layout {
    pub(crate) council_name: String,
    pub(crate) account: Option<AccountNav>,
    /// The menu item this page belongs under (its link), marked as current.
    pub(crate) section: &'static str,
}

/// The signed-in person's part of the header.
pub(crate) struct AccountNav {
    pub(crate) display_name: String,
    pub(crate) role: &'static str,
    pub(crate) csrf_token: String,
    pub(crate) administrator: bool,
    /// Whether the header links to the person search.
    pub(crate) may_search: bool,
    /// Whether the header links to the worklist and the referral queue (staff who work cases).
    pub(crate) works_cases: bool,
    /// Whether the header links to the referral form (partners refer in too).
    pub(crate) may_refer: bool,
    /// A team leader's /worklist is the team's list; a connector's, their caseload.
    pub(crate) leads_team: bool,
}

impl AccountNav {
    /// The menu's name for /worklist, the same as that page's heading.
    pub(crate) fn worklist_label(&self) -> &'static str {
        if self.leads_team {
            "This week's list"
        } else {
            "Your caseload"
        }
    }
}

impl Layout {
    /// The council's name from the data source (a generic name if it cannot be read).
    pub(crate) async fn new(state: &AppState, user: Option<&CurrentUser>) -> Layout {
        let council_name = match state.council_name().await {
            Ok(Some(name)) => name,
            Ok(None) => NO_COUNCIL.to_string(),
            Err(e) => {
                tracing::warn!("the council's name could not be read: {e}");
                NO_COUNCIL.to_string()
            }
        };
        Layout::with_council(council_name, user)
    }

    pub(crate) fn with_council(council_name: String, user: Option<&CurrentUser>) -> Layout {
        Layout {
            council_name,
            account: user.map(|u| AccountNav {
                display_name: u.account.display_name.clone(),
                role: u.account.role.title(),
                csrf_token: u.csrf_token.clone(),
                administrator: u.account.role == Role::Administrator,
                may_search: matches!(
                    u.account.role,
                    Role::Connector | Role::TeamLeader | Role::PartnerWorker
                ),
                works_cases: matches!(u.account.role, Role::Connector | Role::TeamLeader),
                may_refer: matches!(
                    u.account.role,
                    Role::Connector | Role::TeamLeader | Role::PartnerWorker
                ),
                leads_team: u.account.role == Role::TeamLeader,
            }),
            section: "",
        }
    }

    /// This page belongs under the menu item linking to `section`: the menu
    /// marks it, so people (and screen readers, through `aria-current`)
    /// know where they are.
    pub(crate) fn at(mut self, section: &'static str) -> Layout {
        self.section = section;
        self
    }

    /// Whether the menu item linking to `link` is this page's.
    pub(crate) fn is_current(&self, link: &str) -> bool {
        self.section == link
    }

    /// For the hidden `csrf_token` field every form must carry:
    /// `<input type="hidden" name="csrf_token" value="{{ layout.csrf_token() }}">`.
    pub(crate) fn csrf_token(&self) -> &str {
        self.account.as_ref().map_or("", |a| a.csrf_token.as_str())
    }
}
