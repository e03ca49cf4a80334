//! Writes each source system's monthly extract as the real system would
//! export it: its own columns, identifiers, date styles and money format.
//! Column lists here are the contract documented in `docs/extracts.md`.

use crate::council::{case_ref, fmt_dmy, Council, Recorded, RecordedAddress};
use crate::gazetteer;
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

/// What one source's extract for a month holds: its data rows, and the
/// records whose address is shown for the first time or has changed (the
/// record key and the UPRN the address means), for `truth/record_addresses.csv`.
#[derive(Debug, Default)]
pub struct Written {
    pub rows: u64,
    pub addresses: Vec<(String, u64)>,
}

/// Write one source's extract for `month` under `root`.
pub fn write_source(
    root: &Path,
    source: SourceSystem,
    w: &World,
    c: &Council,
    month: Month,
    first: bool,
) -> std::io::Result<Written> {
    let path = root.join(file_name(source, month));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut out = csv::WriterBuilder::new()
        .from_writer(BufWriter::with_capacity(1 << 20, File::create(&path)?));
    out.write_record(columns(source)).map_err(csv_io)?;
    let mut written = Written::default();
    let wr = &mut written;
    match source {
        SourceSystem::CouncilTax => council_tax(&mut out, w, c, month, first, wr),
        SourceSystem::Benefits => benefits(&mut out, w, c, month, first, wr),
        SourceSystem::Rent => rent(&mut out, w, c, month, first, wr),
        SourceSystem::HousingRegister => housing_register(&mut out, w, c, month, first, wr),
        SourceSystem::Homelessness => homelessness(&mut out, w, month, wr),
        SourceSystem::ElectoralRegister => electoral(&mut out, w, c, month, first, wr),
        _ => logs(&mut out, c, source, wr),
    }
    .map_err(csv_io)?;
    out.flush()?;
    Ok(written)
}

pub fn gazetteer_file_name(month: Month) -> String {
    format!("extracts/gazetteer/gazetteer_{month}.csv")
}

/// Write the gazetteer export for `month`: every LPI the first month (all
/// `I`), afterwards only the LPIs that changed. Returns the rows written.
pub fn write_gazetteer(root: &Path, w: &World, month: Month, first: bool) -> std::io::Result<u64> {
    let path = root.join(gazetteer_file_name(month));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut out = csv::WriterBuilder::new()
        .from_writer(BufWriter::with_capacity(1 << 20, File::create(&path)?));
    out.write_record(gazetteer::COLUMNS).map_err(csv_io)?;
    let props: Vec<(gazetteer::Prop, &str)> = if first {
        gazetteer::all_props(&w.geo)
            .into_iter()
            .map(|p| (p, "I"))
            .collect()
    } else {
        gazetteer::changed_props(&w.geo)
    };
    let mut rows = 0;
    for (prop, change) in props {
        for row in gazetteer::lpi_rows(&w.geo, &w.profile, prop, change) {
            out.write_record(&row).map_err(csv_io)?;
            rows += 1;
        }
    }
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

/// The UPRN of the home a recorded address means (the truth).
fn true_uprn(w: &World, a: &RecordedAddress) -> u64 {
    w.geo.dwellings[a.dwelling as usize].uprn
}

/// Whether a row shows an address for the first time: the first extract
/// shows every record's; later, only those recorded (the person or the
/// address) this month.
fn fresh(first: bool, month: Month, a: &RecordedAddress, p: &Recorded) -> bool {
    first || a.recorded == month || p.recorded == month
}

fn council_tax(
    out: &mut CsvOut,
    w: &World,
    c: &Council,
    month: Month,
    first: bool,
    wr: &mut Written,
) -> csv::Result<()> {
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
        let lines = a.address.lines(3);
        for (party_no, p) in &a.parties {
            if fresh(first, month, &a.address, p) {
                wr.addresses.push((
                    format!("{}/{party_no}", a.account_ref),
                    true_uprn(w, &a.address),
                ));
            }
            out.write_record([
                a.account_ref.as_str(),
                &party_no.to_string(),
                p.title,
                &p.forename,
                &p.surname,
                &fmt_dmy(p.dob),
                &format!("P{:07}", a.dwelling),
                &uprn(&a.address),
                &lines[0],
                &lines[1],
                &lines[2],
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
            wr.rows += 1;
        }
    }
    Ok(())
}

fn benefits(
    out: &mut CsvOut,
    w: &World,
    c: &Council,
    month: Month,
    first: bool,
    wr: &mut Written,
) -> csv::Result<()> {
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
        let uprn_now = true_uprn(w, &cl.address);
        if fresh(first, month, &cl.address, &cl.claimant) {
            wr.addresses
                .push((format!("{}/claimant", cl.claim_ref), uprn_now));
        }
        if let Some(p) = &cl.partner {
            if fresh(first, month, &cl.address, p) {
                wr.addresses
                    .push((format!("{}/partner", cl.claim_ref), uprn_now));
            }
        }
        let lines = cl.address.lines(3);
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
            &lines[0],
            &lines[1],
            &lines[2],
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
        wr.rows += 1;
    }
    Ok(())
}

fn rent(
    out: &mut CsvOut,
    w: &World,
    c: &Council,
    month: Month,
    first: bool,
    wr: &mut Written,
) -> csv::Result<()> {
    for t in c.tenancies.iter().filter(|t| t.closed.is_none()) {
        let h = &w.households[t.household as usize];
        let d = &w.geo.dwellings[t.dwelling as usize];
        let lines = t.address.lines(2);
        for (i, p) in t.tenants.iter().enumerate() {
            if fresh(first, month, &t.address, p) {
                wr.addresses.push((
                    format!("{}/{}", t.tenancy_ref, i + 1),
                    true_uprn(w, &t.address),
                ));
            }
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
                &lines[0],
                &lines[1],
                &t.address.postcode,
                &t.started.format("%d-%b-%Y").to_string(),
                &money(weekly(h.rent_monthly)),
                &money(h.rent_arrears),
                h.rent_stage.as_str(),
                p.phone.as_deref().unwrap_or(""),
            ])?;
            wr.rows += 1;
        }
    }
    Ok(())
}

fn housing_register(
    out: &mut CsvOut,
    w: &World,
    c: &Council,
    month: Month,
    first: bool,
    wr: &mut Written,
) -> csv::Result<()> {
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
        if fresh(first, month, &a.address, &a.applicant) {
            wr.addresses
                .push((a.app_ref.clone(), true_uprn(w, &a.address)));
        }
        out.write_record([
            a.app_ref.as_str(),
            &a.applicant.forename,
            &a.applicant.middle,
            &a.applicant.surname,
            &fmt_dmy(a.applicant.dob),
            a.applicant.nino.as_deref().unwrap_or(""),
            a.applicant.email.as_deref().unwrap_or(""),
            a.applicant.phone.as_deref().unwrap_or(""),
            &a.address.one_line(),
            &a.address.postcode,
            &size.to_string(),
            &bedrooms.to_string(),
            &a.band.to_string(),
            a.reason,
            &fmt_dmy(Some(a.registered)),
            a.status,
        ])?;
        wr.rows += 1;
    }
    Ok(())
}

fn homelessness(out: &mut CsvOut, w: &World, month: Month, wr: &mut Written) -> csv::Result<()> {
    let welsh = matches!(w.profile.town.nation, Nation::Wales);
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
        // The last settled address, as the officer wrote it at the approach.
        let addr = crate::council::record_address(
            &w.geo,
            &w.profile,
            case.settled,
            crate::council::Recording {
                holds_uprn: false,
                referral: false,
                month: Month::of(case.approached),
            },
            &mut rng,
        );
        let key = case_ref(case.id, case.approached);
        wr.addresses.push((key.clone(), true_uprn(w, &addr)));
        let duty = match (case.duty, welsh) {
            (Duty::Prevention, true) => "s66",
            (Duty::Relief, true) => "s73",
            (Duty::Prevention, false) => "prevention",
            (Duty::Relief, false) => "relief",
        };
        let iso = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        out.write_record([
            key.as_str(),
            &rec.forename,
            &rec.surname,
            &iso(rec.dob),
            rec.nino.as_deref().unwrap_or(""),
            rec.phone.as_deref().unwrap_or(""),
            &addr.one_line(),
            &addr.postcode,
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
        wr.rows += 1;
    }
    Ok(())
}

const HOM_HOLDS: crate::council::Holds = crate::council::Holds {
    dob: 1.0,
    nino: 0.85,
    phone: 0.9,
    email: 0.0,
    middle: false,
};

fn electoral(
    out: &mut CsvOut,
    w: &World,
    c: &Council,
    month: Month,
    first: bool,
    wr: &mut Written,
) -> csv::Result<()> {
    let mut write = |out: &mut CsvOut,
                     kind: &str,
                     e: &crate::council::Elector,
                     date: NaiveDate|
     -> csv::Result<()> {
        // Shown first in the first register, or in the register or notice
        // of the month the elector was added.
        if kind != "D" && (first || Month::of(e.added) == month) {
            wr.addresses
                .push((e.elector_number.clone(), true_uprn(w, &e.address)));
        }
        let lines = e.address.lines(3);
        out.write_record([
            kind,
            &e.elector_number,
            &e.surname,
            &e.forenames,
            &lines[0],
            &lines[1],
            &lines[2],
            &e.address.postcode,
            &uprn(&e.address),
            &fmt_dmy(e.attainer_dob),
            &fmt_dmy(Some(date)),
        ])?;
        wr.rows += 1;
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
    Ok(())
}

fn logs(out: &mut CsvOut, c: &Council, source: SourceSystem, wr: &mut Written) -> csv::Result<()> {
    for row in c.logs.iter().filter(|r| r.source == source) {
        out.write_record(&row.fields)?;
        wr.rows += 1;
        wr.addresses.extend(row.addresses.iter().cloned());
    }
    Ok(())
}
