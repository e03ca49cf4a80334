//! `upstream bench web`: the staff pages under load at city scale.
//!
//! `seed` copies the stored town until the database holds a city's
//! households (`Store::replicate_households`); `run` starts the real web
//! server in this process on 127.0.0.1, signs bench accounts in through the
//! real sign-in form, and has each virtual user fetch household pages (and
//! the worklist) back to back over its own keep-alive connection, timing
//! every request. `docs/benchmarks.md` says how to run it and what it found.

use anyhow::{bail, Context, Result};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{header, Method, Request, StatusCode};
use rand::{Rng, SeedableRng};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use upstream_core::{AuditAction, Role};
use upstream_store::{NewUser, Store};

/// The issue's target: p95 under 100 ms for each page.
const TARGET_P95_MS: f64 = 100.0;

/// `upstream bench web seed`.
pub async fn seed(store: &Store, households: i64, versions: i64) -> Result<()> {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:<28} [{bar:40}] {pos}/{len} ({elapsed})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("copying the town");
    let started = Instant::now();
    let report = store
        .replicate_households(households, versions, &|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    let bytes = store.database_bytes().await?;
    println!(
        "bench web seed: {} current households in the stored town; {} copies before, {} now",
        report.town_households, report.copies_before, report.copies_after
    );
    println!(
        "  households     {:>10} current ({} in all)",
        report.current_households, report.households
    );
    println!("  record versions{:>10}", report.source_records);
    println!(
        "  database size  {:>10.2} GiB",
        bytes as f64 / (1024.0 * 1024.0 * 1024.0)
    );
    println!("  wall time      {seconds:>10.1} s");
    Ok(())
}

/// What `bench web run` is asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub users: usize,
    pub seconds: u64,
    pub households_sample: i64,
    pub worklist_path: String,
    /// One worklist view after every this many household views (0: none).
    pub worklist_every: u32,
    pub role: Role,
    pub team: String,
    pub json: Option<PathBuf>,
    /// Then time the household page's two store calls on their own, each
    /// for this many seconds with as many tasks as users (0: skip).
    pub breakdown_seconds: u64,
    /// Each virtual user waits this long after each page (0: none, so the
    /// users keep the server saturated).
    pub pause_ms: u64,
}

#[derive(Debug, Default)]
struct Page {
    /// Microseconds, of the requests that answered 200 with the page.
    ok: Vec<u64>,
    /// Microseconds of every request, errors too.
    all: Vec<u64>,
    errors: u64,
    first_error: Option<String>,
}

impl Page {
    fn merge(&mut self, other: Page) {
        self.ok.extend(other.ok);
        self.all.extend(other.all);
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

#[derive(Debug, Default)]
struct UserResult {
    household: Page,
    worklist: Page,
}

/// `upstream bench web run`.
pub async fn run(store: Store, o: RunOptions) -> Result<()> {
    if o.users == 0 || o.seconds == 0 {
        bail!("--users and --seconds must be at least 1");
    }
    let ids = store
        .sample_household_ids(o.households_sample.max(1))
        .await?;
    if ids.is_empty() {
        bail!("there are no current households: load a town (and `bench web seed` it) first");
    }
    let (households, current) = store.single_view_counts().await.map(|c| (c.1, c.2))?;
    let accounts = bench_accounts(&store, o.users, o.role, &o.team).await?;

    // The real server, in this process, on a free loopback port; plain HTTP,
    // so cookies are not `Secure` (as `serve` does on loopback).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let state = upstream_web::AppState::new(Arc::new(store.clone())).with_secure_cookies(false);
    let server = tokio::spawn(upstream_web::serve(listener, state));

    println!(
        "bench web run: {} backend, {current} current households ({households} in all), {} sampled; {} users for {} s{} at http://{addr}/",
        store.backend().as_str(),
        ids.len(),
        o.users,
        o.seconds,
        if o.pause_ms > 0 { format!(", each pausing {} ms after a page", o.pause_ms) } else { ", no pauses".into() }
    );
    let mut sessions = Vec::with_capacity(accounts.len());
    for (username, password) in &accounts {
        let mut c = Client::connect(addr).await?;
        c.sign_in(username, password)
            .await
            .with_context(|| format!("signing {username} in"))?;
        sessions.push(c);
    }
    // Is the worklist page there yet?
    let mut worklist = o.worklist_every > 0;
    if worklist {
        let r = sessions[0].get(&o.worklist_path).await?;
        match r.status {
            StatusCode::OK => {}
            StatusCode::NOT_FOUND => {
                println!(
                    "  NOTE: the worklist page answered 404 Not Found at {}: it is not there yet. Measuring the household page only.",
                    o.worklist_path
                );
                worklist = false;
            }
            s => bail!(
                "the worklist page answered {s} at {} (expected 200): check --worklist-path and --role",
                o.worklist_path
            ),
        }
    }

    let ids = Arc::new(ids);
    let deadline = Instant::now() + Duration::from_secs(o.seconds);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(sessions.len());
    for (n, mut c) in sessions.into_iter().enumerate() {
        let ids = ids.clone();
        let path = o.worklist_path.clone();
        let every = if worklist { o.worklist_every } else { 0 };
        let pause = Duration::from_millis(o.pause_ms);
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(n as u64 + 1);
            let mut out = UserResult::default();
            let mut views = 0u32;
            while Instant::now() < deadline {
                let id = ids[rng.random_range(0..ids.len())];
                let heading = format!("Household {id}</span>");
                c.timed(&format!("/households/{id}"), &heading, &mut out.household)
                    .await;
                views += 1;
                if !pause.is_zero() {
                    tokio::time::sleep(pause).await;
                }
                if every > 0 && views.is_multiple_of(every) && Instant::now() < deadline {
                    c.timed(&path, "<h1", &mut out.worklist).await;
                    if !pause.is_zero() {
                        tokio::time::sleep(pause).await;
                    }
                }
            }
            out
        }));
    }
    let mut total = UserResult::default();
    for t in tasks {
        let r = t.await?;
        total.household.merge(r.household);
        total.worklist.merge(r.worklist);
    }
    let elapsed = started.elapsed().as_secs_f64();
    server.abort();

    let rows = [
        ("household page", &total.household, true),
        ("worklist", &total.worklist, worklist),
    ];
    println!();
    println!(
        "  {:<16} {:>8} {:>7} {:>9} {:>9} {:>9} {:>9} {:>8}",
        "page", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms", "req/s"
    );
    let mut json_pages = Vec::new();
    let mut met = true;
    for (name, page, measured) in rows {
        if !measured {
            println!("  {name:<16} not measured");
            continue;
        }
        let s = Summary::of(page, elapsed);
        println!(
            "  {name:<16} {:>8} {:>7} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>8.1}",
            s.requests, s.errors, s.p50, s.p95, s.p99, s.max, s.rps
        );
        if let Some(e) = &page.first_error {
            println!("  {:<16} first error: {e}", "");
        }
        met &= s.errors == 0 && s.requests > 0 && s.p95 < TARGET_P95_MS;
        json_pages.push(serde_json::json!({
            "page": name, "requests": s.requests, "errors": s.errors,
            "p50_ms": s.p50, "p95_ms": s.p95, "p99_ms": s.p99, "max_ms": s.max, "rps": s.rps,
        }));
    }
    println!(
        "  (latencies of every request, errors included; {} cores shared by the server and the load)",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    println!(
        "  result           {}",
        if met {
            "target met (p95 under 100 ms, no errors)"
        } else {
            "TARGET MISSED (p95 under 100 ms with no errors)"
        }
    );
    let mut json_parts = Vec::new();
    if o.breakdown_seconds > 0 {
        println!();
        println!(
            "  Where a household page's time goes: its store calls alone, {} tasks at once, {} s each",
            o.users, o.breakdown_seconds
        );
        println!(
            "  {:<16} {:>8} {:>7} {:>9} {:>9} {:>9} {:>9} {:>8}",
            "store call", "calls", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms", "calls/s"
        );
        for part in [Part::Read, Part::Audit] {
            let (page, seconds) =
                store_only(&store, ids.clone(), o.users, o.breakdown_seconds, part).await;
            let s = Summary::of(&page, seconds);
            println!(
                "  {:<16} {:>8} {:>7} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>8.1}",
                part.name(),
                s.requests,
                s.errors,
                s.p50,
                s.p95,
                s.p99,
                s.max,
                s.rps
            );
            if let Some(e) = &page.first_error {
                println!("  {:<16} first error: {e}", "");
            }
            json_parts.push(serde_json::json!({
                "call": part.name(), "calls": s.requests, "errors": s.errors,
                "p50_ms": s.p50, "p95_ms": s.p95, "p99_ms": s.p99, "max_ms": s.max, "per_second": s.rps,
            }));
        }
    }
    if let Some(path) = &o.json {
        let doc = serde_json::json!({
            "backend": store.backend().as_str(),
            "households": households,
            "current_households": current,
            "sampled": ids.len(),
            "users": o.users,
            "pause_ms": o.pause_ms,
            "seconds": elapsed,
            "role": o.role.as_str(),
            "worklist_path": o.worklist_path,
            "worklist_measured": worklist,
            "pages": json_pages,
            "store_calls": json_parts,
        });
        std::fs::write(path, serde_json::to_string_pretty(&doc)? + "\n")
            .with_context(|| format!("could not write {}", path.display()))?;
        println!("  figures written to {}", path.display());
    }
    Ok(())
}

#[derive(Debug, Clone, Copy)]
enum Part {
    /// `Store::household_detail`: everything the page reads.
    Read,
    /// `Store::append_audit`: the page's audit entry.
    Audit,
}

impl Part {
    fn name(self) -> &'static str {
        match self {
            Part::Read => "household read",
            Part::Audit => "audit append",
        }
    }
}

/// One of the page's store calls, repeated by `tasks` tasks at once for
/// `seconds`. The audit entries are real appends by `bench-01`, marked as
/// the benchmark's in their purpose.
async fn store_only(
    store: &Store,
    ids: Arc<Vec<i64>>,
    tasks: usize,
    seconds: u64,
    part: Part,
) -> (Page, f64) {
    let bench_user = store
        .user_by_username("bench-01")
        .await
        .ok()
        .flatten()
        .map(|u| u.id);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut handles = Vec::with_capacity(tasks);
    for n in 0..tasks {
        let (store, ids) = (store.clone(), ids.clone());
        handles.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(1000 + n as u64);
            let mut page = Page::default();
            let today = chrono::Utc::now().date_naive();
            while Instant::now() < deadline {
                let id = ids[rng.random_range(0..ids.len())];
                let t = Instant::now();
                let problem = match part {
                    Part::Read => match store.household_detail(id, today).await {
                        Ok(Some(_)) => None,
                        Ok(None) => Some(format!("household {id} not found")),
                        Err(e) => Some(e.to_string()),
                    },
                    Part::Audit => store
                        .append_audit(&upstream_store::NewAuditEntry {
                            user_id: bench_user,
                            username: "bench-01".into(),
                            action: AuditAction::View,
                            subject_kind: "household".into(),
                            subject_id: id.to_string(),
                            purpose: "bench web: timing audit appends (no page shown)".into(),
                            detail: serde_json::json!({}),
                        })
                        .await
                        .err()
                        .map(|e| e.to_string()),
                };
                let micros = t.elapsed().as_micros() as u64;
                page.all.push(micros);
                match problem {
                    None => page.ok.push(micros),
                    Some(p) => {
                        page.errors += 1;
                        page.first_error.get_or_insert(p);
                    }
                }
            }
            page
        }));
    }
    let mut all = Page::default();
    for h in handles {
        if let Ok(p) = h.await {
            all.merge(p);
        }
    }
    (all, started.elapsed().as_secs_f64())
}

struct Summary {
    requests: usize,
    errors: u64,
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
    rps: f64,
}

impl Summary {
    fn of(page: &Page, seconds: f64) -> Summary {
        let mut v = page.all.clone();
        v.sort_unstable();
        Summary {
            requests: v.len(),
            errors: page.errors,
            p50: percentile(&v, 50.0),
            p95: percentile(&v, 95.0),
            p99: percentile(&v, 99.0),
            max: v.last().map_or(0.0, |&m| m as f64 / 1000.0),
            rps: v.len() as f64 / seconds.max(1e-9),
        }
    }
}

/// Nearest-rank percentile of sorted microseconds, in milliseconds.
fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

/// `bench-01` … : made if missing, each given a fresh password (the store
/// keeps only hashes), recorded in the audit log as any account change is.
async fn bench_accounts(
    store: &Store,
    n: usize,
    role: Role,
    team: &str,
) -> Result<Vec<(String, String)>> {
    let mut out = Vec::with_capacity(n);
    for i in 1..=n {
        let username = format!("bench-{i:02}");
        let password = upstream_store::generate_password()?;
        match store.user_by_username(&username).await? {
            Some(u) => {
                store.set_password(u.id, &password).await?;
                crate::accounts::audit(
                    store,
                    AuditAction::Change,
                    "user",
                    &username,
                    "bench web: new password for a bench account",
                    serde_json::json!({}),
                )
                .await?;
            }
            None => {
                store
                    .create_user(
                        &NewUser {
                            username: username.clone(),
                            display_name: format!("Bench user {i:02} (load test)"),
                            role,
                            organisation: None,
                            team: Some(team.to_string()),
                        },
                        &password,
                    )
                    .await?;
                crate::accounts::audit(
                    store,
                    AuditAction::Create,
                    "user",
                    &username,
                    "bench web: a bench account",
                    serde_json::json!({ "role": role.as_str() }),
                )
                .await?;
            }
        }
        out.push((username, password));
    }
    Ok(out)
}

struct Answer {
    status: StatusCode,
    set_cookies: Vec<String>,
    body: Bytes,
}

/// One virtual user's keep-alive HTTP/1 connection and its cookies.
struct Client {
    addr: SocketAddr,
    sender: hyper::client::conn::http1::SendRequest<Full<Bytes>>,
    cookie: String,
}

impl Client {
    async fn connect(addr: SocketAddr) -> Result<Client> {
        Ok(Client {
            addr,
            sender: open(addr).await?,
            cookie: String::new(),
        })
    }

    async fn send(&mut self, method: Method, path: &str, form: Option<String>) -> Result<Answer> {
        if self.sender.ready().await.is_err() {
            // The server closed the connection: open another.
            self.sender = open(self.addr).await?;
        }
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, self.addr.to_string());
        if !self.cookie.is_empty() {
            req = req.header(header::COOKIE, &self.cookie);
        }
        let body = match form {
            Some(f) => {
                req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Full::new(Bytes::from(f))
            }
            None => Full::new(Bytes::new()),
        };
        let res = self.sender.send_request(req.body(body)?).await?;
        let status = res.status();
        let set_cookies = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(String::from)
            .collect();
        let body = res.into_body().collect().await?.to_bytes();
        Ok(Answer {
            status,
            set_cookies,
            body,
        })
    }

    async fn get(&mut self, path: &str) -> Result<Answer> {
        self.send(Method::GET, path, None).await
    }

    /// As a browser does: fetch the form (its token comes as a cookie and a
    /// hidden field), post it back with the username and password, keep the
    /// session cookie.
    async fn sign_in(&mut self, username: &str, password: &str) -> Result<()> {
        let page = self.get("/sign-in").await?;
        if page.status != StatusCode::OK {
            bail!("GET /sign-in answered {}", page.status);
        }
        let html = String::from_utf8_lossy(&page.body);
        let token =
            hidden_field(&html, "csrf_token").context("no csrf_token in the sign-in form")?;
        let pre = page
            .set_cookies
            .iter()
            .find_map(|c| cookie_pair(c, "upstream_signin"))
            .context("no sign-in cookie")?;
        self.cookie = pre;
        let form = format!(
            "username={}&password={}&csrf_token={}&next=",
            upstream_web::percent_encode(username),
            upstream_web::percent_encode(password),
            upstream_web::percent_encode(&token)
        );
        let done = self.send(Method::POST, "/sign-in", Some(form)).await?;
        let session = done
            .set_cookies
            .iter()
            .find_map(|c| cookie_pair(c, "upstream_session"))
            .with_context(|| format!("sign-in refused (answered {})", done.status))?;
        self.cookie = session;
        Ok(())
    }

    /// GET a page, timing it; it counts only if it answers 200 and holds `expect`.
    async fn timed(&mut self, path: &str, expect: &str, page: &mut Page) {
        let t = Instant::now();
        let r = self.get(path).await;
        let micros = t.elapsed().as_micros() as u64;
        page.all.push(micros);
        let problem = match r {
            Err(e) => Some(format!("{path}: {e}")),
            Ok(a) if a.status != StatusCode::OK => Some(format!("{path}: answered {}", a.status)),
            Ok(a) if !String::from_utf8_lossy(&a.body).contains(expect) => {
                Some(format!("{path}: 200, but not the page (no '{expect}')"))
            }
            Ok(_) => None,
        };
        match problem {
            None => page.ok.push(micros),
            Some(p) => {
                page.errors += 1;
                page.first_error.get_or_insert(p);
            }
        }
    }
}

async fn open(addr: SocketAddr) -> Result<hyper::client::conn::http1::SendRequest<Full<Bytes>>> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .with_context(|| format!("could not connect to {addr}"))?;
    stream.set_nodelay(true)?;
    let (sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

/// `name=value` from a `Set-Cookie` header for cookie `name`.
fn cookie_pair(set_cookie: &str, name: &str) -> Option<String> {
    let pair = set_cookie.split(';').next()?.trim();
    let (n, v) = pair.split_once('=')?;
    (n == name && !v.is_empty()).then(|| pair.to_string())
}

/// The value of a hidden input in a page.
fn hidden_field(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let rest = &html[at..];
    let v = rest.find("value=\"")? + 7;
    let end = rest[v..].find('"')?;
    Some(rest[v..v + end].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<u64> = (1..=100).map(|i| i * 1000).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 95.0), 95.0);
        assert_eq!(percentile(&v, 99.0), 99.0);
        assert_eq!(percentile(&[], 95.0), 0.0);
        assert_eq!(percentile(&[7000], 99.0), 7.0);
    }

    #[test]
    fn the_sign_in_form_and_cookies_are_read() {
        let html =
            r#"<input type="hidden" name="csrf_token" value="abc123"><input name="next" value="">"#;
        assert_eq!(hidden_field(html, "csrf_token").as_deref(), Some("abc123"));
        assert_eq!(
            cookie_pair("upstream_session=ff; Path=/; HttpOnly", "upstream_session").as_deref(),
            Some("upstream_session=ff")
        );
        assert_eq!(
            cookie_pair("upstream_signin=; Max-Age=0", "upstream_signin"),
            None
        );
        assert_eq!(upstream_web::percent_encode("a b&c"), "a%20b%26c");
    }
}
