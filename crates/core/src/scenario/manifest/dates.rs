//! Dates in scenario keys: study days and hours from TOML local dates, ranges clipped to the
//! study window (with a warning), and the month of each study hour.

use super::Fields;
use crate::calendar::{Calendar, Date};
use crate::scenario::error::Problems;
use std::ops::Range;

/// The message for a date key in a study without dates.
pub(crate) const DATES_NEED_WINDOW: &str =
    "dates need a study window given by start and end (this study has only `hours`)";

/// The study window, as date keys see it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Window {
    /// The first day, if the window is given by dates.
    pub(crate) start: Option<Date>,
    /// Hours in the window.
    pub(crate) hours: usize,
}

impl Window {
    pub(crate) fn of(cal: &Calendar) -> Window {
        Window {
            start: cal.start(),
            hours: cal.hours(),
        }
    }

    /// Days in the window (a partial last day counts).
    pub(crate) fn days(&self) -> usize {
        self.hours.div_ceil(24)
    }

    /// The date of study day `day` (which may be outside the window); `None` without dates.
    pub(crate) fn date(&self, day: i64) -> Option<Date> {
        self.start
            .map(|s| Date::from_days_since_epoch(s.days_since_epoch() + day))
    }

    /// `2021-11-01 to 2022-02-28`, the window's dates.
    pub(crate) fn describe(&self) -> String {
        match (self.date(0), self.date(self.days() as i64 - 1)) {
            (Some(a), Some(b)) => format!("{a} to {b}"),
            _ => format!("hours 0 to {}", self.hours),
        }
    }
}

/// The month (1..=12) of each step of a window given by dates.
pub(crate) fn month_of_hours(cal: &Calendar) -> Option<Vec<u32>> {
    let start = cal.start()?.days_since_epoch();
    Some(
        (0..cal.hours())
            .map(|h| Date::from_days_since_epoch(start + cal.day(h) as i64).month)
            .collect(),
    )
}

impl Fields<'_> {
    /// The study day (0 = the window's first day; may be outside the window) of the date at
    /// `key`. `None` if absent or bad, or if the window is unknown (`win` is `None`: the
    /// study itself has a problem). A date in a study without dates is a problem.
    pub(crate) fn study_day(
        &self,
        key: &str,
        win: Option<&Window>,
        p: &mut Problems,
    ) -> Option<i64> {
        let d = self.date(key, p)?;
        let w = win?;
        let Some(start) = w.start else {
            self.bad(key, DATES_NEED_WINDOW.into(), p);
            return None;
        };
        Some(d.days_since_epoch() - start.days_since_epoch())
    }

    /// The study days of the dates at `from` and `to` (both days included) as the half-open
    /// range `[from, to + 1)`, not clipped. A missing key is the window's first (or last)
    /// day, unless `required`. `to` before `from` is a problem.
    pub(crate) fn day_span(
        &self,
        win: Option<&Window>,
        required: bool,
        p: &mut Problems,
    ) -> Option<Range<i64>> {
        let mut ok = true;
        for key in ["from", "to"] {
            if required && !self.has(key) {
                self.missing(key, "a date (TOML local date such as 2021-11-01)", p);
                ok = false;
            }
        }
        let from = self.study_day("from", win, p);
        let to = self.study_day("to", win, p);
        let w = win?;
        if !ok || (self.has("from") && from.is_none()) || (self.has("to") && to.is_none()) {
            return None;
        }
        let a = from.unwrap_or(0);
        let b = to.map_or(w.days() as i64, |t| t + 1);
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                let (fd, td) = (w.date(f)?, w.date(t)?);
                self.bad("to", format!("{td} is before `from` {fd}"), p);
                return None;
            }
        }
        Some(a..b)
    }

    /// `days` clipped to the window, with a warning when it is partly or wholly outside.
    pub(crate) fn clip_days(
        &self,
        days: Range<i64>,
        win: &Window,
        p: &mut Problems,
    ) -> Range<usize> {
        let n = win.days() as i64;
        let a = days.start.clamp(0, n);
        let b = days.end.clamp(0, n).max(a);
        if days.start < 0 || days.end > n || a == b {
            let key = if days.start < 0 && self.has("from") {
                Some("from")
            } else if self.has("to") {
                Some("to")
            } else {
                self.has("from").then_some("from")
            };
            let (from, to) = (win.date(days.start), win.date(days.end - 1));
            let written = match (self.has("from"), self.has("to"), from, to) {
                (true, true, Some(x), Some(y)) => format!("the dates {x} to {y} are"),
                (true, false, Some(x), _) => format!("the dates from {x} on are"),
                (false, true, _, Some(y)) => format!("the dates up to {y} are"),
                _ => "the dates are".into(),
            };
            let msg = if a == b {
                format!(
                    "{written} outside the study window ({}); this never applies",
                    win.describe()
                )
            } else {
                let clipped = match (win.date(a), win.date(b - 1)) {
                    (Some(x), Some(y)) => format!("{x} to {y}"),
                    _ => String::new(),
                };
                format!(
                    "{written} partly outside the study window ({}); clipped to {clipped}",
                    win.describe()
                )
            };
            self.warn(key, msg, p);
        }
        a as usize..b as usize
    }

    /// The study day of the date at `key`, clipped to the window: a date before the window is
    /// its first day, one after it is the day after its last (never reached); both with a
    /// warning. `None` if absent or bad.
    pub(crate) fn clipped_day(
        &self,
        key: &str,
        win: Option<&Window>,
        p: &mut Problems,
    ) -> Option<usize> {
        let d = self.study_day(key, win, p)?;
        let w = win?;
        let n = w.days() as i64;
        if d < 0 {
            self.warn(
                Some(key),
                format!(
                    "{} is before the study window ({}); taken as its first day",
                    w.date(d)?,
                    w.describe()
                ),
                p,
            );
        } else if d >= n {
            self.warn(
                Some(key),
                format!(
                    "{} is after the study window ({}); this never applies",
                    w.date(d)?,
                    w.describe()
                ),
                p,
            );
        }
        Some(d.clamp(0, n) as usize)
    }

    /// Record a warning at `key` (or at the table if `None`).
    fn warn(&self, key: Option<&str>, msg: String, p: &mut Problems) {
        match key.and_then(|k| self.get(k).map(|n| (k, n))) {
            Some((k, n)) => p.warn(&n.file, Some(n.line), Some(&self.field(k)), msg),
            None => p.warn(&self.node.file, Some(self.node.line), Some(&self.path), msg),
        }
    }
}

/// Study days as study hours, within `win`.
pub(crate) fn hours_of_days(days: &Range<usize>, win: &Window) -> Range<usize> {
    (days.start * 24).min(win.hours)..(days.end * 24).min(win.hours)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_from_days_inverts_days_since_epoch() {
        for (y, m, d) in [
            (1970, 1, 1),
            (2000, 2, 29),
            (2021, 11, 1),
            (2022, 2, 28),
            (1969, 12, 31),
            (2100, 3, 1),
        ] {
            let date = Date::new(y, m, d).unwrap();
            assert_eq!(Date::from_days_since_epoch(date.days_since_epoch()), date);
        }
        let start = Date::new(2021, 11, 1).unwrap().days_since_epoch();
        for k in 0..2000 {
            let d = Date::from_days_since_epoch(start + k);
            assert_eq!(d.days_since_epoch(), start + k);
            assert!(Date::new(d.year, d.month, d.day).is_some());
        }
    }

    #[test]
    fn months_follow_the_calendar() {
        let cal = Calendar::from_dates(
            Date::new(2021, 11, 30).unwrap(),
            Date::new(2021, 12, 1).unwrap(),
            360,
        );
        let m = month_of_hours(&cal).unwrap();
        assert_eq!((m[0], m[23], m[24], m[47]), (11, 11, 12, 12));
        assert!(month_of_hours(&Calendar::from_hours(24, 0, 0)).is_none());
    }
}
