//! `[weather]`, `[mining]`, `[[exchanges]]`, `[[disturbances]]` and `[[renewables]]`: the
//! conditions of a system beyond its units and lines (see `docs/scenario-format.md`).

use super::dates::Window;
use super::{
    element_label, file_ref, hours_of_days, line_set, names_of, suggest, table_array,
    too_much_power, unknown_name, Fields, FileRef,
};
use crate::bounds::{MAX_FORECAST_ERROR, MAX_FORECAST_SD, MAX_POWER_MW};
use crate::model::{
    Disturbance, Enforcement, Exchange, IllegalMining, Mining, MiningPolicy, Outage,
    RegisteredMining, Vre, VreProfile, Weather, WeatherZone,
};
use crate::power::{mw_to_w, W_PER_MW};
use crate::scenario::error::Problems;
use crate::scenario::keys;
use crate::scenario::tree::Value;
use std::path::Path;
use std::rc::Rc;

/// Names seen so far, with where they were defined.
type Seen = Vec<(String, Rc<Path>, usize)>;

/// What conditions may refer to.
pub(crate) struct Ctx<'a> {
    /// Region names, in order.
    pub(crate) regions: &'a [String],
    /// Which regions are hubs.
    pub(crate) hubs: &'a [bool],
    /// Line names, in order.
    pub(crate) lines: &'a [String],
    /// Disturbance names, in order.
    pub(crate) disturbances: &'a [String],
    /// The study window (`None` if the study has a problem).
    pub(crate) win: Option<&'a Window>,
}

/// Tolerance on the sum of illegal-mining shares.
const SHARE_SUM_TOLERANCE: f64 = 1e-6;

/// The `[weather]` table (without region climates) and the zone names, in order (valid
/// zones or not, for lookups).
pub(crate) fn weather(f: &Fields<'_>, p: &mut Problems) -> (Weather, Vec<String>) {
    let mut w = Weather::default();
    let Some(n) = f.get("weather") else {
        return (w, Vec::new());
    };
    let Some(wf) = Fields::new(n, "weather", keys::WEATHER, p) else {
        return (w, Vec::new());
    };
    w.load_forecast_sd = wf
        .number_in(
            "load_forecast_sd",
            "a fraction",
            false,
            |x| (0.0..=MAX_FORECAST_SD).contains(&x),
            &format!("a standard deviation from 0 to {MAX_FORECAST_SD} (a fraction of demand)"),
            p,
        )
        .unwrap_or(0.0);
    w.load_forecast_error = wf
        .number_in(
            "load_forecast_error",
            "a fraction",
            false,
            |x| x.abs() <= MAX_FORECAST_ERROR,
            &format!("a fraction of demand from -{MAX_FORECAST_ERROR} to {MAX_FORECAST_ERROR}"),
            p,
        )
        .unwrap_or(0.0);
    w.shift_c = wf.number("shift_c", "°C", false, p).unwrap_or(0.0);
    let names = names_of(&wf, "zones");
    let mut seen = Seen::new();
    let nodes = table_array(&wf, "zones", p);
    let mut ok = nodes.len() == names.len();
    for (i, z) in nodes.into_iter().enumerate() {
        let label = element_label("weather.zones", i, z);
        let Some(zf) = Fields::new(z, &label, keys::ZONE, p) else {
            ok = false;
            continue;
        };
        let name = zf.unique_name("weather zone", &mut seen, p);
        let normal = zf.number("normal_c", "°C", true, p);
        let sd = zf.number_in(
            "anomaly_sd_c",
            "°C",
            true,
            |x| x >= 0.0,
            "a standard deviation >= 0 °C",
            p,
        );
        let persistence = zf.persistence("persistence", p);
        match (name, normal, sd, persistence) {
            (Some(name), Some(normal_c), Some(anomaly_sd_c), Some(persistence)) => {
                w.zones.push(WeatherZone {
                    name,
                    normal_c,
                    anomaly_sd_c,
                    persistence,
                })
            }
            _ => ok = false,
        }
    }
    let corr = correlation(&wf, &names, p);
    if let (true, Some(c)) = (ok, corr) {
        if !c.is_empty() && !positive_definite(&c, names.len()) {
            wf.problem(
                Some("correlation"),
                "the correlation matrix is not positive definite: the pairwise correlations \
                 in `[[weather.correlation]]` are inconsistent with each other"
                    .into(),
                p,
            );
        }
        w.correlation = c;
    }
    (w, names)
}

/// The `[[weather.correlation]]` pairs as a full row-major matrix with a unit diagonal.
fn correlation(wf: &Fields<'_>, zones: &[String], p: &mut Problems) -> Option<Vec<f64>> {
    let n = zones.len();
    let mut m = vec![0.0; n * n];
    for i in 0..n {
        m[i * n + i] = 1.0;
    }
    let mut ok = true;
    let mut seen: Vec<((usize, usize), Rc<Path>, usize)> = Vec::new();
    let nodes = table_array(wf, "correlation", p);
    let all = wf.get("correlation").map_or(0, |c| match &c.value {
        Value::Array(a) => a.len(),
        _ => usize::MAX,
    });
    ok &= nodes.len() == all;
    for (i, c) in nodes.into_iter().enumerate() {
        let label = format!("weather.correlation[{i}]");
        let Some(cf) = Fields::new(c, &label, keys::CORRELATION, p) else {
            ok = false;
            continue;
        };
        let r = cf.number_in(
            "r",
            "a correlation",
            true,
            |x| (-1.0..=1.0).contains(&x),
            "a correlation in [-1, 1]",
            p,
        );
        let pair = match cf.get("zones") {
            None => {
                cf.missing("zones", "two zone names, such as [\"north\", \"south\"]", p);
                None
            }
            Some(z) => match &z.value {
                Value::Array(a)
                    if a.len() == 2 && a.iter().all(|e| matches!(e.value, Value::Str(_))) =>
                {
                    let idx: Vec<Option<usize>> = a
                        .iter()
                        .map(|e| {
                            let Value::Str(s) = &e.value else { return None };
                            let i = zones.iter().position(|z| z == s);
                            if i.is_none() {
                                p.push(
                                    &e.file,
                                    Some(e.line),
                                    Some(&cf.field("zones")),
                                    unknown_name(s, "weather zone", zones),
                                );
                            }
                            i
                        })
                        .collect();
                    match (idx[0], idx[1]) {
                        (Some(a), Some(b)) if a == b => {
                            cf.bad(
                                "zones",
                                format!(
                                    "a zone's correlation with itself is 1; name two different \
                                     zones, got `{}` twice",
                                    zones[a]
                                ),
                                p,
                            );
                            None
                        }
                        (Some(a), Some(b)) => Some((a.min(b), a.max(b))),
                        _ => None,
                    }
                }
                v => {
                    cf.bad(
                        "zones",
                        format!(
                            "expected two zone names, such as [\"north\", \"south\"], got {}",
                            v.describe()
                        ),
                        p,
                    );
                    None
                }
            },
        };
        if let Some(pr) = pair {
            if let Some((_, file, line)) = seen.iter().find(|(x, ..)| *x == pr) {
                cf.bad(
                    "zones",
                    format!(
                        "duplicate pair `{}`, `{}` (first given at {}:{line})",
                        zones[pr.0],
                        zones[pr.1],
                        file.display()
                    ),
                    p,
                );
                ok = false;
                continue;
            }
            seen.push((pr, c.file.clone(), c.line));
        }
        match (pair, r) {
            (Some((a, b)), Some(r)) => {
                m[a * n + b] = r;
                m[b * n + a] = r;
            }
            _ => ok = false,
        }
    }
    ok.then_some(m)
}

/// True if the symmetric `n x n` row-major matrix `m` is positive definite (a Cholesky
/// factorisation succeeds with pivots clearly above 0).
pub(crate) fn positive_definite(m: &[f64], n: usize) -> bool {
    let mut l = vec![0.0; n * n];
    for j in 0..n {
        let mut d = m[j * n + j];
        for k in 0..j {
            d -= l[j * n + k] * l[j * n + k];
        }
        if d.is_nan() || d <= 1e-10 {
            return false;
        }
        let d = d.sqrt();
        l[j * n + j] = d;
        for i in j + 1..n {
            let mut s = m[i * n + j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            l[i * n + j] = s / d;
        }
    }
    true
}

/// A power in MW >= 0 at `key` as watts, 0 if absent; `None` if bad.
fn power_or_zero(f: &Fields<'_>, key: &str, p: &mut Problems) -> Option<i64> {
    if f.has(key) {
        f.power_w(key, true, p)
    } else {
        Some(0)
    }
}

/// The `[mining]` table.
pub(crate) fn mining(f: &Fields<'_>, ctx: &Ctx<'_>, p: &mut Problems) -> Mining {
    let mut m = Mining::default();
    let Some(n) = f.get("mining") else {
        return m;
    };
    let Some(mf) = Fields::new(n, "mining", keys::MINING, p) else {
        return m;
    };
    let mut seen: Vec<(usize, Rc<Path>, usize)> = Vec::new();
    for (i, r) in table_array(&mf, "registered", p).into_iter().enumerate() {
        let label = format!("mining.registered[{i}]");
        let Some(rf) = Fields::new(r, &label, keys::REGISTERED, p) else {
            continue;
        };
        let region = rf.ordinary_region("region", ctx.regions, ctx.hubs, "load", p);
        let load = rf.power_w("mw", true, p);
        if let Some(r) = region {
            if let Some((_, file, line)) = seen.iter().find(|(x, ..)| *x == r) {
                rf.bad(
                    "region",
                    format!(
                        "duplicate registered mining in region `{}` (first given at {}:{line}); \
                         give one total per region",
                        ctx.regions[r],
                        file.display()
                    ),
                    p,
                );
                continue;
            }
            seen.push((r, rf.node.file.clone(), rf.node.line));
        }
        if let (Some(region), Some(load_w)) = (region, load) {
            m.registered.push(RegisteredMining { region, load_w });
        }
    }
    if let Some(n) = mf.get("illegal") {
        m.illegal = illegal(n, ctx, p);
    }
    for (i, n) in table_array(&mf, "policies", p).into_iter().enumerate() {
        if let Some(pol) = policy(n, i, ctx, p) {
            m.policies.push(pol);
        }
    }
    let mut seen = Seen::new();
    for (i, n) in table_array(&mf, "enforcement", p).into_iter().enumerate() {
        if let Some(e) = enforcement(n, i, ctx, &mut seen, p) {
            m.enforcement.push(e);
        }
    }
    m
}

/// Largest `detectability_cv`: a gamma frailty of CV 10 (shape 0.01) already puts almost all
/// detections on a handful of farms; larger values only underflow.
const MAX_DETECTABILITY_CV: f64 = 10.0;
/// Largest `detectability_size_exponent` (hazards of `size^4` leave nothing to model).
const MAX_SIZE_EXPONENT: f64 = 4.0;

fn illegal(n: &super::Node, ctx: &Ctx<'_>, p: &mut Problems) -> Option<IllegalMining> {
    let f = Fields::new(n, "mining.illegal", keys::ILLEGAL, p)?;
    let min = f.power_w("min_mw", true, p);
    let mode = f.power_w("mode_mw", true, p);
    let max = f.power_w("max_mw", true, p);
    if let (Some(a), Some(b), Some(c)) = (min, mode, max) {
        if !(a <= b && b <= c) {
            let key = if a > b { "mode_mw" } else { "max_mw" };
            f.bad(
                key,
                format!(
                    "the triangular law needs min_mw <= mode_mw <= max_mw, got {} <= {} <= {}",
                    a as f64 / W_PER_MW as f64,
                    b as f64 / W_PER_MW as f64,
                    c as f64 / W_PER_MW as f64
                ),
                p,
            );
            return None;
        }
    }
    let shares = shares(&f, ctx, p);
    let mean = f.number_in(
        "farm_mean_mw",
        "MW",
        true,
        |x| x > 0.0,
        "a farm size > 0 MW",
        p,
    );
    let cv = f.number_in(
        "farm_cv",
        "a coefficient of variation",
        true,
        |x| x >= 0.0,
        "a coefficient of variation >= 0",
        p,
    );
    let frailty = f.number_in(
        "detectability_cv",
        "a coefficient of variation",
        false,
        |x| (0.0..=MAX_DETECTABILITY_CV).contains(&x),
        &format!("a coefficient of variation from 0 to {MAX_DETECTABILITY_CV}"),
        p,
    );
    let size_exponent = f.number_in(
        "detectability_size_exponent",
        "an exponent",
        false,
        |x| (0.0..=MAX_SIZE_EXPONENT).contains(&x),
        &format!("an exponent from 0 to {MAX_SIZE_EXPONENT}"),
        p,
    );
    let (frailty, size_exponent) = (
        if f.has("detectability_cv") {
            frailty?
        } else {
            0.0
        },
        if f.has("detectability_size_exponent") {
            size_exponent?
        } else {
            0.0
        },
    );
    Some(IllegalMining {
        min_w: min?,
        mode_w: mode?,
        max_w: max?,
        shares: shares?,
        farm_mean_w: mean? * W_PER_MW as f64,
        farm_cv: cv?,
        detectability_cv: frailty,
        detectability_size_exponent: size_exponent,
    })
}

/// `shares = { REGION = share, ... }`: each >= 0, summing to 1; sorted by region index.
fn shares(f: &Fields<'_>, ctx: &Ctx<'_>, p: &mut Problems) -> Option<Vec<(usize, f64)>> {
    let Some(n) = f.get("shares") else {
        f.missing(
            "shares",
            "a table of the share of each region, such as `{ NORTH = 0.6, SOUTH = 0.4 }`",
            p,
        );
        return None;
    };
    let field = f.field("shares");
    let Some(entries) = n.table() else {
        f.bad(
            "shares",
            format!(
                "expected a table of the share of each region, such as \
                 `{{ NORTH = 0.6, SOUTH = 0.4 }}`, got {}",
                n.value.describe()
            ),
            p,
        );
        return None;
    };
    let mut out = Vec::new();
    let mut ok = true;
    for (k, v) in entries {
        let at = format!("{field}.{k}");
        let region = ctx.regions.iter().position(|r| r == k);
        match region {
            None => {
                p.push(
                    &v.file,
                    Some(v.line),
                    Some(&at),
                    unknown_name(k, "region", ctx.regions),
                );
                ok = false;
            }
            Some(r) if ctx.hubs.get(r).copied().unwrap_or(false) => {
                p.push(
                    &v.file,
                    Some(v.line),
                    Some(&at),
                    format!("region `{k}` is a hub (`hub = true`), and a hub has no load"),
                );
                ok = false;
            }
            Some(_) => {}
        }
        let x = match &v.value {
            Value::Int(Some(i), _) => Some(*i as f64),
            Value::Float(Some(x), _) if x.is_finite() => Some(*x),
            _ => None,
        };
        match (region, x) {
            (_, Some(x)) if x < 0.0 => {
                p.push(
                    &v.file,
                    Some(v.line),
                    Some(&at),
                    format!("must be a share >= 0, got {x}"),
                );
                ok = false;
            }
            (_, None) => {
                p.push(
                    &v.file,
                    Some(v.line),
                    Some(&at),
                    format!("expected a number (a share), got {}", v.value.describe()),
                );
                ok = false;
            }
            (Some(r), Some(x)) => out.push((r, x)),
            (None, Some(_)) => {}
        }
    }
    if !ok {
        return None;
    }
    let sum: f64 = out.iter().map(|s| s.1).sum();
    if (sum - 1.0).abs() > SHARE_SUM_TOLERANCE {
        f.bad("shares", format!("the shares must sum to 1, got {sum}"), p);
        return None;
    }
    out.sort_by_key(|s| s.0);
    Some(out)
}

const POLICY_KINDS: [&str; 4] = ["interruptible", "curtail", "ban", "self_limit"];

/// The keys each policy kind allows.
fn policy_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "curtail" => &["kind", "from", "to", "hours_of_day"],
        "self_limit" => &["kind", "from", "region", "reduction_mw"],
        _ => &["kind", "from", "to"],
    }
}

fn policy(n: &super::Node, i: usize, ctx: &Ctx<'_>, p: &mut Problems) -> Option<MiningPolicy> {
    let label = format!("mining.policies[{i}]");
    let f = Fields::new(n, &label, keys::POLICY, p)?;
    let kind = match f.get("kind") {
        None => {
            f.missing(
                "kind",
                "one of \"interruptible\", \"curtail\", \"ban\", \"self_limit\"",
                p,
            );
            return None;
        }
        Some(_) => f.string("kind", true, p)?,
    };
    if !POLICY_KINDS.contains(&kind.as_str()) {
        let hint = suggest(&kind, &POLICY_KINDS)
            .map_or(String::new(), |s| format!("did you mean `{s}`? "));
        f.bad(
            "kind",
            format!(
                "unknown policy kind {kind:?}; {hint}expected one of \"interruptible\", \
                 \"curtail\", \"ban\", \"self_limit\""
            ),
            p,
        );
        return None;
    }
    let allowed = policy_keys(&kind);
    let mut ok = true;
    for &k in keys::POLICY {
        if f.has(k) && !allowed.contains(&k) {
            let users: Vec<String> = POLICY_KINDS
                .iter()
                .filter(|x| policy_keys(x).contains(&k))
                .map(|x| format!("{x:?}"))
                .collect();
            f.bad(
                k,
                format!(
                    "not used by a policy of kind {kind:?} (only by {})",
                    users.join(", ")
                ),
                p,
            );
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    if kind == "self_limit" {
        let region = f.region("region", ctx.regions, p);
        let reduction = f.power_w("reduction_mw", true, p);
        let from = if f.has("from") {
            f.clipped_day("from", ctx.win, p)
        } else {
            Some(0)
        };
        let w = ctx.win?;
        return Some(MiningPolicy::SelfLimit {
            region: region?,
            reduction_w: reduction?,
            from_h: (from? * 24).min(w.hours),
        });
    }
    let hours_of_day = if kind == "curtail" {
        hours_of_day(&f, p)
    } else {
        Some([false; 24])
    };
    let span = f.day_span(ctx.win, false, p);
    let w = ctx.win?;
    let hours = hours_of_days(&f.clip_days(span?, w, p), w);
    Some(match kind.as_str() {
        "interruptible" => MiningPolicy::Interruptible { hours },
        "ban" => MiningPolicy::Ban { hours },
        _ => MiningPolicy::Curtail {
            hours,
            hours_of_day: hours_of_day?,
        },
    })
}

/// `hours_of_day = [17, 18, ...]`: at least one hour of day, each 0 to 23.
fn hours_of_day(f: &Fields<'_>, p: &mut Problems) -> Option<[bool; 24]> {
    let expect = "an array of hours of day (0 to 23), such as [17, 18, 19, 20]";
    let Some(n) = f.get("hours_of_day") else {
        f.missing(
            "hours_of_day",
            &format!("{expect}: the hours in which a \"curtail\" policy switches mining off"),
            p,
        );
        return None;
    };
    let Value::Array(a) = &n.value else {
        f.bad(
            "hours_of_day",
            format!("expected {expect}, got {}", n.value.describe()),
            p,
        );
        return None;
    };
    if a.is_empty() {
        f.bad(
            "hours_of_day",
            format!("expected {expect}, got an empty array"),
            p,
        );
        return None;
    }
    let mut out = [false; 24];
    let mut ok = true;
    for (i, e) in a.iter().enumerate() {
        let at = format!("{}[{i}]", f.field("hours_of_day"));
        match &e.value {
            Value::Int(Some(h), _) if (0..24).contains(h) => out[*h as usize] = true,
            Value::Int(Some(h), _) => {
                p.push(
                    &e.file,
                    Some(e.line),
                    Some(&at),
                    format!("must be an hour of day from 0 to 23, got {h}"),
                );
                ok = false;
            }
            v => {
                p.push(
                    &e.file,
                    Some(e.line),
                    Some(&at),
                    format!(
                        "expected an hour of day (an integer from 0 to 23), got {}",
                        v.describe()
                    ),
                );
                ok = false;
            }
        }
    }
    ok.then_some(out)
}

fn enforcement(
    n: &super::Node,
    i: usize,
    ctx: &Ctx<'_>,
    seen: &mut Seen,
    p: &mut Problems,
) -> Option<Enforcement> {
    let label = element_label("mining.enforcement", i, n);
    let f = Fields::new(n, &label, keys::ENFORCEMENT, p)?;
    let name = f.unique_name("enforcement", seen, p);
    let span = f.day_span(ctx.win, false, p);
    let hazard = f.number_in(
        "hazard_per_day",
        "per day",
        true,
        |x| x >= 0.0,
        "a hazard >= 0 per day",
        p,
    );
    let inspections = match f.integer("inspections_per_day", false, p) {
        Some(k) if (1..=i64::from(u32::MAX)).contains(&k) => Some(k as u32),
        Some(k) => {
            f.bad(
                "inspections_per_day",
                format!("must be an integer from 1 to {}, got {k}", u32::MAX),
                p,
            );
            None
        }
        None if f.has("inspections_per_day") => None,
        None => Some(u32::MAX),
    };
    let reconnect = f.probability("reconnect_probability", 0.0, p);
    let relocate = f.probability("relocate_probability", 0.0, p);
    let delay = if f.has("reconnect_delay_days") {
        f.pair("reconnect_delay_days", "days", p)
            .and_then(|(a, b)| {
                let whole = |x: f64| x.fract() == 0.0 && x <= f64::from(u32::MAX);
                if whole(a) && whole(b) {
                    Some((a as u32, b as u32))
                } else {
                    f.bad(
                        "reconnect_delay_days",
                        format!("expected whole numbers of days, got [{a}, {b}]"),
                        p,
                    );
                    None
                }
            })
    } else {
        Some((14, 30))
    };
    let amnesty = if f.has("amnesty") {
        f.clipped_day("amnesty", ctx.win, p).map(Some)
    } else {
        Some(None)
    };
    let w = ctx.win?;
    let days = f.clip_days(span?, w, p);
    Some(Enforcement {
        name: name?,
        days,
        hazard_per_day: hazard?,
        inspections_per_day: inspections?,
        reconnect_probability: reconnect?,
        reconnect_delay_days: delay?,
        relocate_probability: relocate?,
        amnesty_day: amnesty?,
    })
}

/// `[[exchanges]]`.
pub(crate) fn exchanges(f: &Fields<'_>, ctx: &Ctx<'_>, p: &mut Problems) -> Vec<Exchange> {
    let mut out = Vec::new();
    let mut seen = Seen::new();
    for (i, n) in table_array(f, "exchanges", p).into_iter().enumerate() {
        let label = element_label("exchanges", i, n);
        let Some(ef) = Fields::new(n, &label, keys::EXCHANGE, p) else {
            continue;
        };
        let name = ef.unique_name("exchange", &mut seen, p);
        let region = ef.ordinary_region("region", ctx.regions, ctx.hubs, "load", p);
        let export = power_or_zero(&ef, "scheduled_export_mw", p);
        let deviation = power_or_zero(&ef, "deviation_mw", p);
        let prob = ef.probability("bad_day_probability", 0.0, p);
        let draw = if ef.has("bad_day_draw_mw") {
            ef.pair("bad_day_draw_mw", "MW", p).and_then(|(a, b)| {
                if b > MAX_POWER_MW {
                    ef.bad("bad_day_draw_mw", too_much_power(b), p);
                    return None;
                }
                Some((mw_to_w(a)?, mw_to_w(b)?))
            })
        } else if prob.is_some_and(|x| x > 0.0) {
            ef.missing(
                "bad_day_draw_mw",
                "[low, high] MW: the extra draw on a bad day (with `bad_day_probability` > 0)",
                p,
            );
            None
        } else {
            Some((0, 0))
        };
        let refusable = if ef.has("bad_day_refusable") {
            ef.boolean("bad_day_refusable", p)
        } else {
            Some(false)
        };
        let stops = stops_with(&ef, ctx.disturbances, p);
        if let (
            Some(name),
            Some(region),
            Some(e),
            Some(d),
            Some(pr),
            Some(dr),
            Some(rf),
            Some(st),
        ) = (
            name, region, export, deviation, prob, draw, refusable, stops,
        ) {
            out.push(Exchange {
                name,
                region,
                scheduled_export_w: e,
                deviation_w: d,
                bad_day_probability: pr,
                bad_day_draw_w: dr,
                bad_day_refusable: rf,
                stops_with: st,
            });
        }
    }
    out
}

/// An exchange's `stops_with = ["trip"]`: disturbance names, each once (empty if absent).
/// The indices, or `None` if there is a problem.
fn stops_with(ef: &Fields<'_>, disturbances: &[String], p: &mut Problems) -> Option<Vec<usize>> {
    let expect = "an array of `[[disturbances]]` names, such as [\"central-asia-trip\"]";
    let Some(n) = ef.get("stops_with") else {
        return Some(Vec::new());
    };
    let Value::Array(a) = &n.value else {
        ef.bad(
            "stops_with",
            format!("expected {expect}, got {}", n.value.describe()),
            p,
        );
        return None;
    };
    let mut out = Vec::with_capacity(a.len());
    for v in a {
        let Value::Str(s) = &v.value else {
            ef.bad(
                "stops_with",
                format!("expected {expect}, got {}", v.value.describe()),
                p,
            );
            return None;
        };
        match disturbances.iter().position(|d| d == s) {
            Some(d) if out.contains(&d) => {
                ef.bad(
                    "stops_with",
                    format!("disturbance '{s}' is listed twice"),
                    p,
                );
                return None;
            }
            Some(d) => out.push(d),
            None => {
                ef.bad(
                    "stops_with",
                    format!("unknown disturbance '{s}'; expected {expect}"),
                    p,
                );
                return None;
            }
        }
    }
    Some(out)
}

/// `[[disturbances]]`.
pub(crate) fn disturbances(f: &Fields<'_>, ctx: &Ctx<'_>, p: &mut Problems) -> Vec<Disturbance> {
    let mut out = Vec::new();
    let mut seen = Seen::new();
    for (i, n) in table_array(f, "disturbances", p).into_iter().enumerate() {
        let label = element_label("disturbances", i, n);
        let Some(df) = Fields::new(n, &label, keys::DISTURBANCE, p) else {
            continue;
        };
        let name = df.unique_name("disturbance", &mut seen, p);
        let lines = line_set(&df, ctx.lines, "the lines tripped together", p);
        let mtbf = df.mean_duration_h("mtbf_h", true, p);
        let duration = df.mean_duration_h("duration_h", true, p);
        if let (Some(name), Some(lines), Some(mttf_h), Some(mttr_h)) = (name, lines, mtbf, duration)
        {
            out.push(Disturbance {
                name,
                lines,
                outage: Outage { mttf_h, mttr_h },
            });
        }
    }
    out
}

/// `[[renewables]]`.
/// A renewable plant's full-window series, to be read from its CSV (`file` or `mw_file`,
/// `column`) once the manifest is read: the plant's index in `vre`, and with `mw_file` the
/// plant's `mw` (the series is in MW, at most that, and becomes factors of it).
#[derive(Debug)]
pub(crate) struct VreSeries {
    pub(crate) plant: usize,
    pub(crate) file: FileRef,
    pub(crate) column: String,
    pub(crate) installed_mw: Option<f64>,
}

/// `[[renewables]]`, with the plants whose factors come from a CSV (their profile is
/// empty until `build.rs` reads it).
pub(crate) fn renewables(
    f: &Fields<'_>,
    ctx: &Ctx<'_>,
    p: &mut Problems,
) -> (Vec<Vre>, Vec<VreSeries>) {
    let mut out = Vec::new();
    let mut series = Vec::new();
    let mut seen = Seen::new();
    for (i, n) in table_array(f, "renewables", p).into_iter().enumerate() {
        let label = element_label("renewables", i, n);
        let Some(rf) = Fields::new(n, &label, keys::RENEWABLE, p) else {
            continue;
        };
        let name = rf.unique_name("renewable plant", &mut seen, p);
        let region = rf.ordinary_region("region", ctx.regions, ctx.hubs, "units", p);
        let cap = rf.power_w("mw", true, p);
        let forms = ["capacity_factor", "profile", "file", "mw_file"];
        let given: Vec<&str> = forms.into_iter().filter(|k| rf.has(k)).collect();
        if rf.has("column") && !rf.has("file") && !rf.has("mw_file") {
            rf.bad(
                "column",
                "only goes with `file` or `mw_file` (a CSV of capacity factors or MW per \
                 study hour)"
                    .into(),
                p,
            );
        }
        let profile = match given[..] {
            [_, second, ..] => {
                rf.bad(
                    second,
                    "give one of `capacity_factor` (flat), `profile` (by hour of day), \
                     `file` (a CSV of factors per study hour) and `mw_file` (a CSV of MW \
                     per study hour), not several"
                        .into(),
                    p,
                );
                None
            }
            [] => {
                rf.problem(
                    Some("capacity_factor"),
                    "missing: give either `capacity_factor` (a flat factor in [0, 1]), \
                     `profile` (24 factors in [0, 1] by hour of day), `file` (a CSV of \
                     factors in [0, 1] per study hour) or `mw_file` (a CSV of MW from 0 to \
                     `mw` per study hour)"
                        .into(),
                    p,
                );
                None
            }
            [form @ ("file" | "mw_file")] => {
                let file = file_ref(&rf, form, p);
                let column = match rf.get("column") {
                    Some(_) => rf.string("column", true, p),
                    None => name.clone(),
                };
                if let (Some(file), Some(column), Some(capacity_w)) = (file, column, cap) {
                    series.push(VreSeries {
                        plant: out.len(),
                        file,
                        column,
                        installed_mw: (form == "mw_file").then(|| capacity_w as f64 / 1e6),
                    });
                }
                Some(VreProfile::Hourly(Vec::new()))
            }
            ["capacity_factor"] => rf
                .number_in(
                    "capacity_factor",
                    "a fraction",
                    true,
                    |x| (0.0..=1.0).contains(&x),
                    "a capacity factor in [0, 1]",
                    p,
                )
                .map(|x| VreProfile::ByHourOfDay([x; 24])),
            _ => rf
                .numbers(
                    "profile",
                    24,
                    "capacity factors by hour of day, 0 to 23",
                    |x| (0.0..=1.0).contains(&x),
                    "a capacity factor in [0, 1]",
                    p,
                )
                .and_then(|v| v.try_into().ok())
                .map(VreProfile::ByHourOfDay),
        };
        let sd = if rf.has("daily_sd") {
            rf.number_in(
                "daily_sd",
                "a fraction",
                true,
                |x| x >= 0.0,
                "a standard deviation >= 0",
                p,
            )
        } else {
            Some(0.0)
        };
        let persistence = rf.persistence("persistence", p);
        if let (
            Some(name),
            Some(region),
            Some(capacity_w),
            Some(profile),
            Some(daily_sd),
            Some(persistence),
        ) = (name, region, cap, profile, sd, persistence)
        {
            out.push(Vre {
                name,
                region,
                capacity_w,
                profile,
                daily_sd,
                persistence,
            });
        } else {
            series.retain(|s: &VreSeries| s.plant != out.len());
        }
    }
    (out, series)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positive_definiteness() {
        assert!(positive_definite(&[1.0, 0.7, 0.7, 1.0], 2));
        assert!(!positive_definite(&[1.0, 1.0, 1.0, 1.0], 2));
        // a ~ b and b ~ c at 0.9, a and c at -0.9: inconsistent.
        let m = [1.0, 0.9, -0.9, 0.9, 1.0, 0.9, -0.9, 0.9, 1.0];
        assert!(!positive_definite(&m, 3));
        let m = [1.0, 0.5, 0.3, 0.5, 1.0, 0.5, 0.3, 0.5, 1.0];
        assert!(positive_definite(&m, 3));
        assert!(positive_definite(&[], 0));
    }
}
