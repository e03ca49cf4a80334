//! Upstream's web server: pages in the GOV.UK Design System (working without
//! JavaScript), a health endpoint, and the front-end assets.
//!
//! Invariants: only this crate knows HTTP. Handlers never touch the database:
//! they ask a [`DataSource`] for plain view models, and [`Accounts`] for
//! sign-in, sessions and the audit log (`upstream_store::Store` is both, see
//! `store.rs`), and askama templates, auto-escaped, render them. Every page
//! but `/sign-in`, `/health` and `/assets/` needs a session, and every form
//! a CSRF token (`auth.rs`); `docs/access.md` tells the whole story.
//!
//! The assets are built by the project from the real `govuk-frontend` npm
//! package (pinned in `crates/web/assets/package.json`):
//! `npm ci --prefix crates/web/assets && npm run build --prefix crates/web/assets`
//! writes `crates/web/assets/dist/`, served at `/assets/`: `upstream.min.css`
//! (GOV.UK Frontend compiled with Arial, as a council service must use),
//! `govuk-frontend.min.js` and `images/`.

mod access;
mod admin;
mod auth;
mod case;
mod casework_data;
mod chronology;
mod contact;
mod data;
mod documents;
mod figures;
mod forms;
mod household;
mod layout;
mod letter_batches;
mod letters;
mod outreach;
mod pages;
mod partner;
mod referrals;
mod runs;
mod security;
mod store;
mod users;
mod worklist;

pub use access::{
    Account, Accounts, AuditQuery, AuditRecord, AuditRow, ChainStatus, LiveSession, SignInOutcome,
    StartedSession,
};
pub use auth::{CurrentUser, Refused, SESSION_IDLE_MINUTES, SESSION_LIFETIME_HOURS};
pub use casework_data::{Casework, NoCasework, StaffMember};
pub use data::{
    BoxFuture, CandidateQuery, CaseRow, ContactRow, DataError, DataSource, Flag, Health,
    HouseholdDetail, MemberRecord, Overview, PersonCandidate, PersonHousehold, ResidenceRow,
    SavedAssessment, SavedEvent, SourceSummary, TownSummary,
};
pub use forms::percent_encode;
pub use letters::use_letters;
pub use referrals::REFERRER_KINDS;
pub use worklist::use_standards;

use axum::routing::{get, post};
use axum::Router;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

/// Where `npm run build --prefix crates/web/assets` puts the built assets
/// files, relative to the repository root.
pub const ASSETS_FROM_REPO_ROOT: &str = "crates/web/assets/dist";

/// The environment variable that overrides where the assets are.
pub const ASSETS_ENV: &str = "UPSTREAM_ASSETS";

/// What every request needs: the data source, the accounts, where the
/// assets are, and whether cookies are `Secure`.
#[derive(Clone)]
pub struct AppState {
    source: Arc<dyn DataSource>,
    accounts: Arc<dyn Accounts>,
    casework: Arc<dyn Casework>,
    assets: PathBuf,
    secure_cookies: bool,
    /// Take a client's address from X-Forwarded-For (behind a trusted proxy).
    trust_forwarded_for: bool,
    /// Whose homelessness law new cases follow (duty clocks and letters).
    nation: upstream_core::Nation,
    /// The date pages work to, when not the real one (see [`AppState::with_today`]).
    today: Option<chrono::NaiveDate>,
    /// Where the outbox sends: GOV.UK Notify, or `None` to keep messages here.
    outbox_transport: Option<Arc<dyn upstream_pipeline::sending::Transport>>,
    /// The bearer tokens Notify's callbacks must carry.
    notify_tokens: NotifyTokens,
    /// The council's name for every page's header, read at most every
    /// [`COUNCIL_NAME_FRESH`]: it changes only when a town is registered,
    /// and reading it was one query on every page.
    council_name: Arc<std::sync::Mutex<Option<CouncilName>>>,
}

/// The council's name as last read, and when.
type CouncilName = (std::time::Instant, Option<String>);

/// How long the header's council name is used before it is read again.
const COUNCIL_NAME_FRESH: std::time::Duration = std::time::Duration::from_secs(10);

/// The bearer tokens GOV.UK Notify's callbacks carry (set in Notify's
/// settings for the service, and given to `serve` from the environment).
/// A callback whose token is not set is refused.
#[derive(Clone, Default)]
pub struct NotifyTokens {
    pub delivery: Option<String>,
    pub received_text: Option<String>,
}

impl AppState {
    /// Serve pages from `source`, which also keeps the accounts and the audit
    /// log, with the assets found by [`locate_assets`] and `Secure` cookies.
    /// Pass an `Arc<upstream_store::Store>` for the real thing.
    pub fn new<S: DataSource + Accounts + Casework>(source: Arc<S>) -> AppState {
        AppState::from_parts(source.clone(), source.clone()).with_casework(source)
    }

    /// Pages from one source, accounts from another (tests use fakes for either).
    pub fn from_parts(source: Arc<dyn DataSource>, accounts: Arc<dyn Accounts>) -> AppState {
        AppState {
            source,
            accounts,
            casework: Arc::new(NoCasework),
            assets: locate_assets(),
            secure_cookies: true,
            trust_forwarded_for: false,
            nation: upstream_core::Nation::England,
            today: None,
            outbox_transport: None,
            notify_tokens: NotifyTokens::default(),
            council_name: Default::default(),
        }
    }

    /// The council's name, as recently read (see [`COUNCIL_NAME_FRESH`]).
    pub(crate) async fn council_name(&self) -> Result<Option<String>, DataError> {
        if let Ok(cached) = self.council_name.lock() {
            if let Some((at, name)) = cached.as_ref() {
                if at.elapsed() < COUNCIL_NAME_FRESH {
                    return Ok(name.clone());
                }
            }
        }
        let name = self.source.council_name().await?;
        if let Ok(mut cached) = self.council_name.lock() {
            *cached = Some((std::time::Instant::now(), name.clone()));
        }
        Ok(name)
    }

    /// Send the outbox through `transport` (GOV.UK Notify), and accept
    /// Notify's callbacks carrying these tokens. Without it, messages are
    /// kept in the outbox for staff to read, and callbacks are refused.
    pub fn with_notify(
        mut self,
        transport: Option<Arc<dyn upstream_pipeline::sending::Transport>>,
        tokens: NotifyTokens,
    ) -> AppState {
        self.outbox_transport = transport;
        self.notify_tokens = tokens;
        self
    }

    /// Casework pages from `casework` (without it they answer "Sorry, there is a problem").
    pub fn with_casework(mut self, casework: Arc<dyn Casework>) -> AppState {
        self.casework = casework;
        self
    }

    /// The council's nation: England's or Wales's homelessness law for new cases.
    pub fn with_nation(mut self, nation: upstream_core::Nation) -> AppState {
        self.nation = nation;
        self
    }

    /// Work to `today` instead of the real date: for the demo of a simulated
    /// town whose records end in the past, so that cases opened, duty clocks,
    /// consent and the lists agree with the records. Times stamped on each
    /// change (and sessions) stay real.
    pub fn with_today(mut self, today: Option<chrono::NaiveDate>) -> AppState {
        self.today = today;
        self
    }

    /// Whether [`AppState::with_today`] set a day other than the real one.
    pub(crate) fn works_to_another_day(&self) -> bool {
        self.today
            .is_some_and(|d| d != chrono::Utc::now().date_naive())
    }

    /// The date pages work to: the real one unless [`AppState::with_today`] set one.
    pub(crate) fn today(&self) -> chrono::NaiveDate {
        self.today
            .unwrap_or_else(|| chrono::Utc::now().date_naive())
    }

    /// Take each client's address from the last X-Forwarded-For entry, as a
    /// reverse proxy in front of the server writes it. Only behind such a
    /// proxy: anyone could write the header otherwise.
    pub fn with_trust_forwarded_for(mut self, trust: bool) -> AppState {
        self.trust_forwarded_for = trust;
        self
    }

    /// Whether the session cookie is `Secure` (with the `__Host-` prefix).
    /// On by default: browsers then send it over HTTPS only. Turn it off only
    /// to serve plain HTTP on one's own machine (loopback), or in tests.
    pub fn with_secure_cookies(mut self, secure: bool) -> AppState {
        self.secure_cookies = secure;
        self
    }

    pub fn secure_cookies(&self) -> bool {
        self.secure_cookies
    }

    /// Use the GOV.UK Frontend files in `dir` (the package's `dist/govuk` folder).
    pub fn with_assets(mut self, dir: impl Into<PathBuf>) -> AppState {
        self.assets = dir.into();
        self
    }

    /// The GOV.UK Frontend folder the server reads (the package's `dist/govuk`).
    pub fn assets_dir(&self) -> &Path {
        &self.assets
    }

    /// Whether the GOV.UK Frontend stylesheet is where the server will look for it.
    pub fn assets_installed(&self) -> bool {
        self.assets.join("upstream.min.css").is_file()
    }
}

/// Where the GOV.UK Frontend files are, in order: the `UPSTREAM_ASSETS`
/// environment variable; [`ASSETS_FROM_REPO_ROOT`] under the current directory,
/// if it exists there; the same folder in the source tree this crate was built
/// from. The folder may not exist: [`serve`] warns, and pages are unstyled.
pub fn locate_assets() -> PathBuf {
    if let Some(dir) = std::env::var_os(ASSETS_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let from_cwd = PathBuf::from(ASSETS_FROM_REPO_ROOT);
    if from_cwd.is_dir() {
        return from_cwd;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/dist")
}

/// Every route. Open to all: `/sign-in`, `/health` (JSON) and `/assets/…`
/// (GOV.UK Frontend). Everything else is in [`staff_routes`], behind the
/// session gate. Every response carries the security headers.
pub fn router(state: AppState) -> Router {
    let dist = state.assets.clone();
    let staff =
        staff_routes()
            .fallback(pages::not_found)
            .layer(axum::middleware::from_fn_with_state(
                state.clone(),
                auth::require_session,
            ));
    Router::new()
        .route("/sign-in", get(auth::sign_in_page).post(auth::sign_in))
        .route("/health", get(pages::health))
        .route(
            "/api/referrals",
            post(referrals::api_create).layer(axum::extract::DefaultBodyLimit::max(
                referrals::API_BODY_LIMIT,
            )),
        )
        .route(
            "/notify/delivery-receipts",
            post(outreach::delivery_receipt).layer(axum::extract::DefaultBodyLimit::max(
                referrals::API_BODY_LIMIT,
            )),
        )
        .route(
            "/notify/received-texts",
            post(outreach::received_text).layer(axum::extract::DefaultBodyLimit::max(
                referrals::API_BODY_LIMIT,
            )),
        )
        .nest_service("/assets", ServeDir::new(dist))
        .merge(staff)
        .layer(axum::middleware::map_response(
            security::add_security_headers,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The pages for signed-in staff: add new pages here. Each handler takes a
/// [`CurrentUser`]; the gate has already checked the session and, on a POST,
/// the CSRF token. Unknown paths get "Page not found" (or, signed out, the
/// sign-in page: nothing tells a stranger which pages exist).
fn staff_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::start))
        .route("/sign-out", post(auth::sign_out))
        .route("/search", get(household::search))
        .route("/households/{id}", get(household::household))
        .route("/worklist", get(worklist::worklist))
        .route(
            "/worklist/{worklist_id}/entries/{rank}/assign",
            post(worklist::assign),
        )
        .route("/worklist/flags", post(worklist::fast_track))
        .route("/worklist/make", post(worklist::make))
        .route(
            "/worklist/{worklist_id}/assign",
            post(worklist::assign_many),
        )
        .route("/cases", post(worklist::open_case))
        .route("/households/{id}/contact", get(contact::contact_page))
        .route(
            "/households/{id}/contact/details",
            post(contact::add_detail),
        )
        .route(
            "/households/{id}/contact/preferences",
            post(contact::set_preferences),
        )
        .route("/cases/{id}", get(case::case))
        .route("/cases/{id}/reason", post(case::give_reason))
        .route("/cases/{id}/notes", post(case::add_note))
        .route("/cases/{id}/reminders", post(case::add_reminder))
        .route("/cases/{id}/letters", post(case::write_letter))
        .route(
            "/cases/{id}/documents",
            post(case::upload).layer(axum::extract::DefaultBodyLimit::max(
                documents::UPLOAD_LIMIT + (64 << 10),
            )),
        )
        .route("/cases/{id}/documents/{document_id}", get(case::document))
        .route("/cases/{id}/letters/{letter_id}", get(case::letter))
        .route("/reminders/{id}/done", post(worklist::finish_reminder))
        .route("/cases/{id}/conversation", post(case::save_conversation))
        .route("/cases/{id}/actions", post(case::add_action))
        .route(
            "/cases/{id}/actions/{action_id}/status",
            post(case::action_status),
        )
        .route("/cases/{id}/attempts", post(case::add_attempt))
        .route("/cases/{id}/duties", post(case::add_duty))
        .route("/cases/{id}/duties/{duty_id}", post(case::update_duty))
        .route("/cases/{id}/consents", post(case::add_consent))
        .route(
            "/cases/{id}/consents/{consent_id}/withdraw",
            get(case::confirm_withdraw).post(case::withdraw_consent),
        )
        .route("/cases/{id}/referrals", post(case::refer))
        .route("/cases/{id}/close", post(case::close))
        .route("/cases/{id}/connector", post(case::reassign))
        .route("/referrals", get(referrals::queue))
        .route(
            "/referrals/new",
            get(referrals::new_form).post(referrals::create),
        )
        .route("/referrals/sent", get(referrals::sent))
        .route("/referrals/{id}", get(referrals::show))
        .route("/referrals/{id}/accept", post(referrals::accept))
        .route("/referrals/{id}/decline", post(referrals::decline))
        .route(
            "/templates",
            get(outreach::templates).post(outreach::create_template),
        )
        .route("/templates/new", get(outreach::new_template))
        .route(
            "/campaigns",
            get(outreach::campaigns).post(outreach::create_campaign),
        )
        .route("/campaigns/new", get(outreach::new_campaign))
        .route("/campaigns/{id}", get(outreach::campaign))
        .route("/campaigns/{id}/run", post(outreach::run))
        .route("/campaigns/{id}/round", post(outreach::make_round))
        .route("/campaigns/{id}/letters", post(letter_batches::print))
        .route("/campaigns/{id}/batches/{file}", get(letter_batches::pdf))
        .route("/rounds", get(outreach::rounds))
        .route("/rounds/{id}", get(outreach::round))
        .route(
            "/rounds/{id}/doors/{household_id}",
            get(outreach::door).post(outreach::record_door),
        )
        .route("/outbox", get(outreach::outbox))
        .route("/outbox/send", post(outreach::send))
        .route("/admin/audit", get(admin::audit))
        .route("/admin/runs", get(runs::runs))
        .route("/admin/users", get(users::users).post(users::create))
        .route("/admin/users/new", get(users::new_form))
        .route("/admin/users/{id}", get(users::show))
        .route("/admin/users/{id}/role", post(users::change_role))
        .route("/admin/users/{id}/password", post(users::reset_password))
        .route("/admin/users/{id}/disabled", post(users::set_disabled))
        .route("/admin/audit/verify", post(admin::verify))
        .route("/admin/people/export", get(admin::export_form))
        .route("/admin/people/{person_id}/export", get(admin::export))
}

/// Serve [`router`] on `listener` until Ctrl-C (or SIGTERM), then finish the
/// requests in flight and return. Starts even when the assets are missing, with
/// a warning saying how to install them.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    if state.assets_installed() {
        tracing::info!("serving GOV.UK Frontend from {}", state.assets.display());
    } else {
        tracing::warn!(
            "GOV.UK Frontend is not installed at {}, so pages will have no styles. \
             Run `npm ci --prefix crates/web/assets && npm run build --prefix crates/web/assets` \
             from the repository root (or set {ASSETS_ENV} to a built assets folder).",
            state.assets.display()
        );
    }
    // Each request knows the address it came from: sign-in lock-outs count per client.
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!("could not listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!("could not listen for SIGTERM: {e}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
