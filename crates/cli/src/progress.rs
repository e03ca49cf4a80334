//! A progress bar for long CLI work, drawn only when stderr is a terminal.

use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Mutex;

pub struct Bar {
    bar: Mutex<Option<ProgressBar>>,
}

impl Bar {
    pub fn new() -> Bar {
        Bar {
            bar: Mutex::new(None),
        }
    }
}

impl upstream_sim::Progress for Bar {
    fn phase(&self, name: &str, total: u64) {
        let Ok(mut slot) = self.bar.lock() else {
            return;
        };
        if let Some(old) = slot.take() {
            old.finish_and_clear();
        }
        let bar = ProgressBar::new(total);
        let style = ProgressStyle::with_template("{msg:<28} [{bar:40}] {pos}/{len} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(name.to_string());
        *slot = Some(bar);
    }

    fn advance(&self, n: u64) {
        if let Ok(slot) = self.bar.lock() {
            if let Some(b) = slot.as_ref() {
                b.inc(n);
            }
        }
    }

    fn finish(&self) {
        if let Ok(mut slot) = self.bar.lock() {
            if let Some(b) = slot.take() {
                b.finish_and_clear();
            }
        }
    }
}

/// How a pipeline step is getting on, on the terminal: a spinner with the
/// stage for linkage and assessment, a bar over the files for ingest; notes
/// (a file skipped or refused) printed above it. Hidden when `quiet`.
pub struct Steps {
    bar: Mutex<Option<ProgressBar>>,
    quiet: bool,
}

impl Steps {
    pub fn new(quiet: bool) -> Steps {
        Steps {
            bar: Mutex::new(None),
            quiet,
        }
    }

    fn with_bar(&self, make: impl FnOnce() -> ProgressBar, then: impl FnOnce(&ProgressBar)) {
        if self.quiet {
            return;
        }
        let Ok(mut slot) = self.bar.lock() else {
            return;
        };
        let bar = slot.get_or_insert_with(make);
        then(bar);
    }
}

impl upstream_pipeline::Progress for Steps {
    fn stage(&self, message: &str) {
        tracing::debug!("{message}");
        self.with_bar(
            || {
                let bar = ProgressBar::new_spinner();
                bar.set_style(
                    ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                bar.enable_steady_tick(std::time::Duration::from_millis(120));
                bar
            },
            |bar| bar.set_message(message.to_string()),
        );
    }

    fn file(&self, done: usize, total: usize, name: &str) {
        self.with_bar(
            || {
                let bar = ProgressBar::new(total as u64);
                bar.set_style(
                    ProgressStyle::with_template(
                        "Ingesting [{bar:40}] {pos}/{len} files ({elapsed}) {msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                bar
            },
            |bar| {
                bar.set_length(total as u64);
                bar.set_position(done as u64 + 1);
                bar.set_message(name.to_string());
            },
        );
    }

    fn note(&self, message: &str) {
        match self.bar.lock().ok().and_then(|s| s.clone()) {
            Some(bar) => bar.suspend(|| eprintln!("{message}")),
            None => eprintln!("{message}"),
        }
    }

    fn finish(&self) {
        if let Ok(mut slot) = self.bar.lock() {
            if let Some(b) = slot.take() {
                b.finish_and_clear();
            }
        }
    }
}

/// A bar counting `total` things done ("Writing letters [====>  ] 120/500"),
/// in the same style as the simulator's; hidden when stderr is not a terminal.
pub fn count_bar(message: &str, total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template("{msg:<28} [{bar:40}] {pos}/{len} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(message.to_string());
    bar
}
