//! Progress on stderr for long runs: what is being done, how much, how fast and, when the
//! total is known, how long is left. Drawn only on a terminal (the caller decides) and only
//! after a second of work, so short scans and pipes never see it.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long a run goes before the bar appears, unless `LEAKHOUND_PROGRESS_AFTER_MS` says
/// otherwise (tests draw it at once).
const QUIET_FOR: Duration = Duration::from_secs(1);

fn quiet_for() -> Duration {
    std::env::var("LEAKHOUND_PROGRESS_AFTER_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(QUIET_FOR, Duration::from_millis)
}

/// A progress line that counts items (files, blobs) and their bytes.
pub struct Progress {
    bar: Option<ProgressBar>,
    started: Instant,
    quiet_for: Duration,
    bytes: AtomicU64,
    noun: &'static str,
}

impl Progress {
    /// A spinner counting `noun` ("files", "blobs") while the total is unknown; `enabled`
    /// false gives a progress that draws nothing.
    pub fn new(enabled: bool, noun: &'static str) -> Self {
        let bar = enabled.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            bar.set_style(style(&format!(
                "{{spinner}} {{pos}} {noun}, {{msg}} [{{elapsed_precise}}]"
            )));
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            quiet_for: quiet_for(),
            bytes: AtomicU64::new(0),
            noun,
        }
    }

    /// The history walk before any scanning: counts commits as they are diffed.
    pub fn planning(&self) {
        if let Some(bar) = &self.bar {
            bar.set_style(style(
                "{spinner} walking history: {pos} commits [{elapsed_precise}]",
            ));
        }
    }

    /// One more commit walked.
    pub fn commit(&self) {
        if let Some(bar) = &self.bar {
            self.reveal(bar);
            bar.inc(1);
        }
    }

    /// Scanning starts with `total` items to go: a bar with the time left.
    pub fn scanning(&self, total: u64) {
        let Some(bar) = &self.bar else { return };
        bar.set_style(style(&format!(
            "{{bar:20}} {{pos}}/{{len}} {}, {{msg}}, {{eta}} left",
            self.noun
        )));
        bar.set_length(total);
        bar.set_position(0);
        bar.reset_eta();
    }

    /// One more item scanned, `bytes` long.
    pub fn tick(&self, bytes: u64) {
        let Some(bar) = &self.bar else { return };
        let total = self.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        self.reveal(bar);
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        let mib = total as f64 / 1048576.0;
        bar.set_message(format!("{mib:.1} MiB at {:.1} MiB/s", mib / secs));
        bar.inc(1);
    }

    /// Clears the line.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn reveal(&self, bar: &ProgressBar) {
        if bar.is_hidden() && self.started.elapsed() >= self.quiet_for {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).expect("valid progress template")
}
