use serde::{Deserialize, Serialize};
use std::fmt;

/// Homelessness law differs: England (Homelessness Reduction Act 2017) and
/// Wales (Housing (Wales) Act 2014, s66 prevention and s73 relief).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Nation {
    England,
    Wales,
}

impl Nation {
    /// The stored and command-line name: `england`, `wales`.
    pub fn as_str(self) -> &'static str {
        match self {
            Nation::England => "england",
            Nation::Wales => "wales",
        }
    }

    pub fn parse(s: &str) -> Option<Nation> {
        match s.trim().to_ascii_lowercase().as_str() {
            "england" => Some(Nation::England),
            "wales" => Some(Nation::Wales),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tenure {
    Owner,
    PrivateRent,
    SocialRent,
    TemporaryAccommodation,
}

impl Tenure {
    pub const ALL: [Tenure; 4] = [
        Tenure::Owner,
        Tenure::PrivateRent,
        Tenure::SocialRent,
        Tenure::TemporaryAccommodation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Tenure::Owner => "owner",
            Tenure::PrivateRent => "private_rent",
            Tenure::SocialRent => "social_rent",
            Tenure::TemporaryAccommodation => "temporary_accommodation",
        }
    }

    pub fn is_renting(self) -> bool {
        !matches!(self, Tenure::Owner)
    }
}

impl fmt::Display for Tenure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The crisis outcomes prevention work tries to avert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrisisKind {
    HomelessnessPrevention,
    HomelessnessRelief,
    TemporaryAccommodation,
    Eviction,
    EnforcementAgent,
    CrisisGrant,
    FoodBank,
}

impl CrisisKind {
    pub const ALL: [CrisisKind; 7] = [
        CrisisKind::HomelessnessPrevention,
        CrisisKind::HomelessnessRelief,
        CrisisKind::TemporaryAccommodation,
        CrisisKind::Eviction,
        CrisisKind::EnforcementAgent,
        CrisisKind::CrisisGrant,
        CrisisKind::FoodBank,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CrisisKind::HomelessnessPrevention => "homelessness_prevention_duty",
            CrisisKind::HomelessnessRelief => "homelessness_relief_duty",
            CrisisKind::TemporaryAccommodation => "temporary_accommodation",
            CrisisKind::Eviction => "eviction",
            CrisisKind::EnforcementAgent => "enforcement_agent",
            CrisisKind::CrisisGrant => "crisis_grant",
            CrisisKind::FoodBank => "food_bank",
        }
    }
}

impl fmt::Display for CrisisKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The council systems whose extracts Upstream ingests. Each has its own
/// identifiers, formats and mistakes; `docs/extracts.md` describes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceSystem {
    CouncilTax,
    Benefits,
    Rent,
    HousingRegister,
    Homelessness,
    ContactCentre,
    StreetScene,
    EarlyHelp,
    AdultSocialCare,
    ElectoralRegister,
}

impl SourceSystem {
    pub const ALL: [SourceSystem; 10] = [
        SourceSystem::CouncilTax,
        SourceSystem::Benefits,
        SourceSystem::Rent,
        SourceSystem::HousingRegister,
        SourceSystem::Homelessness,
        SourceSystem::ContactCentre,
        SourceSystem::StreetScene,
        SourceSystem::EarlyHelp,
        SourceSystem::AdultSocialCare,
        SourceSystem::ElectoralRegister,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceSystem::CouncilTax => "council_tax",
            SourceSystem::Benefits => "benefits",
            SourceSystem::Rent => "rent",
            SourceSystem::HousingRegister => "housing_register",
            SourceSystem::Homelessness => "homelessness",
            SourceSystem::ContactCentre => "contact_centre",
            SourceSystem::StreetScene => "street_scene",
            SourceSystem::EarlyHelp => "early_help",
            SourceSystem::AdultSocialCare => "adult_social_care",
            SourceSystem::ElectoralRegister => "electoral_register",
        }
    }

    pub fn parse(s: &str) -> Option<SourceSystem> {
        SourceSystem::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// What a member of staff would call it.
    pub fn title(self) -> &'static str {
        match self {
            SourceSystem::CouncilTax => "Council tax",
            SourceSystem::Benefits => "Housing benefit and council tax reduction",
            SourceSystem::Rent => "Council housing rent accounts",
            SourceSystem::HousingRegister => "Housing register",
            SourceSystem::Homelessness => "Homelessness cases",
            SourceSystem::ContactCentre => "Contact centre",
            SourceSystem::StreetScene => "Street scene jobs",
            SourceSystem::EarlyHelp => "Early help and family hubs",
            SourceSystem::AdultSocialCare => "Adult social care referrals",
            SourceSystem::ElectoralRegister => "Electoral register",
        }
    }
}

impl fmt::Display for SourceSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
