//! Progress bars on standard error, drawn only when it is a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar over `total` items, hidden when standard error is not a terminal.
pub fn bar(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template(&format!(
        "{{elapsed_precise}} [{{bar:40}}] {{pos}}/{{len}} {what} ({{per_sec}}, eta {{eta}})"
    ))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

/// Seconds of a run after which its pace is judged by [`Paced`].
pub const PACE_PROBE_S: f64 = 10.0;

/// Estimated remaining seconds beyond which [`Paced`] warns: an hour.
pub const LONG_RUN_S: f64 = 3600.0;

/// A [`bar`] that also warns once on standard error (a terminal or not, where a bar is not
/// drawn) when, [`PACE_PROBE_S`] seconds into the run, its pace says the rest will take
/// more than [`LONG_RUN_S`]: a run of days is then a choice, not a surprise. It judges the
/// pace once; the results do not depend on it.
pub struct Paced {
    bar: ProgressBar,
    started: std::time::Instant,
    total: u64,
    done: std::sync::atomic::AtomicU64,
    judged: std::sync::atomic::AtomicBool,
    what: &'static str,
}

impl Paced {
    /// A bar over `total` items named `what` (e.g. "samples").
    pub fn new(total: u64, what: &'static str) -> Paced {
        Paced {
            bar: bar(total, what),
            started: std::time::Instant::now(),
            total,
            done: 0.into(),
            judged: false.into(),
            what,
        }
    }

    /// `n` more items done.
    pub fn inc(&self, n: u64) {
        use std::sync::atomic::Ordering::Relaxed;
        self.bar.inc(n);
        let done = self.done.fetch_add(n, Relaxed) + n;
        if self.judged.load(Relaxed) {
            return;
        }
        let elapsed = self.started.elapsed().as_secs_f64();
        if elapsed < PACE_PROBE_S || self.judged.swap(true, Relaxed) {
            return;
        }
        let rest_s = elapsed * self.total.saturating_sub(done) as f64 / done.max(1) as f64;
        if rest_s > LONG_RUN_S {
            note!(
                "warning: {done} of {} {} in {elapsed:.0} s: at this pace the rest takes about \
                 {:.1} hours (interrupt with Ctrl-C and give fewer samples, or a --target)",
                self.total,
                self.what,
                rest_s / 3600.0
            );
        }
    }

    /// Clear the bar.
    pub fn finish_and_clear(&self) {
        self.bar.finish_and_clear();
    }
}
