//! The truth, kept apart from the extracts: who each person is, where they
//! lived when, every event and crisis, and which source record is whom.

use crate::council::RecordLink;
use crate::life::{Happening, World};
use std::fs::File;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};
use upstream_core::{Month, SourceSystem};

type Out = csv::Writer<BufWriter<File>>;

pub(crate) struct TruthWriter {
    dir: PathBuf,
    events: Out,
    outcomes: Out,
    links: Out,
    residences: Out,
    record_addresses: Out,
    /// Per person: (household, uprn, since) of the residence being written.
    current: Vec<Option<(u32, u64, Month)>>,
    seen: Vec<bool>,
}

fn open(dir: &Path, name: &str, header: &[&str]) -> io::Result<Out> {
    let mut w = csv::Writer::from_writer(BufWriter::with_capacity(
        1 << 20,
        File::create(dir.join(name))?,
    ));
    w.write_record(header).map_err(io::Error::other)?;
    Ok(w)
}

impl TruthWriter {
    pub fn create(dir: &Path) -> io::Result<TruthWriter> {
        Ok(TruthWriter {
            dir: dir.to_path_buf(),
            events: open(
                dir,
                "events.csv",
                &["date", "household_id", "person_id", "event", "detail"],
            )?,
            outcomes: open(
                dir,
                "outcomes.csv",
                &["date", "household_id", "person_id", "crisis", "detail"],
            )?,
            links: open(
                dir,
                "record_links.csv",
                &["source", "record_key", "person_id", "first_month"],
            )?,
            residences: open(
                dir,
                "residences.csv",
                &[
                    "person_id",
                    "household_id",
                    "uprn",
                    "from_month",
                    "to_month",
                ],
            )?,
            record_addresses: open(
                dir,
                "record_addresses.csv",
                &["source", "record_key", "from_month", "uprn"],
            )?,
            current: Vec::new(),
            seen: Vec::new(),
        })
    }

    /// The homes recorded addresses mean, from the month an extract first
    /// shows each (or shows it changed): the answer key for address matching.
    pub fn record_addresses(
        &mut self,
        source: SourceSystem,
        month: Month,
        addresses: &[(String, u64)],
    ) -> io::Result<()> {
        let month = month.to_string();
        for (key, uprn) in addresses {
            self.record_addresses
                .write_record([source.as_str(), key, &month, &uprn.to_string()])
                .map_err(io::Error::other)?;
        }
        Ok(())
    }

    pub fn links(&mut self, links: &[RecordLink]) -> io::Result<()> {
        for l in links {
            self.links
                .write_record([
                    l.source.as_str(),
                    &l.record_key,
                    &l.person.to_string(),
                    &l.first_month.to_string(),
                ])
                .map_err(io::Error::other)?;
        }
        Ok(())
    }

    pub fn events(&mut self, happenings: &[Happening]) -> io::Result<()> {
        for h in happenings {
            let person = h.person.map(|p| p.to_string()).unwrap_or_default();
            let date = h.date.to_string();
            let hh = h.household.to_string();
            match h.crisis {
                Some(c) => {
                    self.outcomes
                        .write_record([date.as_str(), &hh, &person, c.as_str(), &h.detail])
                }
                None => self.events.write_record([
                    date.as_str(),
                    &hh,
                    &person,
                    h.kind.as_str(),
                    &h.detail,
                ]),
            }
            .map_err(io::Error::other)?;
        }
        Ok(())
    }

    /// Record where everyone lives at the end of `month`, writing closed periods.
    pub fn residences(&mut self, w: &World, month: Month) -> io::Result<()> {
        let n = w.people.len();
        self.current.resize(n, None);
        self.seen.clear();
        self.seen.resize(n, false);
        for h in w.households.iter().filter(|h| h.active) {
            let uprn = w.geo.dwellings[h.dwelling as usize].uprn;
            for &p in &h.members {
                self.seen[p as usize] = true;
                match self.current[p as usize] {
                    Some((hh, u, _)) if hh == h.id && u == uprn => {}
                    other => {
                        if let Some(prev) = other {
                            write_residence(&mut self.residences, p, prev, Some(month.plus(-1)))?;
                        }
                        // People already here on the first month keep their true moving-in month.
                        let since = if other.is_none() && h.moved_in < month {
                            h.moved_in
                        } else {
                            month
                        };
                        self.current[p as usize] = Some((h.id, uprn, since));
                    }
                }
            }
        }
        for p in 0..n {
            if !self.seen[p] {
                if let Some(prev) = self.current[p].take() {
                    write_residence(&mut self.residences, p as u32, prev, Some(month.plus(-1)))?;
                }
            }
        }
        Ok(())
    }

    pub fn finish(mut self, w: &World, last: Month) -> io::Result<()> {
        let _ = last;
        for (p, cur) in self.current.iter().enumerate() {
            if let Some(prev) = cur {
                write_residence(&mut self.residences, p as u32, *prev, None)?;
            }
        }
        for out in [
            &mut self.events,
            &mut self.outcomes,
            &mut self.links,
            &mut self.residences,
            &mut self.record_addresses,
        ] {
            out.flush()?;
        }
        let mut people = open(
            &self.dir,
            "people.csv",
            &[
                "person_id",
                "forename",
                "middle_name",
                "surname",
                "birth_surname",
                "sex",
                "date_of_birth",
                "ethnicity",
                "disabled",
                "language",
                "ni_number",
                "phone",
                "email",
                "arrived_in_area",
                "alive_at_end",
            ],
        )?;
        for p in &w.people {
            people
                .write_record([
                    p.id.to_string().as_str(),
                    p.forename,
                    p.middle.unwrap_or(""),
                    p.surname,
                    p.birth_surname,
                    if p.female { "F" } else { "M" },
                    &p.dob.to_string(),
                    p.ethnicity.as_str(),
                    if p.disabled { "Y" } else { "N" },
                    p.language.as_str(),
                    p.nino.as_deref().unwrap_or(""),
                    p.phone.as_deref().unwrap_or(""),
                    p.email.as_deref().unwrap_or(""),
                    &p.arrived.to_string(),
                    if p.alive { "Y" } else { "N" },
                ])
                .map_err(io::Error::other)?;
        }
        people.flush()?;
        let mut households = open(
            &self.dir,
            "households.csv",
            &[
                "household_id",
                "uprn",
                "tenure",
                "moved_in",
                "embeddedness",
                "preferred_channel",
                "active_at_end",
                "lsoa",
                "deprivation_decile",
            ],
        )?;
        for h in &w.households {
            let d = &w.geo.dwellings[h.dwelling as usize];
            let lsoa = &w.geo.lsoas[d.lsoa as usize];
            households
                .write_record([
                    h.id.to_string().as_str(),
                    &d.uprn.to_string(),
                    h.tenure.as_str(),
                    &h.moved_in.to_string(),
                    &format!("{:.3}", h.embeddedness),
                    h.channel.as_str(),
                    if h.active { "Y" } else { "N" },
                    &lsoa.code,
                    &lsoa.decile.to_string(),
                ])
                .map_err(io::Error::other)?;
        }
        households.flush()?;
        let mut places = open(
            &self.dir,
            "addresses.csv",
            &[
                "uprn",
                "address_1",
                "address_2",
                "locality",
                "postcode",
                "lsoa",
                "ward",
                "ward_name",
                "deprivation_decile",
                "council_tax_band",
                "stock",
                "usrn",
                "parent_uprn",
                "classification_code",
                "x_coordinate",
                "y_coordinate",
                "gazetteer_status",
                "completed",
                "demolished",
            ],
        )?;
        let metres = |cm: u32| format!("{}.{:02}", cm / 100, cm % 100);
        for d in &w.geo.dwellings {
            let lsoa = &w.geo.lsoas[d.lsoa as usize];
            let ward = &w.geo.wards[lsoa.ward as usize];
            let street = &w.geo.streets[d.street as usize];
            places
                .write_record([
                    d.uprn.to_string().as_str(),
                    &d.line1,
                    &d.line2,
                    &d.locality,
                    &d.postcode,
                    &lsoa.code,
                    &ward.code,
                    &ward.name,
                    &lsoa.decile.to_string(),
                    &((b'A' + d.band) as char).to_string(),
                    d.stock.as_str(),
                    &street.usrn.to_string(),
                    &d.parent
                        .map(|b| w.geo.buildings[b as usize].uprn.to_string())
                        .unwrap_or_default(),
                    d.class.code(),
                    &metres(d.x),
                    &metres(d.y),
                    &d.life.status.code().to_string(),
                    &d.life.completes.map(|m| m.to_string()).unwrap_or_default(),
                    &d.life
                        .end
                        .map(|e| Month::of(e).to_string())
                        .unwrap_or_default(),
                ])
                .map_err(io::Error::other)?;
        }
        places.flush()?;
        Ok(())
    }
}

fn write_residence(
    out: &mut Out,
    person: u32,
    (hh, uprn, since): (u32, u64, Month),
    to: Option<Month>,
) -> io::Result<()> {
    out.write_record([
        person.to_string().as_str(),
        &hh.to_string(),
        &uprn.to_string(),
        &since.to_string(),
        &to.map(|m| m.to_string()).unwrap_or_default(),
    ])
    .map_err(io::Error::other)
}
