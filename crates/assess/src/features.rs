//! What the risk model sees of a household on one date: a fixed, named list
//! of features, each with a plain-English phrase for the reasons staff read.
//!
//! Strictly "as of": only `h.known_by(as_of)` is read, and members are
//! counted only once the platform had seen them. Money stays in integer
//! pence until it is turned into a band or a number of weeks.

use chrono::{Datelike, NaiveDate, TimeDelta};

use crate::input::{DetectedEvent, HouseholdInput, Observation, Resilience};
use crate::outcomes::CURRENT_SNAPSHOT_DAYS;

/// Event features look back this far for "recent" ...
pub const RECENT_DAYS: i64 = 91;
/// ... and this far for "earlier".
pub const EARLIER_DAYS: i64 = 365;

/// A group of life events. Event ids are matched to groups by
/// [`event_group`], so features work with whatever library is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventGroup {
    Moving,
    SeparationOrBereavement,
    IncomeLoss,
    HousingThreat,
    Arrears,
    Family,
    HealthOrCare,
    LeftInstitution,
    SeasonalOrPrice,
    Other,
}

impl EventGroup {
    pub const ALL: [EventGroup; 10] = [
        EventGroup::Moving,
        EventGroup::SeparationOrBereavement,
        EventGroup::IncomeLoss,
        EventGroup::HousingThreat,
        EventGroup::Arrears,
        EventGroup::Family,
        EventGroup::HealthOrCare,
        EventGroup::LeftInstitution,
        EventGroup::SeasonalOrPrice,
        EventGroup::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventGroup::Moving => "moving",
            EventGroup::SeparationOrBereavement => "separation_or_bereavement",
            EventGroup::IncomeLoss => "income_loss",
            EventGroup::HousingThreat => "housing_threat",
            EventGroup::Arrears => "arrears",
            EventGroup::Family => "family",
            EventGroup::HealthOrCare => "health_or_care",
            EventGroup::LeftInstitution => "left_institution",
            EventGroup::SeasonalOrPrice => "seasonal_or_price",
            EventGroup::Other => "other",
        }
    }

    fn phrase(self) -> &'static str {
        match self {
            EventGroup::Moving => "a move",
            EventGroup::SeparationOrBereavement => "a separation or bereavement",
            EventGroup::IncomeLoss => "a fall in income",
            EventGroup::HousingThreat => "a threat to the home (notice, rent rise)",
            EventGroup::Arrears => "new or rising arrears",
            EventGroup::Family => "a new child or family change",
            EventGroup::HealthOrCare => "illness or a new care need",
            EventGroup::LeftInstitution => "leaving care, prison or hospital",
            EventGroup::SeasonalOrPrice => "a seasonal or price shock",
            EventGroup::Other => "another life event",
        }
    }

    fn recent(self) -> Feat {
        EVENT_FEATURES[self as usize].0
    }

    fn earlier(self) -> Feat {
        EVENT_FEATURES[self as usize].1
    }
}

/// Which group a library event id belongs to; `None` for events that are
/// crisis outcomes themselves or good news. The first rule whose keyword
/// the id contains wins (the table is in docs/assessment.md).
pub fn event_group(id: &str) -> Option<EventGroup> {
    let id = id.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| id.contains(w));
    if has(&[
        "crisis",
        "homeless",
        "temporary_accommodation",
        "enforcement",
        "eviction",
        "recovered",
        "cleared",
        "new_job",
        "housed",
        "duty_ended",
    ]) {
        return None;
    }
    let rules: [(EventGroup, &[&str]); 9] = [
        (
            EventGroup::LeftInstitution,
            &[
                "prison",
                "leaving_care",
                "left_care",
                "care_leaver",
                "institution",
                "hospital_discharge",
            ],
        ),
        (
            EventGroup::Arrears,
            &[
                "arrears",
                "missed",
                "recovery",
                "summons",
                "liability_order",
                "reminder",
                "final_notice",
                "debt",
            ],
        ),
        (
            EventGroup::HousingThreat,
            &[
                "notice",
                "possession",
                "rent_rise",
                "rent_increase",
                "tenancy_end",
                "section_21",
                "housing_advice",
                "housing_register",
            ],
        ),
        (
            EventGroup::SeparationOrBereavement,
            &[
                "separat",
                "bereave",
                "death",
                "died",
                "single_person_discount",
                "partner_left",
                "relationship",
                "widow",
                "divorce",
            ],
        ),
        (
            EventGroup::IncomeLoss,
            &[
                "income",
                "job_loss",
                "lost_job",
                "unemploy",
                "earnings",
                "redundan",
                "benefit",
                "reduction",
                "sanction",
                "reduced",
                "money",
                "fell",
                "drop",
            ],
        ),
        (
            EventGroup::Family,
            &["baby", "birth", "child", "pregnan", "early_help", "family"],
        ),
        (
            EventGroup::HealthOrCare,
            &["care", "illness", "ill_", "health", "disab"],
        ),
        (
            EventGroup::Moving,
            &[
                "move",
                "moving",
                "new_tenancy",
                "new_account",
                "new_council_tax",
                "account_opened",
                "new_address",
                "parental_home",
                "arrived",
                "new_to_area",
            ],
        ),
        (
            EventGroup::SeasonalOrPrice,
            &[
                "winter", "price", "energy", "fuel", "food", "cost", "heating", "season",
            ],
        ),
    ];
    Some(
        rules
            .iter()
            .find(|(_, words)| has(words))
            .map_or(EventGroup::Other, |(g, _)| *g),
    )
}

/// How a feature may be given as a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureKind {
    /// A condition or a count: a reason only when present (value above 0).
    Presence,
    /// A level that reads either way (resilience, household size).
    Level,
}

macro_rules! features {
    ($($variant:ident = $name:literal,)*) => {
        /// The model's features, in order. The order is part of a stored
        /// model: [`crate::model::Model`] keeps the names and refuses a mismatch.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Feat { $($variant,)* }

        impl Feat {
            pub const ALL: &'static [Feat] = &[$(Feat::$variant,)*];

            /// The feature's stable name (in stored models and exports).
            pub fn name(self) -> &'static str {
                match self { $(Feat::$variant => $name,)* }
            }
        }
    };
}

features! {
    CtArrearsBand = "ct_arrears_band",
    CtRecoveryStage = "ct_recovery_stage",
    CtArrearsRising = "ct_arrears_rising_months",
    RentArrearsWeeks = "rent_arrears_weeks",
    RentArrearsAction = "rent_arrears_action",
    RentArrearsRising = "rent_arrears_rising_months",
    CouncilTenant = "council_tenant",
    PrivateRenter = "private_renter",
    BenefitClaim = "benefit_claim",
    NotWorking = "not_working",
    Dependants = "dependants",
    HouseholdSize = "household_size",
    SingleAdultWithChildren = "single_adult_with_children",
    YoungHousehold = "young_household",
    PensionAge = "pension_age",
    MovedRecently = "moved_recently",
    NewToArea = "new_to_area",
    RegisterNoticeToQuit = "register_notice_to_quit",
    RegisterHomeless = "register_homeless",
    RegisterAffordability = "register_affordability",
    RegisterOther = "register_other",
    PastHomelessness = "past_homelessness",
    PastCrisisSupport = "past_crisis_support",
    Contacts3m = "contacts_3m",
    MoneyOrHousingContact3m = "money_or_housing_contact_3m",
    EarlyHelp12m = "early_help_12m",
    SocialCare12m = "social_care_12m",
    Resilience = "resilience",
    Events3m = "events_3m",
    MovingRecent = "event_moving_3m",
    MovingEarlier = "event_moving_3_12m",
    SeparationRecent = "event_separation_or_bereavement_3m",
    SeparationEarlier = "event_separation_or_bereavement_3_12m",
    IncomeRecent = "event_income_loss_3m",
    IncomeEarlier = "event_income_loss_3_12m",
    HousingRecent = "event_housing_threat_3m",
    HousingEarlier = "event_housing_threat_3_12m",
    ArrearsRecent = "event_arrears_3m",
    ArrearsEarlier = "event_arrears_3_12m",
    FamilyRecent = "event_family_3m",
    FamilyEarlier = "event_family_3_12m",
    HealthRecent = "event_health_or_care_3m",
    HealthEarlier = "event_health_or_care_3_12m",
    InstitutionRecent = "event_left_institution_3m",
    InstitutionEarlier = "event_left_institution_3_12m",
    SeasonalRecent = "event_seasonal_or_price_3m",
    SeasonalEarlier = "event_seasonal_or_price_3_12m",
    OtherRecent = "event_other_3m",
    OtherEarlier = "event_other_3_12m",
}

/// How many features there are.
pub const N_FEATURES: usize = 49;

const _: () = assert!(Feat::ALL.len() == N_FEATURES);

/// (recent, earlier) feature of each [`EventGroup`], in its order.
const EVENT_FEATURES: [(Feat, Feat); 10] = [
    (Feat::MovingRecent, Feat::MovingEarlier),
    (Feat::SeparationRecent, Feat::SeparationEarlier),
    (Feat::IncomeRecent, Feat::IncomeEarlier),
    (Feat::HousingRecent, Feat::HousingEarlier),
    (Feat::ArrearsRecent, Feat::ArrearsEarlier),
    (Feat::FamilyRecent, Feat::FamilyEarlier),
    (Feat::HealthRecent, Feat::HealthEarlier),
    (Feat::InstitutionRecent, Feat::InstitutionEarlier),
    (Feat::SeasonalRecent, Feat::SeasonalEarlier),
    (Feat::OtherRecent, Feat::OtherEarlier),
];

const RECOVERY_STAGES: [&str; 6] = [
    "reminder",
    "final_notice",
    "summons",
    "liability_order",
    "attachment",
    "enforcement_agent",
];

const ARREARS_ACTIONS: [&str; 3] = [
    "notice_of_seeking_possession",
    "possession_order",
    "eviction_warrant",
];

/// Council tax arrears bands, lower bounds in pence.
const CT_BANDS_PENCE: [i64; 4] = [1, 20_000, 50_000, 100_000];

fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

impl Feat {
    pub fn kind(self) -> FeatureKind {
        match self {
            Feat::HouseholdSize | Feat::Resilience => FeatureKind::Level,
            _ => FeatureKind::Presence,
        }
    }

    /// What the feature measures, for the model card.
    pub fn description(self) -> String {
        match self {
            Feat::CtArrearsBand => "council tax arrears band: 0 none, 1 under £200, 2 £200–£499, 3 £500–£999, 4 £1,000 or more".into(),
            Feat::CtRecoveryStage => "council tax recovery stage: 0 none, 1 reminder … 6 enforcement agent".into(),
            Feat::CtArrearsRising => "months running that council tax arrears rose (up to 6)".into(),
            Feat::RentArrearsWeeks => "council rent arrears in weeks of rent (up to 26)".into(),
            Feat::RentArrearsAction => "arrears action: 0 none, 1 notice of seeking possession, 2 possession order, 3 eviction warrant".into(),
            Feat::RentArrearsRising => "months running that rent arrears rose (up to 6)".into(),
            Feat::CouncilTenant => "a current council tenancy".into(),
            Feat::PrivateRenter => "a benefit claim giving private renting as tenure".into(),
            Feat::BenefitClaim => "a current housing benefit or council tax reduction claim".into(),
            Feat::NotWorking => "the claim says not working".into(),
            Feat::Dependants => "dependent children on the claim, or children under 18 among members (up to 6)".into(),
            Feat::HouseholdSize => "members known to the platform (up to 8)".into(),
            Feat::SingleAdultWithChildren => "one adult with children".into(),
            Feat::YoungHousehold => "every adult under 25".into(),
            Feat::PensionAge => "every adult 66 or over".into(),
            Feat::MovedRecently => "12 minus months since moving in, when under a year (else 0)".into(),
            Feat::NewToArea => "every member first seen in the area within the last year".into(),
            Feat::RegisterNoticeToQuit => "a live housing register application because of a notice to quit".into(),
            Feat::RegisterHomeless => "a live housing register application as homeless or in temporary accommodation".into(),
            Feat::RegisterAffordability => "a live housing register application because the home is unaffordable".into(),
            Feat::RegisterOther => "a live housing register application for another reason".into(),
            Feat::PastHomelessness => "any earlier homelessness case".into(),
            Feat::PastCrisisSupport => "a crisis support application in the last year".into(),
            Feat::Contacts3m => "contact centre contacts in the last 3 months (up to 6)".into(),
            Feat::MoneyOrHousingContact3m => "a contact about benefits, council tax or housing in the last 3 months".into(),
            Feat::EarlyHelp12m => "an early help referral in the last year".into(),
            Feat::SocialCare12m => "an adult social care referral in the last year".into(),
            Feat::Resilience => "community resilience score, 0 to 100".into(),
            Feat::Events3m => {
                "different life events in the last 3 months, seasonal and price shocks aside (up to 6)"
                    .into()
            }
            f => match event_feature(f) {
                Some((g, true)) => format!("{} in the last 3 months (life-event library)", g.phrase()),
                Some((g, false)) => format!("{} 3 to 12 months ago (life-event library)", g.phrase()),
                None => String::new(),
            },
        }
    }

    /// The reason staff read, for a household with `value`; `mean` is the
    /// training mean, so a level can say "low" or "high".
    pub fn phrase(self, value: f32, mean: f64) -> String {
        let n = value.round() as i64;
        match self {
            Feat::CtArrearsBand => format!(
                "council tax arrears of {}",
                [
                    "nothing",
                    "under £200",
                    "£200 to £499",
                    "£500 to £999",
                    "£1,000 or more"
                ][n.clamp(0, 4) as usize]
            ),
            Feat::CtRecoveryStage => format!(
                "council tax recovery at {} stage",
                [
                    "no",
                    "reminder",
                    "final notice",
                    "summons",
                    "liability order",
                    "attachment",
                    "enforcement agent"
                ][n.clamp(0, 6) as usize]
            ),
            Feat::CtArrearsRising => {
                format!(
                    "council tax arrears rising for {}",
                    plural(n, "month", "months")
                )
            }
            Feat::RentArrearsWeeks => format!("rent arrears of {:.0} weeks' rent", value.max(0.0)),
            Feat::RentArrearsAction => [
                "no rent arrears action",
                "notice of seeking possession served",
                "possession order made",
                "eviction warrant issued",
            ][n.clamp(0, 3) as usize]
                .into(),
            Feat::RentArrearsRising => {
                format!("rent arrears rising for {}", plural(n, "month", "months"))
            }
            Feat::CouncilTenant => "a council tenant".into(),
            Feat::PrivateRenter => "renting privately".into(),
            Feat::BenefitClaim => "claiming housing benefit or council tax reduction".into(),
            Feat::NotWorking => "not in work".into(),
            Feat::Dependants => plural(n, "dependent child", "dependent children"),
            Feat::HouseholdSize => plural(n, "person in the household", "people in the household"),
            Feat::SingleAdultWithChildren => "a single adult with children".into(),
            Feat::YoungHousehold => "every adult under 25".into(),
            Feat::PensionAge => "every adult of pension age".into(),
            Feat::MovedRecently => match 12 - n.clamp(0, 12) {
                0 => "moved here this month".into(),
                m => format!("moved here {} ago", plural(m, "month", "months")),
            },
            Feat::NewToArea => "new to the area in the last year".into(),
            Feat::RegisterNoticeToQuit => "on the housing register after a notice to quit".into(),
            Feat::RegisterHomeless => "on the housing register as homeless".into(),
            Feat::RegisterAffordability => "on the housing register: home unaffordable".into(),
            Feat::RegisterOther => "on the housing register".into(),
            Feat::PastHomelessness => "approached the council as homeless before".into(),
            Feat::PastCrisisSupport => "applied for crisis support in the last year".into(),
            Feat::Contacts3m => format!(
                "{} with the council in the last 3 months",
                plural(n, "contact", "contacts")
            ),
            Feat::MoneyOrHousingContact3m => {
                "contacted the council about money or housing in the last 3 months".into()
            }
            Feat::EarlyHelp12m => "referred to early help in the last year".into(),
            Feat::SocialCare12m => "referred to adult social care in the last year".into(),
            Feat::Resilience => {
                let level = if f64::from(value) < mean {
                    "low"
                } else {
                    "high"
                };
                format!("{level} community resilience ({n} of 100)")
            }
            Feat::Events3m => format!(
                "{} in the last 3 months",
                plural(n, "life event", "different life events")
            ),
            f => match event_feature(f) {
                Some((g, true)) => format!("{} in the last 3 months", g.phrase()),
                Some((g, false)) => format!("{} in the last year", g.phrase()),
                None => f.name().into(),
            },
        }
    }
}

fn event_feature(f: Feat) -> Option<(EventGroup, bool)> {
    EVENT_FEATURES.iter().enumerate().find_map(|(i, (r, e))| {
        let g = EventGroup::ALL[i];
        (*r == f)
            .then_some((g, true))
            .or((*e == f).then_some((g, false)))
    })
}

/// Age of the household's oldest adult, in the bands the model card uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AgeBand {
    Under25,
    From25To34,
    From35To49,
    From50To64,
    From65,
}

impl AgeBand {
    pub fn label(self) -> &'static str {
        match self {
            AgeBand::Under25 => "18 to 24",
            AgeBand::From25To34 => "25 to 34",
            AgeBand::From35To49 => "35 to 49",
            AgeBand::From50To64 => "50 to 64",
            AgeBand::From65 => "65 and over",
        }
    }

    fn of(age: i32) -> AgeBand {
        match age {
            ..25 => AgeBand::Under25,
            25..35 => AgeBand::From25To34,
            35..50 => AgeBand::From35To49,
            50..65 => AgeBand::From50To64,
            _ => AgeBand::From65,
        }
    }
}

/// One household's features on one date.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureVector {
    /// In [`Feat::ALL`] order. f32 halves the memory of a training set of
    /// millions of rows; nothing here needs more precision.
    pub values: [f32; N_FEATURES],
    /// Council tax plus rent arrears in pence: what the "anyone in arrears"
    /// baseline ranks by.
    pub arrears_pence: i64,
    /// The oldest adult's age band, when any member's date of birth is known.
    pub age_band: Option<AgeBand>,
}

impl Default for FeatureVector {
    fn default() -> Self {
        FeatureVector {
            values: [0.0; N_FEATURES],
            arrears_pence: 0,
            age_band: None,
        }
    }
}

impl FeatureVector {
    pub fn get(&self, f: Feat) -> f32 {
        self.values[f as usize]
    }

    fn set(&mut self, f: Feat, v: f32) {
        self.values[f as usize] = v;
    }

    /// Name and value of every feature, in order.
    pub fn named(&self) -> impl Iterator<Item = (&'static str, f32)> + '_ {
        Feat::ALL.iter().map(|f| (f.name(), self.get(*f)))
    }
}

/// A monthly snapshot record's latest version so far.
#[derive(Default)]
struct Snap<'a> {
    source: &'a str,
    key: &'a str,
    last: Option<&'a Observation>,
    prev_balance: Option<i64>,
    /// Consecutive versions whose balance rose.
    rising: u32,
}

fn snap<'s, 'a>(snaps: &'s mut Vec<Snap<'a>>, o: &'a Observation) -> &'s mut Snap<'a> {
    // A household holds a handful of records: a linear scan beats hashing.
    let i = match snaps
        .iter()
        .position(|s| s.key == o.record_key && s.source == o.source)
    {
        Some(i) => i,
        None => {
            snaps.push(Snap {
                source: &o.source,
                key: &o.record_key,
                ..Default::default()
            });
            snaps.len() - 1
        }
    };
    &mut snaps[i]
}

/// Contact centre topics about money or housing.
const MONEY_OR_HOUSING_TOPICS: [&str; 5] = [
    "benefits_enquiry",
    "council_tax_payment",
    "housing_advice",
    "council_tax_enforcement",
    "council_tax_change_of_circumstances",
];

fn months_between(from: NaiveDate, to: NaiveDate) -> i64 {
    let m = (to.year() - from.year()) as i64 * 12 + to.month() as i64 - from.month() as i64;
    if to.day() < from.day() {
        m - 1
    } else {
        m
    }
}

fn age_on(dob: NaiveDate, day: NaiveDate) -> i32 {
    (months_between(dob, day) / 12) as i32
}

/// The household's features as of `as_of`. `events` and `resilience` must
/// themselves be as of `as_of` (events dated later are ignored anyway).
pub fn features(
    h: &HouseholdInput,
    events: &[DetectedEvent],
    resilience: &Resilience,
    as_of: NaiveDate,
) -> FeatureVector {
    let mut f = FeatureVector::default();
    let recent = as_of - TimeDelta::days(RECENT_DAYS);
    let earlier = as_of - TimeDelta::days(EARLIER_DAYS);
    let current = as_of - TimeDelta::days(CURRENT_SNAPSHOT_DAYS);

    let mut snaps: Vec<Snap> = Vec::new();
    let (mut contacts, mut money_contact, mut crisis_support) = (0u32, false, false);
    let (mut early_help, mut social_care, mut past_homeless) = (false, false, false);
    for o in h.known_by(as_of) {
        let day = o.event_date.unwrap_or(o.known_on).min(o.known_on);
        match o.source.as_str() {
            "council_tax" | "rent" | "benefits" | "housing_register" => {
                let s = snap(&mut snaps, o);
                if s.last.is_some_and(|l| l.known_on == o.known_on) {
                    // The same version loaded twice: keep the history as is.
                    s.last = Some(o);
                    continue;
                }
                let balance = o.int("balance");
                if let (Some(b), Some(p)) = (balance, s.prev_balance) {
                    s.rising = if b > p { s.rising + 1 } else { 0 };
                } else {
                    s.rising = 0;
                }
                s.prev_balance = balance;
                s.last = Some(o);
            }
            "contact_centre" => {
                let topic = o.attr("topic").unwrap_or("");
                if topic == "crisis_support_application" && day > earlier {
                    crisis_support = true;
                }
                if day > recent {
                    contacts += 1;
                    money_contact |= MONEY_OR_HOUSING_TOPICS.contains(&topic);
                }
            }
            "early_help" => early_help |= day > earlier,
            "adult_social_care" => social_care |= day > earlier,
            "homelessness" => past_homeless = true,
            _ => {}
        }
    }

    let (mut ct_balance, mut ct_stage, mut ct_rising) = (0i64, 0usize, 0u32);
    let (mut rent_balance, mut rent_weekly, mut rent_action, mut rent_rising) =
        (0i64, 0i64, 0usize, 0u32);
    let (mut council_tenant, mut private, mut claim, mut not_working) =
        (false, false, false, false);
    let mut dependants = 0i64;
    for s in &snaps {
        let Some(o) = s.last.filter(|o| o.known_on >= current) else {
            continue;
        };
        match s.source {
            "council_tax" => {
                // Joint parties and duplicate accounts repeat one balance:
                // take the largest rather than add them up.
                ct_balance = ct_balance.max(o.int("balance").unwrap_or(0));
                let stage = o.attr("recovery_stage").unwrap_or("");
                let stage = RECOVERY_STAGES
                    .iter()
                    .position(|s| *s == stage)
                    .map_or(0, |i| i + 1);
                ct_stage = ct_stage.max(stage);
                ct_rising = ct_rising.max(s.rising);
            }
            "rent" => {
                council_tenant = true;
                let b = o.int("balance").unwrap_or(0);
                if b >= rent_balance {
                    rent_balance = b;
                    rent_weekly = o.int("weekly_rent").unwrap_or(0);
                }
                let action = o.attr("arrears_action").unwrap_or("");
                let action = ARREARS_ACTIONS
                    .iter()
                    .position(|a| *a == action)
                    .map_or(0, |i| i + 1);
                rent_action = rent_action.max(action);
                rent_rising = rent_rising.max(s.rising);
            }
            "benefits" => {
                claim = true;
                private |= o.attr("tenure") == Some("private_rent");
                not_working |= o.attr("employment_status") == Some("not_working");
                dependants = dependants.max(o.int("dependants").unwrap_or(0));
            }
            "housing_register" => {
                if o.attr("status").is_some_and(|s| s != "active") {
                    continue;
                }
                let feat = match o.attr("reason") {
                    Some("notice_to_quit") => Feat::RegisterNoticeToQuit,
                    Some("homeless" | "temporary_accommodation") => Feat::RegisterHomeless,
                    Some("affordability") => Feat::RegisterAffordability,
                    _ => Feat::RegisterOther,
                };
                f.set(feat, 1.0);
            }
            _ => {}
        }
    }
    let ct_band = CT_BANDS_PENCE.iter().filter(|b| ct_balance >= **b).count();
    f.set(Feat::CtArrearsBand, ct_band as f32);
    f.set(Feat::CtRecoveryStage, ct_stage as f32);
    f.set(Feat::CtArrearsRising, ct_rising.min(6) as f32);
    let rent_balance = rent_balance.max(0);
    // Without a weekly rent, assume £100 a week (a typical council rent).
    let weekly = if rent_weekly > 0 { rent_weekly } else { 10_000 };
    // Tenths of a week, in integers, before the one conversion to f32.
    let tenths = (rent_balance * 10 / weekly).min(260);
    f.set(Feat::RentArrearsWeeks, tenths as f32 / 10.0);
    f.set(Feat::RentArrearsAction, rent_action as f32);
    f.set(Feat::RentArrearsRising, rent_rising.min(6) as f32);
    f.set(Feat::CouncilTenant, council_tenant as u8 as f32);
    f.set(Feat::PrivateRenter, private as u8 as f32);
    f.set(Feat::BenefitClaim, claim as u8 as f32);
    f.set(Feat::NotWorking, not_working as u8 as f32);
    f.arrears_pence = ct_balance.max(0) + rent_balance;

    // Members the platform knew of by then, and born by then.
    let members: Vec<_> = h
        .members
        .iter()
        .filter(|m| m.first_seen.is_none_or(|d| d <= as_of))
        .filter(|m| m.dob.is_none_or(|d| d <= as_of))
        .collect();
    let ages: Vec<Option<i32>> = members
        .iter()
        .map(|m| m.dob.map(|d| age_on(d, as_of)))
        .collect();
    // A member without a date of birth is counted as an adult: most records
    // that omit it (council tax, contacts) are about adults.
    let adults: Vec<Option<i32>> = ages
        .iter()
        .copied()
        .filter(|a| a.is_none_or(|a| a >= 18))
        .collect();
    let children = ages.iter().filter(|a| a.is_some_and(|a| a < 18)).count() as i64;
    let dependants = dependants.max(children).min(6);
    f.set(Feat::Dependants, dependants as f32);
    f.set(Feat::HouseholdSize, members.len().clamp(1, 8) as f32);
    f.set(
        Feat::SingleAdultWithChildren,
        (adults.len() == 1 && dependants > 0) as u8 as f32,
    );
    let known_adult_ages: Vec<i32> = adults.iter().flatten().copied().collect();
    let all_known = !adults.is_empty() && known_adult_ages.len() == adults.len();
    f.set(
        Feat::YoungHousehold,
        (all_known && known_adult_ages.iter().all(|a| *a < 25)) as u8 as f32,
    );
    f.set(
        Feat::PensionAge,
        (all_known && known_adult_ages.iter().all(|a| *a >= 66)) as u8 as f32,
    );
    f.age_band = known_adult_ages.iter().max().map(|a| AgeBand::of(*a));
    if let Some(moved) = h.moved_in.filter(|d| *d <= as_of) {
        let months = months_between(moved, as_of);
        if months < 12 {
            f.set(Feat::MovedRecently, (12 - months) as f32);
        }
    }
    let new_to_area = !members.is_empty()
        && members
            .iter()
            .all(|m| m.first_seen.is_some_and(|d| d > earlier));
    f.set(Feat::NewToArea, new_to_area as u8 as f32);

    f.set(Feat::PastHomelessness, past_homeless as u8 as f32);
    f.set(Feat::PastCrisisSupport, crisis_support as u8 as f32);
    f.set(Feat::Contacts3m, contacts.min(6) as f32);
    f.set(Feat::MoneyOrHousingContact3m, money_contact as u8 as f32);
    f.set(Feat::EarlyHelp12m, early_help as u8 as f32);
    f.set(Feat::SocialCare12m, social_care as u8 as f32);
    f.set(Feat::Resilience, f32::from(resilience.score.min(100)));

    let mut recent_ids: Vec<&str> = Vec::new();
    for e in events
        .iter()
        .filter(|e| e.date <= as_of && e.date > earlier)
    {
        let Some(g) = event_group(&e.event) else {
            continue;
        };
        if e.date > recent {
            f.set(g.recent(), 1.0);
            // Seasonal and price shocks happen to everyone at once: counted,
            // they would make this a calendar feature, not a household's.
            if g != EventGroup::SeasonalOrPrice && !recent_ids.contains(&e.event.as_str()) {
                recent_ids.push(&e.event);
            }
        } else {
            f.set(g.earlier(), 1.0);
        }
    }
    f.set(Feat::Events3m, recent_ids.len().min(6) as f32);
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{Member, ResilienceBand};
    use crate::outcomes::tests::{d, household, obs};

    fn res(score: u8) -> Resilience {
        Resilience {
            score,
            band: ResilienceBand::Medium,
            parts: vec![],
        }
    }

    fn event(id: &str, date: &str) -> DetectedEvent {
        DetectedEvent {
            event: id.into(),
            date: d(date),
            person: None,
            detail: String::new(),
            evidence: vec![],
        }
    }

    fn sample() -> HouseholdInput {
        let mut o = Vec::new();
        for (m, bal) in [
            ("2024-01-31", "0"),
            ("2024-02-29", "10000"),
            ("2024-03-31", "20000"),
            ("2024-04-30", "40000"),
            ("2024-05-31", "60000"),
        ] {
            o.push(obs(
                "rent",
                "T1/1",
                m,
                None,
                &[
                    ("balance", bal),
                    ("weekly_rent", "10000"),
                    ("arrears_action", ""),
                ],
            ));
            o.push(obs(
                "council_tax",
                "4/1",
                m,
                None,
                &[("balance", "25000"), ("recovery_stage", "summons")],
            ));
            o.push(obs(
                "council_tax",
                "4/2",
                m,
                None,
                &[("balance", "25000"), ("recovery_stage", "summons")],
            ));
            o.push(obs(
                "benefits",
                "HB1/claimant",
                m,
                None,
                &[
                    ("tenure", "social_rent"),
                    ("employment_status", "not_working"),
                    ("dependants", "2"),
                ],
            ));
        }
        o.push(obs(
            "contact_centre",
            "CC1",
            "2024-05-03",
            Some("2024-05-03"),
            &[("topic", "housing_advice")],
        ));
        o.push(obs(
            "housing_register",
            "HR/1",
            "2024-05-31",
            None,
            &[("reason", "notice_to_quit"), ("status", "active")],
        ));
        // Later: must never count as of 31 May.
        o.push(obs(
            "homelessness",
            "HOM1",
            "2024-07-31",
            Some("2024-07-02"),
            &[("duty_start", "2024-07-02")],
        ));
        let mut h = household(o);
        h.members = vec![
            Member {
                person: 1,
                dob: Some(d("1990-06-01")),
                first_seen: Some(d("2020-01-01")),
            },
            Member {
                person: 2,
                dob: Some(d("2015-02-01")),
                first_seen: Some(d("2020-01-01")),
            },
            Member {
                person: 3,
                dob: Some(d("2025-01-01")),
                first_seen: Some(d("2025-01-01")),
            },
        ];
        h.moved_in = Some(d("2024-03-10"));
        h
    }

    #[test]
    fn features_read_the_records() {
        let h = sample();
        let ev = [
            event("separation", "2024-04-10"),
            event("first_missed_rent", "2023-12-01"),
            event("crisis_grant", "2024-05-01"),
            event("made_up_event", "2024-05-01"),
            event("winter", "2024-05-01"),
        ];
        let f = features(&h, &ev, &res(30), d("2024-05-31"));
        assert_eq!(f.get(Feat::CtArrearsBand), 2.0);
        assert_eq!(f.get(Feat::CtRecoveryStage), 3.0);
        assert_eq!(f.get(Feat::RentArrearsWeeks), 6.0);
        assert_eq!(f.get(Feat::RentArrearsRising), 4.0);
        assert_eq!(f.get(Feat::CtArrearsRising), 0.0);
        assert_eq!(f.get(Feat::CouncilTenant), 1.0);
        assert_eq!(f.get(Feat::NotWorking), 1.0);
        assert_eq!(f.get(Feat::Dependants), 2.0);
        assert_eq!(f.get(Feat::HouseholdSize), 2.0, "the baby was not born yet");
        assert_eq!(f.get(Feat::SingleAdultWithChildren), 1.0);
        assert_eq!(f.get(Feat::MovedRecently), 10.0);
        assert_eq!(f.get(Feat::RegisterNoticeToQuit), 1.0);
        assert_eq!(f.get(Feat::MoneyOrHousingContact3m), 1.0);
        assert_eq!(f.get(Feat::Contacts3m), 1.0);
        assert_eq!(f.get(Feat::PastHomelessness), 0.0);
        assert_eq!(f.get(Feat::Resilience), 30.0);
        assert_eq!(f.get(Feat::SeparationRecent), 1.0);
        assert_eq!(f.get(Feat::ArrearsEarlier), 1.0);
        assert_eq!(f.get(Feat::OtherRecent), 1.0);
        assert_eq!(f.get(Feat::SeasonalRecent), 1.0);
        assert_eq!(
            f.get(Feat::Events3m),
            2.0,
            "crisis and seasonal events are not counted"
        );
        assert_eq!(f.arrears_pence, 25_000 + 60_000);
        assert_eq!(f.age_band, Some(AgeBand::From25To34));
        assert_eq!(
            Feat::RentArrearsRising.phrase(f.get(Feat::RentArrearsRising), 0.0),
            "rent arrears rising for 4 months"
        );
        assert_eq!(
            Feat::MovedRecently.phrase(f.get(Feat::MovedRecently), 0.0),
            "moved here 2 months ago"
        );
    }

    #[test]
    fn future_observations_never_change_features() {
        let h = sample();
        let as_of = d("2024-04-30");
        let ev = [event("income_drop", "2024-04-01")];
        let before = features(&h, &ev, &res(50), as_of);
        let mut later = h.clone();
        for (i, m) in ["2024-05-01", "2024-06-30", "2025-01-31"]
            .iter()
            .enumerate()
        {
            later.observations.push(obs(
                "contact_centre",
                &format!("CCX{i}"),
                m,
                Some(m),
                &[("topic", "crisis_support_application")],
            ));
            later.observations.push(obs(
                "rent",
                "T1/1",
                m,
                None,
                &[
                    ("balance", "900000"),
                    ("arrears_action", "eviction_warrant"),
                ],
            ));
        }
        let mut ev_later = ev.to_vec();
        ev_later.push(event("separation", "2024-06-01"));
        assert_eq!(features(&later, &ev_later, &res(50), as_of), before);
    }

    #[test]
    fn stale_snapshots_are_not_current() {
        let h = sample();
        let f = features(&h, &[], &res(50), d("2024-08-31"));
        assert_eq!(f.get(Feat::CouncilTenant), 0.0);
        assert_eq!(f.arrears_pence, 0);
        assert_eq!(f.get(Feat::PastHomelessness), 1.0);
    }

    #[test]
    fn event_ids_map_to_groups() {
        use EventGroup::*;
        for (id, g) in [
            ("moved_in", Some(Moving)),
            ("new_council_tax_account", Some(Moving)),
            ("income_drop", Some(IncomeLoss)),
            ("job_loss", Some(IncomeLoss)),
            ("council_tax_reduction_fell", Some(IncomeLoss)),
            (
                "single_person_discount_applied",
                Some(SeparationOrBereavement),
            ),
            ("bereavement", Some(SeparationOrBereavement)),
            ("first_missed_rent", Some(Arrears)),
            ("rent_arrears_rising", Some(Arrears)),
            ("notice_to_quit", Some(HousingThreat)),
            ("rent_rise", Some(HousingThreat)),
            ("new_baby", Some(Family)),
            ("care_need", Some(HealthOrCare)),
            ("leaving_care", Some(LeftInstitution)),
            ("winter", Some(SeasonalOrPrice)),
            ("energy_price_shock", Some(SeasonalOrPrice)),
            ("bulky_waste_request", Some(Other)),
            // The ids of the library this crate ships (events.toml).
            ("new_tenancy", Some(Moving)),
            ("moving_home_contact", Some(Moving)),
            ("support_reduced", Some(IncomeLoss)),
            ("money_worries_contact", Some(IncomeLoss)),
            ("benefit_claim_ended", Some(IncomeLoss)),
            ("new_child", Some(Family)),
            ("family_under_strain", Some(Family)),
            ("housing_advice_contact", Some(HousingThreat)),
            ("housing_register_application", Some(HousingThreat)),
            ("possession_notice", Some(HousingThreat)),
            ("rent_arrears_eight_weeks", Some(Arrears)),
            ("council_tax_summons", Some(Arrears)),
            ("crisis_support_request", None),
            ("homelessness_case_closed_unresolved", None),
            ("new_job", None),
            ("homelessness_approach", None),
        ] {
            assert_eq!(event_group(id), g, "{id}");
        }
    }

    #[test]
    fn every_feature_has_a_name_phrase_and_description() {
        let mut names: Vec<_> = Feat::ALL.iter().map(|f| f.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), N_FEATURES);
        for f in Feat::ALL {
            assert!(!f.phrase(1.0, 0.5).is_empty());
            assert!(!f.description().is_empty(), "{}", f.name());
        }
    }
}
