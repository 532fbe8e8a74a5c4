//! The CSV layer: hourly demand columns and RTS-style percentage tables, checked cell by
//! cell with file, line and column.

use super::error::Problems;
use super::manifest::{short, too_much_power};
use super::manifest::{FileRef, Seasons};
use super::source::Reader;
use crate::bounds::MAX_POWER_MW;
use crate::calendar::{Calendar, WEEKDAYS};
use crate::power::mw_to_w;
use std::path::{Path, PathBuf};

/// Most bad cells reported per column; the rest are counted in one summary problem.
const MAX_CELL_PROBLEMS: usize = 10;

/// A CSV file read into strings: a header row and data rows with their line numbers.
pub(crate) struct Csv {
    pub(crate) path: PathBuf,
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<(usize, Vec<String>)>,
}

/// Read the CSV named by `f`. A missing file is reported at the TOML key naming it.
pub(crate) fn read(reader: &mut Reader<'_>, f: &FileRef, p: &mut Problems) -> Option<Csv> {
    let bytes = match reader.read(&f.path) {
        Ok(b) => b,
        Err(e) => {
            p.push(
                &f.toml,
                Some(f.line),
                Some(&f.field),
                format!("cannot read `{}`: {e}", f.path.display()),
            );
            return None;
        }
    };
    parse(&bytes, &f.path, p)
}

/// Parse CSV bytes (a UTF-8 byte order mark is skipped; fields are trimmed).
pub(crate) fn parse(bytes: &[u8], path: &Path, p: &mut Problems) -> Option<Csv> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut ok = true;
    for rec in r.byte_records() {
        let rec = match rec {
            Ok(rec) => rec,
            Err(e) => {
                let line = e.position().map(|pos| pos.line() as usize);
                p.push(path, line, None, format!("bad CSV: {e}"));
                return None;
            }
        };
        let line = rec.position().map_or(0, |pos| pos.line() as usize);
        let mut fields = Vec::with_capacity(rec.len());
        for field in rec.iter() {
            match std::str::from_utf8(field) {
                Ok(s) => fields.push(s.to_string()),
                Err(_) => {
                    p.push(path, Some(line), None, "the line is not valid UTF-8".into());
                    ok = false;
                    fields.push(String::new());
                }
            }
        }
        if header.is_none() {
            header = Some(fields);
        } else {
            rows.push((line, fields));
        }
    }
    let Some(header) = header else {
        p.push(
            path,
            None,
            None,
            "the file is empty; expected a header row".into(),
        );
        return None;
    };
    ok.then_some(Csv {
        path: path.to_path_buf(),
        header,
        rows,
    })
}

impl Csv {
    /// Index of the column named `name`, or a problem.
    pub(crate) fn column(&self, name: &str, p: &mut Problems) -> Option<usize> {
        let i = self.header.iter().position(|h| h == name);
        if i.is_none() {
            p.push(
                &self.path,
                Some(1),
                Some(name),
                format!(
                    "missing column `{name}`; the header has {}",
                    self.header
                        .iter()
                        .map(|h| format!("`{h}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        i
    }

    /// Check the header is exactly `names` (in any order).
    fn exact_columns(&self, names: &[String], p: &mut Problems) -> Option<Vec<usize>> {
        let cols: Vec<Option<usize>> = names.iter().map(|n| self.column(n, p)).collect();
        let mut ok = cols.iter().all(Option::is_some);
        for h in &self.header {
            if !names.contains(h) {
                let expected: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                p.push(
                    &self.path,
                    Some(1),
                    Some(h),
                    format!(
                        "unexpected column; expected exactly {}",
                        expected.join(", ")
                    ),
                );
                ok = false;
            }
        }
        ok.then(|| cols.into_iter().flatten().collect())
    }

    /// Check the number of data rows.
    /// Check the number of data rows; a problem names the first extra row's line, if any.
    fn row_count(
        &self,
        expected: usize,
        what: &str,
        field: Option<&str>,
        p: &mut Problems,
    ) -> bool {
        if self.rows.len() == expected {
            return true;
        }
        let line = self.rows.get(expected).map(|r| r.0);
        p.push(
            &self.path,
            line,
            field,
            format!(
                "has {} data rows, expected {expected} ({what})",
                self.rows.len()
            ),
        );
        false
    }

    /// The numbers in column `col`, each checked by `ok` (`expect` describes the range).
    /// `None` if any cell is bad; bad cells are reported (up to a limit).
    fn numbers(
        &self,
        col: usize,
        what: &str,
        ok: impl Fn(f64) -> bool,
        expect: &str,
        p: &mut Problems,
    ) -> Option<Vec<f64>> {
        let name = &self.header[col];
        let mut out = Vec::with_capacity(self.rows.len());
        let mut bad = 0;
        for (line, fields) in &self.rows {
            let cell = fields.get(col).map_or("", String::as_str);
            let msg = match cell.parse::<f64>() {
                _ if fields.len() <= col => Some(format!(
                    "the row has {} fields, the header has {}",
                    fields.len(),
                    self.header.len()
                )),
                Ok(x) if x.is_finite() && ok(x) => {
                    out.push(x);
                    None
                }
                Ok(x) if x.is_finite() => Some(format!("must be {expect}, got {cell}")),
                _ => Some(format!("expected a number ({what}), got {cell:?}")),
            };
            if let Some(msg) = msg {
                if bad < MAX_CELL_PROBLEMS {
                    p.push(&self.path, Some(*line), Some(name), msg);
                }
                bad += 1;
            }
        }
        if bad > MAX_CELL_PROBLEMS {
            p.push(
                &self.path,
                None,
                Some(name),
                format!("{} more bad values not shown", bad - MAX_CELL_PROBLEMS),
            );
        }
        (bad == 0).then_some(out)
    }

    /// Check that column `col` holds 1, 2, ... in order (a week or hour index).
    fn index_column(&self, col: usize, p: &mut Problems) -> bool {
        let name = &self.header[col];
        for (i, (line, fields)) in self.rows.iter().enumerate() {
            let cell = fields.get(col).map_or("", String::as_str);
            if cell.parse::<usize>().ok() != Some(i + 1) {
                p.push(
                    &self.path,
                    Some(*line),
                    Some(name),
                    format!(
                        "expected {} (rows numbered 1, 2, ... in order), got {cell:?}",
                        i + 1
                    ),
                );
                return false;
            }
        }
        true
    }
}

/// Hourly demand in watts from column `column` (MW) of `csv`, times `scale` and, if given,
/// the hour's month factor; one row per study hour when `hours` is known.
pub(crate) fn demand_column(
    csv: &Csv,
    column: &str,
    scale: f64,
    month: Option<&[f64]>,
    hours: Option<usize>,
    p: &mut Problems,
) -> Option<Vec<i64>> {
    let col = csv.column(column, p)?;
    let count_ok = hours.is_none_or(|h| csv.row_count(h, "one per study hour", Some(column), p));
    let mw = csv.numbers(col, "MW", |x| x >= 0.0, "a demand >= 0 MW", p)?;
    let mut out = Vec::with_capacity(mw.len());
    for (h, (x, (line, _))) in mw.iter().zip(&csv.rows).enumerate() {
        let f = month.and_then(|m| m.get(h)).copied().unwrap_or(1.0);
        let mw = x * scale * f;
        match mw_to_w(mw).filter(|_| mw <= MAX_POWER_MW) {
            Some(w) => out.push(w),
            None if scale == 1.0 && f == 1.0 => {
                p.push(&csv.path, Some(*line), Some(column), too_much_power(*x));
                return None;
            }
            None => {
                p.push(
                    &csv.path,
                    Some(*line),
                    Some(column),
                    format!(
                        "{x} MW x scale {} x month factor {f} = {} MW is more than the \
                         largest power accepted, {MAX_POWER_MW:e} MW",
                        short(scale),
                        short(mw)
                    ),
                );
                return None;
            }
        }
    }
    count_ok.then_some(out)
}

/// The RTS-79 weekly table: columns `week,pct`, weeks numbered 1..N.
pub(crate) fn weekly_table(csv: &Csv, hours: Option<usize>, p: &mut Problems) -> Option<Vec<f64>> {
    let cols = csv.exact_columns(&["week".into(), "pct".into()], p)?;
    if csv.rows.is_empty() {
        p.push(
            &csv.path,
            None,
            None,
            "has no data rows; expected one per week".into(),
        );
        return None;
    }
    let idx_ok = csv.index_column(cols[0], p);
    let pct = csv.numbers(cols[1], "percent", |x| x >= 0.0, "a percentage >= 0", p)?;
    if let Some(h) = hours {
        if pct.len() * 168 < h {
            p.push(
                &csv.path,
                None,
                Some("week"),
                format!(
                    "has {} weeks ({} hours), too few for the study's {h} hours; need {} weeks",
                    pct.len(),
                    pct.len() * 168,
                    h.div_ceil(168)
                ),
            );
            return None;
        }
    }
    idx_ok.then_some(pct)
}

/// The RTS-79 daily table: columns `day,pct`, 7 rows Monday to Sunday.
pub(crate) fn daily_table(csv: &Csv, p: &mut Problems) -> Option<[f64; 7]> {
    let cols = csv.exact_columns(&["day".into(), "pct".into()], p)?;
    if !csv.row_count(7, "Monday to Sunday", None, p) {
        return None;
    }
    let mut ok = true;
    for (i, (line, fields)) in csv.rows.iter().enumerate() {
        let day = fields.get(cols[0]).map_or("", String::as_str);
        let lower = day.to_lowercase();
        if lower.chars().count() < 2 || !WEEKDAYS[i].starts_with(&lower) {
            let mut want = WEEKDAYS[i].to_string();
            want[..1].make_ascii_uppercase();
            p.push(
                &csv.path,
                Some(*line),
                Some("day"),
                format!(
                    "expected {want} or an abbreviation such as {} (rows run Monday to \
                     Sunday), got {day:?}",
                    &want[..3]
                ),
            );
            ok = false;
        }
    }
    let pct = csv.numbers(cols[1], "percent", |x| x >= 0.0, "a percentage >= 0", p)?;
    ok.then(|| pct.try_into().ok())?
}

/// The RTS-79 hourly table: column `hour` (1..24) and `<season>_weekday`,
/// `<season>_weekend` for each season; result `[season][hour][weekend]`.
pub(crate) fn hourly_table(
    csv: &Csv,
    seasons: &[String],
    p: &mut Problems,
) -> Option<Vec<Vec<[f64; 2]>>> {
    let mut names = vec!["hour".to_string()];
    for s in seasons {
        names.push(format!("{s}_weekday"));
        names.push(format!("{s}_weekend"));
    }
    let cols = csv.exact_columns(&names, p)?;
    if !csv.row_count(24, "hours 1 to 24", None, p) {
        return None;
    }
    let idx_ok = csv.index_column(cols[0], p);
    let mut out = vec![vec![[0.0; 2]; 24]; seasons.len()];
    let mut ok = idx_ok;
    for (s, season) in out.iter_mut().enumerate() {
        for kind in 0..2 {
            let col = cols[1 + 2 * s + kind];
            match csv.numbers(col, "percent", |x| x >= 0.0, "a percentage >= 0", p) {
                Some(v) => v
                    .iter()
                    .zip(season.iter_mut())
                    .for_each(|(x, h)| h[kind] = *x),
                None => ok = false,
            }
        }
    }
    ok.then_some(out)
}

/// The season (index) of each of the first `weeks` study weeks; every week must be in
/// exactly one season (overlaps are errors even beyond `weeks`).
pub(crate) fn season_of_week(s: &Seasons, weeks: usize, p: &mut Problems) -> Option<Vec<usize>> {
    let last = s
        .ranges
        .iter()
        .map(|r| r.2)
        .max()
        .unwrap_or(0)
        .max(weeks as i64);
    let mut of: Vec<Vec<usize>> = vec![Vec::new(); last as usize];
    for &(season, a, b) in &s.ranges {
        for w in a..=b {
            if !of[(w - 1) as usize].contains(&season) {
                of[(w - 1) as usize].push(season);
            }
        }
    }
    let mut ok = true;
    let mut none: Vec<usize> = Vec::new();
    for (w, list) in of.iter().enumerate() {
        if list.len() > 1 {
            let names: Vec<String> = list.iter().map(|&i| format!("`{}`", s.names[i])).collect();
            p.push(
                &s.file,
                Some(s.line),
                Some(&s.field),
                format!(
                    "week {} is in more than one season: {}",
                    w + 1,
                    names.join(" and ")
                ),
            );
            ok = false;
        } else if list.is_empty() && w < weeks {
            none.push(w + 1);
        }
    }
    if !none.is_empty() {
        p.push(
            &s.file,
            Some(s.line),
            Some(&s.field),
            format!(
                "{} in no season (every study week needs one)",
                if none.len() == 1 {
                    format!("week {} is", none[0])
                } else {
                    format!("weeks {} are", ranges(&none))
                }
            ),
        );
        ok = false;
    }
    ok.then(|| of[..weeks].iter().map(|l| l[0]).collect())
}

/// Hourly demand from a shape by hour of day, watts:
/// `peak_mw x shape[hour of day] x month factor x scale`, rounded to the nearest watt.
/// `Err((h, mw))` if hour `h`'s demand `mw` is above [`MAX_POWER_MW`].
pub(crate) fn shape_demand(
    cal: &Calendar,
    peak_mw: f64,
    shape: &[f64; 24],
    month: Option<&[f64]>,
    scale: f64,
) -> Result<Vec<i64>, (usize, f64)> {
    (0..cal.hours())
        .map(|h| {
            let f = month.map_or(1.0, |m| m[h]);
            bounded_w(peak_mw * shape[cal.hour_of_day(h)] * f * scale).map_err(|mw| (h, mw))
        })
        .collect()
}

/// Watts of `mw` if it is at most [`MAX_POWER_MW`], else `(_, mw)` for the message.
fn bounded_w(mw: f64) -> Result<i64, f64> {
    mw_to_w(mw).filter(|_| mw <= MAX_POWER_MW).ok_or(mw)
}

/// `1-3, 7` from `[1, 2, 3, 7]` (sorted).
fn ranges(xs: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < xs.len() {
        let mut j = i;
        while j + 1 < xs.len() && xs[j + 1] == xs[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            xs[i].to_string()
        } else {
            format!("{}-{}", xs[i], xs[j])
        });
        i = j + 1;
    }
    parts.join(", ")
}

/// Hourly demand from RTS-style tables, watts:
/// `peak_mw * weekly/100 * daily/100 * hourly/100 * scale * month factor`, evaluated left
/// to right, rounded to the nearest watt. `hourly` is `[season][hour of day][weekend]`;
/// `month` the month factor of each hour, if any. `Err((h, mw))` if hour `h`'s demand `mw`
/// is above [`MAX_POWER_MW`].
#[allow(clippy::too_many_arguments)]
pub(crate) fn rts_demand(
    cal: &Calendar,
    peak_mw: f64,
    weekly: &[f64],
    daily: &[f64; 7],
    hourly: &[Vec<[f64; 2]>],
    season_of_week: &[usize],
    scale: f64,
    month: Option<&[f64]>,
) -> Result<Vec<i64>, (usize, f64)> {
    (0..cal.hours())
        .map(|h| {
            let week = cal.study_week(h);
            let day = cal.weekday(h);
            let weekend = usize::from(day >= 5);
            let hr = hourly[season_of_week[week]][cal.hour_of_day(h)][weekend];
            let mw = peak_mw * weekly[week] / 100.0 * daily[day] / 100.0 * hr / 100.0 * scale;
            let mw = match month {
                Some(m) => mw * m[h],
                None => mw,
            };
            bounded_w(mw).map_err(|mw| (h, mw))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    fn csv(text: &str) -> (Option<Csv>, Problems) {
        let mut p = Problems::default();
        (parse(text.as_bytes(), Path::new("t.csv"), &mut p), p)
    }

    fn messages(p: Problems) -> String {
        let e = p.into_error(&[]);
        e.to_string()
    }

    #[test]
    fn demand_column_reports_line_and_column() {
        let (c, mut p) = csv("hour,load_mw\n1,10\n2,abc\n3,-1\n4,nan\n");
        assert!(demand_column(&c.unwrap(), "load_mw", 1.0, None, Some(4), &mut p).is_none());
        let m = messages(p);
        assert!(
            m.contains("t.csv:3: load_mw: expected a number (MW), got \"abc\""),
            "{m}"
        );
        assert!(
            m.contains("t.csv:4: load_mw: must be a demand >= 0 MW, got -1"),
            "{m}"
        );
        assert!(
            m.contains("t.csv:5: load_mw: expected a number (MW), got \"nan\""),
            "{m}"
        );
    }

    #[test]
    fn demand_column_checks_row_count_and_scales() {
        let (c, mut p) = csv("\u{feff}load_mw\n1.5\n2\n");
        let c = c.unwrap();
        assert_eq!(
            demand_column(&c, "load_mw", 2.0, None, Some(2), &mut p),
            Some(vec![3_000_000, 4_000_000])
        );
        assert!(demand_column(&c, "load_mw", 1.0, None, Some(3), &mut p).is_none());
        assert!(demand_column(&c, "mw", 1.0, None, Some(2), &mut p).is_none());
        let m = messages(p);
        assert!(
            m.contains("t.csv: load_mw: has 2 data rows, expected 3 (one per study hour)"),
            "{m}"
        );
        assert!(
            m.contains("t.csv:1: mw: missing column `mw`; the header has `load_mw`"),
            "{m}"
        );
    }

    #[test]
    fn empty_and_non_utf8_csv_are_problems() {
        let (c, p) = csv("");
        assert!(c.is_none());
        assert!(messages(p).contains("the file is empty"));
        let mut p = Problems::default();
        assert!(parse(b"a\n\xff\n", Path::new("t.csv"), &mut p).is_none());
        assert!(messages(p).contains("t.csv:2: the line is not valid UTF-8"));
    }

    fn seasons(ranges: Vec<(usize, i64, i64)>) -> Seasons {
        Seasons {
            names: vec!["winter".into(), "summer".into()],
            ranges,
            file: Rc::from(Path::new("s.toml")),
            line: 7,
            field: "regions[R].demand.seasons".into(),
        }
    }

    #[test]
    fn every_week_in_exactly_one_season() {
        let mut p = Problems::default();
        let s = seasons(vec![(0, 1, 2), (1, 3, 4)]);
        assert_eq!(season_of_week(&s, 4, &mut p), Some(vec![0, 0, 1, 1]));
        let s = seasons(vec![(0, 1, 2), (1, 2, 3)]);
        assert!(season_of_week(&s, 6, &mut p).is_none());
        let m = messages(p);
        assert!(m.contains("s.toml:7: regions[R].demand.seasons: week 2 is in more than one season: `winter` and `summer`"), "{m}");
        assert!(m.contains("weeks 4-6 are in no season"), "{m}");
    }

    #[test]
    fn rts_table_builder_follows_the_calendar() {
        // Two weeks starting on a Saturday; season 1 in week 2.
        let cal = Calendar::from_hours(336, 5, 0);
        let weekly = [100.0, 50.0];
        let daily = [100.0, 90.0, 90.0, 90.0, 90.0, 80.0, 70.0];
        let mut hourly = vec![vec![[100.0, 60.0]; 24]; 2];
        hourly[1][3] = [40.0, 20.0];
        let d = rts_demand(&cal, 1000.0, &weekly, &daily, &hourly, &[0, 1], 1.0, None).unwrap();
        assert_eq!(d[0], 480_000_000); // Saturday, weekend, 1000 * 0.8 * 0.6
        assert_eq!(d[24], 420_000_000); // Sunday
        assert_eq!(d[48], 1_000_000_000); // Monday, weekday
        assert_eq!(d[168 + 3], 1000 * 500_000 * 80 / 100 * 20 / 100); // week 2 Saturday 03h
        assert_eq!(d[168 + 48 + 3], 1000 * 500_000 * 40 / 100); // week 2 Monday 03h
                                                                // Hour 0 (Saturday) is 1e300 x 0.8 x 0.6; at the bound exactly, Monday's peak hour
                                                                // is accepted and its 1 W more is not.
        assert_eq!(
            rts_demand(&cal, 1e300, &weekly, &daily, &hourly, &[0, 1], 1.0, None),
            Err((0, 1e300 * 100.0 / 100.0 * 80.0 / 100.0 * 60.0 / 100.0))
        );
        let at_bound = rts_demand(&cal, 1e8, &weekly, &daily, &hourly, &[0, 1], 1.0, None);
        assert_eq!(at_bound.unwrap()[48], crate::bounds::MAX_POWER_W);
        let above = rts_demand(
            &cal,
            1e8 + 1e-6,
            &weekly,
            &daily,
            &hourly,
            &[0, 1],
            1.0,
            None,
        );
        assert_eq!(above.map_err(|(h, _)| h), Err(48));
    }
}
