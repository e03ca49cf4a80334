//! Writes each source system's monthly extract as the real system would
//! export it: its own columns, identifiers, date styles and money format.
//! Column lists here are the contract documented in `docs/extracts.md`.

use crate::council::{case_ref, fmt_dmy, Council, RecordedAddress};
use crate::life::{Duty, World};
use crate::town::Work;
use chrono::NaiveDate;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use upstream_core::{Month, Nation, Pence, SourceSystem, Tenure};

pub type CsvOut = csv::Writer<BufWriter<File>>;

/// The header of each source's extract.
pub fn columns(source: SourceSystem) -> &'static [&'static str] {
    match source {
        SourceSystem::CouncilTax => &[
            "account_ref",
            "party_no",
            "title",
            "forename",
            "surname",
            "date_of_birth",
            "property_ref",
            "uprn",
            "address_1",
            "address_2",
            "address_3",
            "postcode",
            "band",
            "discount",
            "account_opened",
            "annual_charge",
            "balance",
            "recovery_stage",
            "phone",
            "email",
        ],
        SourceSystem::Benefits => &[
            "claim_ref",
            "claimant_title",
            "claimant_forename",
            "claimant_middle",
            "claimant_surname",
            "claimant_dob",
            "claimant_nino",
            "partner_forename",
            "partner_surname",
            "partner_dob",
            "partner_nino",
            "dependants",
            "address_1",
            "address_2",
            "address_3",
            "postcode",
            "uprn",
            "tenure",
            "weekly_rent",
            "weekly_earnings",
            "employment_status",
            "hb_weekly",
            "ctr_weekly",
            "claim_start",
            "passported",
        ],
        SourceSystem::Rent => &[
            "tenancy_ref",
            "property_ref",
            "tenant_no",
            "title",
            "forename",
            "surname",
            "dob",
            "ni_number",
            "address_1",
            "address_2",
            "postcode",
            "tenancy_start",
            "weekly_rent",
            "balance",
            "arrears_action",
            "phone",
        ],
        SourceSystem::HousingRegister => &[
            "application_ref",
            "forename",
            "middle_names",
            "surname",
            "dob",
            "ni_number",
            "email",
            "phone",
            "current_address",
            "postcode",
            "household_size",
            "bedrooms_needed",
            "band",
            "reason",
            "registered",
            "status",
        ],
        SourceSystem::Homelessness => &[
            "case_ref",
            "applicant_forename",
            "applicant_surname",
            "dob",
            "ni_number",
            "phone",
            "last_settled_address",
            "postcode",
            "approach_date",
            "household_size",
            "reason_for_loss",
            "duty",
            "duty_start",
            "relief_start",
            "ta_start",
            "duty_end",
            "outcome",
        ],
        SourceSystem::ContactCentre => &[
            "interaction_id",
            "timestamp",
            "channel",
            "caller_name",
            "phone",
            "postcode",
            "address",
            "email",
            "topic",
        ],
        SourceSystem::StreetScene => &[
            "job_ref",
            "created",
            "job_type",
            "customer_name",
            "address",
            "postcode",
            "uprn",
            "phone",
            "email",
            "items",
        ],
        SourceSystem::EarlyHelp => &[
            "referral_id",
            "referral_date",
            "child_forename",
            "child_surname",
            "child_dob",
            "parent_forename",
            "parent_surname",
            "parent_dob",
            "address",
            "postcode",
            "referrer",
            "reason",
        ],
        SourceSystem::AdultSocialCare => &[
            "referral_id",
            "referral_date",
            "title",
            "forename",
            "surname",
            "dob",
            "address_1",
            "address_2",
            "postcode",
            "phone",
            "referral_source",
            "reason",
        ],
        SourceSystem::ElectoralRegister => &[
            "record_type",
            "elector_number",
            "surname",
            "forenames",
            "address_1",
            "address_2",
            "address_3",
            "postcode",
            "uprn",
            "attainer_dob",
            "effective_date",
        ],
    }
}

pub fn file_name(source: SourceSystem, month: Month) -> String {
    format!("extracts/{0}/{0}_{1}.csv", source.as_str(), month)
}

/// Write one source's extract for `month` under `root`; returns the data rows written.
pub fn write_source(
    root: &Path,
    source: SourceSystem,
    w: &World,
    c: &Council,
    month: Month,
    first: bool,
) -> std::io::Result<u64> {
    let path = root.join(file_name(source, month));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut out = csv::WriterBuilder::new()
        .from_writer(BufWriter::with_capacity(1 << 20, File::create(&path)?));
    out.write_record(columns(source)).map_err(csv_io)?;
    let rows = match source {
        SourceSystem::CouncilTax => council_tax(&mut out, w, c, month),
        SourceSystem::Benefits => benefits(&mut out, w, c, month),
        SourceSystem::Rent => rent(&mut out, w, c, month),
        SourceSystem::HousingRegister => housing_register(&mut out, w, c, month),
        SourceSystem::Homelessness => homelessness(&mut out, w, c, month),
        SourceSystem::ElectoralRegister => electoral(&mut out, c, month, first),
        _ => logs(&mut out, c, source),
    }
    .map_err(csv_io)?;
    out.flush()?;
    Ok(rows)
}

fn csv_io(e: csv::Error) -> std::io::Error {
    std::io::Error::other(e)
}

fn money(p: Pence) -> String {
    p.to_string()
}

fn weekly(monthly: Pence) -> Pence {
    monthly.ratio(12, 52)
}

fn band_letter(b: u8) -> String {
    ((b'A' + b) as char).to_string()
}

fn uprn(a: &RecordedAddress) -> String {
    a.uprn.map(|u| u.to_string()).unwrap_or_default()
}

fn council_tax(out: &mut CsvOut, w: &World, c: &Council, month: Month) -> csv::Result<u64> {
    let mut rows = 0;
    let today = month.last_day();
    for a in c.ct.iter().filter(|a| a.closed.is_none()) {
        let h = &w.households[a.household as usize];
        let d = &w.geo.dwellings[a.dwelling as usize];
        let adults = h
            .members
            .iter()
            .filter(|p| w.people[**p as usize].is_adult(today))
            .count();
        let on_benefit = w.claim_eligible(h, today);
        let primary = a.duplicate_of.is_none();
        let annual = if primary {
            w.council_tax_due(h, adults, on_benefit, month).ratio(12, 1)
        } else {
            Pence::ZERO
        };
        let discount = if h.student_let {
            "student_exemption"
        } else if adults <= 1 {
            "single_person_discount"
        } else {
            ""
        };
        let balance = if primary { h.ct_arrears } else { Pence::ZERO };
        let stage = if primary { h.ct_stage.as_str() } else { "" };
        for (party_no, p) in &a.parties {
            out.write_record([
                a.account_ref.as_str(),
                &party_no.to_string(),
                p.title,
                &p.forename,
                &p.surname,
                &fmt_dmy(p.dob),
                &format!("P{:07}", a.dwelling),
                &uprn(&a.address),
                &a.address.line1,
                &a.address.line2,
                &a.address.line3,
                &a.address.postcode,
                &band_letter(d.band),
                discount,
                &a.opened.format("%d/%m/%Y").to_string(),
                &money(annual),
                &money(balance),
                stage,
                p.phone.as_deref().unwrap_or(""),
                p.email.as_deref().unwrap_or(""),
            ])?;
            rows += 1;
        }
    }
    Ok(rows)
}

fn benefits(out: &mut CsvOut, w: &World, c: &Council, month: Month) -> csv::Result<u64> {
    let mut rows = 0;
    let today = month.last_day();
    for cl in c.claims.iter().filter(|cl| cl.closed.is_none()) {
        let h = &w.households[cl.household as usize];
        let dependants = h
            .members
            .iter()
            .filter(|p| !w.people[**p as usize].is_adult(today))
            .count();
        let mut earnings = Pence::ZERO;
        let mut status = "not_working";
        let mut pensioner = false;
        for p in &h.members {
            match w.people[*p as usize].work {
                Work::Employed { monthly_gross } => {
                    earnings += monthly_gross;
                    status = "employed";
                }
                Work::Retired => pensioner = true,
                _ => {}
            }
        }
        if pensioner && status != "employed" {
            status = "pension_age";
        }
        let adults = h.members.len() - dependants;
        let ct = w.council_tax_due(h, adults, true, month);
        let full_ct = w.council_tax_due(h, adults, false, month);
        let ctr = weekly(full_ct - ct);
        // Housing benefit now mostly for pension-age renters and temporary accommodation; others get UC housing costs from DWP.
        let hb =
            if h.tenure.is_renting() && (pensioner || h.tenure == Tenure::TemporaryAccommodation) {
                weekly(h.rent_monthly)
            } else {
                Pence::ZERO
            };
        let passported = if pensioner {
            "pension_credit"
        } else if earnings.0 < 100_000 {
            "universal_credit"
        } else {
            ""
        };
        let (pf, ps, pd, pn) = match &cl.partner {
            Some(p) => (
                p.forename.as_str(),
                p.surname.as_str(),
                p.dob.map(|d| d.to_string()).unwrap_or_default(),
                p.nino.clone().unwrap_or_default(),
            ),
            None => ("", "", String::new(), String::new()),
        };
        out.write_record([
            cl.claim_ref.as_str(),
            cl.claimant.title,
            &cl.claimant.forename,
            &cl.claimant.middle,
            &cl.claimant.surname,
            &cl.claimant.dob.map(|d| d.to_string()).unwrap_or_default(),
            cl.claimant.nino.as_deref().unwrap_or(""),
            pf,
            ps,
            &pd,
            &pn,
            &dependants.to_string(),
            &cl.address.line1,
            &cl.address.line2,
            &cl.address.line3,
            &cl.address.postcode,
            &uprn(&cl.address),
            h.tenure.as_str(),
            &money(weekly(h.rent_monthly)),
            &money(weekly(earnings)),
            status,
            &money(hb),
            &money(ctr),
            &cl.started.to_string(),
            passported,
        ])?;
        rows += 1;
    }
    Ok(rows)
}

fn rent(out: &mut CsvOut, w: &World, c: &Council, _month: Month) -> csv::Result<u64> {
    let mut rows = 0;
    for t in c.tenancies.iter().filter(|t| t.closed.is_none()) {
        let h = &w.households[t.household as usize];
        let d = &w.geo.dwellings[t.dwelling as usize];
        for (i, p) in t.tenants.iter().enumerate() {
            out.write_record([
                t.tenancy_ref.as_str(),
                &d.housing_ref.map(|r| format!("HSG{r}")).unwrap_or_default(),
                &(i + 1).to_string(),
                p.title,
                &p.forename.to_uppercase(),
                &p.surname.to_uppercase(),
                &p.dob
                    .map(|d| d.format("%d-%b-%Y").to_string())
                    .unwrap_or_default(),
                p.nino.as_deref().unwrap_or(""),
                &d.line1,
                &d.locality,
                &d.postcode,
                &t.started.format("%d-%b-%Y").to_string(),
                &money(weekly(h.rent_monthly)),
                &money(h.rent_arrears),
                h.rent_stage.as_str(),
                p.phone.as_deref().unwrap_or(""),
            ])?;
            rows += 1;
        }
    }
    Ok(rows)
}

fn housing_register(out: &mut CsvOut, w: &World, c: &Council, month: Month) -> csv::Result<u64> {
    let mut rows = 0;
    let today = month.last_day();
    for a in c
        .applications
        .iter()
        .filter(|a| a.closed.is_none_or(|m| m == month))
    {
        let h = &w.households[a.household as usize];
        let size = h.members.len().max(1);
        let children = h
            .members
            .iter()
            .filter(|p| !w.people[**p as usize].is_adult(today))
            .count();
        let bedrooms = 1 + children.div_ceil(2) + (size - children).saturating_sub(2);
        out.write_record([
            a.app_ref.as_str(),
            &a.applicant.forename,
            &a.applicant.middle,
            &a.applicant.surname,
            &fmt_dmy(a.applicant.dob),
            a.applicant.nino.as_deref().unwrap_or(""),
            a.applicant.email.as_deref().unwrap_or(""),
            a.applicant.phone.as_deref().unwrap_or(""),
            &format!(
                "{}, {}, {}",
                a.address.line1, a.address.line2, a.address.line3
            ),
            &a.address.postcode,
            &size.to_string(),
            &bedrooms.to_string(),
            &a.band.to_string(),
            a.reason,
            &fmt_dmy(Some(a.registered)),
            a.status,
        ])?;
        rows += 1;
    }
    Ok(rows)
}

fn homelessness(out: &mut CsvOut, w: &World, c: &Council, month: Month) -> csv::Result<u64> {
    let _ = c;
    let welsh = matches!(w.profile.town.nation, Nation::Wales);
    let mut rows = 0;
    let np = &w.profile.noise;
    for case in w.cases.iter().filter(|k| {
        k.last_update == month
            || Month::of(k.approached) == month
            || k.closed.is_some_and(|d| Month::of(d) == month)
    }) {
        let p = &w.people[case.applicant as usize];
        // Homelessness officers take details in person: few typing slips, but some.
        let mut rng = rand_pcg::Pcg64Mcg::new(0xcafe_f00d_u128 + case.id as u128);
        let rec = crate::council::record_person(p, case.approached, np, HOM_HOLDS, &mut rng);
        let h = &w.households[case.household as usize];
        let d = &w.geo.dwellings[h.dwelling as usize];
        let duty = match (case.duty, welsh) {
            (Duty::Prevention, true) => "s66",
            (Duty::Relief, true) => "s73",
            (Duty::Prevention, false) => "prevention",
            (Duty::Relief, false) => "relief",
        };
        let iso = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        out.write_record([
            case_ref(case.id, case.approached).as_str(),
            &rec.forename,
            &rec.surname,
            &iso(rec.dob),
            rec.nino.as_deref().unwrap_or(""),
            rec.phone.as_deref().unwrap_or(""),
            &d.line1,
            &d.postcode,
            &case.approached.to_string(),
            &case.household_size.to_string(),
            case.reason,
            duty,
            &case.duty_start.to_string(),
            &iso(case.relief_start),
            &iso(case.ta_start),
            &iso(case.closed),
            case.outcome.unwrap_or(""),
        ])?;
        rows += 1;
    }
    Ok(rows)
}

const HOM_HOLDS: crate::council::Holds = crate::council::Holds {
    dob: 1.0,
    nino: 0.85,
    phone: 0.9,
    email: 0.0,
    middle: false,
};

fn electoral(out: &mut CsvOut, c: &Council, month: Month, first: bool) -> csv::Result<u64> {
    let mut rows = 0;
    let mut write = |out: &mut CsvOut,
                     kind: &str,
                     e: &crate::council::Elector,
                     date: NaiveDate|
     -> csv::Result<()> {
        out.write_record([
            kind,
            &e.elector_number,
            &e.surname,
            &e.forenames,
            &e.address.line1,
            &e.address.line2,
            &e.address.line3,
            &e.address.postcode,
            &uprn(&e.address),
            &fmt_dmy(e.attainer_dob),
            &fmt_dmy(Some(date)),
        ])?;
        rows += 1;
        Ok(())
    };
    // The revised register is published each December (and we start with one);
    // other months carry the notice of alterations: additions and deletions.
    if first || month.month() == 12 {
        for e in c.electors.iter().filter(|e| e.deleted.is_none()) {
            write(out, "R", e, month.last_day())?;
        }
    } else {
        for (kind, id, date) in &c.elector_changes {
            if let Some(e) = c.electors.get(*id as usize) {
                write(out, &kind.to_string(), e, *date)?;
            }
        }
    }
    Ok(rows)
}

fn logs(out: &mut CsvOut, c: &Council, source: SourceSystem) -> csv::Result<u64> {
    let mut rows = 0;
    for row in c.logs.iter().filter(|r| r.source == source) {
        out.write_record(&row.fields)?;
        rows += 1;
    }
    Ok(rows)
}
