//! Demand factors by calendar: a region's `month_factor` and `day_factor`, and the study's
//! `holidays`. Together they give each study hour a calendar factor (the month's factor
//! times the day's) that multiplies the region's demand (`build.rs`).

use super::dates::{Window, DATES_NEED_WINDOW};
use super::Fields;
use crate::calendar::{parse_weekday, Calendar, WEEKDAYS};
use crate::scenario::error::Problems;
use crate::scenario::tree::{Node, Value};

/// Demand factors by weekday, and on the study's holidays (`day_factor`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct DayFactor {
    /// By weekday, Monday first; 1 for a weekday not given.
    pub(crate) weekday: [f64; 7],
    /// On a holiday, in place of its weekday's factor; `None`: a holiday keeps its
    /// weekday's.
    pub(crate) holiday: Option<f64>,
}

/// A factor's value: a number > 0, or a problem at `field`.
fn factor(v: &Node, field: &str, p: &mut Problems) -> Option<f64> {
    let x = match &v.value {
        Value::Int(Some(i), _) => Some(*i as f64),
        Value::Float(Some(x), _) if x.is_finite() => Some(*x),
        _ => None,
    };
    let msg = match x {
        Some(x) if x > 0.0 => return Some(x),
        Some(x) => format!("must be a factor > 0, got {x}"),
        None => format!(
            "expected a number (a factor > 0), got {}",
            v.value.describe()
        ),
    };
    p.push(&v.file, Some(v.line), Some(field), msg);
    None
}

/// The entries of the table at `key`, or a problem naming `example`.
fn entries<'a>(
    f: &Fields<'a>,
    key: &str,
    what: &str,
    p: &mut Problems,
) -> Option<&'a [(String, Node)]> {
    let n = f.get(key)?;
    let t = n.table();
    if t.is_none() {
        f.bad(
            key,
            format!("expected {what}, got {}", n.value.describe()),
            p,
        );
    }
    t
}

/// The optional `month_factor` table: keys "1" to "12", values > 0; absent months are 1.
/// `None` if there is a problem, `Some(None)` if absent.
pub(super) fn month_factor(
    f: &Fields<'_>,
    win: Option<&Window>,
    p: &mut Problems,
) -> Option<Option<[f64; 12]>> {
    if !f.has("month_factor") {
        return Some(None);
    }
    let field = f.field("month_factor");
    let what = "a table of factors by month, such as `{ 1 = 1.05, 12 = 1.0 }`";
    let entries = entries(f, "month_factor", what, p)?;
    let mut out = [1.0; 12];
    let mut ok = true;
    for (k, v) in entries {
        let month = k
            .parse::<usize>()
            .ok()
            .filter(|m| (1..=12).contains(m) && *k == m.to_string());
        let at = format!("{field}.{k}");
        let Some(month) = month else {
            p.push(
                &v.file,
                Some(v.line),
                Some(&at),
                "unknown month; expected a month number from 1 (January) to 12 (December)".into(),
            );
            ok = false;
            continue;
        };
        match factor(v, &at, p) {
            Some(x) => out[month - 1] = x,
            None => ok = false,
        }
    }
    if win.is_some_and(|w| w.start.is_none()) {
        f.bad(
            "month_factor",
            "month factors need a study window given by start and end (this study has only \
             `hours`)"
                .into(),
            p,
        );
        return None;
    }
    ok.then_some(Some(out))
}

/// The optional `day_factor` table: keys weekday names (any spelling `first_weekday`
/// accepts) and `holiday`, values > 0; absent weekdays are 1. `None` if there is a problem,
/// `Some(None)` if absent.
pub(super) fn day_factor(f: &Fields<'_>, p: &mut Problems) -> Option<Option<DayFactor>> {
    if !f.has("day_factor") {
        return Some(None);
    }
    let field = f.field("day_factor");
    let what = "a table of factors by weekday and on holidays, such as \
                `{ Sat = 0.97, Sun = 0.95, holiday = 0.93 }`";
    let entries = entries(f, "day_factor", what, p)?;
    let mut out = DayFactor {
        weekday: [1.0; 7],
        holiday: None,
    };
    let mut given: [Option<&str>; 8] = [None; 8];
    let mut ok = true;
    for (k, v) in entries {
        let at = format!("{field}.{k}");
        let slot = if k == "holiday" {
            Some(7)
        } else {
            parse_weekday(k)
        };
        let Some(slot) = slot else {
            p.push(
                &v.file,
                Some(v.line),
                Some(&at),
                "unknown day; expected a weekday's name or its abbreviation (\"Sat\", \
                 \"saturday\", any case) or `holiday`"
                    .into(),
            );
            ok = false;
            continue;
        };
        if let Some(first) = given[slot] {
            p.push(
                &v.file,
                Some(v.line),
                Some(&at),
                format!("{} is given twice (also as `{first}`)", WEEKDAYS[slot]),
            );
            ok = false;
            continue;
        }
        given[slot] = Some(k);
        match (factor(v, &at, p), slot) {
            (Some(x), 7) => out.holiday = Some(x),
            (Some(x), d) => out.weekday[d] = x,
            (None, _) => ok = false,
        }
    }
    ok.then_some(Some(out))
}

/// The study's `holidays` (in `[study]`): distinct TOML local dates, as study days, sorted.
/// A date outside the window is left out with a warning (a base's holidays may fall outside
/// a variant's shorter window).
pub(super) fn holidays(f: &Fields<'_>, cal: &Calendar, p: &mut Problems) -> Vec<usize> {
    let Some(n) = f.get("holidays") else {
        return Vec::new();
    };
    let field = f.field("holidays");
    let expect = "an array of TOML local dates such as [2021-12-16, 2021-12-17]";
    let Value::Array(items) = &n.value else {
        f.bad(
            "holidays",
            format!("expected {expect}, got {}", n.value.describe()),
            p,
        );
        return Vec::new();
    };
    let win = Window::of(cal);
    let Some(start) = win.start else {
        f.bad("holidays", DATES_NEED_WINDOW.into(), p);
        return Vec::new();
    };
    let mut days: Vec<(i64, usize)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("{field}[{i}]");
        let date = match super::toml_date(&item.value) {
            Ok(d) => d,
            Err(e) => {
                p.push(&item.file, Some(item.line), Some(&at), e);
                continue;
            }
        };
        let day = date.days_since_epoch() - start.days_since_epoch();
        if let Some(&(_, j)) = days.iter().find(|(d, _)| *d == day) {
            let msg = format!("{date} is listed twice (also as holidays[{j}])");
            p.push(&item.file, Some(item.line), Some(&at), msg);
        } else if !(0..win.days() as i64).contains(&day) {
            let msg = format!(
                "{date} is outside the study window ({}); it never applies",
                win.describe()
            );
            p.warn(&item.file, Some(item.line), Some(&at), msg);
            days.push((day, i));
        } else {
            days.push((day, i));
        }
    }
    let mut inside: Vec<usize> = days
        .into_iter()
        .filter_map(|(d, _)| usize::try_from(d).ok().filter(|&d| d < win.days()))
        .collect();
    inside.sort_unstable();
    inside
}
