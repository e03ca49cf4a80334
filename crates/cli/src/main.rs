//! The `upstream` command. A thin edge: it turns arguments into validated
//! configuration, calls the library crates, and reports in plain English.

mod accounts;
mod addresses;
mod assessing;
mod bench;
mod bench_letters;
mod bench_outreach;
mod bench_run;
mod bench_web;
mod campaign_letters;
mod ingesting;
mod linking;
mod monthly;
mod outreach;
mod partners;
mod progress;
mod town;
mod trial;
mod view_eval;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use upstream_sim::{Profile, SimConfig};

/// Upstream: early intervention and prevention for councils.
///
/// Links a council's records into one view of each household, spots the life
/// events that push people towards crisis, and helps staff reach out early.
#[derive(Debug, Parser)]
#[command(name = "upstream", version, propagate_version = true)]
struct Cli {
    /// Where Upstream keeps its data: a SQLite file path (the default) or a
    /// postgres:// URL for production.
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        default_value = "upstream.db"
    )]
    database: String,

    /// Say more about what is happening (repeat for even more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate a synthetic town and write its council's extracts and the truth.
    Simulate(SimulateArgs),
    /// A simulated town and the council's contact with it.
    #[command(subcommand)]
    Town(TownCommand),
    /// List the built-in town profiles.
    Profiles,
    /// Work with the extract files the platform knows about.
    #[command(subcommand)]
    Extracts(ExtractsCommand),
    /// How the last link run placed the records' addresses on the council's
    /// gazetteer, and the addresses it could not place.
    #[command(subcommand)]
    Addresses(AddressesCommand),
    /// The council's monthly job, in one command: read the extracts that
    /// are new, link, assess, make each team's weekly list. One run at a
    /// time; killed, it goes on from where it stopped when run again.
    /// Exit codes: 0 finished, 1 failed (retry), 2 needs a person, 75 another
    /// run is going.
    Run(RunArgs),
    /// The latest monthly runs and their steps: counts, warnings, failures.
    Runs {
        #[arg(long, default_value_t = 10)]
        limit: i64,
    },
    /// Start the web server.
    Serve(ServeArgs),
    /// Simulate a small town, load it, and start the web server: the quickest look.
    Demo(DemoArgs),
    /// Read extract files (or folders of them) as their source declarations
    /// describe them, and store their records; bad rows go to quarantine.
    Ingest(IngestArgs),
    /// Show the rows ingest could not load, and why.
    Quarantine {
        /// Only this source.
        #[arg(long)]
        source: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Measure against a simulated town's truth.
    #[command(subcommand)]
    Evaluate(EvaluateCommand),
    /// Why two records do or do not match, field by field, under the last linkage run.
    Explain {
        /// A record as source:record_key (e.g. council_tax:40000001/1).
        a: String,
        b: String,
    },
    /// Link records into people: the ingested records (no files given), or
    /// standalone, one CSV to deduplicate or two to link, as a config maps them.
    Link(LinkArgs),
    /// Find life events, score risk of crisis, measure community resilience
    /// and place personas, for every household, as of a date; stored with
    /// the model version.
    Assess {
        /// The date to assess as of (YYYY-MM-DD): only records known by then
        /// are used [default: the latest record's date].
        #[arg(long)]
        as_of: Option<NaiveDate>,
        #[command(flatten)]
        settings: AssessSettings,
    },
    /// The teams that make proactive contact.
    #[command(subcommand)]
    Teams(TeamsCommand),
    /// A team's list of households to contact this week: made once from the
    /// latest assessment and kept; shown again with what happened since.
    Worklist {
        #[arg(long)]
        team: String,
        /// Any day of the week wanted (YYYY-MM-DD) [default: the week after
        /// the latest assessment].
        #[arg(long)]
        week: Option<NaiveDate>,
    },
    /// Fast-track a household to the top of every team's list, or clear a flag.
    #[command(subcommand)]
    Flag(FlagCommand),
    /// Record a contact made with a household.
    Contact {
        household: i64,
        /// When (YYYY-MM-DD).
        #[arg(long)]
        on: NaiveDate,
        /// phone, letter, email, visit, ...
        #[arg(long)]
        channel: String,
        /// What came of it, in a few words.
        #[arg(long)]
        outcome: String,
        /// Who made it.
        #[arg(long)]
        by: String,
    },
    /// Record that a household asked not to be contacted proactively (or withdraw that).
    DoNotContact {
        household: i64,
        #[arg(long)]
        by: String,
        #[arg(long, default_value = "")]
        note: String,
        /// The household now agrees to be contacted again.
        #[arg(long)]
        withdraw: bool,
    },
    /// Run a benchmark at full scale and report the figures.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Staff accounts for the web pages: add one, list them.
    #[command(subcommand)]
    Users(accounts::UsersCommand),
    /// The audit log: check it has not been changed, search it, and export
    /// everything held about one person.
    #[command(subcommand)]
    Audit(accounts::AuditCommand),
    /// Partner organisations: add one (with the consent purposes its work
    /// serves), list them, and make API keys for their systems.
    #[command(subcommand)]
    Partners(partners::PartnersCommand),
    /// Message templates for letters, texts and emails: check and save a
    /// new version, list them.
    #[command(subcommand)]
    Template(outreach::TemplateCommand),
    /// Outreach campaigns on a team's weekly list: start one, run a day,
    /// list them, show one.
    #[command(subcommand)]
    Campaign(outreach::CampaignCommand),
    /// The outbox: send what is due through GOV.UK Notify, list messages.
    #[command(subcommand)]
    Outbox(outreach::OutboxCommand),
    /// GOV.UK Notify: a stand-in on this machine to try sending against.
    #[command(subcommand)]
    Notify(outreach::NotifyCommand),
}

#[derive(Debug, Args)]
struct RunArgs {
    /// Where new extracts arrive: a folder (walked) or a simulated town's
    /// folder (its manifest registered, its extracts read). Repeat for more.
    #[arg(
        long,
        env = "UPSTREAM_EXTRACTS",
        value_delimiter = ',',
        required = true
    )]
    extracts: Vec<PathBuf>,
    /// A folder of source declarations (*.toml) [default: the built-in ones].
    #[arg(long)]
    sources: Option<PathBuf>,
    /// Linkage settings (TOML) [default: the built-in ones].
    #[arg(long)]
    link_config: Option<PathBuf>,
    #[command(flatten)]
    settings: AssessSettings,
    /// Take over a lock whose run has not said it is alive for
    /// --stale-after minutes, even from another machine (make sure it is gone).
    #[arg(long)]
    take_over_stale_lock: bool,
    #[arg(long, default_value_t = 15)]
    stale_after: u32,
    /// Stop after this step: register, ingest, link, assess or lists.
    #[arg(long, default_value = "lists", value_parser = ["register", "ingest", "link", "assess", "lists"])]
    until: String,
    /// No progress bars (a scheduler's log).
    #[arg(long)]
    quiet: bool,
}

#[derive(Debug, Args)]
struct AssessSettings {
    /// A life-event library (TOML) [default: the built-in one].
    #[arg(long)]
    events: Option<PathBuf>,
    /// Persona rules (TOML) [default: the built-in ones].
    #[arg(long)]
    personas: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum TeamsCommand {
    /// Add a team or change one.
    Set {
        name: String,
        /// New households a week the team can contact.
        #[arg(long, default_value_t = 40)]
        capacity: u32,
        /// Postcode districts covered, comma-separated (e.g. B18,B19) [default: everywhere].
        #[arg(long, value_delimiter = ',')]
        areas: Vec<String>,
        /// Leave alone households contacted this many days before the week.
        #[arg(long, default_value_t = 28)]
        recent_contact_days: u32,
        /// Do not list households below this risk (0 to 1) unless fast-tracked.
        #[arg(long, default_value_t = 0.0)]
        min_probability: f64,
    },
    /// List the teams.
    List,
}

#[derive(Debug, Subcommand)]
enum FlagCommand {
    /// Put a household at the top of the list until the flag expires.
    Set {
        household: i64,
        /// Who sets it.
        #[arg(long)]
        by: String,
        /// Why, in a sentence.
        #[arg(long)]
        reason: String,
        /// Days until it expires.
        #[arg(long, default_value_t = 28)]
        days: u32,
    },
    /// Clear a flag before it expires.
    Clear { id: i64 },
    /// List the flags.
    List,
}

#[derive(Debug, Args)]
struct SimulateArgs {
    /// A built-in profile (birmingham, ceredigion) or a path to a profile .toml file.
    #[arg(long, default_value = "birmingham")]
    profile: String,
    /// Households in the town [default: the profile's own size].
    #[arg(long)]
    households: Option<u32>,
    /// Months to simulate.
    #[arg(long, default_value_t = 24)]
    months: u32,
    /// Random seed: the same seed gives the same files, byte for byte.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Directory to write into (replaced as a whole when the run completes).
    #[arg(long)]
    out: PathBuf,
    /// Override how strongly community embeddedness prevents escalation (0 turns it off).
    #[arg(long)]
    embeddedness_effect: Option<f64>,
}

#[derive(Debug, Subcommand)]
enum TownCommand {
    /// Live the simulated town more months: it answers what the council did
    /// (messages sent or kept, conversations, door knocks, cases), engaged
    /// households are spared some crises as its profile says, and the
    /// answers are recorded; then the monthly run takes in the new month.
    Advance {
        /// The town's folder (what `upstream simulate` or the demo wrote).
        #[arg(long, default_value = "demo-town")]
        town: PathBuf,
        #[arg(long, default_value_t = 1)]
        months: u32,
        /// Record the answers but leave the monthly run to `upstream run`.
        #[arg(long)]
        no_run: bool,
    },
}

#[derive(Debug, Subcommand)]
enum ExtractsCommand {
    /// Register a simulated town's extract files (checksums and row counts). Safe to repeat.
    Register {
        /// The directory `upstream simulate` wrote.
        dir: PathBuf,
    },
    /// List the extract files registered.
    List,
}

#[derive(Debug, Subcommand)]
enum AddressesCommand {
    /// Per source: how many record versions were placed by a given UPRN,
    /// exactly, by a fuzzy match, or not at all.
    Report,
    /// Write every address the last link run could not place, with why and
    /// the candidates, for the gazetteer team.
    Unplaced {
        /// The CSV to write.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Mark the sign-in cookie Secure (sent over HTTPS only). `auto`: yes,
    /// unless listening on a loopback address; say `always` behind an HTTPS
    /// proxy on this machine.
    #[arg(long, value_enum, default_value_t = accounts::CookieSecurity::Auto)]
    secure_cookies: accounts::CookieSecurity,
    /// The council's casework standards (contact frequency, closure reasons,
    /// duty clocks, consent purposes), a TOML file shaped like the built-in
    /// `crates/casework/standards.toml`; the built-in ones otherwise.
    #[arg(long)]
    standards: Option<PathBuf>,
    /// The council's statutory letters, a TOML file shaped like the built-in
    /// `crates/letters/letters.toml`; the built-in ones otherwise.
    #[arg(long)]
    letters: Option<PathBuf>,
    /// Whose homelessness law new cases follow: england (Homelessness
    /// Reduction Act 2017) or wales (Housing (Wales) Act 2014).
    #[arg(long, default_value = "england", value_parser = parse_nation)]
    nation: upstream_core::Nation,
    /// Take the client's address from the last X-Forwarded-For entry: say
    /// so only behind a reverse proxy that sets it, on a port nothing else
    /// can reach. Sign-in lock-outs count per account and client address.
    #[arg(long)]
    trust_forwarded_for: bool,
    /// Work to this date (YYYY-MM-DD) instead of today's: for a simulated
    /// town whose records end in the past, so cases, duty clocks and consent
    /// agree with the records. The demo uses the date its data ends.
    #[arg(long, value_parser = parse_day)]
    today: Option<chrono::NaiveDate>,
    /// GOV.UK Notify: the outbox sends through it when NOTIFY_API_KEY is
    /// set (and its callbacks need NOTIFY_RECEIPT_TOKEN / NOTIFY_INBOUND_TOKEN);
    /// otherwise messages are kept in the outbox. docs/outreach.md.
    #[command(flatten)]
    notify: outreach::OutboxSendArgs,
}

fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{s}' is not a date: write it as YYYY-MM-DD, for example 2025-05-31"))
}

fn parse_nation(s: &str) -> Result<upstream_core::Nation, String> {
    upstream_core::Nation::parse(s)
        .ok_or_else(|| format!("'{s}' is not a nation Upstream knows: say england or wales"))
}

#[derive(Debug, Args)]
struct DemoArgs {
    /// Households in the demo town.
    #[arg(long, default_value_t = 3000)]
    households: u32,
    /// Months to simulate.
    #[arg(long, default_value_t = 24)]
    months: u32,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// A built-in profile or a profile file.
    #[arg(long, default_value = "birmingham")]
    profile: String,
    /// Where to write the demo town.
    #[arg(long, default_value = "demo-town")]
    out: PathBuf,
    /// Address for the web server.
    #[arg(long, default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Prepare everything but do not start the server.
    #[arg(long)]
    no_serve: bool,
}

#[derive(Debug, Args)]
struct IngestArgs {
    /// A folder of source declarations (*.toml); the built-in ones when not given.
    #[arg(long)]
    sources: Option<PathBuf>,
    /// Extract files, or folders holding them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum EvaluateCommand {
    /// Pairwise precision, recall and F1 of linkage, and the errors left.
    Linkage {
        /// The town's truth/record_links.csv.
        #[arg(long)]
        truth: PathBuf,
        /// Linkage settings (TOML); the built-in defaults when not given.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Also write every wrongly joined and missed pair to this CSV:
        /// kind, record_a, record_b, probability (blank when never compared).
        #[arg(long)]
        errors: Option<PathBuf>,
    },
    /// Train on what was known up to a date and test on the six months
    /// after: AUC, precision and recall at the team's capacity, calibration,
    /// the lift over "anyone in arrears"; writes the model card.
    Risk {
        /// Test date (YYYY-MM-DD) [default: the latest month end with six months of outcomes after it].
        #[arg(long)]
        test_at: Option<NaiveDate>,
        /// New contacts a week the team can make. Scale it to the town: 40 a
        /// week is a Birmingham team's; on the 3,000-household demo town it
        /// would reach more households than are in arrears.
        #[arg(long, default_value_t = 10)]
        capacity: usize,
        /// A simulated town's truth folder: adds performance by sex,
        /// ethnicity and disability, which council records do not hold.
        #[arg(long)]
        truth: Option<PathBuf>,
        /// Where to write the model card (Markdown).
        #[arg(long, default_value = "model-card.md")]
        card: PathBuf,
        #[command(flatten)]
        settings: AssessSettings,
    },
    /// Addresses placed on the gazetteer against the truth: each record
    /// version's address on the right UPRN, a wrong one, or none.
    Addresses {
        /// The town's truth folder (it holds record_addresses.csv).
        #[arg(long)]
        truth: PathBuf,
    },
    /// Households against the truth, in real people and real households:
    /// current households, people in more than one, and who lives with whom.
    Households {
        /// The town's truth folder (residences.csv, households.csv, record_links.csv).
        #[arg(long)]
        truth: PathBuf,
    },
    /// After a trigger event, do long-standing members of long-standing
    /// communities escalate less? Escalation by resilience third, with
    /// confidence intervals.
    Hypothesis {
        #[command(flatten)]
        settings: AssessSettings,
    },
    /// The contact experiment (a campaign holding back a random share) run
    /// in many simulated towns whose true effect is known: how often it
    /// reports a difference in crises. With --effect 0 it should be about
    /// 5% of towns; with an effect, as often as the towns' size allows.
    Outreach {
        #[arg(long, default_value = "birmingham")]
        profile: String,
        #[arg(long, default_value_t = 2000)]
        households: u32,
        /// Towns (seeds) to run.
        #[arg(long, default_value_t = 40)]
        seeds: u64,
        #[arg(long, default_value_t = 1)]
        first_seed: u64,
        /// How far engaging lowers crises (the profile's
        /// response.engaged_crisis_reduction; 0 switches it off).
        #[arg(long)]
        effect: Option<f64>,
        /// Percentage of the cohort held back.
        #[arg(long, default_value_t = 50)]
        held_back: u32,
        /// Months after contact over which crises are counted.
        #[arg(long, default_value_t = 6)]
        months_after: u32,
    },
}

#[derive(Debug, Args)]
struct LinkArgs {
    /// Linkage settings (TOML); the built-in defaults when not given.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Where standalone linkage writes pairs.csv and clusters.csv.
    #[arg(long, default_value = "linkage")]
    out: PathBuf,
    /// CSV files: one to deduplicate, two to link.
    files: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum BenchOutreachCommand {
    /// Choose the first N current households (make a city's with `bench web
    /// seed`), start a campaign on them and queue its first step, a letter,
    /// timed, with peak memory.
    Cohort {
        #[arg(long, default_value_t = 100_000)]
        households: i64,
    },
    /// Send this many queued text messages through the real Notify client
    /// to the Notify stand-in on 127.0.0.1 (Notify's limit: 3,000 a
    /// minute), in a fresh outbox of its own; report the rate, the 429s, and
    /// that none was sent twice or lost.
    Send {
        #[arg(long, default_value_t = 6_000)]
        messages: usize,
    },
}

#[derive(Debug, Subcommand)]
enum BenchWebCommand {
    /// Copy the stored town (ids shifted, keys marked `~k`) until about this
    /// many current households are stored; running it again adds only what
    /// is missing. For benchmark databases only.
    Seed {
        #[arg(long, default_value_t = 450_000)]
        households: i64,
        /// Versions of each record the copies keep (the latest ones).
        #[arg(long, default_value_t = 2)]
        versions: i64,
    },
    /// Start the web server here on 127.0.0.1, sign bench accounts in
    /// (bench-01, …) and have each fetch household pages and the worklist
    /// back to back; print p50, p95 and p99 per page.
    Run {
        /// Virtual users, each signed in on its own keep-alive connection.
        #[arg(long, default_value_t = 50)]
        users: usize,
        #[arg(long, default_value_t = 30)]
        seconds: u64,
        /// Current households picked at random to visit.
        #[arg(long, default_value_t = 2000)]
        households_sample: i64,
        /// Where the worklist page is (a 404 there is reported, and then
        /// only the household page is measured).
        #[arg(long, default_value = "/worklist")]
        worklist_path: String,
        /// One worklist view after every this many household views (0: none).
        #[arg(long, default_value_t = 5)]
        worklist_every: u32,
        /// The bench accounts' role: connector or team_leader.
        #[arg(long, value_parser = accounts::parse_role, default_value = "connector")]
        role: upstream_core::Role,
        /// The bench accounts' team.
        #[arg(long, default_value = DEMO_TEAM)]
        team: String,
        /// Also write the figures to this JSON file.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Afterwards, time the page's store calls (the reads; the audit
        /// append) on their own for this many seconds each, to show where
        /// the time goes (0: skip). The appends are real audit entries.
        #[arg(long, default_value_t = 0)]
        breakdown_seconds: u64,
        /// Each user waits this long after each page, as people read
        /// (0: back to back, keeping the server saturated).
        #[arg(long, default_value_t = 0)]
        pause_ms: u64,
    },
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Time deduplicating a million records of a simulated town, with
    /// accuracy against its truth.
    Link {
        /// A town written by `upstream simulate` (about 150,000 households
        /// give a million distinct records).
        #[arg(long)]
        town: PathBuf,
        #[arg(long, default_value_t = 1_000_000)]
        records: usize,
        /// Linkage settings (TOML); the built-in defaults when not given.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Write every wrongly joined and missed pair, with both records'
        /// fields, to this CSV file for a closer look.
        #[arg(long)]
        errors: Option<PathBuf>,
    },
    /// Time assessing households (events, resilience, risk, personas)
    /// over the stored single view, repeated to reach a city's number.
    Assess {
        #[arg(long, default_value_t = 450_000)]
        households: usize,
        #[command(flatten)]
        settings: AssessSettings,
    },
    /// The monthly run (`upstream run`) at a council's size on the database
    /// given: each step's time and peak memory, for the first run and for a
    /// month's new extracts. Give it an empty database.
    Run {
        /// A town written by `upstream simulate` [default: simulate one in --work].
        #[arg(long)]
        town: Option<PathBuf>,
        #[arg(long, default_value_t = 20_000)]
        households: u32,
        #[arg(long, default_value_t = 24)]
        months: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where the simulated town and the incoming folder go.
        #[arg(long, default_value = "bench-run")]
        work: PathBuf,
    },
    /// The staff pages under load at a city's scale: `seed` the database,
    /// then `run` the load (docs/benchmarks.md).
    #[command(subcommand)]
    Web(BenchWebCommand),
    /// A city's campaign: `cohort` queues a 100,000-household cohort's first
    /// step; `send` sends paced to Notify's limit against the stand-in
    /// (docs/benchmarks.md).
    #[command(subcommand)]
    Outreach(BenchOutreachCommand),
    /// Time writing a campaign's letters to print as one PDF (made-up
    /// households, one in five bilingual) and measure its peak memory.
    Letters {
        #[arg(long, default_value_t = 50_000)]
        letters: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Keep the PDF here (default: a temporary directory, removed afterwards).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Time `simulate` at a city's scale and measure its peak memory.
    Simulate {
        #[arg(long, default_value = "birmingham")]
        profile: String,
        #[arg(long, default_value_t = 450_000)]
        households: u32,
        #[arg(long, default_value_t = 24)]
        months: u32,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write (default: a temporary directory, removed afterwards).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Exit codes: 0 done; 1 something failed while running; 2 bad arguments or
/// bad input (a profile, a file) that the user can fix.
fn main() -> ExitCode {
    // Output piped into `head` should end quietly, as other command-line tools do.
    // SAFETY: restoring the default SIGPIPE action before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    init_logging(cli.verbose);
    if let Command::Run(a) = &cli.command {
        return match monthly_run(&cli.database, a) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e:#}");
                ExitCode::from(monthly::EXIT_FAILED)
            }
        };
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            if is_user_error(&e) {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

/// Something the user can put right (a missing file, a step not yet run).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UserError(pub String);

/// Stop with a [`UserError`] (exit code 2).
#[macro_export]
macro_rules! user_error {
    ($($arg:tt)*) => {
        return Err($crate::UserError(format!($($arg)*)).into())
    };
}

fn is_user_error(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<UserError>().is_some()
            || c.downcast_ref::<upstream_sim::ProfileError>().is_some()
            || matches!(
                c.downcast_ref::<upstream_sim::SimError>(),
                Some(
                    upstream_sim::SimError::TooFewHouseholds(_)
                        | upstream_sim::SimError::BadMonths(_)
                        | upstream_sim::SimError::ForeignOutput(_)
                )
            )
            || c.downcast_ref::<upstream_pipeline::Error>()
                .is_some_and(|e| e.is_refusal())
            || c.downcast_ref::<ingesting::Refused>().is_some()
            || c.downcast_ref::<upstream_ingest::DeclarationError>()
                .is_some()
            || c.downcast_ref::<upstream_link::ConfigError>().is_some()
            || matches!(
                c.downcast_ref::<upstream_link::LinkError>(),
                Some(
                    upstream_link::LinkError::Input { .. }
                        | upstream_link::LinkError::Unusable(_)
                        | upstream_link::LinkError::Config(_)
                )
            )
    })
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn,sqlx=error,upstream=info,upstream_web=info",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("UPSTREAM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

/// `upstream run`: its own exit codes, for schedulers.
fn monthly_run(database: &str, a: &RunArgs) -> Result<ExitCode> {
    let options = upstream_pipeline::run::Options {
        extracts: a.extracts.clone(),
        sources: a.sources.clone(),
        link_config: a.link_config.clone(),
        events: a.settings.events.clone(),
        personas: a.settings.personas.clone(),
        take_over_stale_lock: a.take_over_stale_lock,
        stale_after: chrono::Duration::minutes(i64::from(a.stale_after)),
        until: upstream_pipeline::run::Step::parse(&a.until)
            .unwrap_or(upstream_pipeline::run::Step::Lists),
    };
    runtime()?.block_on(async {
        let store = connect(database).await?;
        let code = monthly::monthly(&store, &options, a.quiet).await;
        store.close().await;
        code
    })
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(_) => unreachable!("handled in main"),
        Command::Runs { limit } => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            monthly::history(&store, limit).await
        }),
        Command::Link(a) if !a.files.is_empty() => {
            linking::standalone(a.config.as_deref(), &a.files, &a.out)
        }
        Command::Link(a) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            let r = upstream_pipeline::linking::stored(&store, a.config.as_deref(), &progress::Steps::new(false)).await?;
            addresses::print_summary(&r.placement);
            println!(
                "Linked {} records into {} people ({} new; {} merges, {} splits, {} moves of records between people recorded); {} households, {} of them current{}.",
                r.records, r.people, r.new, r.merged, r.split, r.moved, r.households, r.current_households,
                if r.merged_households > 0 { format!("; {} households of the last run found to be one family with another, and merged", r.merged_households) } else { String::new() }
            );
            Ok(())
        }),
        Command::Ingest(a) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            let decls = upstream_pipeline::ingest::declarations(a.sources.as_deref())?;
            let report = upstream_pipeline::ingest::ingest(&store, &decls, &a.paths, &progress::Steps::new(false)).await?;
            ingesting::print_report(&report);
            if report.refused > 0 {
                return Err(ingesting::Refused(report.refused).into());
            }
            Ok(())
        }),
        Command::Quarantine { source, limit } => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            ingesting::print_quarantine(&store, source.as_deref(), limit).await
        }),
        Command::Evaluate(EvaluateCommand::Linkage {
            truth,
            config,
            errors,
        }) => {
            runtime()?.block_on(async {
                let store = connect(&cli.database).await?;
                let (e, identified, model) =
                    linking::evaluate(&store, config.as_deref(), &truth, errors.as_deref())
                        .await?;
                linking::print_evaluation(&e);
                linking::print_identified(e.records, &identified);
                linking::print_model(&model);
                Ok(())
            })
        }
        Command::Evaluate(EvaluateCommand::Addresses { truth }) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            view_eval::print_addresses(&view_eval::addresses(&store, &truth).await?);
            Ok(())
        }),
        Command::Evaluate(EvaluateCommand::Households { truth }) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            view_eval::print_households(&view_eval::households(&store, &truth).await?);
            Ok(())
        }),
        Command::Explain { a, b } => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            linking::explain(&store, &a, &b).await
        }),
        Command::Simulate(a) => {
            let cfg = sim_config(
                &a.profile,
                a.households,
                a.months,
                a.seed,
                a.out,
                a.embeddedness_effect,
            )?;
            let report = run_simulation(&cfg)?;
            print_sim_report(&cfg, &report);
            Ok(())
        }
        Command::Town(TownCommand::Advance { town: dir, months, no_run }) => {
            town::advance(&cli.database, &dir, months, !no_run)
        }
        Command::Profiles => {
            for (name, _) in upstream_sim::profile::BUILT_IN {
                let p = Profile::load(name)?;
                println!(
                    "{name:<12} {} ({}), {} households by default",
                    p.town.name, p.town.council_name, p.town.default_households
                );
            }
            Ok(())
        }
        Command::Extracts(ExtractsCommand::Register { dir }) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            let s = upstream_pipeline::register::register(&store, &dir).await?;
            println!(
                "{} new extract files registered, {} already known ({}).",
                s.new,
                s.already_known,
                store.backend().as_str()
            );
            Ok(())
        }),
        Command::Addresses(AddressesCommand::Report) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            let counts = store.address_placement_counts().await?;
            if counts.is_empty() {
                user_error!("no addresses have been placed yet: run `upstream link` first");
            }
            let mut summary = addresses::Summary {
                gazetteer_lpis: store.gazetteer_size().await?.0,
                ..Default::default()
            };
            for c in counts {
                summary.by_source.entry(c.source).or_default().insert(c.method, c.records);
            }
            addresses::print_summary(&summary);
            Ok(())
        }),
        Command::Addresses(AddressesCommand::Unplaced { out }) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            let n = addresses::write_unplaced(&store, &out).await?;
            println!("Wrote {n} unplaced addresses to {}.", out.display());
            Ok(())
        }),
        Command::Extracts(ExtractsCommand::List) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            ingesting::list_extracts(&store).await
        }),
        Command::Serve(a) => runtime()?.block_on(async {
            if let Some(path) = &a.standards {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("could not read the casework standards {}", path.display()))?;
                let standards = upstream_casework::Standards::from_toml(&text)
                    .map_err(|e| UserError(format!("{}: {e}", path.display())))?;
                upstream_web::use_standards(standards);
                println!("Working to the casework standards in {}.", path.display());
            }
            if let Some(path) = &a.letters {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("could not read the letters {}", path.display()))?;
                let letters = upstream_letters::Library::from_toml(&text)
                    .map_err(|e| UserError(format!("{}: {e}", path.display())))?;
                upstream_web::use_letters(letters);
                println!("Writing letters from the templates in {}.", path.display());
            }
            let store = connect(&cli.database).await?;
            let options = ServeOptions {
                cookies: a.secure_cookies,
                nation: a.nation,
                trust_forwarded_for: a.trust_forwarded_for,
                today: a.today,
                notify: outreach::notify_transport(&a.notify)?,
            };
            serve(store, a.bind, options).await
        }),
        Command::Users(c) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            accounts::users(&store, c).await
        }),
        Command::Audit(c) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            accounts::audit_command(&store, c).await
        }),
        Command::Partners(c) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            partners::partners(&store, c).await
        }),
        Command::Template(c) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            outreach::template(&store, c).await
        }),
        Command::Campaign(c) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            outreach::campaign(&store, c).await
        }),
        Command::Outbox(c) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            outreach::outbox(&store, c).await
        }),
        Command::Notify(c) => runtime()?.block_on(outreach::notify(c)),
        Command::Demo(a) => demo(&cli.database, a),
        Command::Bench(BenchCommand::Simulate {
            profile,
            households,
            months,
            seed,
            out,
        }) => bench::simulate(&profile, households, months, seed, out),
        Command::Bench(BenchCommand::Letters { letters, seed, out }) => {
            bench_letters::letters(letters, seed, out)
        }
        Command::Bench(BenchCommand::Run {
            town,
            households,
            months,
            seed,
            work,
        }) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            bench_run::run(&store, &cli.database, town, households, months, seed, &work).await
        }),
        Command::Bench(BenchCommand::Link {
            town,
            records,
            config,
            errors,
        }) => bench::link(&town, records, config.as_deref(), errors.as_deref()),
        Command::Bench(BenchCommand::Outreach(BenchOutreachCommand::Cohort { households })) => {
            runtime()?.block_on(async {
                let store = connect(&cli.database).await?;
                bench_outreach::cohort(&store, households).await
            })
        }
        Command::Bench(BenchCommand::Outreach(BenchOutreachCommand::Send { messages })) => {
            runtime()?.block_on(bench_outreach::send(messages))
        }
        Command::Bench(BenchCommand::Web(BenchWebCommand::Seed { households, versions })) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            bench_web::seed(&store, households, versions).await
        }),
        Command::Bench(BenchCommand::Web(BenchWebCommand::Run {
            users,
            seconds,
            households_sample,
            worklist_path,
            worklist_every,
            role,
            team,
            json,
            breakdown_seconds,
            pause_ms,
        })) => runtime()?.block_on(async {
            if !matches!(role, upstream_core::Role::Connector | upstream_core::Role::TeamLeader) {
                user_error!("--role must be connector or team_leader: only they may see households.");
            }
            let store = connect(&cli.database).await?;
            bench_web::run(
                store,
                bench_web::RunOptions { users, seconds, households_sample, worklist_path, worklist_every, role, team, json, breakdown_seconds, pause_ms },
            )
            .await
        }),
        Command::Bench(BenchCommand::Assess {
            households,
            settings,
        }) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            let s = upstream_pipeline::assessing::Settings::load(settings.events.as_deref(), settings.personas.as_deref())?;
            bench::assess(&store, &s, households).await
        }),
        Command::Assess { as_of, settings } => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            let s = upstream_pipeline::assessing::Settings::load(settings.events.as_deref(), settings.personas.as_deref())?;
            let summary = upstream_pipeline::assessing::assess(&store, &s, as_of).await?;
            assessing::print_assess(&summary);
            Ok(())
        }),
        Command::Evaluate(EvaluateCommand::Risk {
            test_at,
            capacity,
            truth,
            card,
            settings,
        }) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            let s = upstream_pipeline::assessing::Settings::load(settings.events.as_deref(), settings.personas.as_deref())?;
            let e = assessing::evaluate_risk(&store, &s, test_at, capacity, truth.as_deref(), &card).await?;
            assessing::print_evaluation(&e, &card);
            Ok(())
        }),
        Command::Evaluate(EvaluateCommand::Outreach {
            profile,
            households,
            seeds,
            first_seed,
            effect,
            held_back,
            months_after,
        }) => trial::run(&trial::TrialArgs {
            profile: &profile,
            households,
            seeds,
            first_seed,
            effect,
            held_back_percent: held_back,
            months_after,
        }),
        Command::Evaluate(EvaluateCommand::Hypothesis { settings }) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            let s = upstream_pipeline::assessing::Settings::load(settings.events.as_deref(), settings.personas.as_deref())?;
            let c = assessing::hypothesis_check(&store, &s).await?;
            for g in &c.groups {
                let rate = |x: Option<f64>| x.map_or("-".into(), |v| format!("{:.1}%", v * 100.0));
                println!(
                    "  {:<22} {:>6} households, {:>5} escalated ({}; 95% CI {} to {}){}",
                    g.group.label(),
                    g.households,
                    g.escalated,
                    rate(g.rate),
                    rate(g.ci_low),
                    rate(g.ci_high),
                    if g.suppressed { " — too few to publish" } else { "" }
                );
            }
            println!("{}", c.summary);
            println!("Verdict: {}.", c.verdict);
            Ok(())
        }),
        Command::Teams(TeamsCommand::Set {
            name,
            capacity,
            areas,
            recent_contact_days,
            min_probability,
        }) => runtime()?.block_on(async {
            if name.trim().is_empty() {
                user_error!("A team needs a name.");
            }
            if !(0.0..=1.0).contains(&min_probability) {
                user_error!("--min-probability must be between 0 and 1 (got {min_probability}).");
            }
            let store = connect(&cli.database).await?;
            store
                .save_team(&upstream_store::Team {
                    name: name.clone(),
                    capacity: i32::try_from(capacity).unwrap_or(i32::MAX),
                    areas: areas.iter().map(|a| a.trim().to_uppercase()).filter(|a| !a.is_empty()).collect(),
                    recent_contact_days: i32::try_from(recent_contact_days).unwrap_or(i32::MAX),
                    min_probability,
                })
                .await?;
            println!("Team '{name}' saved: {capacity} new contacts a week.");
            Ok(())
        }),
        Command::Teams(TeamsCommand::List) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            for t in store.teams().await? {
                println!(
                    "{:<30} {:>4} a week; areas: {}; leaves alone households contacted in the last {} days; minimum risk {:.0}%",
                    t.name,
                    t.capacity,
                    if t.areas.is_empty() { "all".to_string() } else { t.areas.join(", ") },
                    t.recent_contact_days,
                    t.min_probability * 100.0
                );
            }
            Ok(())
        }),
        Command::Worklist { team, week } => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            assessing::worklist(&store, &team, week).await
        }),
        Command::Flag(FlagCommand::Set {
            household,
            by,
            reason,
            days,
        }) => runtime()?.block_on(async {
            if by.trim().is_empty() || reason.trim().is_empty() {
                user_error!("A fast-track flag needs who sets it (--by) and why (--reason).");
            }
            let store = connect(&cli.database).await?;
            let expires = chrono::Utc::now().date_naive() + chrono::Duration::days(i64::from(days.max(1)));
            let id = store.add_flag(household, &by, &reason, expires).await?;
            println!("Flag {id}: household {household} goes to the top of the list until {expires}.");
            Ok(())
        }),
        Command::Flag(FlagCommand::Clear { id }) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            if !store.clear_flag(id).await? {
                user_error!("There is no open flag {id}.");
            }
            println!("Flag {id} cleared.");
            Ok(())
        }),
        Command::Flag(FlagCommand::List) => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            for f in store.flags().await? {
                println!(
                    "{:>4}  household {:<7} by {} on {}, until {}{}: {}",
                    f.id,
                    f.household_id,
                    f.set_by,
                    f.set_at.get(..10).unwrap_or(&f.set_at),
                    f.expires_on,
                    f.cleared_at.as_deref().map_or(String::new(), |c| format!(" (cleared {})", c.get(..10).unwrap_or(c))),
                    f.reason
                );
            }
            Ok(())
        }),
        Command::Contact {
            household,
            on,
            channel,
            outcome,
            by,
        } => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            let id = store.record_contact(household, on, &channel, &outcome, &by).await?;
            println!("Contact {id} recorded for household {household}.");
            Ok(())
        }),
        Command::DoNotContact {
            household,
            by,
            note,
            withdraw,
        } => runtime()?.block_on(async {
            let store = connect(&cli.database).await?;
            store.set_do_not_contact(household, !withdraw, &by, &note).await?;
            if withdraw {
                println!("Household {household} may be contacted again.");
            } else {
                println!("Household {household} will not be put on any worklist.");
            }
            Ok(())
        }),
    }
}

pub(crate) fn sim_config(
    profile: &str,
    households: Option<u32>,
    months: u32,
    seed: u64,
    out: PathBuf,
    effect: Option<f64>,
) -> Result<SimConfig> {
    let mut p = Profile::load(profile)?;
    if let Some(e) = effect {
        if !(0.0..=3.0).contains(&e) || !e.is_finite() {
            anyhow::bail!("--embeddedness-effect must be between 0 and 3 (got {e})");
        }
        p.community.embeddedness_effect = e;
    }
    Ok(SimConfig {
        households: households.unwrap_or(p.town.default_households),
        profile: p,
        profile_name: profile.to_string(),
        months,
        seed,
        out,
        contacts: Vec::new(),
    })
}

pub(crate) fn run_simulation(cfg: &SimConfig) -> Result<upstream_sim::SimReport> {
    tracing::info!(
        households = cfg.households,
        months = cfg.months,
        seed = cfg.seed,
        "simulating {}",
        cfg.profile.town.name
    );
    let bar = progress::Bar::new();
    let report = upstream_sim::simulate(cfg, &bar)?;
    Ok(report)
}

fn print_sim_report(cfg: &SimConfig, r: &upstream_sim::SimReport) {
    let s = &r.summary;
    println!(
        "Simulated {} for {} months: {} households at the end, {} people in all.",
        cfg.profile.town.name, cfg.months, s.households_at_end, s.people_ever
    );
    println!(
        "Wrote {} extract files ({} rows) and the truth to {}.",
        r.files,
        r.rows,
        r.out.display()
    );
    println!();
    println!("{:<44} {:>10} {:>10}", "figure", "target", "simulated");
    let rows = [
        (
            "owner-occupied share",
            s.target.owner_share,
            s.observed.owner_share,
        ),
        (
            "private renting share",
            s.target.private_rent_share,
            s.observed.private_rent_share,
        ),
        (
            "social renting share",
            s.target.social_rent_share,
            s.observed.social_rent_share,
        ),
        (
            "council tax accounts in arrears",
            s.target.council_tax_arrears_prevalence,
            s.observed.council_tax_arrears_prevalence,
        ),
        (
            "social tenancies in arrears",
            s.target.social_rent_arrears_prevalence,
            s.observed.social_rent_arrears_prevalence,
        ),
        (
            "private tenancies in arrears",
            s.target.private_rent_arrears_prevalence,
            s.observed.private_rent_arrears_prevalence,
        ),
        (
            "homelessness duties per 1,000 a year",
            s.target.duties_per_1000_households,
            s.observed.duties_per_1000_households,
        ),
        (
            "in temporary accommodation per 1,000",
            s.target.ta_per_1000_households,
            s.observed.ta_per_1000_households,
        ),
        (
            "crisis grants per 1,000 a year",
            s.target.crisis_grants_per_1000_households,
            s.observed.crisis_grants_per_1000_households,
        ),
        (
            "food bank referrals per 1,000 a year",
            s.target.food_bank_per_1000_households,
            s.observed.food_bank_per_1000_households,
        ),
    ];
    for (name, t, o) in rows {
        println!("{name:<44} {t:>10.3} {o:>10.3}");
    }
    if !s.escalation.is_empty() {
        println!();
        println!("Crisis within 6 months of a first trigger event, by community embeddedness (effect {}):", s.embeddedness_effect);
        for g in &s.escalation {
            println!(
                "  {:<22} {:>6} households, {:>5.1}% escalated (95% CI {:.1}% to {:.1}%)",
                g.group,
                g.households,
                g.rate * 100.0,
                g.rate_low * 100.0,
                g.rate_high * 100.0
            );
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")
}

async fn connect(url: &str) -> Result<upstream_store::Store> {
    upstream_store::Store::connect(url)
        .await
        .with_context(|| format!("could not open the database at {}", redact(url)))
}

/// Hide a password in a database URL before printing it.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// How the web server works, beyond where it listens.
struct ServeOptions {
    cookies: accounts::CookieSecurity,
    nation: upstream_core::Nation,
    trust_forwarded_for: bool,
    today: Option<chrono::NaiveDate>,
    notify: Option<std::sync::Arc<dyn upstream_pipeline::sending::Transport>>,
}

async fn serve(store: upstream_store::Store, bind: SocketAddr, o: ServeOptions) -> Result<()> {
    let ServeOptions {
        cookies,
        nation,
        trust_forwarded_for,
        today,
        notify,
    } = o;
    let listener = tokio::net::TcpListener::bind(bind).await.with_context(|| format!("could not listen on {bind}; is something else using that port? Try --bind 127.0.0.1:8081"))?;
    let addr = listener.local_addr()?;
    let secure = cookies.secure_for(addr);
    println!("Upstream is running at http://{addr}/  (press Ctrl-C to stop)");
    if !secure {
        println!("Sign-in cookies are not marked Secure, so plain HTTP works: fine on this machine, never across a network.");
    }
    if let Some(d) = today {
        println!("Working to {} as today's date: cases, duty clocks and consent use it; times of changes stay real.", d.format("%-d %B %Y"));
    }
    let state = upstream_web::AppState::new(std::sync::Arc::new(store))
        .with_secure_cookies(secure)
        .with_nation(nation)
        .with_trust_forwarded_for(trust_forwarded_for)
        .with_today(today)
        .with_notify(notify, outreach::callback_tokens());
    upstream_web::serve(listener, state)
        .await
        .context("the web server stopped with an error")
}

const DEMO_TEAM: &str = "Prevention team";

/// The day a simulated town's records end: the latest assessment's date, or
/// the latest extract's. The demo works to it, so a case opened today sits
/// where the records do rather than a year or more after them.
async fn data_end(store: &upstream_store::Store) -> Result<Option<chrono::NaiveDate>> {
    if let Some(run) = store.latest_assessment_run().await? {
        return Ok(Some(run.as_of));
    }
    let (_, last_extract, _, last_event) = store.observed_span().await?;
    Ok(last_extract.or(last_event))
}

fn demo(database: &str, a: DemoArgs) -> Result<()> {
    let cfg = sim_config(
        &a.profile,
        Some(a.households),
        a.months,
        a.seed,
        a.out.clone(),
        None,
    )?;
    // The town's nation decides whose homelessness law its cases follow.
    let nation = cfg.profile.town.nation;
    println!(
        "Step 1 of 5: simulating a town of {} households over {} months...",
        a.households, a.months
    );
    // A town advanced with `upstream town advance` is kept: simulating it
    // again would forget the months it lived and the answers it gave.
    let advanced = upstream_sim::read_manifest(&a.out).ok().filter(|m| {
        m.profile == a.profile
            && m.seed == a.seed
            && m.households == a.households
            && m.months >= a.months
            && a.out.join(upstream_sim::CONTACTS_FILE).exists()
    });
    if let Some(m) = advanced {
        println!(
            "  {} was advanced to {} with the council's contacts (`upstream town advance`): keeping it as it is.",
            a.out.display(),
            m.end_month
        );
    } else {
        let report = run_simulation(&cfg)?;
        print_sim_report(&cfg, &report);
    }
    println!();
    println!(
        "Step 2 of 5: the monthly run (`upstream run`) into {}: reading every extract, linking records into people and households{}...",
        redact(database),
        if a.months < 10 { "" } else { ", assessing every household and making this week's list" }
    );
    let rt = runtime()?;
    rt.block_on(async {
        let store = connect(database).await?;
        // A team sized to a 3,000-household town (Birmingham's teams take 40 a week).
        if store.teams().await?.iter().all(|t| t.name != DEMO_TEAM) {
            store
                .save_team(&upstream_store::Team {
                    name: DEMO_TEAM.into(),
                    capacity: 10,
                    areas: Vec::new(),
                    recent_contact_days: 28,
                    min_probability: 0.0,
                })
                .await?;
        }
        let mut options = upstream_pipeline::run::Options::new(vec![a.out.clone()]);
        if a.months < 10 {
            // The risk model learns from the council's own history: ten months at least.
            options.until = upstream_pipeline::run::Step::Link;
        }
        let progress = progress::Steps::new(false);
        let run = upstream_pipeline::run::monthly(&store, &options, &progress, &monthly::print_step)
            .await?;
        println!("Run {} finished (`upstream runs` lists it; so does the Monthly runs page).", run.run_id);
        println!();
        println!("Step 3 of 5: the single view against the town's truth...");
        let truth_dir = a.out.join("truth");
        view_eval::print_addresses_briefly(&view_eval::addresses(&store, &truth_dir).await?);
        view_eval::print_households(&view_eval::households(&store, &truth_dir).await?);
        let (e, _, _) =
            linking::evaluate(
                &store,
                None,
                &a.out.join("truth").join("record_links.csv"),
                None,
            )
            .await?;
        println!(
            "Linkage: pairwise precision {:.3}, recall {:.3}, F1 {:.3} \
             (`upstream evaluate linkage --truth {}` for the full report).",
            e.precision,
            e.recall,
            e.f1,
            a.out.join("truth").join("record_links.csv").display()
        );
        println!();
        if a.months < 10 {
            println!("Step 4 of 5: skipped: the risk model learns from the council's own history and needs at least 10 months of it (this town has {}).", a.months);
        } else {
            println!("Step 4 of 5: this week's list for the {DEMO_TEAM}:");
            assessing::worklist(&store, DEMO_TEAM, None).await?;
        }
        println!();
        let demo_users = accounts::seed_demo_users(&store).await?;
        accounts::print_demo_users(&demo_users);
        println!();
        // A partner's system sends referrals with a key; the first run makes
        // one to try the API with (shown once: only its hash is kept).
        const DEMO_PARTNER: &str = "Citizens Advice";
        if demo_users.iter().any(|u| u.password.is_some())
            && store.partner_organisation(DEMO_PARTNER).await?.is_some()
        {
            let key = partners::make_key(&store, DEMO_PARTNER).await?;
            println!("Partner API key for {DEMO_PARTNER} (shown this once; docs/casework.md has the request):");
            println!("  {key}");
            println!("  curl -H 'Authorization: Bearer {key}' -H 'Content-Type: application/json' \\");
            println!("       --data @referral.json http://{}/api/referrals", a.bind);
        } else {
            println!("Partner API keys: `upstream partners key \"{DEMO_PARTNER}\"` makes another.");
        }
        println!();
        if a.no_serve {
            println!("Step 5 of 5: skipped (--no-serve). Start the server with `upstream serve`.");
            return Ok(());
        }
        demo_templates(&store, nation).await?;
        println!("Step 5 of 5: starting the web server.");
        let options = ServeOptions {
            cookies: accounts::CookieSecurity::Auto,
            nation,
            trust_forwarded_for: false,
            today: data_end(&store).await?,
            // The demo sends nothing: its messages are kept in the outbox.
            notify: None,
        };
        serve(store, a.bind, options).await
    })
}

/// A text message template for the demo's first campaign (and its Welsh, for
/// a Welsh council), saved once: a new user can start a campaign on the
/// team's list straight away.
async fn demo_templates(
    store: &upstream_store::Store,
    nation: upstream_core::Nation,
) -> Result<()> {
    const NAME: &str = "help-with-rent-and-bills";
    if store.message_template(NAME, None).await?.is_some() {
        return Ok(());
    }
    let welsh = nation == upstream_core::Nation::Wales;
    store
        .save_message_template(
            &upstream_store::NewTemplate {
                name: NAME.into(),
                channel: "sms".into(),
                subject_en: String::new(),
                body_en: "Hello ((first_name)), this is ((council_name)). We can help with rent and bills before they get on top of you. Reply to this text and we will call you.".into(),
                subject_cy: String::new(),
                // Needs a Welsh speaker's review before a council uses it.
                body_cy: if welsh {
                    "Helo ((first_name)), ((council_name)) sydd yma. Gallwn helpu gyda rhent a biliau cyn iddyn nhw fynd yn ormod. Atebwch y neges hon a byddwn yn eich ffonio.".into()
                } else {
                    String::new()
                },
            },
            0,
        )
        .await?;
    println!("A text message template, {NAME}, is ready for a first campaign (Campaigns, as the team leader).");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_in_database_urls() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("upstream.db"), "upstream.db");
    }

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
