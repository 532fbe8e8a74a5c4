//! From a PRAS [`System`] to a gridrisk scenario: the TOML text and its CSV files, the same
//! bytes whether written by `gridrisk convert` or read in memory by [`crate::load`].
//!
//! The mapping, key by key, is in `docs/pras.md`. An interface whose limit is below the sum
//! of its lines' in some step becomes a hub: its lines end in the hub, and one line from the
//! hub to the interface's other region carries the interface's limits per step. What
//! gridrisk cannot express is refused with the dataset that holds it: a step that does not
//! divide an hour, storages, generator-storages and demand responses whose parameters vary
//! by step, and asset tables this build's scenario format does not have.

use crate::error::{Kind, PrasError};
use crate::system::{Matrix, Storages, System, UNLIMITED_MW};
use gridrisk_core::bounds::MAX_POWER_MW;
use gridrisk_core::calendar::Date;
use gridrisk_core::scenario::parse_utc_offset;
use std::fmt::Write as _;

/// Asset tables that can be left out of a conversion.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Omit {
    /// Leave out storages.
    pub storages: bool,
    /// Leave out generator-storages.
    pub generator_storages: bool,
    /// Leave out demand responses.
    pub demand_responses: bool,
}

/// A converted scenario: file names (all in one directory) and contents, the TOML first.
#[derive(Clone, Debug, PartialEq)]
pub struct Files {
    /// (file name, contents); the scenario TOML is the first.
    pub files: Vec<(String, String)>,
}

impl Files {
    /// The scenario TOML's file name.
    pub fn toml_name(&self) -> &str {
        &self.files[0].0
    }
}

/// Convert `system`, read from `file` (named in errors), into scenario `name`.
pub fn convert(system: &System, file: &str, name: &str, omit: Omit) -> Result<Files, PrasError> {
    Converter {
        s: system,
        file,
        toml: String::new(),
        csvs: Vec::new(),
        hubs: Vec::new(),
    }
    .run(name, omit)
}

struct Converter<'a> {
    s: &'a System,
    file: &'a str,
    toml: String,
    /// CSV files: name, header columns, one column of values per header entry.
    csvs: Vec<Csv>,
    /// The hubs of the interfaces that bind.
    hubs: Vec<Hub>,
}

/// An interface that binds in some step, as a hub on the side of its `to` region: the
/// lines between its regions end in the hub in place of `to`, and the line `line` from the
/// hub to `to` carries the interface's limits.
struct Hub {
    /// Name of the hub region.
    name: String,
    /// Name of the line from the hub to `to`.
    line: String,
    from: String,
    to: String,
    /// The interface's limits per step, from -> to and back, each at most its lines' sum
    /// in the step (where it cannot bind, as PRAS's unlimited sentinel).
    forward_mw: Vec<i64>,
    backward_mw: Vec<i64>,
}

struct Csv {
    name: &'static str,
    columns: Vec<(String, Vec<String>)>,
}

/// Appends to a `String` cannot fail.
macro_rules! w {
    ($dst:expr, $($arg:tt)*) => {{
        let _ = writeln!($dst, $($arg)*);
    }};
}

impl Converter<'_> {
    fn err(&self, dataset: &str, kind: Kind) -> PrasError {
        PrasError::new(self.file, dataset, kind)
    }

    fn run(mut self, name: &str, omit: Omit) -> Result<Files, PrasError> {
        self.header(name)?;
        self.check_mw(
            "lines/forwardcapacity",
            &self.s.lines.forward_mw,
            &self.s.lines.names,
        )?;
        self.check_mw(
            "lines/backwardcapacity",
            &self.s.lines.backward_mw,
            &self.s.lines.names,
        )?;
        self.hubs = self.interfaces()?;
        self.regions()?;
        self.generators()?;
        if !omit.storages {
            self.storages()?;
        }
        if !omit.generator_storages {
            self.generator_storages()?;
        }
        if !omit.demand_responses {
            self.demand_responses()?;
        }
        self.lines()?;
        let mut files = vec![(format!("{name}.toml"), self.toml)];
        files.extend(
            self.csvs
                .into_iter()
                .map(|c| (c.name.to_string(), csv_text(&c))),
        );
        Ok(Files { files })
    }

    fn header(&mut self, name: &str) -> Result<(), PrasError> {
        let s = self.s;
        let Some(step_min) = s.step_min() else {
            return Err(self.err(
                "timestep_length",
                Kind::Unsupported(format!(
                    "steps of {} {}: gridrisk steps by a whole number of minutes that divides an hour (1 h, 30 min, 5 min, ...: `[study] step_min`; docs/pras.md, \"Time step\")",
                    s.step_length, s.step_unit
                )),
            ));
        };
        let steps_per_hour = (60 / step_min) as usize;
        if s.steps % steps_per_hour != 0 {
            return Err(self.err(
                "timestep_count",
                Kind::Unsupported(format!(
                    "{} steps of {step_min} min are not a whole number of hours; gridrisk's window is whole hours",
                    s.steps
                )),
            ));
        }
        for (attr, got, want) in [
            ("power_unit", &s.power_unit, "MW"),
            ("energy_unit", &s.energy_unit, "MWh"),
        ] {
            if got != want {
                return Err(self.err(
                    attr,
                    Kind::Unsupported(format!("expected {want:?}, got {got:?}")),
                ));
            }
        }
        let weekday = weekday(&s.start_timestamp).ok_or_else(|| {
            self.err(
                "start_timestamp",
                Kind::Value(format!(
                    "expected a timestamp such as \"2020-01-01T00:00:00+00:00\", got {:?}",
                    s.start_timestamp
                )),
            )
        })?;
        let t = &mut self.toml;
        w!(t, "# Converted by gridrisk from the PRAS system file {} (format {}); the mapping is in docs/pras.md.", file_name(self.file), s.version);
        w!(t, "name = {}", q(name));
        w!(
            t,
            "description = {}",
            q(&format!(
                "PRAS system {}: {} {} from {}",
                file_name(self.file),
                s.steps,
                match step_min {
                    60 => "hourly steps".to_string(),
                    m => format!("steps of {m} min"),
                },
                s.start_timestamp
            ))
        );
        w!(
            t,
            "sharing = \"local\"  # PRAS keeps a shortfall where it arises"
        );
        let hours = s.steps / steps_per_hour;
        w!(t, "\n[study]");
        match dated(&s.start_timestamp, hours) {
            Some((start, end, offset)) => {
                w!(t, "start = {start}  # {}", s.start_timestamp);
                w!(t, "end = {end}  # {hours} h");
                w!(t, "utc_offset = \"{offset}\"");
            }
            None => w!(t, "hours = {hours}"),
        }
        if step_min != 60 {
            w!(
                t,
                "step_min = {step_min}  # PRAS's timestep_length {} {}: {} steps",
                s.step_length,
                s.step_unit,
                s.steps
            );
        }
        if dated(&s.start_timestamp, hours).is_none() {
            w!(
                t,
                "first_weekday = \"{weekday}\"  # of {}",
                s.start_timestamp
            );
        }
        Ok(())
    }

    fn regions(&mut self) -> Result<(), PrasError> {
        let r = &self.s.regions;
        self.check_mw("regions/load", &r.load_mw, &r.names)?;
        let mut columns = vec![(
            "hour".to_string(),
            (1..=self.s.steps).map(|h| h.to_string()).collect(),
        )];
        for (a, name) in r.names.iter().enumerate() {
            w!(self.toml, "\n[[regions]]\nname = {}", q(name));
            w!(
                self.toml,
                "[regions.demand]\nfile = \"load.csv\"\ncolumn = {}",
                q(name)
            );
            columns.push((name.clone(), ints(&r.load_mw, a)));
        }
        for hub in &self.hubs {
            w!(
                self.toml,
                "\n[[regions]]\nname = {}\nhub = true  # PRAS's interface {}-{}: its lines meet here",
                q(&hub.name),
                hub.from,
                hub.to
            );
        }
        self.csvs.push(Csv {
            name: "load.csv",
            columns,
        });
        Ok(())
    }

    fn generators(&mut self) -> Result<(), PrasError> {
        let g = &self.s.generators;
        self.check_mw("generators/capacity", &g.capacity_mw, &g.names)?;
        let mut capacity = Vec::new();
        let mut rates = Vec::new();
        for (a, name) in g.names.iter().enumerate() {
            let t = &mut self.toml;
            w!(t, "\n[[units]]\nname = {}", q(name));
            w!(t, "category = {}", q(&g.categories[a]));
            w!(t, "region = {}", q(&g.regions[a]));
            w!(t, "mw = {}", g.capacity_mw.max(a));
            if g.capacity_mw.constant(a).is_none() {
                w!(t, "capacity_file = \"capacity.csv\"");
                capacity.push((name.clone(), ints(&g.capacity_mw, a)));
            }
            let outage = self.outage(
                "generators",
                name,
                a,
                &g.failure_probability,
                &g.repair_probability,
                true,
            )?;
            self.toml.push_str(&outage.keys);
            if !outage.columns.is_empty() {
                w!(self.toml, "rates_file = \"rates.csv\"");
                for (key, column) in &outage.columns {
                    w!(self.toml, "{key} = {}", q(&column.0));
                }
                rates.extend(outage.columns.into_iter().map(|(_, c)| c));
            }
        }
        for (name, columns) in [("capacity.csv", capacity), ("rates.csv", rates)] {
            if !columns.is_empty() {
                self.csvs.push(Csv { name, columns });
            }
        }
        Ok(())
    }

    /// The outage keys of asset `a` of `group` (`failureprobability`, `repairprobability`),
    /// hourly columns for probabilities that vary if `hourly` (else refused).
    fn outage(
        &self,
        group: &str,
        name: &str,
        a: usize,
        fail: &Matrix<f64>,
        repair: &Matrix<f64>,
        hourly: bool,
    ) -> Result<Outage, PrasError> {
        let fail_ds = format!("{group}/failureprobability");
        let repair_ds = format!("{group}/repairprobability");
        for (ds, m) in [(&fail_ds, fail), (&repair_ds, repair)] {
            if let Some(t) = m.column(a).position(|p| !(0.0..=1.0).contains(&p)) {
                return Err(self.err(
                    ds,
                    Kind::Value(format!(
                        "{name}: step {}: expected a probability in [0, 1], got {}",
                        t + 1,
                        m.get(t, a)
                    )),
                ));
            }
        }
        if fail.column(a).all(|p| p == 0.0) {
            if repair.get(0, a) == 0.0 {
                return Err(self.err(
                    &repair_ds,
                    Kind::Unsupported(format!(
                        "{name}: failure and repair probabilities both 0 in step 1: PRAS starts it down, never to be repaired"
                    )),
                ));
            }
            return Ok(Outage {
                keys: "for = 0  # never fails\n".into(),
                columns: Vec::new(),
            });
        }
        let mut out = Outage {
            keys: "outage_model = \"discrete\"\n".into(),
            columns: Vec::new(),
        };
        for (ds, m, key, column_key, placeholder, suffix) in [
            (
                &fail_ds,
                fail,
                "failure_probability",
                "failure_rate_column",
                0.0,
                "failure",
            ),
            (
                &repair_ds,
                repair,
                "repair_probability",
                "repair_rate_column",
                1.0,
                "repair",
            ),
        ] {
            match m.constant(a) {
                Some(p) => w!(out.keys, "{key} = {}", float(p)),
                None if hourly => {
                    w!(out.keys, "{key} = {}  # unused: hourly in rates.csv", float(placeholder));
                    out.columns.push((
                        column_key,
                        (format!("{name} {suffix}"), m.column(a).map(float).collect()),
                    ));
                }
                None => {
                    return Err(self.err(
                        ds,
                        Kind::Unsupported(format!(
                            "{name}: the probability varies by step; gridrisk's {} take constant probabilities",
                            table_of(group)
                        )),
                    ))
                }
            }
        }
        Ok(out)
    }

    /// The value of a parameter that gridrisk takes as a constant (of a storage,
    /// generator-storage or demand response), refused if it varies, naming the first step
    /// whose value differs from step 1's.
    fn constant<T: Copy + PartialEq + std::fmt::Display>(
        &self,
        dataset: &str,
        m: &Matrix<T>,
        a: usize,
        name: &str,
    ) -> Result<T, PrasError> {
        m.constant(a).ok_or_else(|| {
            let first = m.get(0, a);
            let t = m.column(a).position(|v| v != first).unwrap_or(0);
            let group = dataset.split('/').next().unwrap_or(dataset);
            self.err(
                dataset,
                Kind::Unsupported(format!(
                    "{name}: the value varies by step ({first} in step 1, {} in step {}); gridrisk's {} take it as a constant (docs/pras.md, \"Versions and what is refused\")",
                    m.get(t, a),
                    t + 1,
                    table_of(group)
                )),
            )
        })
    }

    /// The storage keys shared by storages and generator-storages of group `g`.
    fn storage_keys(&mut self, g: &str, s: &Storages, a: usize) -> Result<(), PrasError> {
        let name = &s.names[a];
        let ds = |d: &str| format!("{g}/{d}");
        let charge = self.constant(&ds("chargecapacity"), &s.charge_mw, a, name)?;
        let discharge = self.constant(&ds("dischargecapacity"), &s.discharge_mw, a, name)?;
        let energy = self.constant(&ds("energycapacity"), &s.energy_mwh, a, name)?;
        let ce = self.constant(&ds("chargeefficiency"), &s.charge_efficiency, a, name)?;
        let de = self.constant(&ds("dischargeefficiency"), &s.discharge_efficiency, a, name)?;
        let co = self.constant(&ds("carryoverefficiency"), &s.carryover_efficiency, a, name)?;
        let outage = self.outage(
            g,
            name,
            a,
            &s.failure_probability,
            &s.repair_probability,
            false,
        )?;
        let t = &mut self.toml;
        w!(t, "name = {}", q(name));
        w!(t, "category = {}", q(&s.categories[a]));
        w!(t, "region = {}", q(&s.regions[a]));
        w!(
            t,
            "charge_mw = {charge}\ndischarge_mw = {discharge}\nenergy_mwh = {energy}"
        );
        w!(t, "charge_efficiency = {}", float(ce));
        w!(t, "discharge_efficiency = {}", float(de));
        w!(t, "carryover_efficiency = {}", float(co));
        w!(t, "initial_soc = 0  # PRAS's storages start empty");
        // A device that never fails takes no outage keys (storages have no `for`).
        if outage.keys.starts_with("outage_model") {
            t.push_str(&outage.keys);
        }
        Ok(())
    }

    fn storages(&mut self) -> Result<(), PrasError> {
        let s = &self.s.storages;
        for a in 0..s.names.len() {
            w!(self.toml, "\n[[storages]]");
            self.storage_keys("storages", s, a)?;
        }
        Ok(())
    }

    fn generator_storages(&mut self) -> Result<(), PrasError> {
        let gs = &self.s.generator_storages;
        if gs.storage.names.is_empty() {
            return Ok(());
        }
        let g = "generatorstorages";
        let mut inflow = Vec::new();
        for a in 0..gs.storage.names.len() {
            let name = &gs.storage.names[a];
            w!(self.toml, "\n[[generator_storages]]");
            self.storage_keys(g, &gs.storage, a)?;
            let injection = self.constant(
                "generatorstorages/gridinjectioncapacity",
                &gs.grid_injection_mw,
                a,
                name,
            )?;
            let withdrawal = self.constant(
                "generatorstorages/gridwithdrawalcapacity",
                &gs.grid_withdrawal_mw,
                a,
                name,
            )?;
            match gs.inflow_mw.constant(a) {
                Some(mw) => w!(self.toml, "inflow_mw = {mw}"),
                None => {
                    w!(
                        self.toml,
                        "inflow_file = \"inflow.csv\"\ninflow_column = {}",
                        q(name)
                    );
                    inflow.push((name.clone(), ints(&gs.inflow_mw, a)));
                }
            }
            w!(
                self.toml,
                "grid_injection_mw = {injection}\ngrid_withdrawal_mw = {withdrawal}"
            );
        }
        if !inflow.is_empty() {
            self.csvs.push(Csv {
                name: "inflow.csv",
                columns: inflow,
            });
        }
        Ok(())
    }

    fn demand_responses(&mut self) -> Result<(), PrasError> {
        let d = &self.s.demand_responses;
        if d.names.is_empty() {
            return Ok(());
        }
        let g = "demandresponses";
        let hourly = self.s.step_min() == Some(60);
        for (a, name) in d.names.iter().enumerate() {
            let ds = |x: &str| format!("{g}/{x}");
            let borrow = self.constant(&ds("borrowcapacity"), &d.borrow_mw, a, name)?;
            let payback = self.constant(&ds("paybackcapacity"), &d.payback_mw, a, name)?;
            let energy = self.constant(&ds("energycapacity"), &d.energy_mwh, a, name)?;
            let interest = self.constant(&ds("borrowedenergyinterest"), &d.interest, a, name)?;
            let window = self.constant(&ds("allowablepaybackperiod"), &d.payback_steps, a, name)?;
            let be = self.constant(&ds("borrowefficiency"), &d.borrow_efficiency, a, name)?;
            let pe = self.constant(&ds("paybackefficiency"), &d.payback_efficiency, a, name)?;
            let outage = self.outage(
                g,
                name,
                a,
                &d.failure_probability,
                &d.repair_probability,
                false,
            )?;
            let t = &mut self.toml;
            w!(t, "\n[[demand_responses]]\nname = {}", q(name));
            w!(t, "category = {}", q(&d.categories[a]));
            w!(t, "region = {}", q(&d.regions[a]));
            w!(
                t,
                "borrow_mw = {borrow}\npayback_mw = {payback}\nenergy_mwh = {energy}"
            );
            w!(t, "borrow_efficiency = {}", float(be));
            w!(t, "payback_efficiency = {}", float(pe));
            // PRAS's interest and window are per step: at an hourly step the hourly keys,
            // else the per-step ones (a 7-step window at 5 minutes is no whole hour).
            if hourly {
                w!(t, "interest_per_h = {}", float(interest));
                w!(t, "payback_window_h = {window}");
            } else {
                w!(t, "interest_per_step = {}", float(interest));
                w!(t, "payback_window_steps = {window}");
            }
            if outage.keys.starts_with("outage_model") {
                t.push_str(&outage.keys);
            }
        }
        Ok(())
    }

    fn lines(&mut self) -> Result<(), PrasError> {
        let l = &self.s.lines;
        let mut limits = Vec::new();
        let mut rates = Vec::new();
        for (a, name) in l.names.iter().enumerate() {
            let outage = self.outage(
                "lines",
                name,
                a,
                &l.failure_probability,
                &l.repair_probability,
                true,
            )?;
            // A line of a binding interface ends in its hub in place of the hub's region.
            let hub = self.hubs.iter().find(|h| {
                (&l.from[a], &l.to[a]) == (&h.from, &h.to)
                    || (&l.from[a], &l.to[a]) == (&h.to, &h.from)
            });
            let end = |r: &String| match hub {
                Some(h) if *r == h.to => h.name.clone(),
                _ => r.clone(),
            };
            let t = &mut self.toml;
            w!(t, "\n[[lines]]\nname = {}", q(name));
            w!(t, "category = {}", q(&l.categories[a]));
            w!(
                t,
                "from = {}\nto = {}",
                q(&end(&l.from[a])),
                q(&end(&l.to[a]))
            );
            w!(
                t,
                "forward_mw = {}\nbackward_mw = {}",
                l.forward_mw.max(a),
                l.backward_mw.max(a)
            );
            let forward = l.forward_mw.column(a).collect::<Vec<_>>();
            let backward = l.backward_mw.column(a).collect::<Vec<_>>();
            limits.extend(limit_columns(t, name, &forward, &backward));
            if outage.keys.starts_with("outage_model") {
                t.push_str(&outage.keys);
            }
            if !outage.columns.is_empty() {
                w!(t, "rates_file = \"line-rates.csv\"");
                for (key, column) in &outage.columns {
                    w!(t, "{key} = {}", q(&column.0));
                }
                rates.extend(outage.columns.into_iter().map(|(_, c)| c));
            }
        }
        for hub in &self.hubs {
            let t = &mut self.toml;
            w!(t, "\n[[lines]]\nname = {}", q(&hub.line));
            w!(
                t,
                "category = \"interface\"  # PRAS's interface limits: never fails"
            );
            w!(t, "from = {}\nto = {}", q(&hub.name), q(&hub.to));
            let max = |v: &[i64]| v.iter().copied().max().unwrap_or(0);
            w!(
                t,
                "forward_mw = {}\nbackward_mw = {}",
                max(&hub.forward_mw),
                max(&hub.backward_mw)
            );
            limits.extend(limit_columns(
                t,
                &hub.line,
                &hub.forward_mw,
                &hub.backward_mw,
            ));
        }
        for (name, columns) in [("line-limits.csv", limits), ("line-rates.csv", rates)] {
            if !columns.is_empty() {
                self.csvs.push(Csv { name, columns });
            }
        }
        Ok(())
    }

    /// The interfaces that bind, as hubs: an interface binds when its limit in a direction
    /// is below the sum of its lines' limits in that direction in some step (PRAS's
    /// unlimited sentinel never does). One that never binds adds nothing to the scenario.
    fn interfaces(&self) -> Result<Vec<Hub>, PrasError> {
        let i = &self.s.interfaces;
        let l = &self.s.lines;
        let mut hubs = Vec::new();
        for a in 0..i.from.len() {
            let (from, to) = (&i.from[a], &i.to[a]);
            // The lines' limits in the interface's direction, per step.
            let (mut fwd, mut bwd) = (vec![0i64; self.s.steps], vec![0i64; self.s.steps]);
            for k in 0..l.names.len() {
                let same = (&l.from[k], &l.to[k]) == (from, to);
                if !same && (&l.from[k], &l.to[k]) != (to, from) {
                    continue;
                }
                for t in 0..self.s.steps {
                    let (f, b) = (l.forward_mw.get(t, k), l.backward_mw.get(t, k));
                    let (f, b) = if same { (f, b) } else { (b, f) };
                    fwd[t] += f;
                    bwd[t] += b;
                }
            }
            let mut binds = false;
            let mut limits = [Vec::new(), Vec::new()];
            for ((ds, m, lines_mw), out) in [
                ("interfaces/forwardcapacity", &i.forward_mw, &fwd),
                ("interfaces/backwardcapacity", &i.backward_mw, &bwd),
            ]
            .into_iter()
            .zip(&mut limits)
            {
                for (t, (mw, &sum)) in m.column(a).zip(lines_mw).enumerate() {
                    if mw < 0 {
                        return Err(self.err(
                            ds,
                            Kind::Value(format!(
                                "interface {from}-{to}: step {}: expected a limit >= 0 MW, got {mw}",
                                t + 1
                            )),
                        ));
                    }
                    if sum > MAX_POWER_MW as i64 {
                        return Err(self.err(
                            ds,
                            Kind::Value(format!(
                                "interface {from}-{to}: step {}: its lines sum to {sum} MW, more than gridrisk's largest power, {MAX_POWER_MW} MW",
                                t + 1
                            )),
                        ));
                    }
                    binds |= mw != UNLIMITED_MW && mw < sum;
                    out.push(if mw == UNLIMITED_MW { sum } else { mw.min(sum) });
                }
            }
            if binds {
                let [forward_mw, backward_mw] = limits;
                let taken = |n: &str| {
                    self.s.regions.names.iter().chain(&l.names).any(|x| x == n)
                        || hubs.iter().any(|h: &Hub| h.name == n || h.line == n)
                };
                let mut name = format!("{from}-{to} interface");
                while taken(&name) {
                    name.push('\'');
                }
                hubs.push(Hub {
                    line: format!("{name} limit"),
                    name,
                    from: from.clone(),
                    to: to.clone(),
                    forward_mw,
                    backward_mw,
                });
            }
        }
        Ok(hubs)
    }

    /// Every value of `m` from 0 to gridrisk's largest power.
    fn check_mw(&self, dataset: &str, m: &Matrix<i64>, names: &[String]) -> Result<(), PrasError> {
        for (a, name) in names.iter().enumerate() {
            if let Some(t) = m
                .column(a)
                .position(|v| !(0..=MAX_POWER_MW as i64).contains(&v))
            {
                return Err(self.err(
                    dataset,
                    Kind::Value(format!(
                        "{name}: step {}: expected 0 to {MAX_POWER_MW} MW, got {}",
                        t + 1,
                        m.get(t, a)
                    )),
                ));
            }
        }
        Ok(())
    }
}

/// Outage keys of one asset, and its hourly columns (key, (column name, values)).
struct Outage {
    keys: String,
    columns: Vec<(&'static str, (String, Vec<String>))>,
}

/// Write `limits_file` keys for a line whose limits vary by step, and return its columns
/// (`NAME forward`, `NAME backward`; a constant direction keeps its `*_mw`).
fn limit_columns(
    t: &mut String,
    name: &str,
    forward: &[i64],
    backward: &[i64],
) -> Vec<(String, Vec<String>)> {
    let varies = |v: &[i64]| v.iter().any(|&x| x != v[0]);
    let mut columns = Vec::new();
    for (key, suffix, v) in [
        ("forward_column", "forward", forward),
        ("backward_column", "backward", backward),
    ] {
        if varies(v) {
            if columns.is_empty() {
                w!(t, "limits_file = \"line-limits.csv\"");
            }
            let column = format!("{name} {suffix}");
            w!(t, "{key} = {}", q(&column));
            columns.push((column, v.iter().map(i64::to_string).collect()));
        }
    }
    columns
}

fn table_of(group: &str) -> &'static str {
    match group {
        "storages" => "[[storages]]",
        "generatorstorages" => "[[generator_storages]]",
        _ => "[[demand_responses]]",
    }
}

fn ints(m: &Matrix<i64>, a: usize) -> Vec<String> {
    m.column(a).map(|v| v.to_string()).collect()
}

/// A float as TOML and CSV write it: the shortest text that reads back to the same value.
fn float(x: f64) -> String {
    format!("{x:?}")
}

/// A TOML basic string.
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A CSV field, quoted if it holds a comma, a quote or a line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn csv_text(c: &Csv) -> String {
    let header: Vec<String> = c.columns.iter().map(|(n, _)| csv_field(n)).collect();
    let rows = c.columns.first().map_or(0, |(_, v)| v.len());
    let mut out = header.join(",");
    out.push('\n');
    for r in 0..rows {
        for (k, (_, values)) in c.columns.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            out.push_str(&values[r]);
        }
        out.push('\n');
    }
    out
}

fn file_name(path: &str) -> &str {
    std::path::Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(path)
}

/// The dated window (first day, last day, `utc_offset`) of `hours` from `timestamp`, if the
/// scenario format can hold it: a midnight start (`YYYY-MM-DDT00:00:00±HH:MM`, an offset
/// `utc_offset` accepts) and whole days. Otherwise the window is written undated, keeping
/// only its weekday.
fn dated(timestamp: &str, hours: usize) -> Option<(Date, Date, &str)> {
    let (date, offset) = timestamp.split_once("T00:00:00")?;
    parse_utc_offset(offset)?;
    let mut parts = date.split('-');
    let mut part = || parts.next()?.parse::<u32>().ok();
    let (y, m, d) = (part()?, part()?, part()?);
    let start = Date::new(i32::try_from(y).ok()?, m, d)?;
    if date.len() != 10 || hours == 0 || hours % 24 != 0 {
        return None;
    }
    Some((start, start.plus_days((hours / 24 - 1) as i64), offset))
}

/// The weekday of a timestamp's date (`2020-01-01T...` is a Wednesday), as gridrisk's
/// `first_weekday` names it.
fn weekday(timestamp: &str) -> Option<&'static str> {
    let date = timestamp.get(..10)?;
    let mut parts = date.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1..=9999).contains(&y) {
        return None;
    }
    // Sakamoto's method: 0 = Sunday.
    const T: [i64; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if m < 3 { y - 1 } else { y };
    let w = (y + y / 4 - y / 100 + y / 400 + T[(m - 1) as usize] + d) % 7;
    Some(
        [
            "sunday",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
        ][w as usize],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_of_known_dates() {
        assert_eq!(weekday("2020-01-01T00:00:00+00:00"), Some("wednesday"));
        assert_eq!(weekday("2015-03-14T00:00:00+00:00"), Some("saturday"));
        assert_eq!(weekday("2000-02-29"), Some("tuesday"));
        assert_eq!(weekday("2020-13-01"), None);
        assert_eq!(weekday("x"), None);
    }

    #[test]
    fn dated_windows_need_midnight_whole_days_and_a_known_offset() {
        let d = |ts: &str, hours| {
            dated(ts, hours).map(|(s, e, o)| (s.to_string(), e.to_string(), o.to_string()))
        };
        let window = |s: &str, e: &str, o: &str| Some((s.into(), e.into(), o.into()));
        assert_eq!(
            d("2020-01-01T00:00:00+00:00", 8784),
            window("2020-01-01", "2020-12-31", "+00:00")
        );
        assert_eq!(
            d("2015-03-14T00:00:00-05:00", 24),
            window("2015-03-14", "2015-03-14", "-05:00")
        );
        assert_eq!(d("2020-01-01T01:00:00+00:00", 24), None);
        assert_eq!(d("2020-01-01T00:00:00+15:00", 24), None);
        assert_eq!(d("2020-01-01T00:00:00Z", 24), None);
        assert_eq!(d("2020-01-01T00:00:00+00:00", 36), None);
        assert_eq!(d("2020-02-30T00:00:00+00:00", 24), None);
    }

    #[test]
    fn strings_are_escaped() {
        assert_eq!(q("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000A\"");
        assert_eq!(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
    }

    #[test]
    fn floats_read_back_exactly() {
        for x in [0.0, 1.0, 0.1, 1.0 / 3.0, 2.5e-7, 0.0022222222222222222] {
            assert_eq!(float(x).parse::<f64>().unwrap(), x);
        }
    }
}
