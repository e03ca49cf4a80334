//! Town profiles: the parameters that make a synthetic town Birmingham-like or
//! Ceredigion-like. Every default is grounded in a published UK figure; the
//! profile files cite them (`profiles/*.toml`, `docs/profiles.md`).
//!
//! Parsing is split raw → validated (as ripgrep does for its arguments): serde
//! reads the TOML into `Profile`, then `validate` checks every rule a value must
//! satisfy and names the key that breaks one.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use upstream_core::{Month, Nation};

/// Profiles shipped inside the binary, so `--profile birmingham` works anywhere.
pub const BUILT_IN: &[(&str, &str)] = &[
    (
        "birmingham",
        include_str!("../../../profiles/birmingham.toml"),
    ),
    (
        "ceredigion",
        include_str!("../../../profiles/ceredigion.toml"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("no profile called '{name}': use one of {known} or give a path to a .toml file")]
    Unknown { name: String, known: String },
    #[error("could not read profile {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("profile {origin} is not valid TOML for a profile: {message}")]
    Parse { origin: String, message: String },
    #[error("profile {origin}: key `{key}` {problem}")]
    Invalid {
        origin: String,
        key: String,
        problem: String,
    },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub town: TownProfile,
    pub households: HouseholdProfile,
    pub people: PeopleProfile,
    pub tenure: TenureProfile,
    pub money: MoneyProfile,
    pub council_tax: CouncilTaxProfile,
    pub arrears: ArrearsProfile,
    pub events: EventProfile,
    pub homelessness: HomelessnessProfile,
    pub crisis_support: CrisisSupportProfile,
    pub community: CommunityProfile,
    pub contact: ContactProfile,
    /// How residents answer the council's contact, and what engaging changes.
    pub response: ResponseProfile,
    pub noise: NoiseProfile,
    pub gazetteer: GazetteerProfile,
    /// Source citations, key → reference. Not used by the simulator; kept so
    /// the file stays self-documenting and `docs/profiles.md` can list them.
    #[serde(default)]
    pub sources: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TownProfile {
    pub name: String,
    pub council_name: String,
    pub nation: Nation,
    pub start_month: Month,
    /// Households simulated when `--households` is not given.
    pub default_households: u32,
    /// Postcode outward codes to draw from, e.g. "B12" or "SY23".
    pub postcode_districts: Vec<String>,
    /// Localities used on address lines (districts of a city, towns of a county).
    pub localities: Vec<String>,
    pub post_town: String,
    /// LSOAs hold about this many households (ONS design: 400 to 1,200).
    pub households_per_lsoa: u32,
    pub lsoas_per_ward: u32,
    /// Share of the town's LSOAs in each national deprivation decile, 1 (most deprived) to 10.
    pub deprivation_decile_shares: Vec<f64>,
    /// Share of streets with Welsh names ("Heol y Bont").
    pub welsh_street_share: f64,
    /// Share of dwellings that are flats.
    pub flat_share: f64,
    /// Share of dwellings standing empty (vacant), so movers have somewhere to go.
    pub vacancy_rate: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HouseholdProfile {
    /// Shares of household types; must sum to 1.
    pub single_working_age: f64,
    pub single_pensioner: f64,
    pub couple_no_children: f64,
    pub couple_with_children: f64,
    pub lone_parent: f64,
    pub pensioner_couple: f64,
    pub shared_adults: f64,
    /// Mean dependent children in families with children.
    pub mean_children: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeopleProfile {
    /// Census 2021 high-level ethnic groups; must sum to 1.
    pub ethnicity: EthnicityShares,
    /// Share of people disabled under the Equality Act 2010 (Census 2021).
    pub disability_share: f64,
    /// Share of people whose first language is Welsh (used for names and language).
    pub welsh_speaker_share: f64,
    /// Share whose main language is neither English nor Welsh.
    pub other_language_share: f64,
    /// Employment rate of people aged 16 to 64.
    pub employment_rate: f64,
    /// Share of couples who are married (a married woman may appear under her maiden name).
    pub married_share: f64,
    /// Share of married women who took their spouse's surname.
    pub took_spouse_name_share: f64,
    /// Share of adults on the electoral register.
    pub electoral_registration_rate: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EthnicityShares {
    pub white: f64,
    pub asian: f64,
    pub black: f64,
    pub mixed: f64,
    pub other: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenureProfile {
    /// Shares of households by tenure; must sum to 1.
    pub owner: f64,
    pub private_rent: f64,
    pub social_rent: f64,
    pub temporary_accommodation: f64,
    /// Share of social homes the council owns (the rest are housing associations').
    pub council_share_of_social: f64,
    /// Share of private rented homes let to students.
    pub student_share_of_private: f64,
    /// Mean years at the current address, by tenure (English Housing Survey).
    pub mean_years_at_address_owner: f64,
    pub mean_years_at_address_private: f64,
    pub mean_years_at_address_social: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoneyProfile {
    /// Median gross annual earnings of a full-time employee, pounds.
    pub median_annual_earnings: i64,
    /// Spread (sigma of the log) of earnings.
    pub earnings_log_sd: f64,
    /// Share of employees working part time (about half the full-time pay).
    pub part_time_share: f64,
    /// Universal Credit standard allowance per month, pounds (single 25+, couple).
    pub uc_single_monthly: i64,
    pub uc_couple_monthly: i64,
    /// UC child element per child per month, pounds.
    pub uc_child_monthly: i64,
    /// Full new State Pension per week, pounds.
    pub state_pension_weekly: i64,
    /// Median private rent per month, pounds (ONS price index of private rents).
    pub median_private_rent_monthly: i64,
    pub private_rent_log_sd: f64,
    /// Average social rent per week, pounds.
    pub mean_social_rent_weekly: i64,
    /// Temporary accommodation charge per week, pounds.
    pub ta_charge_weekly: i64,
    /// Essential living costs per adult and per child per month, pounds.
    pub living_costs_adult_monthly: i64,
    pub living_costs_child_monthly: i64,
    /// Share of households with little or no savings (under a month's outgoings).
    pub no_savings_share: f64,
    /// Median savings of those who have some, pounds.
    pub median_savings: i64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CouncilTaxProfile {
    /// Band D charge for the year, pounds and pence as a decimal string ("2178.14").
    pub band_d_annual: String,
    /// Shares of dwellings in bands A to H (and I in Wales); must sum to 1.
    pub band_shares: Vec<f64>,
    /// Share of eligible low-income households that claim council tax reduction.
    pub ctr_take_up: f64,
    /// Annual increase applied each April, percent.
    pub annual_increase_pct: f64,
    /// Share of liability orders passed to enforcement agents (the rest: attachments).
    pub enforcement_share: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArrearsProfile {
    /// Target share of council tax accounts in arrears at a month end.
    pub council_tax_arrears_prevalence: f64,
    /// Target share of social tenancies in arrears at a month end.
    pub social_rent_arrears_prevalence: f64,
    /// Target share of private tenancies in arrears at a month end.
    pub private_rent_arrears_prevalence: f64,
    /// Monthly chance a household in financial difficulty recovers.
    pub difficulty_exit_monthly: f64,
    /// Share of arrears paid off each month once out of difficulty.
    pub catch_up_share: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventProfile {
    /// Annual chance an employee loses their job.
    pub job_loss_annual: f64,
    /// Monthly chance an unemployed adult finds work.
    pub job_find_monthly: f64,
    /// Annual chance a couple separates.
    pub separation_annual: f64,
    /// Annual births per woman aged 16 to 44.
    pub birth_rate_annual: f64,
    /// Annual chance an adult develops a long-term illness or care need (under 65; doubles after).
    pub illness_onset_annual: f64,
    /// Annual deaths per 1,000 people at age 65 (Gompertz: doubles every 8 years).
    pub mortality_at_65_per_1000: f64,
    /// Annual chance a household moves, by tenure.
    pub move_annual_owner: f64,
    pub move_annual_private: f64,
    pub move_annual_social: f64,
    /// Share of moves that leave the area.
    pub leave_area_share: f64,
    /// Annual chance an adult child (18 to 30) leaves the parental home.
    pub leave_home_annual: f64,
    /// Annual chance a private tenant is given notice without fault (sale, re-let).
    pub no_fault_notice_annual: f64,
    /// Annual private rent rise, percent, applied on the tenancy anniversary.
    pub private_rent_rise_pct: f64,
    /// Social rent rise each April, percent, by year.
    pub social_rent_rise_pct: BTreeMap<String, f64>,
    /// Winter (November to March) rise in household running costs, percent.
    pub winter_cost_uplift_pct: f64,
    /// Monthly chance a household's hours or pay fall by a fifth or more.
    pub income_drop_monthly: f64,
    /// Price shocks: extra cost for a while.
    #[serde(default)]
    pub price_shocks: Vec<PriceShock>,
    /// Seasonal pressure on housing (tourist lets, students): extra notices to
    /// quit in these calendar months, as a multiplier.
    #[serde(default)]
    pub seasonal_notice_months: Vec<u32>,
    #[serde(default = "one")]
    pub seasonal_notice_multiplier: f64,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceShock {
    pub name: String,
    pub start: Month,
    pub months: u32,
    /// Rise in the household's living costs while it lasts, percent.
    pub percent: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HomelessnessProfile {
    /// Households owed a prevention or relief duty per 1,000 households per year.
    pub duties_per_1000_households: f64,
    /// Share of duties that start as prevention (threatened) rather than relief (already homeless).
    pub prevention_share: f64,
    /// Share of prevention duties ending with accommodation secured.
    pub prevention_success: f64,
    /// Share of relief duties ending with accommodation secured.
    pub relief_success: f64,
    /// Share of relief duties placed in temporary accommodation.
    pub relief_ta_share: f64,
    /// Households in temporary accommodation per 1,000 households (a snapshot).
    pub ta_per_1000_households: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrisisSupportProfile {
    /// Crisis grants (local welfare assistance / Discretionary Assistance Fund) per 1,000 households per year.
    pub crisis_grants_per_1000_households: f64,
    /// Food bank referrals per 1,000 households per year.
    pub food_bank_per_1000_households: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunityProfile {
    /// How strongly community embeddedness lowers the chance that a bad event
    /// escalates into crisis. 0 switches the effect off, so the hypothesis can
    /// be tested both ways; 1 means the most embedded escalate about a third as often as the least.
    pub embeddedness_effect: f64,
    /// Share of adults active in a community group, faith group, club or volunteering.
    pub community_activity_share: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactProfile {
    /// Share of adults without basic digital access or skills.
    pub digitally_excluded_share: f64,
    /// Preferred contact channel shares among the digitally included: phone, email, text.
    pub prefer_phone: f64,
    pub prefer_email: f64,
    pub prefer_text: f64,
    /// Calls to the contact centre per household per year, when nothing is wrong.
    pub routine_contacts_annual: f64,
    /// Bulky waste collection requests per household per year, when nothing happens.
    pub bulky_waste_annual: f64,
}

/// How residents answer a council's letter, text, email or knock (issue
/// "Reaching out", item 9). Each chance is for a household the message
/// reached (the right people at the right address or number), within a week.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseProfile {
    /// Chance a household rings the council back after a letter.
    pub letter: f64,
    /// Chance a household texts back after a text (not counting STOP).
    pub text: f64,
    /// Chance a household replies to an email.
    pub email: f64,
    /// Chance a household rings after a calling card left at the door.
    pub card_left: f64,
    /// Share of texted households that reply STOP.
    pub stop: f64,
    /// How much likelier a household answers on its preferred channel.
    pub preferred_channel_factor: f64,
    /// How much less likely a household answers a message not in its
    /// language (English only to a Welsh speaker, or to someone whose first
    /// language is another): a multiplier.
    pub other_language_factor: f64,
    /// Households where everyone is of pension age: multipliers for a
    /// letter, and for a text or email.
    pub older_letter_factor: f64,
    pub older_digital_factor: f64,
    /// How much less likely a household in money difficulty opens a letter
    /// from the council ("brown envelope" avoidance): a multiplier.
    pub difficulty_letter_factor: f64,
    /// Relative fall in the chance of a homelessness approach or a crisis
    /// grant or food bank referral in the months after a household engaged.
    /// 0 switches it off, so an experiment can be run where the answer is
    /// known to be "no effect".
    pub engaged_crisis_reduction: f64,
    /// For how many months after engaging the reduction lasts.
    pub protection_months: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoiseProfile {
    /// Chance a recorded name has a typing slip (a letter dropped, doubled, swapped or mistyped).
    pub typo_rate: f64,
    /// Chance a forename is recorded as a common nickname (Bill for William).
    pub nickname_rate: f64,
    /// Chance forename and surname are recorded the wrong way round.
    pub name_swap_rate: f64,
    /// Chance a date of birth is missing where the system holds one.
    pub dob_missing_rate: f64,
    /// Chance a date of birth has day and month transposed (or a digit wrong).
    pub dob_error_rate: f64,
    /// Chance a UPRN is missing where the system holds one.
    pub uprn_missing_rate: f64,
    /// Chance a postcode is written in a non-standard way (no space, lower case).
    pub postcode_format_rate: f64,
    /// Chance a postcode has a wrong character.
    pub postcode_typo_rate: f64,
    /// Chance an address is written in another style ("12 Oak Rd" for "12 Oak Road", "3/12" for "Flat 3, 12").
    pub address_style_rate: f64,
    /// Chance a person-based system is not told of a move (keeps the stale address).
    pub stale_address_rate: f64,
    /// Chance a new account is opened as a duplicate of an existing one.
    pub duplicate_account_rate: f64,
    /// Chance a married woman's old records keep her maiden name.
    pub maiden_name_rate: f64,
    /// Chance an NI number is written with spaces or in lower case.
    pub nino_format_rate: f64,
    /// Chance a phone number is missing where it would be held.
    pub phone_missing_rate: f64,
    /// Chance an address is written without its locality ("Acocks Green", "Llanarth").
    pub locality_missing_rate: f64,
    /// Chance an address is written without its post town.
    pub post_town_missing_rate: f64,
    /// Chance a flat in a named block is written without the block's name.
    pub building_name_missing_rate: f64,
    /// Chance a named block is written by its name without its street number.
    pub building_number_missing_rate: f64,
    /// Chance a flat's number is written bare ("3, 12 Oak Road"), without "Flat".
    pub flat_bare_number_rate: f64,
    /// Chance a street or building name has a typing slip.
    pub street_typo_rate: f64,
    /// Chance a home whose postcode Royal Mail recoded is written with the old one.
    pub stale_postcode_rate: f64,
    /// Chance a referral or job (event-log sources) carries no postcode.
    pub postcode_missing_rate: f64,
    /// Chance a street with English and Welsh names is written in Welsh.
    pub welsh_name_rate: f64,
}

/// The council's gazetteer (LLPG, BS 7666): how its homes are addressed and
/// laid out, and how the stock changes (new builds, demolitions, postcode
/// recodes). `docs/gazetteer.md` describes the export.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GazetteerProfile {
    /// The council's area as the gazetteer names it (`administrative_area`).
    pub administrative_area: String,
    /// British National Grid easting and northing of the town's centre, metres.
    pub centre_easting: f64,
    pub centre_northing: f64,
    /// Homes are spread over a disc of this radius around the centre, metres.
    pub radius_m: f64,
    /// Shares of houses that are detached, semi-detached and terraced
    /// (classification RD02, RD03, RD04); add up to 1.
    pub house_type_shares: Vec<f64>,
    /// Share of blocks of flats with a building name ("Oak Court") beside their number.
    pub named_block_share: f64,
    /// Share of blocks whose flats the gazetteer numbers (SAO 3) rather than names ("FLAT 3").
    pub sao_number_share: f64,
    /// Share of blocks whose flats are lettered ("FLAT A"), as converted houses often are.
    pub lettered_block_share: f64,
    /// Share of blocks with one flat numbered with a suffix letter ("3A").
    pub flat_suffix_share: f64,
    /// Share of new homes that are single houses built beside an existing one and
    /// numbered with a suffix letter ("12A").
    pub infill_share: f64,
    /// Share of streets the gazetteer records with a locality; the rest leave it blank.
    pub street_locality_share: f64,
    /// Share of town streets with an English and a Welsh name (an LPI in each language).
    pub bilingual_street_share: f64,
    /// Properties already historical (demolished) before the data starts, as a share of the stock.
    pub historic_share: f64,
    /// New homes a year as a share of the stock.
    pub new_build_annual: f64,
    /// Months from a new home's provisional address to its completion: at least, at most.
    pub provisional_months_min: u32,
    pub provisional_months_max: u32,
    /// Demolitions a year as a share of the stock; only empty houses are demolished.
    pub demolition_annual: f64,
    /// Share of postcodes Royal Mail recodes in a year.
    pub postcode_recode_annual: f64,
}

impl Profile {
    /// A built-in profile by name, or a TOML file by path.
    pub fn load(name_or_path: &str) -> Result<Profile, ProfileError> {
        if let Some((_, text)) = BUILT_IN.iter().find(|(n, _)| *n == name_or_path) {
            return Profile::from_toml(text, name_or_path);
        }
        let path = Path::new(name_or_path);
        if path.extension().is_some_and(|e| e == "toml") || path.exists() {
            let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
                path: path.to_path_buf(),
                source,
            })?;
            return Profile::from_toml(&text, &path.display().to_string());
        }
        Err(ProfileError::Unknown {
            name: name_or_path.to_string(),
            known: BUILT_IN
                .iter()
                .map(|(n, _)| format!("'{n}'"))
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    pub fn from_toml(text: &str, origin: &str) -> Result<Profile, ProfileError> {
        let profile: Profile = toml::from_str(text).map_err(|e| ProfileError::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        profile.validate(origin)?;
        Ok(profile)
    }

    /// Band D council tax in pence.
    pub fn band_d_pence(&self) -> i64 {
        // Validated in `validate`, so this parse cannot fail afterwards.
        parse_pounds(&self.council_tax.band_d_annual).unwrap_or(0)
    }

    fn validate(&self, origin: &str) -> Result<(), ProfileError> {
        let mut v = Validator {
            origin,
            error: None,
        };
        let t = &self.town;
        v.nonempty("town.name", &t.name);
        v.nonempty("town.council_name", &t.council_name);
        v.range_u(
            "town.default_households",
            t.default_households as f64,
            1.0,
            5e6,
        );
        if t.postcode_districts.is_empty() {
            v.fail(
                "town.postcode_districts",
                "must list at least one postcode district",
            );
        }
        for d in &t.postcode_districts {
            if !is_outward_code(d) {
                v.fail(
                    "town.postcode_districts",
                    &format!("has '{d}', which is not a UK postcode district like B12 or SY23"),
                );
            }
        }
        if t.localities.is_empty() {
            v.fail("town.localities", "must list at least one locality");
        }
        v.range_u(
            "town.households_per_lsoa",
            t.households_per_lsoa as f64,
            100.0,
            5000.0,
        );
        v.range_u("town.lsoas_per_ward", t.lsoas_per_ward as f64, 1.0, 100.0);
        if t.deprivation_decile_shares.len() != 10 {
            v.fail(
                "town.deprivation_decile_shares",
                &format!(
                    "must have 10 shares (deciles 1 to 10), has {}",
                    t.deprivation_decile_shares.len()
                ),
            );
        } else {
            v.shares(
                "town.deprivation_decile_shares",
                &t.deprivation_decile_shares,
            );
        }
        v.share("town.welsh_street_share", t.welsh_street_share);
        v.share("town.flat_share", t.flat_share);
        v.range("town.vacancy_rate", t.vacancy_rate, 0.005, 0.3);

        let h = &self.households;
        v.named_shares(
            "households",
            &[
                ("households.single_working_age", h.single_working_age),
                ("households.single_pensioner", h.single_pensioner),
                ("households.couple_no_children", h.couple_no_children),
                ("households.couple_with_children", h.couple_with_children),
                ("households.lone_parent", h.lone_parent),
                ("households.pensioner_couple", h.pensioner_couple),
                ("households.shared_adults", h.shared_adults),
            ],
        );
        v.range("households.mean_children", h.mean_children, 1.0, 5.0);

        let p = &self.people;
        let e = &p.ethnicity;
        v.named_shares(
            "people.ethnicity",
            &[
                ("people.ethnicity.white", e.white),
                ("people.ethnicity.asian", e.asian),
                ("people.ethnicity.black", e.black),
                ("people.ethnicity.mixed", e.mixed),
                ("people.ethnicity.other", e.other),
            ],
        );
        v.share("people.disability_share", p.disability_share);
        v.share("people.welsh_speaker_share", p.welsh_speaker_share);
        v.share("people.other_language_share", p.other_language_share);
        v.share("people.employment_rate", p.employment_rate);
        v.share("people.married_share", p.married_share);
        v.share("people.took_spouse_name_share", p.took_spouse_name_share);
        v.share(
            "people.electoral_registration_rate",
            p.electoral_registration_rate,
        );

        let tn = &self.tenure;
        v.named_shares(
            "tenure",
            &[
                ("tenure.owner", tn.owner),
                ("tenure.private_rent", tn.private_rent),
                ("tenure.social_rent", tn.social_rent),
                ("tenure.temporary_accommodation", tn.temporary_accommodation),
            ],
        );
        v.share("tenure.council_share_of_social", tn.council_share_of_social);
        v.share(
            "tenure.student_share_of_private",
            tn.student_share_of_private,
        );
        v.range(
            "tenure.mean_years_at_address_owner",
            tn.mean_years_at_address_owner,
            0.5,
            60.0,
        );
        v.range(
            "tenure.mean_years_at_address_private",
            tn.mean_years_at_address_private,
            0.5,
            60.0,
        );
        v.range(
            "tenure.mean_years_at_address_social",
            tn.mean_years_at_address_social,
            0.5,
            60.0,
        );

        let m = &self.money;
        for (k, x) in [
            ("money.median_annual_earnings", m.median_annual_earnings),
            ("money.uc_single_monthly", m.uc_single_monthly),
            ("money.uc_couple_monthly", m.uc_couple_monthly),
            ("money.uc_child_monthly", m.uc_child_monthly),
            ("money.state_pension_weekly", m.state_pension_weekly),
            (
                "money.median_private_rent_monthly",
                m.median_private_rent_monthly,
            ),
            ("money.mean_social_rent_weekly", m.mean_social_rent_weekly),
            ("money.ta_charge_weekly", m.ta_charge_weekly),
            (
                "money.living_costs_adult_monthly",
                m.living_costs_adult_monthly,
            ),
            (
                "money.living_costs_child_monthly",
                m.living_costs_child_monthly,
            ),
            ("money.median_savings", m.median_savings),
        ] {
            v.range_u(k, x as f64, 1.0, 10_000_000.0);
        }
        v.range("money.earnings_log_sd", m.earnings_log_sd, 0.0, 2.0);
        v.range("money.private_rent_log_sd", m.private_rent_log_sd, 0.0, 2.0);
        v.share("money.part_time_share", m.part_time_share);
        v.share("money.no_savings_share", m.no_savings_share);

        let c = &self.council_tax;
        match parse_pounds(&c.band_d_annual) {
            Some(p) if p > 0 => {}
            _ => v.fail(
                "council_tax.band_d_annual",
                &format!(
                    "is '{}': write pounds and pence like \"2178.14\"",
                    c.band_d_annual
                ),
            ),
        }
        let bands = match t.nation {
            Nation::England => 8,
            Nation::Wales => 9,
        };
        if c.band_shares.len() != bands {
            v.fail(
                "council_tax.band_shares",
                &format!(
                    "must have {bands} shares for {} (bands A to {}), has {}",
                    match t.nation {
                        Nation::England => "England",
                        Nation::Wales => "Wales",
                    },
                    if bands == 8 { 'H' } else { 'I' },
                    c.band_shares.len()
                ),
            );
        } else {
            v.shares("council_tax.band_shares", &c.band_shares);
        }
        v.share("council_tax.ctr_take_up", c.ctr_take_up);
        v.range(
            "council_tax.annual_increase_pct",
            c.annual_increase_pct,
            0.0,
            25.0,
        );
        v.share("council_tax.enforcement_share", c.enforcement_share);

        let a = &self.arrears;
        v.range(
            "arrears.council_tax_arrears_prevalence",
            a.council_tax_arrears_prevalence,
            0.0,
            0.6,
        );
        v.range(
            "arrears.social_rent_arrears_prevalence",
            a.social_rent_arrears_prevalence,
            0.0,
            0.7,
        );
        v.range(
            "arrears.private_rent_arrears_prevalence",
            a.private_rent_arrears_prevalence,
            0.0,
            0.6,
        );
        v.range(
            "arrears.difficulty_exit_monthly",
            a.difficulty_exit_monthly,
            0.01,
            1.0,
        );
        v.range("arrears.catch_up_share", a.catch_up_share, 0.01, 1.0);

        let ev = &self.events;
        for (k, x) in [
            ("events.job_loss_annual", ev.job_loss_annual),
            ("events.job_find_monthly", ev.job_find_monthly),
            ("events.separation_annual", ev.separation_annual),
            ("events.birth_rate_annual", ev.birth_rate_annual),
            ("events.illness_onset_annual", ev.illness_onset_annual),
            ("events.move_annual_owner", ev.move_annual_owner),
            ("events.move_annual_private", ev.move_annual_private),
            ("events.move_annual_social", ev.move_annual_social),
            ("events.leave_area_share", ev.leave_area_share),
            ("events.leave_home_annual", ev.leave_home_annual),
            ("events.no_fault_notice_annual", ev.no_fault_notice_annual),
            ("events.income_drop_monthly", ev.income_drop_monthly),
        ] {
            v.share(k, x);
        }
        v.range(
            "events.mortality_at_65_per_1000",
            ev.mortality_at_65_per_1000,
            0.0,
            200.0,
        );
        v.range(
            "events.private_rent_rise_pct",
            ev.private_rent_rise_pct,
            -20.0,
            50.0,
        );
        v.range(
            "events.winter_cost_uplift_pct",
            ev.winter_cost_uplift_pct,
            0.0,
            200.0,
        );
        for (year, pct) in &ev.social_rent_rise_pct {
            if year.parse::<i32>().is_err() {
                v.fail(
                    "events.social_rent_rise_pct",
                    &format!("has key '{year}', which is not a year"),
                );
            }
            v.range(
                &format!("events.social_rent_rise_pct.{year}"),
                *pct,
                -20.0,
                50.0,
            );
        }
        for (i, s) in ev.price_shocks.iter().enumerate() {
            v.nonempty(&format!("events.price_shocks[{i}].name"), &s.name);
            v.range(
                &format!("events.price_shocks[{i}].percent"),
                s.percent,
                -50.0,
                500.0,
            );
            v.range_u(
                &format!("events.price_shocks[{i}].months"),
                s.months as f64,
                1.0,
                120.0,
            );
        }
        for mo in &ev.seasonal_notice_months {
            v.range_u("events.seasonal_notice_months", *mo as f64, 1.0, 12.0);
        }
        v.range(
            "events.seasonal_notice_multiplier",
            ev.seasonal_notice_multiplier,
            0.0,
            20.0,
        );

        let hl = &self.homelessness;
        v.range(
            "homelessness.duties_per_1000_households",
            hl.duties_per_1000_households,
            0.0,
            200.0,
        );
        v.share("homelessness.prevention_share", hl.prevention_share);
        v.share("homelessness.prevention_success", hl.prevention_success);
        v.share("homelessness.relief_success", hl.relief_success);
        v.share("homelessness.relief_ta_share", hl.relief_ta_share);
        v.range(
            "homelessness.ta_per_1000_households",
            hl.ta_per_1000_households,
            0.0,
            200.0,
        );
        if (hl.ta_per_1000_households > 0.0) != (tn.temporary_accommodation > 0.0) {
            v.fail(
                "homelessness.ta_per_1000_households",
                "must be zero exactly when tenure.temporary_accommodation is zero",
            );
        }

        let cs = &self.crisis_support;
        v.range(
            "crisis_support.crisis_grants_per_1000_households",
            cs.crisis_grants_per_1000_households,
            0.0,
            500.0,
        );
        v.range(
            "crisis_support.food_bank_per_1000_households",
            cs.food_bank_per_1000_households,
            0.0,
            500.0,
        );

        let r = &self.response;
        for (key, value) in [
            ("response.letter", r.letter),
            ("response.text", r.text),
            ("response.email", r.email),
            ("response.card_left", r.card_left),
            ("response.stop", r.stop),
            (
                "response.engaged_crisis_reduction",
                r.engaged_crisis_reduction,
            ),
        ] {
            v.share(key, value);
        }
        v.range(
            "response.preferred_channel_factor",
            r.preferred_channel_factor,
            1.0,
            5.0,
        );
        for (key, value, hi) in [
            (
                "response.other_language_factor",
                r.other_language_factor,
                1.0,
            ),
            ("response.older_letter_factor", r.older_letter_factor, 3.0),
            ("response.older_digital_factor", r.older_digital_factor, 1.0),
        ] {
            v.range(key, value, 0.0, hi);
        }
        v.range(
            "response.difficulty_letter_factor",
            r.difficulty_letter_factor,
            0.0,
            1.0,
        );
        v.range(
            "response.protection_months",
            r.protection_months as f64,
            1.0,
            24.0,
        );

        let cm = &self.community;
        v.range(
            "community.embeddedness_effect",
            cm.embeddedness_effect,
            0.0,
            3.0,
        );
        v.share(
            "community.community_activity_share",
            cm.community_activity_share,
        );

        let ct = &self.contact;
        v.share(
            "contact.digitally_excluded_share",
            ct.digitally_excluded_share,
        );
        v.named_shares(
            "contact",
            &[
                ("contact.prefer_phone", ct.prefer_phone),
                ("contact.prefer_email", ct.prefer_email),
                ("contact.prefer_text", ct.prefer_text),
            ],
        );
        v.range(
            "contact.routine_contacts_annual",
            ct.routine_contacts_annual,
            0.0,
            50.0,
        );
        v.range(
            "contact.bulky_waste_annual",
            ct.bulky_waste_annual,
            0.0,
            10.0,
        );

        let n = &self.noise;
        for (k, x) in [
            ("noise.typo_rate", n.typo_rate),
            ("noise.nickname_rate", n.nickname_rate),
            ("noise.name_swap_rate", n.name_swap_rate),
            ("noise.dob_missing_rate", n.dob_missing_rate),
            ("noise.dob_error_rate", n.dob_error_rate),
            ("noise.uprn_missing_rate", n.uprn_missing_rate),
            ("noise.postcode_format_rate", n.postcode_format_rate),
            ("noise.postcode_typo_rate", n.postcode_typo_rate),
            ("noise.address_style_rate", n.address_style_rate),
            ("noise.stale_address_rate", n.stale_address_rate),
            ("noise.duplicate_account_rate", n.duplicate_account_rate),
            ("noise.maiden_name_rate", n.maiden_name_rate),
            ("noise.nino_format_rate", n.nino_format_rate),
            ("noise.phone_missing_rate", n.phone_missing_rate),
            ("noise.locality_missing_rate", n.locality_missing_rate),
            ("noise.post_town_missing_rate", n.post_town_missing_rate),
            (
                "noise.building_name_missing_rate",
                n.building_name_missing_rate,
            ),
            (
                "noise.building_number_missing_rate",
                n.building_number_missing_rate,
            ),
            ("noise.flat_bare_number_rate", n.flat_bare_number_rate),
            ("noise.street_typo_rate", n.street_typo_rate),
            ("noise.stale_postcode_rate", n.stale_postcode_rate),
            ("noise.postcode_missing_rate", n.postcode_missing_rate),
            ("noise.welsh_name_rate", n.welsh_name_rate),
        ] {
            v.share(k, x);
        }

        let g = &self.gazetteer;
        v.nonempty("gazetteer.administrative_area", &g.administrative_area);
        // The British National Grid covers 0 to 700 km east and 0 to 1,300 km north.
        v.range("gazetteer.centre_easting", g.centre_easting, 0.0, 700_000.0);
        v.range(
            "gazetteer.centre_northing",
            g.centre_northing,
            0.0,
            1_300_000.0,
        );
        v.range("gazetteer.radius_m", g.radius_m, 100.0, 100_000.0);
        if g.house_type_shares.len() != 3 {
            v.fail(
                "gazetteer.house_type_shares",
                &format!(
                    "must have 3 shares (detached, semi-detached, terraced), has {}",
                    g.house_type_shares.len()
                ),
            );
        } else {
            v.shares("gazetteer.house_type_shares", &g.house_type_shares);
        }
        for (k, x) in [
            ("gazetteer.named_block_share", g.named_block_share),
            ("gazetteer.sao_number_share", g.sao_number_share),
            ("gazetteer.lettered_block_share", g.lettered_block_share),
            ("gazetteer.flat_suffix_share", g.flat_suffix_share),
            ("gazetteer.infill_share", g.infill_share),
            ("gazetteer.street_locality_share", g.street_locality_share),
            ("gazetteer.bilingual_street_share", g.bilingual_street_share),
        ] {
            v.share(k, x);
        }
        if g.sao_number_share + g.lettered_block_share > 1.0 {
            v.fail(
                "gazetteer.lettered_block_share",
                "and gazetteer.sao_number_share add up to more than 1",
            );
        }
        v.range("gazetteer.historic_share", g.historic_share, 0.0, 0.2);
        v.range("gazetteer.new_build_annual", g.new_build_annual, 0.0, 0.2);
        v.range_u(
            "gazetteer.provisional_months_min",
            g.provisional_months_min as f64,
            1.0,
            60.0,
        );
        v.range_u(
            "gazetteer.provisional_months_max",
            g.provisional_months_max as f64,
            g.provisional_months_min as f64,
            60.0,
        );
        v.range("gazetteer.demolition_annual", g.demolition_annual, 0.0, 0.1);
        v.range(
            "gazetteer.postcode_recode_annual",
            g.postcode_recode_annual,
            0.0,
            0.5,
        );
        match v.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Collects the first rule broken, naming its key.
struct Validator<'a> {
    origin: &'a str,
    error: Option<ProfileError>,
}

impl Validator<'_> {
    fn fail(&mut self, key: &str, problem: &str) {
        if self.error.is_none() {
            self.error = Some(ProfileError::Invalid {
                origin: self.origin.to_string(),
                key: key.to_string(),
                problem: problem.to_string(),
            });
        }
    }
    fn nonempty(&mut self, key: &str, s: &str) {
        if s.trim().is_empty() {
            self.fail(key, "must not be empty");
        }
    }
    fn range(&mut self, key: &str, x: f64, lo: f64, hi: f64) {
        if !x.is_finite() || x < lo || x > hi {
            self.fail(key, &format!("is {x}, but must be between {lo} and {hi}"));
        }
    }
    fn range_u(&mut self, key: &str, x: f64, lo: f64, hi: f64) {
        if x < lo || x > hi {
            self.fail(key, &format!("is {x}, but must be between {lo} and {hi}"));
        }
    }
    fn share(&mut self, key: &str, x: f64) {
        self.range(key, x, 0.0, 1.0);
    }
    fn shares(&mut self, key: &str, xs: &[f64]) {
        let names: Vec<String> = (0..xs.len()).map(|i| format!("{key}[{i}]")).collect();
        let named: Vec<(&str, f64)> = names
            .iter()
            .map(String::as_str)
            .zip(xs.iter().copied())
            .collect();
        self.named_shares(key, &named);
    }

    /// Shares that must each lie in 0..=1 and add up to 1; a bad one is named by its own key.
    fn named_shares(&mut self, key: &str, xs: &[(&str, f64)]) {
        for (name, x) in xs {
            self.share(name, *x);
        }
        let xs: Vec<f64> = xs.iter().map(|(_, x)| *x).collect();
        let sum: f64 = xs.iter().sum();
        if (sum - 1.0).abs() > 0.005 {
            self.fail(
                key,
                &format!("shares add up to {sum:.3}, but must add up to 1"),
            );
        }
    }
}

/// "2178.14" → 217814 pence. Exactly two decimals or none.
pub fn parse_pounds(s: &str) -> Option<i64> {
    let s = s.trim();
    let (pounds, pence) = match s.split_once('.') {
        Some((p, d)) if d.len() == 2 => (p, d),
        Some(_) => return None,
        None => (s, "00"),
    };
    if pounds.is_empty()
        || !pounds.bytes().all(|b| b.is_ascii_digit())
        || !pence.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    Some(pounds.parse::<i64>().ok()? * 100 + pence.parse::<i64>().ok()?)
}

fn is_outward_code(s: &str) -> bool {
    let b = s.as_bytes();
    let letters = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    let rest = &b[letters..];
    (1..=2).contains(&letters)
        && !rest.is_empty()
        && rest.len() <= 2
        && rest[0].is_ascii_digit()
        && rest.iter().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_profiles_are_valid() {
        for (name, _) in BUILT_IN {
            let p = Profile::load(name).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!p.sources.is_empty(), "{name} cites no sources");
        }
    }

    #[test]
    fn an_unknown_profile_name_lists_the_known_ones() {
        let e = Profile::load("atlantis").unwrap_err().to_string();
        assert!(
            e.contains("'birmingham'") && e.contains("'ceredigion'"),
            "{e}"
        );
    }

    #[test]
    fn a_bad_value_names_its_key() {
        let text = BUILT_IN[0].1.replace("owner = 0.", "owner = 1.");
        let e = Profile::from_toml(&text, "test.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`tenure.owner`") && e.contains("between 0 and 1"),
            "{e}"
        );
        let text = BUILT_IN[0].1.replace("owner = 0.530", "owner = 0.630");
        let e = Profile::from_toml(&text, "test.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`tenure`") && e.contains("add up to 1.100"),
            "{e}"
        );
    }

    #[test]
    fn an_unknown_key_is_refused_by_name() {
        let text = format!("{}\n[surprise]\nx = 1\n", BUILT_IN[0].1);
        let e = Profile::from_toml(&text, "test.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("surprise"), "{e}");
    }

    #[test]
    fn pounds_parse_to_pence() {
        assert_eq!(parse_pounds("2178.14"), Some(217_814));
        assert_eq!(parse_pounds("12"), Some(1200));
        assert_eq!(parse_pounds("12.5"), None);
        assert_eq!(parse_pounds("£12.50"), None);
    }

    #[test]
    fn outward_codes() {
        assert!(is_outward_code("B12"));
        assert!(is_outward_code("SY23"));
        assert!(is_outward_code("B1"));
        assert!(!is_outward_code("12B"));
        assert!(!is_outward_code("b12"));
    }
}
