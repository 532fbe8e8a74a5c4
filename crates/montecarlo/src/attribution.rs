//! Cause attribution of unserved energy: which causes made a sample's shortfall, by exact
//! Shapley values over re-simulations on common random numbers.
//!
//! # Causes
//!
//! A cause is something random or limiting that a planner can imagine away; only those
//! present in the scenario take part ([`Cause::present`]):
//!
//! * `forced_outages`: units never fail (every unit up in every hour; dated outages, which
//!   are planned, stay; storage and demand response outages stay);
//! * `imports`: import sources and their links never fail, and no cold factor shrinks a
//!   source's cap (every source at its cap);
//! * `corridors`: every line's limit lifted (to more than all the supply of the system can
//!   push through it, or, in a system so large that this would exceed the engine's bound
//!   on a region's total power, the largest power of two fraction of it within the bound)
//!   and lines never fail; disturbances trip no line (they still stop the exchanges that
//!   stop with them). Regions without lines stay isolated;
//! * `weather`: every zone's daily temperature at its normal (anomaly zero, shift zero), and
//!   no cold rule (cold-driven unit failures, cold factors of import caps);
//! * `illegal_mining`: no illegal mining (and no enforcement against it).
//!
//! Removing causes changes the model, never the draws: random streams are keyed by
//! component, so a world with a cause removed sees the same weather, outages, mining and
//! neighbours as the base in everything the removal does not touch.
//!
//! # Definition
//!
//! For a sample and a region, let `v(S)` be the region's unserved energy (Wh) in the world
//! where only the causes of `S` act (the others removed), simulated on the same draws; `N` is
//! every present cause, so `v(N)` is the energy of the run itself. Cause `i`'s share is its
//! Shapley value
//!
//! `phi_i = sum over S not containing i of |S|! (k - |S| - 1)! / k! (v(S + i) - v(S))`
//!
//! and the **residual** is `v({})`, what is left with every cause removed (a structural
//! gap: demand above what the system can ever serve). `sum_i phi_i + v({}) = v(N)`
//! exactly: the Shapley values are formed exactly in `i128` (times `k!`) and rounded to
//! whole Wh by largest remainder so that the rounded shares still sum to `v(N) - v({})`.
//! A share can be negative (a cause whose removal moves a shortfall into the region). The
//! system's shares are the sums of its regions'.
//!
//! **National deficit** is the region's unserved energy in the world with corridor limits
//! lifted and every other cause acting, `v(N - corridors)`: the system is short in that
//! hour whatever the corridors; **corridor-limited** is the rest, `v(N) - v(N -
//! corridors)` (negative where lifting corridors, under the sharing rule, moves a national
//! deficit into the region). Without lines, all of a region's energy is national deficit.
//!
//! **Samples without a shortfall.** Removing a cause can create a shortfall where the run
//! had none only if some removal can lower supply or raise demand in an hour: weather at
//! normal does (a warm anomaly removed raises demand and makes cold-driven failures and
//! derates possible where the day was mild), and so can energy-limited resources (storage,
//! demand response: a world's different earlier hours leave a different state of charge or
//! debt). Every other removal only adds supply (units up, sources at their caps), lifts
//! limits, or removes demand (illegal mining), and a dispatch that served everything still
//! can. So when the scenario has the weather cause, storage or demand response, **every**
//! sample is re-simulated in every world (a sample without a shortfall then has `v(N) = 0`,
//! and its parts, which sum to 0, move energy between causes and the residual); otherwise
//! samples without a shortfall are not re-simulated, their parts being exactly 0. The
//! summary counts the samples without a shortfall whose worlds had some
//! (`no_shortfall_samples_changed`).
//!
//! # Per event
//!
//! With the event catalogue, every event gets its own parts. For an event of area `a` (a
//! region, or the system: the sum over regions) spanning hours `H`, `v_e(S)` is `a`'s
//! unserved energy **in the hours `H`** in world `S`: a world's shortfall is read in the
//! event's own hours and area, whatever events it splits into, merges with or drops there
//! (a world's shortfall outside the run's event hours belongs to no event of the run: it
//! shows in the area's parts only, as energy moved to where the run had none). So
//! `v_e(N)` is the event's energy, the Shapley parts and residual of `v_e` sum to it
//! exactly (whole Wh), national deficit is `v_e(N - corridors)`, and a region's events'
//! parts sum to the region's parts in its shortfall hours.
//!
//! # Summary
//!
//! Per area, each part's per-sample energy is i.i.d. across samples: its mean (MWh per
//! sample) has the usual standard error, and its share of expected unserved energy is the
//! ratio estimator `E[part] / E[energy]` with a delta-method interval
//! ([`PairSums::ratio`]).
//!
//! # Cost
//!
//! With `k` causes, a sample with a shortfall is simulated `2^k` times in all (the run and
//! `2^k - 1` worlds). Workers build the worlds' samplers once; blocks merge in order, so the
//! result is bit-identical for any thread count.

use crate::accumulators::{Accumulator, HourView, Indices, SampleEvent, SampleView};
use crate::estimators::{Estimate, PairSums};
use crate::runner::{check_bounds, run_blocks, Blocks, RunError, RunOutput};
use crate::sampler::Sampler;
use crate::spec::SimulationSpec;
use gridrisk_core::bounds::{self, MAX_POWER_W};
use gridrisk_core::model::{ModelError, OutageModel, UnitSpec};
use gridrisk_core::power::W_PER_MW;
use gridrisk_core::SystemModel;
use serde_json::{json, Map, Value};

/// A cause that attribution can remove.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// Forced outages of units.
    ForcedOutages,
    /// Outages and cold factors of import sources and links.
    Imports,
    /// Line limits and outages.
    Corridors,
    /// Temperature anomalies and cold rules.
    Weather,
    /// Illegal mining.
    IllegalMining,
}

impl Cause {
    /// Every cause, in report order.
    pub const ALL: [Cause; 5] = [
        Cause::ForcedOutages,
        Cause::Imports,
        Cause::Corridors,
        Cause::Weather,
        Cause::IllegalMining,
    ];

    /// The key of the cause in results.
    pub fn name(self) -> &'static str {
        match self {
            Cause::ForcedOutages => "forced_outages",
            Cause::Imports => "imports",
            Cause::Corridors => "corridors",
            Cause::Weather => "weather",
            Cause::IllegalMining => "illegal_mining",
        }
    }

    /// Whether `model` has this cause at all (removing it would change the model).
    pub fn present(self, model: &SystemModel) -> bool {
        let net = model.network();
        let cond = model.conditions();
        match self {
            Cause::ForcedOutages => {
                let units = model.units();
                (0..units.len()).any(|i| units.for_(i) > 0.0) || !cond.unit_rates.is_empty()
            }
            Cause::Imports => net.imports.iter().any(|s| {
                s.outage.is_some() || s.cold.is_some() || s.links.iter().any(|k| k.outage.is_some())
            }),
            Cause::Corridors => {
                let lifted_w = lifted_limit_w(model);
                net.lines.iter().any(|l| {
                    l.forward_w < lifted_w || l.backward_w < lifted_w || l.outage.is_some()
                }) || cond.disturbances.iter().any(|d| !d.lines.is_empty())
            }
            Cause::Weather => {
                cond.weather.zones.iter().any(|z| z.anomaly_sd_c > 0.0)
                    || cond.weather.shift_c != 0.0
            }
            Cause::IllegalMining => cond.mining.illegal.as_ref().is_some_and(|m| m.max_w > 0),
        }
    }

    /// `model` with this cause removed (module docs).
    pub fn remove(self, model: &SystemModel) -> Result<SystemModel, ModelError> {
        let mut net = model.network().clone();
        let mut cond = model.conditions().clone();
        match self {
            Cause::ForcedOutages => {
                for c in &mut cond.units {
                    c.cold = None;
                }
                cond.unit_rates.clear();
                let units = model.units();
                let specs = (0..units.len())
                    .map(|i| UnitSpec {
                        name: units.names[i].clone(),
                        region: units.region[i],
                        installed_w: units.installed_w[i],
                        capacity_w: units.capacity_w[i],
                        // Up in every step (its initial state is drawn from availability 1).
                        outage: OutageModel::Discrete {
                            p_fail: 0.0,
                            p_repair: 1.0,
                        },
                    })
                    .collect();
                return SystemModel::new(
                    model.name(),
                    model.calendar().clone(),
                    model.regions().to_vec(),
                    specs,
                )?
                .with_network(net)?
                .with_conditions(cond)?
                .with_storages(model.storages().to_vec())?
                .with_demand_responses(model.demand_responses().to_vec());
            }
            Cause::Imports => {
                for s in &mut net.imports {
                    s.outage = None;
                    s.cold = None;
                    for k in &mut s.links {
                        k.outage = None;
                    }
                }
            }
            Cause::Corridors => {
                for d in &mut cond.disturbances {
                    d.lines.clear();
                }
                // Lifted lines never fail and keep no limits per step.
                cond.line_limits.clear();
                cond.line_rates.clear();
                let declared_w = (net.lines.iter())
                    .map(|l| l.forward_w.max(l.backward_w))
                    .max()
                    .unwrap_or(0);
                let mut lifted_w = lifted_limit_w(model);
                loop {
                    for l in &mut net.lines {
                        l.forward_w = lifted_w.max(l.forward_w);
                        l.backward_w = lifted_w.max(l.backward_w);
                        l.outage = None;
                    }
                    let world = model.clone().with_network(net.clone())?;
                    // Only a system near the engine's bounds (a region's total power counts
                    // its lines' limits) needs a lower limit than its whole supply.
                    if bounds::check(&world).is_empty() || lifted_w <= declared_w {
                        return world.with_conditions(cond);
                    }
                    lifted_w /= 2;
                    net = model.network().clone();
                }
            }
            Cause::Weather => {
                for z in &mut cond.weather.zones {
                    z.anomaly_sd_c = 0.0;
                }
                cond.weather.shift_c = 0.0;
                for c in &mut cond.units {
                    c.cold = None;
                }
                for s in &mut net.imports {
                    s.cold = None;
                }
            }
            Cause::IllegalMining => {
                cond.mining.illegal = None;
                cond.mining.enforcement.clear();
            }
        }
        model.clone().with_network(net)?.with_conditions(cond)
    }
}

/// A line limit that no dispatch of `model` can reach: more than every watt of supply the
/// system has (units, renewables, import links, neighbours' deviations, storage), within
/// the bound on a single power.
fn lifted_limit_w(model: &SystemModel) -> i64 {
    let cond = model.conditions();
    let units: i128 = model
        .units()
        .installed_w
        .iter()
        .map(|&w| i128::from(w))
        .sum();
    let vre: i128 = cond.vre.iter().map(|v| i128::from(v.capacity_w)).sum();
    let links: i128 = (model.network().imports.iter())
        .flat_map(|s| &s.links)
        .map(|k| i128::from(k.cap_w))
        .sum();
    let exchanges: i128 = cond
        .exchanges
        .iter()
        .map(|x| i128::from(x.deviation_w))
        .sum();
    let storage: i128 = (model.storages().iter())
        .map(|s| {
            i128::from(s.discharge_w)
                + s.inflow.as_ref().map_or(0, |g| {
                    i128::from(g.grid_injection_w)
                        + i128::from(g.inflow_w.iter().copied().max().unwrap_or(0))
                })
        })
        .sum();
    let total = units + vre + links + exchanges + storage + 1;
    i64::try_from(total.min(i128::from(MAX_POWER_W))).unwrap_or(MAX_POWER_W)
}

/// The causes present in a model and its worlds: world `m` (a bit mask over the present
/// causes, bit `i` set = cause `i` acts) is the model with the other causes removed; world
/// `2^k - 1` is the model itself.
pub struct Worlds {
    /// The present causes, in [`Cause::ALL`] order.
    pub causes: Vec<Cause>,
    /// Worlds `0 .. 2^k - 1` (every world but the model itself).
    pub models: Vec<SystemModel>,
}

impl Worlds {
    /// The worlds of `model`.
    pub fn of(model: &SystemModel) -> Result<Worlds, ModelError> {
        let causes: Vec<Cause> = (Cause::ALL.into_iter())
            .filter(|c| c.present(model))
            .collect();
        let full = (1usize << causes.len()) - 1;
        let models = (0..full)
            .map(|mask| {
                let mut m = model.clone();
                for (i, c) in causes.iter().enumerate() {
                    if mask & (1 << i) == 0 {
                        m = c.remove(&m)?;
                    }
                }
                Ok(m)
            })
            .collect::<Result<_, ModelError>>()?;
        Ok(Worlds { causes, models })
    }

    /// The index of the corridors cause among the present ones, if present.
    fn corridors(&self) -> Option<usize> {
        self.causes.iter().position(|&c| c == Cause::Corridors)
    }
}

/// `k!`.
fn factorial(k: usize) -> i128 {
    (1..=k as i128).product()
}

/// The Shapley values of `k` players over the value function `v` (indexed by bit mask,
/// `2^k` values, Wh), in whole Wh: `phi_i` rounded by largest remainder (ties to the
/// first cause) so that they sum to `v(full) - v(0)` exactly. Written into `phi`.
pub fn shapley_wh(k: usize, v: &[i64], phi: &mut [i64]) {
    let full = (1usize << k) - 1;
    let kf = factorial(k);
    // Weights times k!: |S|! (k - |S| - 1)!.
    let mut scaled = [0i128; Cause::ALL.len()];
    for (i, s) in scaled.iter_mut().enumerate().take(k) {
        for mask in (0..=full).filter(|m| m & (1 << i) == 0) {
            let size = mask.count_ones() as usize;
            let w = factorial(size) * factorial(k - size - 1);
            *s += w * (i128::from(v[mask | (1 << i)]) - i128::from(v[mask]));
        }
    }
    let mut remainders = [(0i128, 0usize); Cause::ALL.len()];
    let mut given: i128 = 0;
    for i in 0..k {
        let (q, r) = (scaled[i].div_euclid(kf), scaled[i].rem_euclid(kf));
        phi[i] = q as i64;
        given += q;
        remainders[i] = (r, i);
    }
    let left = (i128::from(v[full]) - i128::from(v[0]) - given) as usize;
    let rest = &mut remainders[..k];
    // Largest remainder first; among equal remainders the first cause.
    rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in rest.iter().take(left) {
        phi[i] += 1;
    }
}

/// The parts of an area's energy in a sample, in this order: one per cause of
/// [`Cause::ALL`] (0 if absent), the residual, the national deficit, the corridor-limited
/// part.
pub const PARTS: usize = Cause::ALL.len() + 3;
const RESIDUAL: usize = Cause::ALL.len();
const NATIONAL: usize = RESIDUAL + 1;
const CORRIDOR_LIMITED: usize = RESIDUAL + 2;

/// Cross-sample sums of the attribution: per area (regions, then the system) and part, the
/// pair (part, the area's energy) of every sample, Wh.
#[derive(Clone, Debug)]
pub struct Attribution {
    /// The present causes.
    causes: Vec<Cause>,
    /// `a * PARTS + p`.
    sums: Vec<PairSums>,
    /// Samples re-simulated (those with a shortfall, or all: module docs).
    resimulated: u64,
    /// Samples without a shortfall in the run that had one in some world.
    no_shortfall_changed: u64,
    /// The last sample's parts, `a * PARTS + p`, Wh.
    last: Vec<i64>,
}

impl Attribution {
    /// Empty sums for `model`.
    pub fn new(model: &SystemModel) -> Attribution {
        let areas = model.regions().len() + 1;
        Attribution {
            causes: (Cause::ALL.into_iter())
                .filter(|c| c.present(model))
                .collect(),
            sums: vec![PairSums::default(); areas * PARTS],
            resimulated: 0,
            no_shortfall_changed: 0,
            last: vec![0; areas * PARTS],
        }
    }

    /// The present causes.
    pub fn causes(&self) -> &[Cause] {
        &self.causes
    }

    /// The last sample's parts of area `a` ([`PARTS`] order), Wh.
    pub fn last_parts(&self, a: usize) -> &[i64] {
        &self.last[a * PARTS..(a + 1) * PARTS]
    }

    /// Record a sample: `v[m * regions + r]` is region `r`'s energy in world `m` (`None`:
    /// the sample had no shortfall and was not re-simulated).
    fn push(&mut self, regions: usize, corridors: Option<usize>, v: Option<&[i64]>) {
        let k = self.causes.len();
        let full = (1usize << k) - 1;
        self.last.fill(0);
        if let Some(v) = v {
            self.resimulated += 1;
            let run_short = v[full * regions..].iter().any(|&w| w > 0);
            if !run_short && v.iter().any(|&w| w != 0) {
                self.no_shortfall_changed += 1;
            }
            let mut values = vec![0i64; full + 1];
            let mut phi = [0i64; Cause::ALL.len()];
            for r in 0..regions {
                for (m, value) in values.iter_mut().enumerate() {
                    *value = v[m * regions + r];
                }
                shapley_wh(k, &values, &mut phi);
                let parts = &mut self.last[r * PARTS..(r + 1) * PARTS];
                for (i, c) in self.causes.iter().enumerate() {
                    let p = Cause::ALL.iter().position(|x| x == c).expect("a cause");
                    parts[p] = phi[i];
                }
                parts[RESIDUAL] = values[0];
                parts[NATIONAL] = match corridors {
                    Some(i) => values[full & !(1 << i)],
                    None => values[full],
                };
                parts[CORRIDOR_LIMITED] = values[full] - parts[NATIONAL];
            }
            for p in 0..PARTS {
                let system: i64 = (0..regions).map(|r| self.last[r * PARTS + p]).sum();
                self.last[regions * PARTS + p] = system;
            }
        }
        for a in 0..=regions {
            let parts = &self.last[a * PARTS..(a + 1) * PARTS];
            // The area's energy: the residual and the causes' shares sum to it.
            let energy: i64 = parts[..=RESIDUAL].iter().sum();
            for (sums, &part) in self.sums[a * PARTS..].iter_mut().zip(parts) {
                sums.push(part, energy);
            }
        }
    }

    /// Add the sums of a later block; on overflow, the path of the sum.
    pub fn checked_merge(&mut self, later: &Attribution) -> Result<(), String> {
        self.resimulated += later.resimulated;
        self.no_shortfall_changed += later.no_shortfall_changed;
        for (i, (a, b)) in self.sums.iter_mut().zip(&later.sums).enumerate() {
            a.checked_merge(b)
                .map_err(|e| format!("attribution[{i}].{e}"))?;
        }
        Ok(())
    }

    /// The summary (`"attribution"` of a result): the causes, the samples re-simulated and,
    /// per area, each part's energy (MWh per sample) and share of the area's expected
    /// unserved energy, with 95% intervals.
    pub fn summary_json(&self, model: &SystemModel) -> Value {
        let regions = model.regions().len();
        let mw = 1.0 / W_PER_MW as f64;
        let est = |e: Estimate| {
            if e.mean.is_finite() {
                json!(e)
            } else {
                Value::Null
            }
        };
        let area = |a: usize| {
            let part = |p: usize| {
                let s = &self.sums[a * PARTS + p];
                json!({
                    "eue_mwh": est(s.x().scaled(mw)),
                    "share": s.ratio().map_or(Value::Null, est),
                })
            };
            let mut causes = Map::new();
            for c in &self.causes {
                let p = Cause::ALL.iter().position(|x| x == c).expect("a cause");
                causes.insert(c.name().into(), part(p));
            }
            causes.insert("residual".into(), part(RESIDUAL));
            json!({
                "eue_mwh": est(self.sums[a * PARTS].y().scaled(mw)),
                "causes": causes,
                "national_deficit": part(NATIONAL),
                "corridor_limited": part(CORRIDOR_LIMITED),
            })
        };
        let mut by_region = Map::new();
        // Hubs have no demand: nothing of theirs to attribute.
        for (r, name) in crate::result::indexed_regions(model) {
            by_region.insert(name.into(), area(r));
        }
        json!({
            "causes": self.causes.iter().map(|c| c.name()).collect::<Vec<_>>(),
            "resimulated_samples": self.resimulated,
            "no_shortfall_samples_changed": self.no_shortfall_changed,
            "system": area(regions),
            "regions": by_region,
        })
    }
}

/// Per-region unserved energy of one sample in a world (the worlds' accumulator), and,
/// for per-event attribution, its shortfall per hour and region.
struct RegionEnergy {
    wh: Vec<i64>,
    /// `h * regions + r`, watts (empty without per-event attribution).
    by_hour_w: Vec<i64>,
    /// The hours recorded in `by_hour_w`, to clear them.
    hours: Vec<usize>,
}

impl RegionEnergy {
    /// Clear the last sample.
    fn clear(&mut self) {
        self.wh.fill(0);
        let regions = self.wh.len();
        for &h in &self.hours {
            self.by_hour_w[h * regions..(h + 1) * regions].fill(0);
        }
        self.hours.clear();
    }

    /// Area `a`'s unserved energy in `event`'s hours, Wh (the system: every region's).
    fn in_event_wh(&self, event: &SampleEvent) -> i64 {
        let regions = self.wh.len();
        let hours = event.start_hour..event.start_hour + event.duration_h;
        let at = |h: usize| &self.by_hour_w[h * regions..(h + 1) * regions];
        if event.area == regions {
            hours.map(|h| at(h).iter().sum::<i64>()).sum()
        } else {
            hours.map(|h| at(h)[event.area]).sum()
        }
    }
}

impl Accumulator for RegionEnergy {
    #[inline]
    fn record_hour(&mut self, hour: &HourView) {
        for (wh, &short) in self.wh.iter_mut().zip(hour.short_w) {
            *wh += short;
        }
        if !self.by_hour_w.is_empty() {
            let regions = self.wh.len();
            let h = hour.hour;
            self.by_hour_w[h * regions..(h + 1) * regions]
                .copy_from_slice(&hour.short_w[..regions]);
            self.hours.push(h);
        }
    }

    fn end_sample(&mut self, _: &SampleView) {}

    fn merge(&mut self, _: &Self) {}
}

/// Per-thread samplers: the model's and every world's.
struct Worker<'m> {
    model: Sampler<'m>,
    worlds: Vec<Sampler<'m>>,
    energy: RegionEnergy,
    /// `m * regions + r`: region `r`'s energy in world `m`.
    values: Vec<i64>,
    /// The sample's events (per-event attribution).
    events: Vec<SampleEvent>,
    /// `e * 2^k + m`: event `e`'s energy in world `m`, Wh.
    event_values: Vec<i64>,
    /// One event's attribution columns ([`event_columns`]), MWh.
    event_mwh: Vec<f64>,
}

/// The attribution columns of the event catalogue for `causes`: each cause's part of the
/// event's energy and the residual's, then its national-deficit and corridor-limited parts
/// (MWh).
pub fn event_columns(causes: &[Cause]) -> Vec<String> {
    (causes.iter().map(|c| c.name()))
        .chain(["residual"])
        .map(|n| format!("attributed_mwh.{n}"))
        .chain(["national_deficit_mwh".into(), "corridor_limited_mwh".into()])
        .collect()
}

/// Whether removing a cause of `worlds` can make a shortfall in a sample of `model` that
/// has none (module docs): then every sample is re-simulated.
fn may_add_shortfall(model: &SystemModel, worlds: &Worlds) -> bool {
    worlds.causes.contains(&Cause::Weather)
        || !model.storages().is_empty()
        || !model.demand_responses().is_empty()
}

/// The parts of an event in `columns` ([`event_columns`] order), MWh, from its energy in
/// every world `v` (Wh, by world mask).
fn event_parts(k: usize, corridors: Option<usize>, v: &[i64], columns: &mut [f64]) {
    let full = (1usize << k) - 1;
    let mut phi = [0i64; Cause::ALL.len()];
    shapley_wh(k, v, &mut phi);
    let national = corridors.map_or(v[full], |i| v[full & !(1 << i)]);
    let mwh = |wh: i64| wh as f64 / W_PER_MW as f64;
    for (c, &p) in columns.iter_mut().zip(&phi[..k]) {
        *c = mwh(p);
    }
    columns[k] = mwh(v[0]);
    columns[k + 1] = mwh(national);
    columns[k + 2] = mwh(v[full] - national);
}

/// [`crate::runner::run_observed`] with attribution: `new_acc` must make [`Indices`] with
/// [`Indices::attribution`] set. Every sample with a shortfall (every sample, when a world
/// can add one: module docs) is simulated again in every world of `model` on the same
/// draws and its energy attributed, and so is each event of the catalogue, if kept.
pub fn run_observed<F>(
    model: &SystemModel,
    spec: &SimulationSpec,
    threads: usize,
    new_acc: F,
    progress: &(dyn Fn(u64) + Sync),
    converged: impl Fn(&Indices) -> bool,
    observe: &(dyn Fn(&Indices) + Sync),
) -> Result<RunOutput<Indices>, RunError>
where
    F: Fn() -> Indices + Sync,
{
    check_bounds(model, spec.max_samples())?;
    Sampler::new(model)?;
    let worlds = Worlds::of(model).map_err(|e| RunError::OutOfBounds {
        model: model.name().to_string(),
        message: format!("cannot remove a cause for attribution: {e}"),
    })?;
    for m in &worlds.models {
        check_bounds(m, spec.max_samples())?;
        Sampler::new(m)?;
    }
    let regions = model.regions().len();
    let corridors = worlds.corridors();
    let rerun_all = may_add_shortfall(model, &worlds);
    let k = worlds.causes.len();
    let empty = new_acc();
    let streams_rows = empty.streams_rows();
    let per_event = empty.events.is_some();
    run_blocks(
        spec,
        threads,
        &Blocks {
            streams_rows,
            new_worker: || Worker {
                model: Sampler::new(model).expect("checked before the run"),
                worlds: (worlds.models.iter())
                    .map(|m| Sampler::new(m).expect("checked before the run"))
                    .collect(),
                energy: RegionEnergy {
                    wh: vec![0; regions],
                    by_hour_w: vec![
                        0;
                        if per_event {
                            model.hours() * regions
                        } else {
                            0
                        }
                    ],
                    hours: Vec::new(),
                },
                values: vec![0; (worlds.models.len() + 1) * regions],
                events: Vec::new(),
                event_values: Vec::new(),
                event_mwh: vec![0.0; k + 3],
            },
            new_acc,
            sample: |w: &mut Worker, seed, s, acc: &mut Indices| {
                w.model.sample(seed, s, acc);
                let short = acc.eue.last_wh(regions) > 0;
                w.events.clear();
                if let Some(e) = &acc.events {
                    w.events.extend_from_slice(e.sample_events());
                }
                let full = w.worlds.len();
                let resimulate = short || rerun_all;
                if resimulate {
                    w.event_values.clear();
                    w.event_values.resize(w.events.len() * (full + 1), 0);
                    for (m, sampler) in w.worlds.iter_mut().enumerate() {
                        w.energy.clear();
                        sampler.sample(seed, s, &mut w.energy);
                        w.values[m * regions..(m + 1) * regions].copy_from_slice(&w.energy.wh);
                        for (i, e) in w.events.iter().enumerate() {
                            w.event_values[i * (full + 1) + m] = w.energy.in_event_wh(e);
                        }
                    }
                    for r in 0..regions {
                        w.values[full * regions + r] = acc.eue.last_wh(r);
                    }
                    for (i, e) in w.events.iter().enumerate() {
                        w.event_values[i * (full + 1) + full] = e.energy_wh;
                    }
                }
                let attribution = acc.attribution.as_mut().expect("attribution asked for");
                attribution.push(regions, corridors, resimulate.then_some(&w.values[..]));
                if let Some(catalogue) = acc.events.as_mut() {
                    // Every event is in a sample with a shortfall, which was re-simulated.
                    for i in 0..w.events.len() {
                        let v = &w.event_values[i * (full + 1)..(i + 1) * (full + 1)];
                        event_parts(k, corridors, v, &mut w.event_mwh);
                        catalogue.set_attribution(i, &w.event_mwh);
                    }
                }
            },
            merge: |total: &mut Indices, later: &Indices| {
                observe(later);
                total.merge(later)
            },
        },
        progress,
        converged,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapley_of_one_cause_alone_is_all_of_it() {
        // Two causes; the event happens only when cause 0 acts.
        let v = [0, 100, 0, 100];
        let mut phi = [0; 5];
        shapley_wh(2, &v, &mut phi);
        assert_eq!(&phi[..2], &[100, 0]);
    }

    #[test]
    fn shapley_of_two_needed_causes_splits_evenly() {
        // Both needed: v({0, 1}) = 90, every other 0.
        let v = [0, 0, 0, 90];
        let mut phi = [0; 5];
        shapley_wh(2, &v, &mut phi);
        assert_eq!(&phi[..2], &[45, 45]);
    }

    #[test]
    fn shapley_rounds_to_the_exact_total() {
        // Three symmetric causes all needed: 100 / 3 each, rounded to sum to 100.
        let mut v = [0i64; 8];
        v[7] = 100;
        let mut phi = [0; 5];
        shapley_wh(3, &v, &mut phi);
        assert_eq!(&phi[..3], &[34, 33, 33]);
        // Arbitrary values, residual 7: the shares sum to v(N) - v({}).
        let v: Vec<i64> = (0..32).map(|m: i64| 7 + (m * 37) % 101 + m).collect();
        shapley_wh(5, &v, &mut phi);
        assert_eq!(phi.iter().sum::<i64>(), v[31] - v[0]);
    }
}
