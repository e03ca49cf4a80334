//! Who may use Upstream and what the audit log records them doing.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A staff member's role: what they may see and do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Council (or partner) community connector: works the team's cases.
    Connector,
    /// Shares out the team's weekly list; fast-tracks households.
    TeamLeader,
    /// Works for a partner organisation; sees only what a household agreed to share with it.
    PartnerWorker,
    /// Aggregates only: models, dashboards, outcomes; never one person's records.
    Analyst,
    /// Manages users and reads the audit log.
    Administrator,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Connector,
        Role::TeamLeader,
        Role::PartnerWorker,
        Role::Analyst,
        Role::Administrator,
    ];

    /// The stored and command-line name: `team_leader`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Connector => "connector",
            Role::TeamLeader => "team_leader",
            Role::PartnerWorker => "partner_worker",
            Role::Analyst => "analyst",
            Role::Administrator => "administrator",
        }
    }

    /// The name people read: "Team leader".
    pub fn title(self) -> &'static str {
        match self {
            Role::Connector => "Community connector",
            Role::TeamLeader => "Team leader",
            Role::PartnerWorker => "Partner worker",
            Role::Analyst => "Analyst",
            Role::Administrator => "Administrator",
        }
    }

    /// Accepts the stored name, with hyphens or spaces for underscores, in any case.
    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an audit entry records someone doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    View,
    Create,
    Change,
    Delete,
    SignIn,
    SignOut,
    SignInFailed,
    Export,
}

impl AuditAction {
    pub const ALL: [AuditAction; 8] = [
        AuditAction::View,
        AuditAction::Create,
        AuditAction::Change,
        AuditAction::Delete,
        AuditAction::SignIn,
        AuditAction::SignOut,
        AuditAction::SignInFailed,
        AuditAction::Export,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::View => "view",
            AuditAction::Create => "create",
            AuditAction::Change => "change",
            AuditAction::Delete => "delete",
            AuditAction::SignIn => "sign_in",
            AuditAction::SignOut => "sign_out",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::Export => "export",
        }
    }

    /// The words an administrator reads in the audit log.
    pub fn title(self) -> &'static str {
        match self {
            AuditAction::View => "Viewed",
            AuditAction::Create => "Created",
            AuditAction::Change => "Changed",
            AuditAction::Delete => "Deleted",
            AuditAction::SignIn => "Signed in",
            AuditAction::SignOut => "Signed out",
            AuditAction::SignInFailed => "Sign-in refused",
            AuditAction::Export => "Exported",
        }
    }

    pub fn parse(s: &str) -> Option<AuditAction> {
        let s = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        AuditAction::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_actions_round_trip_through_their_names() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("Team-Leader"), Some(Role::TeamLeader));
        assert_eq!(Role::parse("partner worker"), Some(Role::PartnerWorker));
        assert_eq!(Role::parse("root"), None);
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(a));
        }
        assert_eq!(
            AuditAction::parse("sign-in-failed"),
            Some(AuditAction::SignInFailed)
        );
        assert_eq!(AuditAction::parse("sudo"), None);
    }
}
