//! Two-state outage processes and their transitions, for every component that can fail.
//!
//! A component (a generating unit, a line, an import source, an import link, a storage
//! device) is up or down, in one of the two conventions of [`OutageModel`]. In continuous time, up times are
//! exponential with mean MTTF and down times with mean MTTR; in discrete time they are
//! geometric, a whole number K >= 1 of steps with P(K > k) = (1 - p)^k. Its initial state is
//! drawn from the stationary availability ([`OutageModel::availability`]); durations are
//! drawn by inversion from the component's own stream ([`crate::rng`]), one standard
//! exponential draw E per duration: E x MTTF hours, or K = max(1, ceil(E / -ln(1 - p)))
//! steps (P(K > k) = P(E > -k ln(1 - p)) = (1 - p)^k). A transition at time `t` (hours)
//! changes the state from hour `ceil(t)` on: **a component's state in hour h is its state at
//! the start of the hour** (time h); discrete transitions fall on whole hours. Only
//! transitions are sampled, never a draw per component-hour.
//!
//! When up, a component adds `amount` to one *quantity*: the available generation of a region
//! (watts), the export cap of an import source above its fallback cap (watts), or the number
//! of circuits of a line or link that are in service (0 or 1), or whether a corridor
//! disturbance is absent (1) or tripping its lines (0), or the available capacity of a block
//! whose combined output is capped (its region gets `min(cap, available)`, see
//! [`Pools`]).
//!
//! Two conditions change a unit's process ([`gridrisk_core::model::UnitConditions`]): on a
//! cold day (its zone's anomaly below a level) its failure rate is multiplied by a factor, so
//! an up time is drawn by inverting the cumulative hazard, day by day, from the same single
//! exponential draw; and during a dated outage it is out whatever its random state (its
//! random process runs on underneath, so its draws do not shift). A unit with an hourly
//! capacity ([`gridrisk_core::model::UnitProfile`]) adds that hour's capacity while it is up:
//! its changes are its transitions (by the capacity of their hour) and, while it is up, the
//! hours at which its capacity changes, merged into at most one change per hour, so that the
//! block sums below stay exact. Transitions are recorded as changes of quantities,
//! summed per block of [`PEAK_BLOCK_H`] hours (net change, and the sum of drops, so that the
//! lowest possible level of a quantity in a block is known without visiting its hours), and
//! linked per (quantity, block) so that a block that must be walked finds its changes
//! directly.
//!
//! Memory is bounded by construction: two transitions of a component within one hour cancel
//! before they are stored (the hour's state is read at its start), so one sample's history
//! holds at most one change per component and hour, at most
//! [`MAX_OUTAGE_CHANGES`](gridrisk_core::bounds::MAX_OUTAGE_CHANGES) changes (checked when
//! a scenario is read, so `u32` change indices cannot wrap); with every mean up and down
//! time at least one hour ([`gridrisk_core::bounds`]), the expected number is at most
//! `Σ 2 hours / (MTTF + MTTR)`, below one per component and hour.

use crate::rng::{Purpose, SampleKey, Stream};
use crate::weather::WeatherDraw;
use gridrisk_core::model::{component_id, ColdRule, OutageModel, UnitRates, PEAK_BLOCK_H};
use gridrisk_core::SystemModel;
use std::ops::Range;

/// `ceil(t)` for `0 <= t < 2^31` without a libm call (no SSE4.1 `roundsd` in the baseline
/// x86-64 target) and without a saturating conversion: `t + 2^52` is `n + 2^52` exactly,
/// `n` the integer nearest `t`, whose bits hold `n` in their low 32; then `n + 1` if
/// `n < t`, else `n` (`n >= t` and `n - t <= 1/2`).
#[inline]
fn ceil_hour(t: f64) -> usize {
    const SHIFT: f64 = 4_503_599_627_370_496.0;
    let y = t + SHIFT;
    let nearest = y.to_bits() as u32;
    (nearest + u32::from(y - SHIFT < t)) as usize
}

/// A discrete-time duration: `x` = E / -ln(1 - p) for a standard exponential draw E, as the
/// whole number of steps max(1, ceil(x)) (geometric with parameter p); a duration of 2^31
/// steps or more is past any window and is returned as it is.
#[inline]
fn whole_steps(x: f64) -> f64 {
    if x < 2_147_483_648.0 {
        ceil_hour(x).max(1) as f64
    } else {
        x
    }
}

/// The quantities that outages change, and their layout in one vector: region generation,
/// import source caps, line circuits in service, link circuits in service, disturbances
/// absent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quantities {
    /// Regions.
    pub regions: usize,
    /// Import sources.
    pub sources: usize,
    /// Lines.
    pub lines: usize,
    /// Import links, all sources together in scenario order.
    pub links: usize,
    /// Corridor disturbances.
    pub disturbances: usize,
    /// Blocks of units with a cap on their combined output.
    pub pools: usize,
    /// Storage devices.
    pub storages: usize,
    /// Demand response devices.
    pub demand_responses: usize,
}

impl Quantities {
    /// The layout for `model`.
    pub fn of(model: &SystemModel) -> Quantities {
        let net = model.network();
        Quantities {
            regions: model.regions().len(),
            sources: net.imports.len(),
            lines: net.lines.len(),
            links: net.imports.iter().map(|s| s.links.len()).sum(),
            disturbances: model.conditions().disturbances.len(),
            pools: model.conditions().block_caps.len(),
            storages: model.storages().len(),
            demand_responses: model.demand_responses().len(),
        }
    }

    /// Total number of quantities.
    pub fn count(&self) -> usize {
        self.demand_response(0) + self.demand_responses
    }

    /// Index of import source `s`'s export cap.
    pub fn source(&self, s: usize) -> usize {
        self.regions + s
    }

    /// Index of line `l`'s circuits in service.
    pub fn line(&self, l: usize) -> usize {
        self.regions + self.sources + l
    }

    /// Index of link `k`'s circuits in service.
    pub fn link(&self, k: usize) -> usize {
        self.regions + self.sources + self.lines + k
    }

    /// Index of disturbance `d`'s absence (1 = not tripping).
    pub fn disturbance(&self, d: usize) -> usize {
        self.regions + self.sources + self.lines + self.links + d
    }

    /// Index of capped block `p`'s available capacity before its cap.
    pub fn pool(&self, p: usize) -> usize {
        self.regions + self.sources + self.lines + self.links + self.disturbances + p
    }

    /// Index of storage device `i`'s availability (1 = in service).
    pub fn storage(&self, i: usize) -> usize {
        self.pool(0) + self.pools + i
    }

    /// Index of demand response device `i`'s availability (1 = in service).
    pub fn demand_response(&self, i: usize) -> usize {
        self.storage(0) + self.storages + i
    }
}

/// Every component with an outage process, struct of arrays.
#[derive(Clone, Debug)]
pub struct Components {
    stream_id: Vec<u64>,
    purpose: Vec<Purpose>,
    quantity: Vec<usize>,
    amount: Vec<i64>,
    /// Scale of an up time: MTTF hours, or 1 / -ln(1 - p_fail) steps in discrete time.
    up_scale: Vec<f64>,
    /// Scale of a down time: MTTR hours, or 1 / -ln(1 - p_repair) steps.
    down_scale: Vec<f64>,
    /// Whether each component is in discrete time (durations are whole steps).
    discrete: Vec<bool>,
    /// Per component: its hourly capacity when up (an index in `profiles`), if it has one.
    profile: Vec<Option<usize>>,
    /// Hourly capacities, one per block of units that has one.
    profiles: Vec<Profile>,
    /// Per component: its hourly failure and repair rates (an index in `rates`), if any.
    rate: Vec<Option<usize>>,
    /// Hourly failure and repair rates, one per block of units that has them.
    rates: Vec<Rates>,
    /// The plain components (continuous time, constant capacity, no cold rule or dated
    /// outage, no negative amount): the first `plain.len()` components, whose fields are
    /// copied here side by side for the hot loop ([`draw_plain`]; see
    /// [`Components::special_last`]).
    plain: Vec<Plain>,
    availability: Vec<f64>,
    /// Per component: failure-rate multiplier on cold days (zone, anomaly level, factor).
    cold: Vec<Option<ColdRule>>,
    /// Per component: study hours during which it is out whatever its state.
    masks: Vec<Vec<Range<usize>>>,
    /// Level of every quantity from components that never fail.
    firm_level: Vec<i64>,
    /// Steps per hour: continuous-time durations are drawn in hours and walked in steps
    /// (an MTTF of `m` hours is `m x steps_per_hour` steps; 1.0 at hourly steps).
    steps_per_hour: f64,
}

impl Components {
    /// Quantity `q`'s level with every component in service.
    pub fn full_level(&self, q: usize) -> i64 {
        let outaged: i64 = (self.quantity.iter().zip(&self.amount))
            .filter(|&(&k, _)| k == q)
            .map(|(_, &a)| a)
            .sum();
        self.firm_level[q] + outaged
    }

    /// The components of `model`: every unit with a non-zero capacity, and every line,
    /// import source and link (those without an outage process count as always up).
    pub fn of(model: &SystemModel) -> Components {
        let q = Quantities::of(model);
        let mut c = Components {
            stream_id: Vec::new(),
            purpose: Vec::new(),
            quantity: Vec::new(),
            amount: Vec::new(),
            up_scale: Vec::new(),
            down_scale: Vec::new(),
            discrete: Vec::new(),
            profile: Vec::new(),
            profiles: Vec::new(),
            rate: Vec::new(),
            rates: Vec::new(),
            plain: Vec::new(),
            availability: Vec::new(),
            cold: Vec::new(),
            masks: Vec::new(),
            firm_level: vec![0; q.count()],
            steps_per_hour: model.calendar().steps_per_hour() as f64,
        };
        for i in 0..model.units().len() {
            c.push_unit(model, &q, i);
        }
        let net = model.network();
        for (s, source) in net.imports.iter().enumerate() {
            let id = component_id(&format!("import:{}", source.name));
            // Up: the full cap; down: the fallback cap (firm).
            let fallback = source.fallback_cap_w.min(source.cap_w);
            c.firm_level[q.source(s)] += fallback;
            c.push(
                id,
                Purpose::ImportOutage,
                q.source(s),
                source.cap_w - fallback,
                source.outage.map(OutageModel::from),
            );
        }
        let line_rates = &model.conditions().line_rates;
        for (l, line) in net.lines.iter().enumerate() {
            let id = component_id(&format!("line:{}", line.name));
            c.push(id, Purpose::LineOutage, q.line(l), 1, line.outage);
            let rates = line_rates.iter().position(|r| r.units[0] == line.name);
            if let (Some(r), Some(outage)) = (rates, line.outage) {
                // Numbered after the unit blocks' tables, one table per line.
                let block = model.conditions().unit_rates.len() + r;
                c.push_rates(model, block, &line_rates[r], outage);
            }
        }
        let links = net
            .imports
            .iter()
            .flat_map(|s| s.links.iter().map(move |k| (s, k)));
        for (k, (source, link)) in links.enumerate() {
            let id = component_id(&format!("link:{}/{}", source.name, link.name));
            c.push(
                id,
                Purpose::LinkOutage,
                q.link(k),
                1,
                link.outage.map(OutageModel::from),
            );
        }
        for (d, dist) in model.conditions().disturbances.iter().enumerate() {
            let id = component_id(&format!("disturbance:{}", dist.name));
            c.push(
                id,
                Purpose::Disturbance,
                q.disturbance(d),
                1,
                Some(dist.outage.into()),
            );
        }
        for (i, st) in model.storages().iter().enumerate() {
            let id = component_id(&format!("storage:{}", st.name));
            c.push(id, Purpose::StorageOutage, q.storage(i), 1, st.outage);
        }
        for (i, d) in model.demand_responses().iter().enumerate() {
            let id = component_id(&format!("demand_response:{}", d.name));
            c.push(
                id,
                Purpose::DemandResponseOutage,
                q.demand_response(i),
                1,
                d.outage,
            );
        }
        c.special_last();
        c
    }

    /// Whether component `i` is drawn out of the hot loop: in discrete time, with an hourly
    /// capacity or hourly rates, a cold rule or dated outages, or a negative amount (its
    /// failures would be gains, which the hot loop does not count as drops).
    fn special(&self, i: usize) -> bool {
        self.discrete[i]
            || self.profile[i].is_some()
            || self.rate[i].is_some()
            || self.cold[i].is_some()
            || !self.masks[i].is_empty()
            || self.amount[i] < 0
    }

    /// Reorder the components so that the special ones ([`Components::special`]) come last,
    /// from `plain` on (their order does not matter: each has its own stream, and changes
    /// are integer sums).
    fn special_last(&mut self) {
        let mut order: Vec<usize> = (0..self.stream_id.len()).collect();
        order.sort_by_key(|&i| self.special(i));
        fn permute<T: Clone>(v: &mut Vec<T>, order: &[usize]) {
            *v = order.iter().map(|&i| v[i].clone()).collect();
        }
        permute(&mut self.stream_id, &order);
        permute(&mut self.purpose, &order);
        permute(&mut self.quantity, &order);
        permute(&mut self.amount, &order);
        permute(&mut self.up_scale, &order);
        permute(&mut self.down_scale, &order);
        permute(&mut self.discrete, &order);
        permute(&mut self.profile, &order);
        permute(&mut self.rate, &order);
        permute(&mut self.availability, &order);
        permute(&mut self.cold, &order);
        permute(&mut self.masks, &order);
        self.plain = (0..self.stream_id.len())
            .take_while(|&i| !self.special(i))
            .map(|i| Plain {
                stream_id: self.stream_id[i],
                purpose: self.purpose[i],
                quantity: self.quantity[i],
                amount: self.amount[i],
                mttf: self.up_scale[i],
                mttr: self.down_scale[i],
                availability: self.availability[i],
            })
            .collect();
    }

    /// Push unit `i` of `model` (nothing if it is 0 MW: it changes nothing, whatever its
    /// state).
    fn push_unit(&mut self, model: &SystemModel, q: &Quantities, i: usize) {
        let units = model.units();
        if units.capacity_w[i] == 0 {
            return;
        }
        let (id, region) = (units.stream_id[i], units.region[i]);
        // A unit of a capped block adds to its block's quantity, not its region's.
        let quantity = model
            .conditions()
            .block_caps
            .iter()
            .position(|b| b.units.contains(&units.names[i]))
            .map_or(region, |p| q.pool(p));
        self.push(
            id,
            Purpose::UnitOutage,
            quantity,
            units.capacity_w[i],
            Some(units.outage[i]),
        );
        let last = self.cold.len() - 1;
        let profiles = &model.conditions().unit_profiles;
        if let Some(b) = profiles
            .iter()
            .position(|b| b.units.contains(&units.names[i]))
        {
            // One profile per block, shared by its units.
            let at = match self.profiles.iter().position(|p| p.block == b) {
                Some(at) => at,
                None => {
                    self.profiles.push(Profile::new(b, &profiles[b].capacity_w));
                    self.profiles.len() - 1
                }
            };
            self.profile[last] = Some(at);
        }
        let unit_rates = &model.conditions().unit_rates;
        if let Some(b) = (unit_rates.iter()).position(|b| b.units.contains(&units.names[i])) {
            self.push_rates(model, b, &unit_rates[b], units.outage[i]);
        }
        if let Some(cond) = model
            .conditions()
            .units
            .iter()
            .find(|u| u.unit == units.names[i])
        {
            self.cold[last] = cond.cold.clone();
            self.masks[last] = cond.dated_outages.clone();
        }
    }

    /// Give the last component pushed the hourly rates `rates` (table `block`: the blocks
    /// of units, then the lines), whose constant parameters are `outage`.
    fn push_rates(
        &mut self,
        model: &SystemModel,
        block: usize,
        rates: &UnitRates,
        outage: OutageModel,
    ) {
        let last = self.cold.len() - 1;
        // One table per block: its units share their outage parameters.
        let at = match self.rates.iter().position(|r| r.block == block) {
            Some(at) => at,
            None => {
                let hours = model.calendar().hours();
                let k = self.steps_per_hour;
                self.rates
                    .push(Rates::new(block, rates, outage, (hours, k)));
                self.rates.len() - 1
            }
        };
        self.rate[last] = Some(at);
        self.availability[last] = self.rates[at].availability;
    }

    fn push(
        &mut self,
        stream_id: u64,
        purpose: Purpose,
        quantity: usize,
        amount: i64,
        outage: Option<OutageModel>,
    ) {
        let Some(o) = outage else {
            self.firm_level[quantity] += amount;
            return;
        };
        self.stream_id.push(stream_id);
        self.purpose.push(purpose);
        self.quantity.push(quantity);
        self.amount.push(amount);
        let k = self.steps_per_hour;
        let (up, down, discrete) = match o {
            OutageModel::Continuous(o) => (o.mttf_h * k, o.mttr_h * k, false),
            // 1 / -ln(1 - p): infinite for p = 0 (never), 0 for p = 1 (one step).
            OutageModel::Discrete { p_fail, p_repair } => {
                (-1.0 / (-p_fail).ln_1p(), -1.0 / (-p_repair).ln_1p(), true)
            }
        };
        self.up_scale.push(up);
        self.down_scale.push(down);
        self.discrete.push(discrete);
        self.profile.push(None);
        self.rate.push(None);
        self.availability.push(o.availability());
        self.cold.push(None);
        self.masks.push(Vec::new());
    }
}

/// Where the transitions of one component go.
trait Record {
    /// A transition at hour `h` of a component that was `up` before it.
    fn push(&mut self, h: usize, up: bool);
    /// Cancel the last transition recorded, at hour `h`.
    fn pop(&mut self, h: usize);
}

/// Transitions as changes of quantity `q` by `amount`, in the log.
struct ToLog<'l, 'a> {
    log: &'l mut Log<'a>,
    q: usize,
    amount: i64,
}

impl Record for ToLog<'_, '_> {
    #[inline(always)]
    fn push(&mut self, h: usize, up: bool) {
        let change = if up { -self.amount } else { self.amount };
        self.log.push(self.q, h, change);
    }

    #[inline(always)]
    fn pop(&mut self, h: usize) {
        self.log.pop(self.q, h);
    }
}

/// Transitions as the hours at which the random state flips (merged with dated outages).
impl Record for &mut Vec<usize> {
    #[inline(always)]
    fn push(&mut self, h: usize, _up: bool) {
        Vec::push(self, h);
    }

    #[inline(always)]
    fn pop(&mut self, _h: usize) {
        Vec::pop(self);
    }
}

/// Draw the transitions of a component that starts `up` from `rng` until time `last_hour`
/// into `record`; `next(rng, t, up)` is the time of the next transition after one at `t`.
#[inline(always)]
fn transitions<N, R>(rng: &mut Stream, up: bool, last_hour: f64, mut next: N, mut record: R)
where
    N: FnMut(&mut Stream, f64, bool) -> f64,
    R: Record,
{
    let mut at = Transition {
        t: 0.0,
        last_h: usize::MAX,
        last_hour,
    };
    // Failures and repairs alternate, so each step is specialised for its constant `up`.
    if !up && !at.step(rng, &mut next, &mut record, false) {
        return;
    }
    while at.step(rng, &mut next, &mut record, true) && at.step(rng, &mut next, &mut record, false)
    {
    }
}

/// Draw the history of special component `i` ([`Components::special`]) of `components`
/// into `log` and `initial`; `flips` is scratch for its random state flips. Out of line, so
/// that the loop over the plain components ([`draw_plain`]), the hot one, is compiled as if
/// it were alone.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn draw_special(
    components: &Components,
    i: usize,
    key: SampleKey,
    weather: Option<&WeatherDraw>,
    hours: usize,
    initial: &mut [i64],
    log: &mut Log,
    flips: &mut Vec<usize>,
) {
    let last_hour = (hours - 1) as f64;
    let (q, amount) = (components.quantity[i], components.amount[i]);
    let (mttf, mttr) = (components.up_scale[i], components.down_scale[i]);
    let cold = components.cold[i].as_ref().zip(weather);
    let masks = &components.masks[i];
    let mut rng = key.stream(components.stream_id[i], components.purpose[i]);
    let up = rng.uniform() < components.availability[i];
    let discrete = components.discrete[i];
    let profile = components.profile[i].map(|p| &components.profiles[p]);
    let rates = components.rate[i].map(|r| &components.rates[r]);
    // With dated outages the random process runs on underneath: its transitions go
    // to `flips` and are merged with the outage dates below; so do they with an hourly
    // capacity, which changes what the component adds while it is up.
    let masked = !masks.is_empty() || profile.is_some();
    flips.clear();
    if up && !masked {
        initial[q] += amount;
    }
    let up0 = up;
    // In discrete time a duration is a whole number of steps.
    let plain = |rng: &mut Stream, t: f64, up: bool| {
        let x = rng.exp1() * if up { mttf } else { mttr };
        if discrete {
            t + whole_steps(x)
        } else {
            t + x
        }
    };
    let to_log = ToLog { log, q, amount };
    // The scenario reader refuses cold rules on discrete-time units and with hourly rates.
    match (cold, rates, masked) {
        (_, Some(rates), _) => {
            let next = |rng: &mut Stream, t: f64, up: bool| {
                let hazard = if up { &rates.failure } else { &rates.repair };
                hazard.next(t, rng.exp1(), discrete)
            };
            if masked {
                transitions(&mut rng, up, last_hour, next, &mut *flips);
            } else {
                transitions(&mut rng, up, last_hour, next, to_log);
            }
        }
        (None, None, false) => transitions(&mut rng, up, last_hour, plain, to_log),
        (Some((rule, w)), None, _) => {
            let next = |rng: &mut Stream, t: f64, up: bool| {
                if up {
                    cold_up_time(t, rng.exp1(), mttf, rule, w, hours)
                } else {
                    plain(rng, t, up)
                }
            };
            if masked {
                transitions(&mut rng, up, last_hour, next, &mut *flips);
            } else {
                transitions(&mut rng, up, last_hour, next, to_log);
            }
        }
        (None, None, true) => transitions(&mut rng, up, last_hour, plain, &mut *flips),
    }
    if masked {
        let state = State { up0, flips, masks };
        initial[q] += merge_effective(log, hours, &state, q, amount, profile);
    }
}

/// A plain component ([`Components::plain`]) as the hot loop reads it.
#[derive(Clone, Copy, Debug)]
struct Plain {
    stream_id: u64,
    purpose: Purpose,
    quantity: usize,
    /// What it adds when up (>= 0).
    amount: i64,
    /// Mean up and down times, hours.
    mttf: f64,
    mttr: f64,
    availability: f64,
}

/// Draw the history of plain component `c` over `hours` hours into `log` and `initial`:
/// the same draws, times and changes as [`draw_special`] would give it, in a loop that
/// keeps its state in registers (nearly every transition of a sample is drawn here).
/// `ONE` says that the history has one quantity (a one-region model without a network), so
/// that a block's sums are at the block's index.
#[inline(always)]
fn draw_plain<const ONE: bool>(
    c: &Plain,
    key: SampleKey,
    hours: usize,
    initial: &mut [i64],
    log: &mut Log,
) {
    let mut rng = key.stream(c.stream_id, c.purpose);
    let up = rng.uniform() < c.availability;
    if up {
        initial[c.quantity] += c.amount;
    }
    // A component keeps at most one change per hour: room for `hours` more, so that the
    // loop writes its changes by index.
    let start = log.len;
    if log.changes.len() < start + hours {
        log.changes.resize(start + hours, Change::EMPTY);
    }
    let mut d = PlainDraw {
        rng,
        t: 0.0,
        last_h: usize::MAX,
        last_hour: (hours - 1) as f64,
        len: start,
        changes: &mut log.changes[..start + hours],
        sums: log.sums,
        at: log.quantities,
        q: c.quantity,
        amount: c.amount,
    };
    // Failures and repairs alternate, so each step is specialised for its kind.
    if up || d.step::<false, ONE>(c.mttr) {
        while d.step::<true, ONE>(c.mttf) && d.step::<false, ONE>(c.mttr) {}
    }
    log.len = d.len;
}

/// The state of [`draw_plain`]: where the component's transitions are, and where its
/// changes go.
struct PlainDraw<'l> {
    rng: Stream,
    /// Time of the last transition drawn, hours.
    t: f64,
    /// The hour of the last change kept (see [`Transition::last_h`]).
    last_h: usize,
    /// The window's last hour, as a time.
    last_hour: f64,
    /// Number of changes in `changes`.
    len: usize,
    changes: &'l mut [Change],
    sums: &'l mut [BlockSums],
    /// Quantities per block of `sums`.
    at: usize,
    q: usize,
    amount: i64,
}

impl PlainDraw<'_> {
    /// Draw and record the next transition, a failure if `FAIL` (with mean duration
    /// `scale` before it); false past the window. What [`Transition::step`] and
    /// [`Log::push`] do, with a failure's change known to be a drop (`ONE`: see
    /// [`draw_plain`]).
    #[inline(always)]
    fn step<const FAIL: bool, const ONE: bool>(&mut self, scale: f64) -> bool {
        self.t += self.rng.exp1() * scale;
        if self.t > self.last_hour {
            return false;
        }
        let h = ceil_hour(self.t);
        let at = if ONE {
            h / PEAK_BLOCK_H
        } else {
            h / PEAK_BLOCK_H * self.at + self.q
        };
        let sums = &mut self.sums[at];
        if h == self.last_h {
            // Two transitions in one hour cancel (see `Transition::step`).
            self.len -= 1;
            sums.cancel(self.changes[self.len]);
            self.last_h = usize::MAX;
        } else {
            let change = if FAIL { -self.amount } else { self.amount };
            self.changes[self.len] = Change {
                hour: h as u32,
                next: sums.head,
                amount: change,
            };
            sums.head = self.len as u32;
            self.len += 1;
            sums.net_w += change;
            if FAIL {
                sums.drop_w += change;
            }
            self.last_h = h;
        }
        true
    }
}

/// Where [`transitions`] is.
struct Transition {
    /// Time of the last transition drawn, hours.
    t: f64,
    /// The hour of the last transition kept: a second one in the same hour cancels it (an
    /// hour's state is read at its start), so a component keeps at most one change per hour
    /// and a history at most components x hours changes.
    last_h: usize,
    /// The window's last hour, as a time.
    last_hour: f64,
}

impl Transition {
    /// Draw and record the transition of a component that is `up` before it; false past the
    /// window.
    #[inline(always)]
    fn step<N, R>(&mut self, rng: &mut Stream, next: &mut N, record: &mut R, up: bool) -> bool
    where
        N: FnMut(&mut Stream, f64, bool) -> f64,
        R: Record,
    {
        self.t = next(rng, self.t, up);
        // A transition after time hours-1 falls at hour ceil(t) >= hours.
        if self.t > self.last_hour {
            return false;
        }
        let h = ceil_hour(self.t);
        if h == self.last_h {
            record.pop(h);
            self.last_h = usize::MAX;
        } else {
            record.push(h, up);
            self.last_h = h;
        }
        true
    }
}

/// The end of an up time that starts at `start` (hours) with standard exponential draw `e`,
/// when the failure rate `1 / mttf` is multiplied by `rule.factor` on cold days: the
/// cumulative hazard is piecewise linear by day, and is inverted day by day. Past the window
/// the rate is the normal one.
fn cold_up_time(
    start: f64,
    e: f64,
    mttf: f64,
    rule: &ColdRule,
    weather: &WeatherDraw,
    hours: usize,
) -> f64 {
    let (mut t, mut e) = (start, e);
    loop {
        let day = (t / 24.0) as usize;
        if day * 24 >= hours {
            return t + e * mttf;
        }
        let m = if weather.anomaly_c(rule.zone, day) < rule.below_anomaly_c {
            rule.factor
        } else {
            1.0
        };
        let end = ((day + 1) * 24) as f64;
        let hazard = m * (end - t) / mttf;
        if m > 0.0 && e <= hazard {
            return t + e * mttf / m;
        }
        e -= hazard;
        t = end;
    }
}

/// A block's hourly failure and repair rates, as hazards per hour.
#[derive(Clone, Debug)]
struct Rates {
    /// Index of the block in the model's `unit_rates`, then of a line's table in its
    /// `line_rates` after them.
    block: usize,
    /// Hazard of a failure, while up.
    failure: Hazard,
    /// Hazard of a repair, while down.
    repair: Hazard,
    /// Stationary availability of hour 0's rates (draws the initial state).
    availability: f64,
}

impl Rates {
    /// The rates of block `b`, `rates`, whose units' constant parameters are `outage`, over
    /// `hours` steps of which `k` make an hour.
    fn new(
        block: usize,
        rates: &UnitRates,
        outage: OutageModel,
        (hours, k): (usize, f64),
    ) -> Rates {
        let (fail, repair, discrete) = match outage {
            OutageModel::Continuous(o) => (o.mttf_h, o.mttr_h, false),
            OutageModel::Discrete { p_fail, p_repair } => (p_fail, p_repair, true),
        };
        let failure = Hazard::new(rates.failure.as_deref(), fail, discrete, (hours, k));
        let repair = Hazard::new(rates.repair.as_deref(), repair, discrete, (hours, k));
        let availability = if discrete {
            let (p_fail, p_repair) = rates.first_hour(&outage);
            p_repair / (p_fail + p_repair)
        } else {
            // MTTF / (MTTF + MTTR) as for a constant unit (the same arithmetic), 1 if it
            // cannot fail in hour 0 and 0 if it cannot be repaired.
            let (up, down) = (failure.scale[0], repair.scale[0]);
            match (up.is_finite(), down.is_finite()) {
                (true, true) => up / (up + down),
                (up_forever, _) => f64::from(u8::from(up_forever)),
            }
        };
        Rates {
            block,
            failure,
            repair,
            availability,
        }
    }
}

/// A hazard that is constant over each hour: over `[h, h + 1)` it is `rate[h]` per hour
/// (in discrete time, -ln(1 - p) of the step into hour `h + 1`, PRAS's convention). A
/// duration from time `t` with standard exponential draw E ends at the first time at which
/// the integrated hazard from `t` reaches E (in discrete time, the first whole step), found
/// by runs of equal hourly values, so that a constant hazard costs one step and gives what
/// the constant process gives, bit for bit.
#[derive(Clone, Debug)]
struct Hazard {
    /// Hazard per hour over `[h, h + 1)`.
    rate: Vec<f64>,
    /// 1 / `rate[h]`: the mean duration it implies, hours (infinite for a zero rate).
    scale: Vec<f64>,
    /// The end of the run of equal rates that holds hour `h`.
    run_end: Vec<u32>,
}

impl Hazard {
    /// From `series` per study hour (rates per hour, or probabilities per step if
    /// `discrete`), or, if there is none, the constant `constant` (a mean duration in hours,
    /// or a probability per step if `discrete`), over `hours` steps of which `k` make an
    /// hour: a continuous rate per hour is `1 / k` of it per step (an "hour" of the
    /// fields is a step).
    fn new(
        series: Option<&[f64]>,
        constant: f64,
        discrete: bool,
        (hours, k): (usize, f64),
    ) -> Hazard {
        // In discrete time the hazard over [h, h + 1) is the step into hour h + 1's; the
        // last hour's holds past the window, where it changes nothing.
        let value = |h: usize| match series {
            Some(s) if discrete => s[(h + 1).min(hours - 1)],
            Some(s) => s[h],
            None => constant,
        };
        // Today's arithmetic for constant units: MTTF hours, or 1 / -ln(1 - p) steps.
        let (rate, scale): (Vec<f64>, Vec<f64>) = (0..hours)
            .map(|h| {
                let x = value(h);
                if discrete {
                    (-(-x).ln_1p(), -1.0 / (-x).ln_1p())
                } else if series.is_some() {
                    (x / k, k / x)
                } else {
                    (1.0 / (x * k), x * k)
                }
            })
            .unzip();
        let mut run_end = vec![hours as u32; hours];
        for h in (0..hours.saturating_sub(1)).rev() {
            if rate[h + 1] != rate[h] {
                run_end[h] = (h + 1) as u32;
            } else {
                run_end[h] = run_end[h + 1];
            }
        }
        Hazard {
            rate,
            scale,
            run_end,
        }
    }

    /// The end of a duration that starts at time `t` (hours, a whole step in discrete time)
    /// with standard exponential draw `e`; infinite if it ends past the window.
    #[inline]
    fn next(&self, t: f64, e: f64, discrete: bool) -> f64 {
        let (mut t, mut e) = (t, e);
        let hours = self.rate.len();
        while t < hours as f64 {
            let h = t as usize;
            let end = f64::from(self.run_end[h]);
            let (rate, scale) = (self.rate[h], self.scale[h]);
            if discrete {
                let steps = whole_steps(e * scale);
                if t + steps <= end {
                    return t + steps;
                }
            } else if rate > 0.0 && e <= rate * (end - t) {
                return t + e * scale;
            }
            e -= rate * (end - t);
            t = end;
        }
        f64::INFINITY
    }
}

/// The change lists and block sums being written by [`History::draw`].
struct Log<'a> {
    quantities: usize,
    /// The changes, `len` of them, then spare room (never shrunk: no allocation per
    /// sample once it has grown).
    changes: &'a mut Vec<Change>,
    len: usize,
    sums: &'a mut [BlockSums],
}

impl Log<'_> {
    /// Record a change of quantity `q` at hour `h`.
    #[inline]
    fn push(&mut self, q: usize, h: usize, change: i64) {
        let sums = &mut self.sums[h / PEAK_BLOCK_H * self.quantities + q];
        let c = Change {
            hour: h as u32,
            next: sums.head,
            amount: change,
        };
        if self.len == self.changes.len() {
            self.changes.push(c);
        } else {
            self.changes[self.len] = c;
        }
        sums.head = self.len as u32;
        self.len += 1;
        sums.net_w += change;
        if change < 0 {
            sums.drop_w += change;
        }
    }

    /// Undo the last [`Log::push`], a change of quantity `q` at hour `h`.
    #[inline]
    fn pop(&mut self, q: usize, h: usize) {
        if self.len > 0 {
            self.len -= 1;
            self.sums[h / PEAK_BLOCK_H * self.quantities + q].cancel(self.changes[self.len]);
        }
    }
}

/// The random state of a component and its dated outages.
struct State<'a> {
    /// Its random state at hour 0.
    up0: bool,
    /// The hours at which its random state flips, ascending.
    flips: &'a [usize],
    /// Its dated outages.
    masks: &'a [Range<usize>],
}

/// A block's hourly capacity when up, and the hours at which it changes.
#[derive(Clone, Debug)]
struct Profile {
    /// Index of the block in the model's `unit_profiles`.
    block: usize,
    /// Capacity when up in each hour, watts.
    capacity_w: Vec<i64>,
    /// The hours h >= 1 with `capacity_w[h] != capacity_w[h - 1]`, ascending.
    changes: Vec<usize>,
}

impl Profile {
    fn new(block: usize, capacity_w: &[i64]) -> Profile {
        Profile {
            block,
            capacity_w: capacity_w.to_vec(),
            changes: (1..capacity_w.len())
                .filter(|&h| capacity_w[h] != capacity_w[h - 1])
                .collect(),
        }
    }
}

/// Turn the random state of a component and its dated outages into changes of what it adds
/// to quantity `q`: its capacity (`profile`'s in each hour, else `amount`) in the hours it
/// is effectively up (up and not in an outage), 0 otherwise. Returns what it adds in hour 0.
/// Only the hours at which the effective state or the capacity changes are visited.
fn merge_effective(
    log: &mut Log,
    hours: usize,
    state: &State,
    q: usize,
    amount: i64,
    profile: Option<&Profile>,
) -> i64 {
    let State { up0, flips, masks } = *state;
    let out = |h: usize| masks.iter().any(|m| m.contains(&h));
    let mut boundaries: Vec<usize> = masks
        .iter()
        .flat_map(|m| [m.start, m.end])
        .filter(|&h| h < hours)
        .chain(flips.iter().copied())
        .collect();
    boundaries.sort_unstable();
    boundaries.dedup();
    // Flips at or before h toggle the random state.
    let state_at = |h: usize| (up0 ^ (flips.partition_point(|&f| f <= h) % 2 == 1)) && !out(h);
    let cap = |h: usize| profile.map_or(amount, |p| p.capacity_w[h]);
    // The changes of the capacity in the hours `from + 1 .. to` of an up interval.
    let steps = |log: &mut Log, from: usize, to: usize| {
        if let Some(p) = profile {
            let first = p.changes.partition_point(|&c| c <= from);
            for &c in p.changes[first..].iter().take_while(|&&c| c < to) {
                log.push(q, c, p.capacity_w[c] - p.capacity_w[c - 1]);
            }
        }
    };
    let effective0 = up0 && !out(0);
    let (mut effective, mut since) = (effective0, 0);
    for h in boundaries {
        let now = state_at(h);
        if now != effective {
            // A failure is never at hour 0: flips are at hours >= 1, and a dated outage from
            // hour 0 on is in `effective0`.
            // A 0 W change is not recorded (it would only make its block look busy).
            if now {
                since = h;
                if cap(h) != 0 {
                    log.push(q, h, cap(h));
                }
            } else {
                steps(log, since, h);
                if cap(h - 1) != 0 {
                    log.push(q, h, -cap(h - 1));
                }
            }
            effective = now;
        }
    }
    if effective {
        steps(log, since, hours);
    }
    if effective0 {
        cap(0)
    } else {
        0
    }
}

/// One change of a quantity, at the start of an hour.
#[derive(Clone, Copy, Debug)]
struct Change {
    /// The hour (a window has at most [`MAX_HOURS`](gridrisk_core::bounds::MAX_HOURS)).
    hour: u32,
    /// Index of the previous change of the same (quantity, block), or [`NONE`].
    next: u32,
    /// Amount gained (repair) or lost (failure).
    amount: i64,
}

impl Change {
    /// A placeholder for the room not yet written.
    const EMPTY: Change = Change {
        hour: 0,
        next: NONE,
        amount: 0,
    };
}

/// End of a list of changes.
const NONE: u32 = u32::MAX;

/// What the history knows of one quantity in one block without visiting its hours.
#[derive(Clone, Copy, Debug)]
pub struct BlockSums {
    /// Net change over the block (in the quantity's unit: watts, or circuits).
    pub net_w: i64,
    /// Sum of the drops in the block (<= 0): the quantity's level at the block start plus
    /// this bounds its level in every hour of the block from below.
    pub drop_w: i64,
    /// Index of the block's last change, or [`NONE`].
    head: u32,
}

impl BlockSums {
    /// A block without changes.
    const EMPTY: BlockSums = BlockSums {
        net_w: 0,
        drop_w: 0,
        head: NONE,
    };

    /// Undo the recording of `c`, the last change of this list.
    #[inline]
    fn cancel(&mut self, c: Change) {
        self.head = c.next;
        self.net_w -= c.amount;
        self.drop_w -= c.amount.min(0);
    }
}

/// The outage history of one sample: initial levels, and the changes per (quantity, block).
pub struct History {
    blocks: usize,
    quantities: usize,
    hours: usize,
    /// Level of each quantity at hour 0.
    pub initial: Vec<i64>,
    /// The changes of this sample, `len` of them (then spare room).
    changes: Vec<Change>,
    len: usize,
    /// Per (block, quantity), at `b * quantities + q` (a block's quantities side by side, as
    /// the sampler reads them).
    sums: Vec<BlockSums>,
    flips: Vec<usize>,
}

impl History {
    /// An empty history for `quantities` quantities over `hours` hours.
    pub fn new(quantities: usize, hours: usize) -> History {
        let blocks = hours.div_ceil(PEAK_BLOCK_H);
        History {
            blocks,
            quantities,
            hours,
            initial: vec![0; quantities],
            changes: Vec::new(),
            len: 0,
            sums: vec![BlockSums::EMPTY; quantities * blocks],
            flips: Vec::new(),
        }
    }

    /// Number of blocks of [`PEAK_BLOCK_H`] hours.
    pub fn blocks(&self) -> usize {
        self.blocks
    }

    /// Draw the history of sample `key` for `components`; `weather` (if the model has
    /// weather) decides which days are cold.
    pub fn draw(&mut self, components: &Components, key: SampleKey, weather: Option<&WeatherDraw>) {
        // Fields as locals, so the hot loop keeps its pointers in registers.
        let History {
            blocks: _,
            quantities,
            hours,
            initial,
            changes,
            len,
            sums,
            flips,
        } = self;
        let mut log = Log {
            quantities: *quantities,
            changes,
            len: 0,
            sums,
        };
        initial.copy_from_slice(&components.firm_level);
        log.sums.fill(BlockSums::EMPTY);
        let hours = *hours;
        if *quantities == 1 {
            for c in &components.plain {
                draw_plain::<true>(c, key, hours, initial, &mut log);
            }
        } else {
            for c in &components.plain {
                draw_plain::<false>(c, key, hours, initial, &mut log);
            }
        }
        for i in components.plain.len()..components.stream_id.len() {
            draw_special(components, i, key, weather, hours, initial, &mut log, flips);
        }
        *len = log.len;
    }

    /// The sums of every quantity in every block, quantity `q` of block `b` at
    /// `b * quantities + q`.
    #[inline]
    pub fn sums(&self) -> &[BlockSums] {
        &self.sums
    }

    /// Whether quantity `q` changes in block `b`.
    #[inline]
    pub fn changes_in(&self, q: usize, b: usize) -> bool {
        self.sums[b * self.quantities + q].head != NONE
    }

    /// Mark in `out` (one flag per hour) the hours in which quantity `q` is below `full`,
    /// its level with every component in service (for a disturbance: it is in progress).
    pub fn below(&self, q: usize, full: i64, out: &mut [bool]) {
        let mut level = self.initial[q];
        let mut steps = [0; PEAK_BLOCK_H];
        for (b, hours) in out.chunks_mut(PEAK_BLOCK_H).enumerate() {
            if self.changes_in(q, b) {
                steps.fill(0);
                self.scatter(q, b, &mut steps);
                for (o, &step) in hours.iter_mut().zip(&steps) {
                    level += step;
                    *o = level < full;
                }
            } else {
                hours.fill(level < full);
            }
        }
    }

    /// Add the changes of quantity `q` in block `b` to `per_hour[offset]`.
    #[inline]
    pub fn scatter(&self, q: usize, b: usize, per_hour: &mut [i64]) {
        let mut i = self.sums[b * self.quantities + q].head;
        while i != NONE {
            let c = self.changes[i as usize];
            per_hour[c.hour as usize % PEAK_BLOCK_H] += c.amount;
            i = c.next;
        }
    }
}

/// Blocks of units whose combined output is capped: each has a quantity (its available
/// capacity) and adds `min(cap, available)` to its region's generation.
#[derive(Clone, Debug, Default)]
pub struct Pools {
    /// (quantity, region, cap in watts) per capped block.
    pools: Vec<(usize, usize, i64)>,
}

impl Pools {
    /// The capped blocks of `model`.
    pub fn of(model: &SystemModel) -> Pools {
        let q = Quantities::of(model);
        let units = model.units();
        Pools {
            pools: model
                .conditions()
                .block_caps
                .iter()
                .enumerate()
                .map(|(p, b)| {
                    let region = b
                        .units
                        .first()
                        .and_then(|u| units.names.iter().position(|n| n == u))
                        .map_or(0, |i| units.region[i]);
                    (q.pool(p), region, b.cap_w)
                })
                .collect(),
        }
    }

    /// True if there is no capped block.
    pub fn is_empty(&self) -> bool {
        self.pools.is_empty()
    }

    /// `effective` = `level`, with each capped block's output added to its region.
    #[inline]
    pub fn apply(&self, level: &[i64], effective: &mut [i64]) {
        effective.copy_from_slice(level);
        for &(q, region, cap) in &self.pools {
            effective[region] += level[q].min(cap);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridrisk_core::model::{Outage, UnitSpec};
    use gridrisk_core::{Calendar, Region};

    /// The level of quantity `q` in every hour of `history`.
    fn levels(history: &History, q: usize) -> Vec<i64> {
        let mut level = history.initial[q];
        let mut per_hour = [0i64; PEAK_BLOCK_H];
        let mut got = Vec::with_capacity(history.hours);
        for b in 0..history.blocks() {
            per_hour.fill(0);
            history.scatter(q, b, &mut per_hour);
            for (o, change) in per_hour.iter().enumerate() {
                if b * PEAK_BLOCK_H + o < history.hours {
                    level += change;
                    got.push(level);
                }
            }
        }
        got
    }

    /// A model of one region per unit, each unit alone in its region, over `hours` hours.
    fn separate(units: Vec<UnitSpec>, hours: usize) -> SystemModel {
        let regions = (0..units.len())
            .map(|r| Region::new(format!("R{r}"), vec![0; hours]))
            .collect();
        SystemModel::new("units", Calendar::from_hours(hours, 0, 0), regions, units).unwrap()
    }

    fn discrete(name: &str, region: usize, p_fail: f64, p_repair: f64) -> UnitSpec {
        UnitSpec {
            name: name.into(),
            region,
            installed_w: 1,
            capacity_w: 1,
            outage: OutageModel::Discrete { p_fail, p_repair },
        }
    }

    #[test]
    fn ceil_hour_is_ceil() {
        // Whole hours, their neighbours and halves, up to the largest time it is used for;
        // then exponential times at four scales.
        let whole = [
            0.0f64,
            1.0,
            2.0,
            3.0,
            1e3,
            8759.0,
            65_536.0,
            1e6,
            2_147_483_647.0,
        ];
        let mut ts: Vec<f64> = (whole.iter())
            .flat_map(|&n| [n, n.next_down(), n.next_up(), n - 0.5, n + 0.5])
            .collect();
        ts.push(f64::MIN_POSITIVE);
        let mut rng = Stream::new(5, 0, 0, Purpose::UnitOutage);
        let scales = [1.0, 100.0, 1e4, 1e8];
        ts.extend((0..1_000_000).map(|i| rng.exp1() * scales[i % 4]));
        let in_range = |t: &f64| (0.0..2_147_483_648.0).contains(t);
        for t in ts.into_iter().filter(in_range) {
            assert_eq!(ceil_hour(t), t.ceil() as usize, "t = {t:e}");
        }
    }

    #[test]
    fn discrete_units_follow_their_markov_chain_step_by_step() {
        // Drawn by geometric durations, the states must be the chain's: up with probability
        // μ / (λ + μ) in every hour (the first one too), up -> down with probability λ and
        // down -> up with μ from each hour to the next, and with λ + μ = 1 no correlation
        // between successive hours.
        let hours = 48;
        for (p_fail, p_repair) in [(0.1, 0.9), (0.05, 0.3), (0.6, 0.7)] {
            let model = separate(vec![discrete("u", 0, p_fail, p_repair)], hours);
            let components = Components::of(&model);
            let mut history = History::new(Quantities::of(&model).count(), hours);
            let a = p_repair / (p_fail + p_repair);
            let samples = 20_000u64;
            let mut up_in_hour = vec![0u64; hours];
            let (mut up, mut up_down, mut down, mut down_up) = (0u64, 0u64, 0u64, 0u64);
            let (mut sxy, mut sx) = (0u64, 0u64);
            for sample in 0..samples {
                history.draw(&components, SampleKey::new(3, sample), None);
                let l = levels(&history, 0);
                for (h, &x) in l.iter().enumerate() {
                    up_in_hour[h] += x as u64;
                }
                for w in l.windows(2) {
                    match (w[0], w[1]) {
                        (1, 0) => (up, up_down) = (up + 1, up_down + 1),
                        (1, _) => up += 1,
                        (_, 1) => (down, down_up) = (down + 1, down_up + 1),
                        _ => down += 1,
                    }
                    sxy += (w[0] * w[1]) as u64;
                    sx += w[0] as u64;
                }
            }
            let z = |got: f64, want: f64, n: f64| (got - want) / (want * (1.0 - want) / n).sqrt();
            let n = samples as f64;
            for (h, &k) in up_in_hour.iter().enumerate() {
                // 48 hours: |z| < 4 for each, at a family-wise level well below 1e-2.
                let zh = z(k as f64 / n, a, n);
                assert!(zh.abs() < 4.0, "({p_fail}, {p_repair}) hour {h}: z = {zh}");
            }
            let pairs = n * (hours - 1) as f64;
            let fail = z(up_down as f64 / up as f64, p_fail, up as f64);
            let repair = z(down_up as f64 / down as f64, p_repair, down as f64);
            assert!(
                fail.abs() < 4.0,
                "({p_fail}, {p_repair}) failure z = {fail}"
            );
            assert!(
                repair.abs() < 4.0,
                "({p_fail}, {p_repair}) repair z = {repair}"
            );
            if p_fail + p_repair == 1.0 {
                // Lag-1 correlation of successive states (0 in theory): its standard error
                // is about 1 / sqrt(pairs) (pairs within a sample are dependent only
                // through the states, which are independent here).
                let m = sx as f64 / pairs;
                let r = (sxy as f64 / pairs - m * m) / (m * (1.0 - m));
                assert!(r.abs() < 4.0 / pairs.sqrt(), "lag-1 correlation {r}");
            }
        }
    }

    #[test]
    fn a_units_convention_moves_no_other_components_draws() {
        // Unit `v` changes convention (and parameters); unit `u`, in another region, must
        // keep every hour of every sample.
        let hours = 300;
        let u = UnitSpec {
            name: "u".into(),
            region: 0,
            installed_w: 1,
            capacity_w: 1,
            outage: Outage {
                mttf_h: 20.0,
                mttr_h: 5.0,
            }
            .into(),
        };
        let continuous = UnitSpec {
            name: "v".into(),
            region: 1,
            ..u.clone()
        };
        let a = separate(vec![u.clone(), continuous], hours);
        let b = separate(vec![u, discrete("v", 1, 0.1, 0.9)], hours);
        let (ca, cb) = (Components::of(&a), Components::of(&b));
        let mut ha = History::new(Quantities::of(&a).count(), hours);
        let mut hb = History::new(Quantities::of(&b).count(), hours);
        let mut differ = 0;
        for sample in 0..200 {
            ha.draw(&ca, SampleKey::new(9, sample), None);
            hb.draw(&cb, SampleKey::new(9, sample), None);
            assert_eq!(levels(&ha, 0), levels(&hb, 0), "sample {sample}");
            differ += usize::from(levels(&ha, 1) != levels(&hb, 1));
        }
        assert!(
            differ > 150,
            "v's own states changed in only {differ} samples"
        );
    }

    /// `model` with hourly `failure` and `repair` rates (or probabilities) for its unit
    /// `unit`.
    fn with_rates(
        model: SystemModel,
        unit: &str,
        failure: Option<Vec<f64>>,
        repair: Option<Vec<f64>>,
    ) -> SystemModel {
        model
            .with_conditions(gridrisk_core::model::Conditions {
                unit_rates: vec![UnitRates {
                    name: unit.into(),
                    units: vec![unit.into()],
                    failure,
                    repair,
                }],
                ..Default::default()
            })
            .unwrap()
    }

    fn continuous(name: &str, region: usize, mttf_h: f64, mttr_h: f64) -> UnitSpec {
        UnitSpec {
            outage: Outage { mttf_h, mttr_h }.into(),
            ..discrete(name, region, 0.1, 0.9)
        }
    }

    #[test]
    fn hourly_rates_follow_the_time_varying_chain_hour_by_hour() {
        // Piecewise-constant rates (a zero rate, a cold spell, probabilities of 0 and 1): the
        // chain solved hour by hour gives P(up in hour h) and P(up in h and h + 1) exactly;
        // the initial state is hour 0's stationary availability.
        let hours = 48;
        let fail: Vec<f64> = (0..hours)
            .map(|h| match h {
                0..=11 => 0.05,
                12..=23 => 0.4,
                24..=29 => 0.0,
                _ => 0.1,
            })
            .collect();
        let repair: Vec<f64> = (0..hours)
            .map(|h| if (20..36).contains(&h) { 0.15 } else { 0.6 })
            .collect();
        let disc_fail: Vec<f64> = (0..hours)
            .map(|h| if h == 40 { 1.0 } else { fail[h] })
            .collect();
        let disc_repair: Vec<f64> = (0..hours)
            .map(|h| if h == 10 { 0.0 } else { repair[h] })
            .collect();
        for is_discrete in [false, true] {
            let (f, r) = if is_discrete {
                (disc_fail.clone(), disc_repair.clone())
            } else {
                (fail.clone(), repair.clone())
            };
            // P(up in h + 1 | up in h) and P(up in h + 1 | down in h).
            let step = |h: usize| -> (f64, f64) {
                if is_discrete {
                    (1.0 - f[h + 1], r[h + 1])
                } else {
                    let (l, m) = (f[h], r[h]);
                    let (a, e) = (m / (l + m), (-(l + m)).exp());
                    (a + (1.0 - a) * e, a * (1.0 - e))
                }
            };
            let mut p_up = vec![r[0] / (f[0] + r[0])];
            for h in 0..hours - 1 {
                let (stay, back) = step(h);
                p_up.push(p_up[h] * stay + (1.0 - p_up[h]) * back);
            }
            let unit = if is_discrete {
                discrete("u", 0, 0.3, 0.3)
            } else {
                continuous("u", 0, 7.0, 3.0)
            };
            let model = with_rates(
                separate(vec![unit], hours),
                "u",
                Some(f.clone()),
                Some(r.clone()),
            );
            let components = Components::of(&model);
            let mut history = History::new(Quantities::of(&model).count(), hours);
            let samples = 20_000u64;
            let (mut up, mut both) = (vec![0u64; hours], vec![0u64; hours - 1]);
            for sample in 0..samples {
                history.draw(&components, SampleKey::new(5, sample), None);
                let l = levels(&history, 0);
                for h in 0..hours {
                    up[h] += l[h] as u64;
                    if h + 1 < hours {
                        both[h] += (l[h] * l[h + 1]) as u64;
                    }
                }
            }
            let n = samples as f64;
            let near = |count: u64, p: f64, what: &str| {
                let se = (p * (1.0 - p) / n).sqrt().max(1.0 / n);
                let got = count as f64 / n;
                assert!(
                    (got - p).abs() <= 4.0 * se,
                    "{what} (discrete {is_discrete}): {got}, exact {p}"
                );
            };
            for h in 0..hours {
                near(up[h], p_up[h], &format!("P(up in {h})"));
                if h + 1 < hours {
                    let pair = p_up[h] * step(h).0;
                    near(both[h], pair, &format!("P(up in {h} and {})", h + 1));
                }
            }
        }
    }

    #[test]
    fn hourly_rates_equal_to_the_constants_give_the_same_histories_and_move_no_other_draws() {
        // Unit `v` with hourly rates equal to its constants keeps every sample bit for bit;
        // with other rates it changes its own states and not those of `u`.
        let hours = 300;
        for is_discrete in [false, true] {
            let (u, v, flat_f, flat_r) = if is_discrete {
                (
                    discrete("u", 0, 0.05, 0.2),
                    discrete("v", 1, 0.05, 0.2),
                    0.05,
                    0.2,
                )
            } else {
                (
                    continuous("u", 0, 20.0, 5.0),
                    continuous("v", 1, 20.0, 5.0),
                    1.0 / 20.0,
                    1.0 / 5.0,
                )
            };
            let plain = separate(vec![u.clone(), v.clone()], hours);
            let flat = with_rates(
                plain.clone(),
                "v",
                Some(vec![flat_f; hours]),
                Some(vec![flat_r; hours]),
            );
            let cold: Vec<f64> = (0..hours)
                .map(|h| if (100..200).contains(&h) { 0.5 } else { flat_f })
                .collect();
            let changed = with_rates(plain.clone(), "v", Some(cold), None);
            let models = [&plain, &flat, &changed];
            let components: Vec<_> = models.iter().map(|m| Components::of(m)).collect();
            let mut histories: Vec<_> = (0..3)
                .map(|_| History::new(Quantities::of(&plain).count(), hours))
                .collect();
            let mut differ = 0;
            for sample in 0..200 {
                for (h, c) in histories.iter_mut().zip(&components) {
                    h.draw(c, SampleKey::new(9, sample), None);
                }
                let [p, f, c] =
                    [0, 1, 2].map(|i| [levels(&histories[i], 0), levels(&histories[i], 1)]);
                assert_eq!(p, f, "sample {sample}");
                assert_eq!(p[0], c[0], "sample {sample}");
                differ += usize::from(p[1] != c[1]);
            }
            assert!(differ > 100, "v's states changed in only {differ} samples");
        }
    }

    #[test]
    fn a_history_keeps_one_change_per_component_and_hour_and_the_right_levels() {
        // Means far below one step (refused in a scenario, allowed here) flip the unit about
        // 100 times an hour; the history must still hold at most one change per hour, and
        // every hour's level must be the state at the start of the hour.
        let hours = 100;
        let (mttf, mttr) = (0.01, 0.02);
        let unit = UnitSpec {
            name: "u".into(),
            region: 0,
            installed_w: 5,
            capacity_w: 5,
            outage: Outage {
                mttf_h: mttf,
                mttr_h: mttr,
            }
            .into(),
        };
        let model = SystemModel::new(
            "flips",
            Calendar::from_hours(hours, 0, 0),
            vec![Region::new("A", vec![0; hours])],
            vec![unit],
        )
        .unwrap();
        let components = Components::of(&model);
        let mut history = History::new(Quantities::of(&model).count(), hours);
        for sample in 0..20 {
            let key = SampleKey::new(7, sample);
            history.draw(&components, key, None);
            assert!(history.len < hours, "{}", history.len);
            // The same draws replayed: the state in hour h is toggled by every transition at
            // t <= h (a transition at t counts from hour ceil(t) on).
            let mut rng = key.stream(component_id("u"), Purpose::UnitOutage);
            let up0 = rng.uniform() < mttf / (mttf + mttr);
            let (mut up, mut t, mut times) = (up0, 0.0, Vec::new());
            loop {
                t += rng.exp1() * if up { mttf } else { mttr };
                if t > (hours - 1) as f64 {
                    break;
                }
                times.push(t);
                up = !up;
            }
            assert!(times.len() > 10 * hours, "{} transitions", times.len());
            let want: Vec<i64> = (0..hours)
                .map(|h| {
                    let flips = times.iter().filter(|&&x| x <= h as f64).count();
                    if up0 ^ (flips % 2 == 1) {
                        5
                    } else {
                        0
                    }
                })
                .collect();
            let mut level = history.initial[0];
            let mut per_hour = [0i64; PEAK_BLOCK_H];
            let mut got = Vec::with_capacity(hours);
            for b in 0..history.blocks() {
                per_hour.fill(0);
                history.scatter(0, b, &mut per_hour);
                for (o, change) in per_hour.iter().enumerate() {
                    if b * PEAK_BLOCK_H + o < hours {
                        level += change;
                        got.push(level);
                    }
                }
            }
            assert_eq!(got, want, "sample {sample}");
        }
    }
}
