//! The study window: its time steps, and the hour of day, weekday, day and study week of each.
//!
//! A step lasts `step_min` minutes (a divisor of 60; 60 by default, when steps are hours):
//! the engine counts steps, and everything that turns steps into hours or energy divides
//! by [`Calendar::steps_per_hour`] ([`Calendar::per_hour`]). Step 0 starts at local
//! midnight (on the study's `utc_offset` clock) of the first day. A study week is
//! `floor(hour / 168)` from the window start, whatever the weekday.

/// The days of the week, Monday first (ISO 8601).
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// The weekday index (0 = Monday) of a weekday's name or abbreviation of at least two
/// letters, in any case (`Monday`, `mon`, `Mo`): the one reading of `first_weekday` and of
/// a daily table's `day` column. Two letters already tell every weekday apart.
pub fn parse_weekday(s: &str) -> Option<usize> {
    let lower = s.to_lowercase();
    if lower.chars().count() < 2 {
        return None;
    }
    WEEKDAYS.iter().position(|d| d.starts_with(&lower))
}

/// A calendar date (proleptic Gregorian).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year, e.g. 2021.
    pub year: i32,
    /// Month, 1..=12.
    pub month: u32,
    /// Day of month, 1..=31.
    pub day: u32,
}

impl Date {
    /// A date, or `None` if no such day exists.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days_in_month)
            .contains(&day)
            .then_some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before), by the civil-from-days algorithm.
    pub fn days_since_epoch(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Weekday index, 0 = Monday.
    pub fn weekday(self) -> usize {
        // 1970-01-01 was a Thursday (index 3).
        (self.days_since_epoch() + 3).rem_euclid(7) as usize
    }
}

impl Date {
    /// The date as people write it in a sentence: `1 Nov 2021`.
    pub fn long(self) -> String {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let month = MONTHS[(self.month as usize).clamp(1, 12) - 1];
        format!("{} {month} {}", self.day, self.year)
    }

    /// The date `days` days after this one (`days` >= 0).
    pub fn plus_days(self, days: i64) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + days)
    }

    /// The date `days` days after 1970-01-01 (before if negative): the inverse of
    /// [`Date::days_since_epoch`] (civil-from-days, H. Hinnant's algorithm).
    pub(crate) fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The time steps of a study window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    /// Number of steps.
    hours: usize,
    first_weekday: usize,
    start: Option<Date>,
    utc_offset_min: i32,
    /// Steps per hour: 60 / `step_min`.
    steps_per_hour: usize,
}

impl Calendar {
    /// A window of `hours` steps whose first day has weekday `first_weekday` (0 = Monday),
    /// with no dates (benchmark systems such as RTS-79).
    pub fn from_hours(hours: usize, first_weekday: usize, utc_offset_min: i32) -> Calendar {
        Calendar {
            hours,
            first_weekday: first_weekday % 7,
            start: None,
            utc_offset_min,
            steps_per_hour: 1,
        }
    }

    /// A window from `start` to `end`, both days included.
    pub fn from_dates(start: Date, end: Date, utc_offset_min: i32) -> Calendar {
        let days = (end.days_since_epoch() - start.days_since_epoch() + 1).max(0) as usize;
        Calendar {
            hours: days * 24,
            first_weekday: start.weekday(),
            start: Some(start),
            utc_offset_min,
            steps_per_hour: 1,
        }
    }

    /// This window cut into steps of `step_min` minutes instead of hours: the same hours,
    /// days and dates, `60 / step_min` times as many steps. `step_min` must divide 60 (the
    /// scenario reader checks it).
    pub fn with_step_min(mut self, step_min: u32) -> Calendar {
        debug_assert!(step_min > 0 && 60 % step_min == 0, "step_min {step_min}");
        let k = 60 / step_min as usize;
        self.hours = self.hours / self.steps_per_hour * k;
        self.steps_per_hour = k;
        self
    }

    /// Number of time steps (hours at the default one-hour step): the length of every
    /// per-step series. The window's length in hours is [`Calendar::window_hours`].
    pub fn hours(&self) -> usize {
        self.hours
    }

    /// Length of the window, hours.
    pub fn window_hours(&self) -> usize {
        self.hours / self.steps_per_hour
    }

    /// Length of a step, minutes (60 unless the scenario gives `[study] step_min`).
    pub fn step_min(&self) -> u32 {
        (60 / self.steps_per_hour) as u32
    }

    /// Steps per hour (1 unless the scenario gives `[study] step_min`).
    pub fn steps_per_hour(&self) -> usize {
        self.steps_per_hour
    }

    /// A count of steps, or a sum of MW x steps, in hours or MWh: `x / steps_per_hour`.
    /// One division, correctly rounded, so that at one-hour steps it returns `x` itself
    /// (results are unchanged bit for bit) and at 5-minute steps 108 MW-steps are 9.0 MWh
    /// exactly.
    #[inline]
    pub fn per_hour(&self, x: f64) -> f64 {
        x / self.steps_per_hour as f64
    }

    /// Number of days (a partial last day counts).
    pub fn days(&self) -> usize {
        self.hours.div_ceil(24 * self.steps_per_hour)
    }

    /// Number of study weeks (a partial last week counts).
    pub fn weeks(&self) -> usize {
        self.hours.div_ceil(168 * self.steps_per_hour)
    }

    /// First date of the window, if the window is given by dates.
    pub fn start(&self) -> Option<Date> {
        self.start
    }

    /// Last date of the window (both ends included), if the window is given by dates.
    pub fn end(&self) -> Option<Date> {
        self.start
            .map(|s| s.plus_days(self.days().saturating_sub(1) as i64))
    }

    /// Whether one sample is a year: 8,736 or 8,760 hours, or a dated window of 365 or 366
    /// days.
    fn is_year(&self) -> bool {
        match self.start {
            None => matches!(self.window_hours(), 8736 | 8760),
            Some(_) => matches!(self.days(), 365 | 366),
        }
    }

    /// The unit word of one sample, after the slash in every unit (`h/yr`, `MWh/window`):
    /// `yr` for a year, `window` for any other dated window, `sample` for a window given in
    /// hours only.
    pub fn per_unit(&self) -> &'static str {
        if self.is_year() {
            "yr"
        } else if self.start.is_some() {
            "window"
        } else {
            "sample"
        }
    }

    /// What one sample is, in words, to follow "per": `year`, `1 Nov 2021 - 28 Feb 2022
    /// window`, or `168-h sample`.
    pub fn per_words(&self) -> String {
        match (self.is_year(), self.start, self.end()) {
            (true, _, _) => "year".into(),
            (false, Some(s), Some(e)) => format!("{} - {} window", s.long(), e.long()),
            _ => format!("{}-h sample", self.window_hours()),
        }
    }

    /// The study clock as `+06:00`.
    pub fn utc_offset(&self) -> String {
        let m = self.utc_offset_min;
        let sign = if m < 0 { '-' } else { '+' };
        format!(
            "{sign}{:02}:{:02}",
            m.unsigned_abs() / 60,
            m.unsigned_abs() % 60
        )
    }

    /// Offset of the study clock from UTC, minutes.
    pub fn utc_offset_min(&self) -> i32 {
        self.utc_offset_min
    }

    /// The hour of step `h` from the window start. Hourly steps, the common case, skip the
    /// division by a variable: the sampler asks for days and hours of day in its loops.
    #[inline]
    fn hour(&self, h: usize) -> usize {
        if self.steps_per_hour == 1 {
            h
        } else {
            h / self.steps_per_hour
        }
    }

    /// Hour of day (0..24) of step `h`.
    #[inline]
    pub fn hour_of_day(&self, h: usize) -> usize {
        self.hour(h) % 24
    }

    /// Day index (0-based from the window start) of step `h`.
    #[inline]
    pub fn day(&self, h: usize) -> usize {
        self.hour(h) / 24
    }

    /// Study week of step `h`: `floor(hour / 168)`.
    #[inline]
    pub fn study_week(&self, h: usize) -> usize {
        self.hour(h) / 168
    }

    /// Weekday (0 = Monday) of step `h`.
    #[inline]
    pub fn weekday(&self, h: usize) -> usize {
        (self.first_weekday + self.day(h)) % 7
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_by_name_or_abbreviation_in_any_case() {
        for (s, d) in [
            ("monday", 0),
            ("Mon", 0),
            ("MO", 0),
            ("tu", 1),
            ("Th", 3),
            ("sun", 6),
        ] {
            assert_eq!(parse_weekday(s), Some(d), "{s}");
        }
        for s in ["", "m", "t", "mondays", "munday", "mon "] {
            assert_eq!(parse_weekday(s), None, "{s:?}");
        }
    }

    #[test]
    fn winter_2021_22_has_2880_hours_and_starts_on_a_monday() {
        let cal = Calendar::from_dates(
            Date::new(2021, 11, 1).unwrap(),
            Date::new(2022, 2, 28).unwrap(),
            360,
        );
        assert_eq!(cal.hours(), 2880);
        assert_eq!(cal.weekday(0), 0);
        assert_eq!(cal.weekday(24 * 5), 5);
        assert_eq!(cal.study_week(167), 0);
        assert_eq!(cal.study_week(168), 1);
    }

    #[test]
    fn windows_name_their_sample() {
        let date = |y, m, d| Date::new(y, m, d).unwrap();
        let winter = Calendar::from_dates(date(2021, 11, 1), date(2022, 2, 28), 360);
        assert_eq!(winter.end(), Some(date(2022, 2, 28)));
        assert_eq!(winter.per_unit(), "window");
        assert_eq!(winter.per_words(), "1 Nov 2021 - 28 Feb 2022 window");
        assert_eq!(winter.utc_offset(), "+06:00");
        let leap = Calendar::from_dates(date(2024, 1, 1), date(2024, 12, 31), -330);
        assert_eq!((leap.per_unit(), leap.per_words()), ("yr", "year".into()));
        assert_eq!(leap.utc_offset(), "-05:30");
        let rts = Calendar::from_hours(8736, 0, 0);
        assert_eq!((rts.per_unit(), rts.end()), ("yr", None));
        let week = Calendar::from_hours(168, 0, 0);
        assert_eq!(
            (week.per_unit(), week.per_words()),
            ("sample", "168-h sample".into())
        );
    }

    #[test]
    fn five_minute_steps_keep_hours_days_and_weeks() {
        let date = |y, m, d| Date::new(y, m, d).unwrap();
        let cal = Calendar::from_dates(date(2021, 11, 1), date(2021, 11, 14), 360).with_step_min(5);
        assert_eq!((cal.hours(), cal.window_hours()), (14 * 24 * 12, 14 * 24));
        assert_eq!((cal.steps_per_hour(), cal.step_min()), (12, 5));
        assert_eq!((cal.days(), cal.weeks()), (14, 2));
        // Step 12 * 25 + 11 is 01:55 on the second day, a Tuesday.
        let h = 12 * 25 + 11;
        assert_eq!((cal.hour_of_day(h), cal.day(h), cal.weekday(h)), (1, 1, 1));
        assert_eq!(
            (cal.study_week(12 * 168 - 1), cal.study_week(12 * 168)),
            (0, 1)
        );
        assert_eq!(cal.per_hour(108.0), 9.0);
        let day = Calendar::from_hours(24, 0, 0).with_step_min(15);
        assert_eq!((day.hours(), day.per_words()), (96, "24-h sample".into()));
        assert!(
            Calendar::from_hours(8760, 0, 0)
                .with_step_min(30)
                .per_unit()
                == "yr"
        );
        // One-hour steps are the calendar unchanged.
        assert_eq!(
            Calendar::from_hours(24, 2, 0).with_step_min(60),
            Calendar::from_hours(24, 2, 0)
        );
    }

    #[test]
    fn dates_are_checked() {
        assert!(Date::new(2022, 2, 29).is_none());
        assert!(Date::new(2024, 2, 29).is_some());
        assert_eq!(Date::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
        assert_eq!(Date::new(2022, 1, 25).unwrap().weekday(), 1);
    }
}
