//! A synthetic town: a population that lives month by month, the extracts its
//! council's systems would hold (with their mistakes), and the ground truth.
//!
//! Councils cannot hand us their residents' data, so everything Upstream does
//! is developed and evaluated here, on a town whose truth we know.
//!
//! Layout of a simulation's output directory:
//! - `extracts/<source>/<source>_<YYYY-MM>.csv`: what each council system exports;
//! - `extracts/gazetteer/gazetteer_<YYYY-MM>.csv`: the council's gazetteer (LLPG),
//!   in full the first month and as changes after;
//! - `truth/`: who is who, every true event and crisis, which record is which person;
//! - `manifest.json`: what was simulated and every file written;
//! - `summary.json`: aggregates beside the profile's targets.
//!
//! The simulation runs single-threaded with one seeded generator, so the same
//! seed gives the same bytes; only the writing of files is spread over threads.

pub mod council;
pub mod extracts;
pub mod gazetteer;
pub mod life;
pub mod names;
pub mod naming;
pub mod noise;
pub mod profile;
pub mod response;
mod summary;
pub mod town;
pub mod trial;
mod truth;

pub use profile::{Profile, ProfileError};
pub use summary::{Escalation, Figures, FileEntry, GazetteerFile, Manifest, MonthFigures, Summary};

use council::Council;
use life::World;
use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use upstream_core::{Month, SourceSystem};

/// Where a town keeps the council's contacts it was advanced with.
pub const CONTACTS_FILE: &str = "council/contacts.csv";

/// Months simulated before the first extract, so arrears, recovery stages,
/// open cases and accounts are already in a lived-in state on day one.
pub const BURN_IN_MONTHS: u32 = 12;

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub profile: Profile,
    pub profile_name: String,
    pub households: u32,
    pub months: u32,
    pub seed: u64,
    pub out: PathBuf,
    /// What the council did so far (`upstream town advance`): the town
    /// answers these, and households that engaged are spared some crises.
    /// Empty for a town nobody has contacted.
    pub contacts: Vec<response::Contact>,
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("--households must be at least 100 (got {0})")]
    TooFewHouseholds(u32),
    #[error("--months must be between 1 and 240 (got {0})")]
    BadMonths(u32),
    #[error("could not write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the output directory {0} exists and is not a simulation output; choose another --out or remove it")]
    ForeignOutput(PathBuf),
}

/// Progress reporting, so the CLI can draw a bar without this crate knowing how.
pub trait Progress: Sync {
    fn phase(&self, name: &str, total: u64);
    fn advance(&self, n: u64);
    fn finish(&self);
}

pub struct NoProgress;

impl Progress for NoProgress {
    fn phase(&self, _: &str, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

#[derive(Debug, Clone)]
pub struct SimReport {
    pub out: PathBuf,
    pub summary: Summary,
    pub files: usize,
    pub rows: u64,
}

/// Run the simulation and write everything under `cfg.out`.
///
/// Output goes to a sibling working directory first and replaces `cfg.out`
/// only when complete: a run killed half way leaves the previous output intact.
pub fn simulate(cfg: &SimConfig, progress: &dyn Progress) -> Result<SimReport, SimError> {
    if cfg.households < 100 {
        return Err(SimError::TooFewHouseholds(cfg.households));
    }
    if cfg.months == 0 || cfg.months > 240 {
        return Err(SimError::BadMonths(cfg.months));
    }
    if cfg.out.exists()
        && !cfg.out.join("manifest.json").exists()
        && std::fs::read_dir(&cfg.out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(SimError::ForeignOutput(cfg.out.clone()));
    }
    let work = working_dir(&cfg.out);
    let wr = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SimError::Write { path, source }
    };
    if work.exists() {
        std::fs::remove_dir_all(&work).map_err(wr(&work))?;
    }
    std::fs::create_dir_all(work.join("truth")).map_err(wr(&work))?;

    let start = cfg.profile.town.start_month;
    let first = start.plus(-(BURN_IN_MONTHS as i32));
    progress.phase("Building the town", 1);
    let calibration = World::calibrate(&cfg.profile, cfg.seed, first);
    let mut world = World::new(cfg.profile.clone(), cfg.households, cfg.seed, first);
    // The pilot's knobs are a good start; the town keeps tuning gently through
    // its own burn-in, then the knobs are frozen for the months written out.
    world.calib = life::Calibration {
        tuning: true,
        ..calibration
    };
    let mut council = Council::new();
    let mut council_rng =
        Pcg64Mcg::seed_from_u64(cfg.seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0xc0_c1);
    progress.advance(1);

    let mut truth = truth::TruthWriter::create(&work.join("truth")).map_err(wr(&work))?;
    let mut stats = summary::Collector::new(&cfg.profile, start, cfg.months);
    let mut files = Vec::new();
    let mut gazetteer_files = Vec::new();
    let mut rows = 0u64;
    // Homelessness cases appear in the months they change; the truth of
    // their address is written the first time one appears.
    let mut cases_shown: std::collections::HashSet<String> = std::collections::HashSet::new();

    progress.phase(
        "Living through the months",
        (BURN_IN_MONTHS + cfg.months) as u64,
    );
    for i in 0..(BURN_IN_MONTHS + cfg.months) {
        let month = world.month;
        let in_window = month >= start;
        if month == start {
            world.calib.tuning = false;
        }
        let happenings = world.step();
        // The town answers what the council did this month; after the
        // month's life, so this month's extracts are as they were.
        let responses = world.answer(&cfg.contacts, month, cfg.seed);
        if !responses.is_empty() {
            response::write_responses(&work, month, &responses)
                .map_err(wr(&work.join(response::responses_file_name(month))))?;
        }
        council.observe(&world, &happenings, month, &mut council_rng);
        council.link_cases(&world, month);
        truth.links(&council.new_links).map_err(wr(&work))?;
        council.new_links.clear();
        if in_window {
            truth.events(&happenings).map_err(wr(&work))?;
            truth.residences(&world, month).map_err(wr(&work))?;
            stats.month(&world, &happenings, month);
            let first_month = i == BURN_IN_MONTHS;
            let (gazetteer_rows, written) = rayon::join(
                || {
                    extracts::write_gazetteer(&work, &world, month, first_month)
                        .map_err(wr(&work.join(extracts::gazetteer_file_name(month))))
                },
                || {
                    SourceSystem::ALL
                        .par_iter()
                        .map(|s| {
                            extracts::write_source(&work, *s, &world, &council, month, first_month)
                                .map(|n| (*s, n))
                                .map_err(wr(&work.join(extracts::file_name(*s, month))))
                        })
                        .collect::<Vec<Result<(SourceSystem, extracts::Written), SimError>>>()
                },
            );
            let gazetteer_rows = gazetteer_rows?;
            rows += gazetteer_rows;
            gazetteer_files.push(GazetteerFile {
                period: month,
                path: extracts::gazetteer_file_name(month),
                rows: gazetteer_rows,
            });
            for r in written {
                let (source, mut n) = r?;
                if source == SourceSystem::Homelessness {
                    n.addresses
                        .retain(|(key, _)| cases_shown.insert(key.clone()));
                }
                truth
                    .record_addresses(source, month, &n.addresses)
                    .map_err(wr(&work))?;
                rows += n.rows;
                files.push(FileEntry {
                    source,
                    period: month,
                    path: extracts::file_name(source, month),
                    rows: n.rows,
                });
            }
        }
        progress.advance(1);
    }
    progress.phase("Writing the truth", 1);
    truth
        .finish(&world, world.month.plus(-1))
        .map_err(wr(&work))?;
    let summary = stats.finish(&world, files.clone());
    let manifest = Manifest {
        profile: cfg.profile_name.clone(),
        town: cfg.profile.town.name.clone(),
        council_name: cfg.profile.town.council_name.clone(),
        seed: cfg.seed,
        households: cfg.households,
        months: cfg.months,
        start_month: start,
        end_month: start.plus(cfg.months as i32 - 1),
        burn_in_months: BURN_IN_MONTHS,
        files: files.clone(),
        gazetteer: gazetteer_files,
    };
    if !cfg.contacts.is_empty() {
        let path = work.join(CONTACTS_FILE);
        std::fs::create_dir_all(work.join("council")).map_err(wr(&path))?;
        response::write_contacts(&path, &cfg.contacts).map_err(wr(&path))?;
    }
    write_json(&work.join("manifest.json"), &manifest).map_err(wr(&work))?;
    write_json(&work.join("summary.json"), &summary).map_err(wr(&work))?;
    progress.advance(1);

    // Swap the finished output into place.
    if cfg.out.exists() {
        std::fs::remove_dir_all(&cfg.out).map_err(wr(&cfg.out))?;
    }
    std::fs::rename(&work, &cfg.out).map_err(wr(&cfg.out))?;
    progress.finish();
    Ok(SimReport {
        out: cfg.out.clone(),
        summary,
        files: files.len() + manifest.gazetteer.len(),
        rows,
    })
}

fn working_dir(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    out.with_file_name(format!(".{name}.partial"))
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    std::fs::write(path, text + "\n")
}

/// Read a simulation's manifest.
pub fn read_manifest(dir: &Path) -> Result<Manifest, String> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("could not read {}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a simulation manifest: {e}", path.display()))
}

pub fn read_summary(dir: &Path) -> Result<Summary, String> {
    let path = dir.join("summary.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("could not read {}: {e}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a simulation summary: {e}", path.display()))
}

/// The month after the last one simulated; handy for callers.
pub fn end_month(m: &Manifest) -> Month {
    m.end_month
}
