//! The casework path in headless Chromium (`tests/browser/casework.spec.mjs`):
//! a small demo town made with the real `upstream demo`, the real server on a
//! free port, and the browser walking it as staff and partners would, with
//! JavaScript off. Screenshots of every page are kept in
//! `<target>/tmp/browser-screenshots/` for a person to look at.
//!
//! Needs Node.js, Debian's Chromium (`apt-get install chromium`, or `CHROMIUM`
//! naming another) and `npm ci --prefix tests/browser`. Without them the test
//! says "skipped" and passes, unless `UPSTREAM_REQUIRE_BROWSER=1` (as in
//! `.ci/run`), when it fails saying what to install.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("repository root")
}

/// Said on the terminal even when the test harness captures output.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// The browser to drive: `CHROMIUM`, or `chromium` on the PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("chromium"))
        .find(|p| p.is_file())
}

/// What is missing to run the browser test, and how to install it.
fn missing(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let node = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !matches!(node, Ok(s) if s.success()) {
        out.push("Node.js (`node`): install Node.js 20 or later".to_string());
    }
    if chromium().is_none() {
        out.push(
            "Chromium: `apt-get install -y --no-install-recommends chromium` \
             (or set CHROMIUM to a Chromium binary)"
                .to_string(),
        );
    }
    if !root
        .join("tests/browser/node_modules/playwright-core/package.json")
        .is_file()
    {
        out.push("playwright-core: `npm ci --prefix tests/browser`".to_string());
    }
    out
}

/// The server, stopped when dropped.
struct Server {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Server {
    /// `upstream serve` on a free loopback port; waits until `/health` answers.
    fn start(db: &Path, root: &Path, log: PathBuf) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_upstream"))
            .args(["--database", db.to_str().expect("utf-8")])
            .args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                "--secure-cookies",
                "never",
            ])
            .env_remove("DATABASE_URL")
            .env_remove("UPSTREAM_LOG")
            // From the repository root, the server finds the built GOV.UK assets.
            .current_dir(root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).expect("server log"))
            .spawn()
            .expect("start upstream serve");
        // "Upstream is running at http://127.0.0.1:PORT/": the port the system chose.
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("Upstream is running at ") {
                    let url = rest
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .trim_end_matches('/');
                    let _ = tx.send(url.to_string());
                }
            }
        });
        let url = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                panic!(
                    "the server did not start:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
        };
        let server = Server { child, url, log };
        server.wait_healthy();
        server
    }

    fn wait_healthy(&self) {
        let addr = self.url.trim_start_matches("http://").to_string();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(mut s) = TcpStream::connect(&addr) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let _ = write!(
                    s,
                    "GET /health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
                );
                let mut answer = String::new();
                let _ = s.read_to_string(&mut answer);
                if answer.starts_with("HTTP/1.1 200") {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "{}/health did not answer 200 within 30 s:\n{}",
                self.url,
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_casework_path_in_headless_chromium() {
    let root = repo_root();
    let lacking = missing(&root);
    if !lacking.is_empty() {
        let list = lacking.join("\n  - ");
        if std::env::var("UPSTREAM_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!(
                "the browser test cannot run (UPSTREAM_REQUIRE_BROWSER=1), missing:\n  - {list}"
            );
        }
        say(&format!(
            "skipped: the browser test (crates/cli/tests/browser.rs) needs:\n  - {list}\n  \
             Set UPSTREAM_REQUIRE_BROWSER=1 to make this a failure."
        ));
        return;
    }
    let started = Instant::now();
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("upstream.db");

    // A small town with enough months for the risk model, a worklist and the demo accounts.
    let demo = Command::new(env!("CARGO_BIN_EXE_upstream"))
        .args(["--database", db.to_str().expect("utf-8")])
        .args([
            "demo",
            "--households",
            "300",
            "--months",
            "14",
            "--no-serve",
        ])
        .args(["--out", tmp.path().join("town").to_str().expect("utf-8")])
        .env_remove("DATABASE_URL")
        .env_remove("UPSTREAM_LOG")
        .current_dir(tmp.path())
        .stdin(Stdio::null())
        .output()
        .expect("run upstream demo");
    let printed = String::from_utf8_lossy(&demo.stdout).to_string();
    assert!(
        demo.status.success(),
        "upstream demo failed:\n{printed}{}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let demo_output = tmp.path().join("demo.txt");
    std::fs::write(&demo_output, &printed).expect("write the demo's output");
    let made = started.elapsed();

    let server = Server::start(&db, &root, tmp.path().join("server.log"));
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("screenshot folder");

    // Output to a file, so a hung browser can be stopped after a while.
    let report_file = tmp.path().join("browser.txt");
    std::fs::File::create(&report_file).expect("report file");
    let append = || {
        std::fs::OpenOptions::new()
            .append(true)
            .open(&report_file)
            .expect("report file")
    };
    let mut node = Command::new("node")
        .arg("--test-reporter=spec")
        .arg(root.join("tests/browser/casework.spec.mjs"))
        .env("UPSTREAM_BASE_URL", &server.url)
        .env("UPSTREAM_DEMO_OUTPUT", &demo_output)
        .env("UPSTREAM_SCREENSHOTS", &shots)
        .env("CHROMIUM", chromium().expect("chromium"))
        .current_dir(&root)
        .stdin(Stdio::null())
        .stdout(append())
        .stderr(append())
        // Its own process group, so the browser goes too if it has to be stopped.
        .process_group(0)
        .spawn()
        .expect("run node");
    let deadline = Instant::now() + Duration::from_secs(600);
    let status = loop {
        if let Some(status) = node.try_wait().expect("wait for node") {
            break Some(status);
        }
        if Instant::now() > deadline {
            // SAFETY: kill(2) on the process group made for node above.
            unsafe { libc::kill(-(node.id() as i32), libc::SIGKILL) };
            let _ = node.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let report = std::fs::read_to_string(&report_file).unwrap_or_default();
    drop(server);
    if !status.is_some_and(|s| s.success()) {
        let log = std::fs::read_to_string(tmp.path().join("server.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(40)..].join("\n");
        panic!(
            "the browser test {} (screenshots in {}):\n{report}\n\
             --- the server's log, last lines ---\n{tail}",
            if status.is_some() {
                "failed"
            } else {
                "took more than 10 minutes and was stopped"
            },
            shots.display(),
        );
    }
    say(&format!(
        "browser test passed in {:.0?} (demo town {:.0?}); screenshots in {}",
        started.elapsed(),
        made,
        shots.display()
    ));
}
