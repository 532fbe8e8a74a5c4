//! From a gridrisk scenario to a PRAS [`System`]: the features PRAS has (hourly load,
//! generators with per-step outage probabilities, storages, generator-storages, demand
//! responses, lines, interfaces), each value in PRAS's whole MW and MWh. Whatever PRAS
//! cannot hold is refused, naming the scenario key: continuous-time outages, powers and
//! energies that are not whole MW and MWh, storages that start charged, generator-storages
//! with a peak-shaving schedule, import sources, and every condition beyond hourly
//! capacities and outage probabilities (weather, mining, exchanges, disturbances,
//! renewables, cold rules, dated outages, block caps, a ladder of last resorts).

use crate::error::{Kind, PrasError};
use crate::system::{
    DemandResponses, GeneratorStorages, Generators, Interfaces, Lines, Matrix, Regions, Storages,
    System, Version, UNLIMITED_MW,
};
use gridrisk_core::model::{GenStorDispatch, OutageModel, Storage, SystemModel};
use std::collections::HashMap;

/// The file format version written: v0.8's layout, which PRAS's current reader reads.
pub const WRITTEN_VERSION: Version = Version(0, 8, 0);

/// The `_core` category of an asset without a `category` key: its gridrisk table's name, by
/// scenario table.
const CATEGORY: [(&str, &str); 5] = [
    ("units", "unit"),
    ("storages", "storage"),
    ("generator_storages", "generator_storage"),
    ("demand_responses", "demand_response"),
    ("lines", "line"),
];

const W_PER_MW: i64 = 1_000_000;

/// The PRAS system of `model`, loaded from the scenario `file` (named in errors).
pub fn from_model(model: &SystemModel, file: &str) -> Result<System, PrasError> {
    Exporter { m: model, file }.system()
}

struct Exporter<'a> {
    m: &'a SystemModel,
    file: &'a str,
}

/// A per-step probability pair of one asset: (failure, repair) in every step.
type Probabilities = (Vec<f64>, Vec<f64>);

impl Exporter<'_> {
    fn refuse(&self, key: &str, what: String) -> PrasError {
        PrasError::new(self.file, key, Kind::Unsupported(what))
    }

    fn system(&self) -> Result<System, PrasError> {
        self.refuse_conditions()?;
        let steps = self.m.hours();
        let cal = self.m.calendar();
        let start_timestamp = match cal.start() {
            Some(d) => format!("{d}T00:00:00{}", offset(cal.utc_offset_min())),
            // An undated window: the first day of 2001 (a Monday) with the window's weekday,
            // in UTC (the offset means nothing without dates).
            None => format!("2001-01-{:02}T00:00:00+00:00", 1 + cal.weekday(0)),
        };
        let regions = self.regions(steps)?;
        let generators = self.generators(steps)?;
        let (storages, generator_storages) = self.storages(steps)?;
        let demand_responses = self.demand_responses(steps)?;
        let (lines, interfaces) = self.lines(steps)?;
        if generators.names.is_empty() && generator_storages.storage.names.is_empty() {
            return Err(self.refuse(
                "units",
                "no units and no generator-storages: a PRAS system needs generators or generator-storages (or both)".into(),
            ));
        }
        Ok(System {
            version: WRITTEN_VERSION,
            start_timestamp,
            steps,
            // PRAS's own spelling: `1 h` for hours (as its files have it), else minutes.
            step_length: match cal.step_min() {
                60 => 1,
                m => i64::from(m),
            },
            step_unit: if cal.step_min() == 60 { "h" } else { "min" }.into(),
            power_unit: "MW".into(),
            energy_unit: "MWh".into(),
            regions,
            generators,
            storages,
            generator_storages,
            demand_responses,
            lines,
            interfaces,
        })
    }

    fn refuse_conditions(&self) -> Result<(), PrasError> {
        let c = self.m.conditions();
        let n = self.m.network();
        let weather = c.weather != Default::default();
        let cold_or_dated = c
            .units
            .iter()
            .find(|u| u.cold.is_some() || !u.dated_outages.is_empty());
        for (present, key, what) in [
            (
                weather,
                "weather",
                "weather zones and temperature-driven demand",
            ),
            (c.mining != Default::default(), "mining", "mining load"),
            (!c.exchanges.is_empty(), "exchanges", "scheduled exchanges"),
            (!c.disturbances.is_empty(), "disturbances", "disturbances"),
            (!c.vre.is_empty(), "renewables", "stochastic renewables"),
            (
                !c.block_caps.is_empty(),
                "units.block_cap_mw",
                "caps on blocks of units",
            ),
            (!n.imports.is_empty(), "imports", "import sources"),
            (!n.ladder.is_empty(), "ladder", "a ladder of last resorts"),
        ] {
            if present {
                return Err(self.refuse(
                    key,
                    format!("PRAS has no {what}; a .pras file holds hourly load, generators, storages, generator-storages, demand responses, lines and interfaces"),
                ));
            }
        }
        if let Some(u) = cold_or_dated {
            return Err(self.refuse(
                "units.cold",
                format!(
                    "unit {}: PRAS has no cold rules or dated outages (units.cold, units.dated_outages)",
                    u.unit
                ),
            ));
        }
        Ok(())
    }

    /// `w` in whole MW, refused (naming `key` and `what`) if it is not.
    fn mw(&self, w: i64, key: &str, what: &dyn Fn() -> String) -> Result<i64, PrasError> {
        if w % W_PER_MW == 0 {
            Ok(w / W_PER_MW)
        } else {
            Err(self.refuse(
                key,
                format!(
                    "{}: {} MW is not a whole number of MW, and PRAS stores whole MW (and MWh); round it in the scenario",
                    what(),
                    w as f64 / W_PER_MW as f64
                ),
            ))
        }
    }

    /// PRAS's per-step probabilities of an asset's outage model (`None`: never fails).
    fn probabilities(
        &self,
        outage: Option<&OutageModel>,
        key: &str,
        name: &str,
    ) -> Result<(f64, f64), PrasError> {
        match outage {
            None => Ok((0.0, 1.0)),
            Some(&OutageModel::Discrete { p_fail, p_repair }) => Ok((p_fail, p_repair)),
            // `for = 0`: an MTTF of 1e30 h, availability 1 in f64.
            Some(o) if o.availability() >= 1.0 => Ok((0.0, 1.0)),
            Some(_) => Err(self.refuse(
                &format!("{key}.outage_model"),
                format!(
                    "{name}: continuous-time outages (mttf_h, mttr_h); PRAS's are per-step probabilities: give outage_model = \"discrete\" with failure_probability and repair_probability"
                ),
            )),
        }
    }

    /// The `_core` category of the model's asset `name` of scenario `table`: its `category`
    /// key, else the table's name ([`CATEGORY`]).
    fn category(&self, table: &str, name: &str) -> String {
        self.m
            .categories()
            .of(table, name)
            .or_else(|| CATEGORY.iter().find(|(t, _)| *t == table).map(|(_, c)| *c))
            .unwrap_or_default()
            .to_string()
    }

    fn regions(&self, steps: usize) -> Result<Regions, PrasError> {
        let regions = self.m.regions();
        let mut load = Vec::with_capacity(steps * regions.len());
        for h in 0..steps {
            for r in regions {
                load.push(self.mw(r.demand_w()[h], "regions.demand", &|| {
                    format!("region {}: hour {}", r.name(), h + 1)
                })?);
            }
        }
        Ok(Regions {
            names: regions.iter().map(|r| r.name().to_string()).collect(),
            load_mw: Matrix::new(steps, regions.len(), load),
        })
    }

    fn generators(&self, steps: usize) -> Result<Generators, PrasError> {
        let u = self.m.units();
        let c = self.m.conditions();
        let index = |blocks: &mut dyn Iterator<Item = &Vec<String>>| -> HashMap<String, usize> {
            let mut map = HashMap::new();
            for (b, units) in blocks.enumerate() {
                for name in units {
                    map.insert(name.clone(), b);
                }
            }
            map
        };
        let profile_of = index(&mut c.unit_profiles.iter().map(|p| &p.units));
        let rates_of = index(&mut c.unit_rates.iter().map(|r| &r.units));
        let n = u.len();
        let pras_names: Vec<String> = u
            .names
            .iter()
            .map(|m| generator_name(m, &u.names))
            .collect();
        let mut capacity: Vec<Vec<i64>> = Vec::with_capacity(n);
        let mut probabilities: Vec<Probabilities> = Vec::with_capacity(n);
        for (i, (model_name, name)) in u.names.iter().zip(&pras_names).enumerate() {
            // Conditions name the model's units; messages, PRAS's generators.
            let what = |h: usize| move || format!("unit {name}: hour {}", h + 1);
            capacity.push(match profile_of.get(model_name) {
                Some(&p) => (0..steps)
                    .map(|h| {
                        self.mw(
                            c.unit_profiles[p].capacity_w[h],
                            "units.capacity_file",
                            &what(h),
                        )
                    })
                    .collect::<Result<_, _>>()?,
                None => vec![self.mw(u.capacity_w[i], "units.mw", &what(0))?; steps],
            });
            let (fail, repair) = self.probabilities(Some(&u.outage[i]), "units", name)?;
            let mut fail = vec![fail; steps];
            let mut repair = vec![repair; steps];
            if let Some(&b) = rates_of.get(model_name) {
                if !matches!(u.outage[i], OutageModel::Discrete { .. }) {
                    return Err(self.refuse(
                        "units.rates_file",
                        format!("unit {name}: hourly rates in continuous time; PRAS's are per-step probabilities (outage_model = \"discrete\")"),
                    ));
                }
                let rates = &c.unit_rates[b];
                for (series, into) in [(&rates.failure, &mut fail), (&rates.repair, &mut repair)] {
                    if let Some(series) = series {
                        into.copy_from_slice(&series[..steps]);
                    }
                }
            }
            probabilities.push((fail, repair));
        }
        let region_names: Vec<String> = u
            .region
            .iter()
            .map(|&r| self.m.regions()[r].name().to_string())
            .collect();
        Ok(Generators {
            names: pras_names,
            categories: u.names.iter().map(|m| self.category("units", m)).collect(),
            regions: region_names,
            capacity_mw: by_step(steps, &capacity),
            failure_probability: by_step(steps, &column(&probabilities, |p| &p.0)),
            repair_probability: by_step(steps, &column(&probabilities, |p| &p.1)),
        })
    }

    /// Storages and generator-storages (the model's storage devices with an inflow).
    fn storages(&self, steps: usize) -> Result<(Storages, GeneratorStorages), PrasError> {
        let all = self.m.storages();
        let plain: Vec<&Storage> = all.iter().filter(|s| s.inflow.is_none()).collect();
        let gen: Vec<&Storage> = all.iter().filter(|s| s.inflow.is_some()).collect();
        let storages = self.storage_group(steps, &plain, "storages")?;
        let storage = self.storage_group(steps, &gen, "generatorstorages")?;
        let key = "generator_storages";
        let (mut inflow, mut injection, mut withdrawal) = (Vec::new(), Vec::new(), Vec::new());
        for s in &gen {
            let Some(f) = &s.inflow else { continue };
            if f.dispatch != GenStorDispatch::Pras {
                return Err(self.refuse(
                    &format!("{key}.dispatch"),
                    format!("{}: a peak-shaving schedule; PRAS dispatches generator-storages by its own rule only (dispatch = \"pras\")", s.name),
                ));
            }
            let what = |h: usize| move || format!("{}: hour {}", s.name, h + 1);
            inflow.push(
                (0..steps)
                    .map(|h| self.mw(f.inflow_w[h], &format!("{key}.inflow_mw"), &what(h)))
                    .collect::<Result<Vec<_>, _>>()?,
            );
            injection.push(vec![
                self.mw(
                    f.grid_injection_w,
                    &format!("{key}.grid_injection_mw"),
                    &what(0)
                )?;
                steps
            ]);
            withdrawal.push(vec![
                self.mw(
                    f.grid_withdrawal_w,
                    &format!("{key}.grid_withdrawal_mw"),
                    &what(0)
                )?;
                steps
            ]);
        }
        Ok((
            storages,
            GeneratorStorages {
                storage,
                inflow_mw: by_step(steps, &inflow),
                grid_withdrawal_mw: by_step(steps, &withdrawal),
                grid_injection_mw: by_step(steps, &injection),
            },
        ))
    }

    fn storage_group(
        &self,
        steps: usize,
        devices: &[&Storage],
        group: &str,
    ) -> Result<Storages, PrasError> {
        let key = if group == "storages" {
            "storages"
        } else {
            "generator_storages"
        };
        let mut g = Storages::empty(steps);
        let (mut charge, mut discharge, mut energy) = (Vec::new(), Vec::new(), Vec::new());
        let (mut ce, mut de, mut co, mut fail, mut repair) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for s in devices {
            let what = || s.name.clone();
            if s.initial_wh != 0 {
                return Err(self.refuse(
                    &format!("{key}.initial_soc"),
                    format!(
                        "{}: starts charged; PRAS's storages start every sample empty",
                        s.name
                    ),
                ));
            }
            charge.push(vec![
                self.mw(s.charge_w, &format!("{key}.charge_mw"), &what)?;
                steps
            ]);
            discharge.push(vec![
                self.mw(
                    s.discharge_w,
                    &format!("{key}.discharge_mw"),
                    &what
                )?;
                steps
            ]);
            energy.push(vec![
                self.mw(
                    s.energy_wh,
                    &format!("{key}.energy_mwh"),
                    &what
                )?;
                steps
            ]);
            ce.push(vec![s.charge_efficiency; steps]);
            de.push(vec![s.discharge_efficiency; steps]);
            co.push(vec![s.carryover_efficiency; steps]);
            let (f, r) = self.probabilities(s.outage.as_ref(), key, &s.name)?;
            fail.push(vec![f; steps]);
            repair.push(vec![r; steps]);
            g.names.push(s.name.clone());
            g.categories.push(self.category(key, &s.name));
            g.regions
                .push(self.m.regions()[s.region].name().to_string());
        }
        g.charge_mw = by_step(steps, &charge);
        g.discharge_mw = by_step(steps, &discharge);
        g.energy_mwh = by_step(steps, &energy);
        g.charge_efficiency = by_step(steps, &ce);
        g.discharge_efficiency = by_step(steps, &de);
        g.carryover_efficiency = by_step(steps, &co);
        g.failure_probability = by_step(steps, &fail);
        g.repair_probability = by_step(steps, &repair);
        Ok(g)
    }

    fn demand_responses(&self, steps: usize) -> Result<DemandResponses, PrasError> {
        let key = "demand_responses";
        let mut d = DemandResponses::empty(steps);
        let mut cols: [Vec<Vec<i64>>; 4] = Default::default();
        let mut fcols: [Vec<Vec<f64>>; 5] = Default::default();
        for dr in self.m.demand_responses() {
            let what = || dr.name.clone();
            let [borrow, payback, energy, window] = &mut cols;
            borrow.push(vec![
                self.mw(
                    dr.borrow_w,
                    &format!("{key}.borrow_mw"),
                    &what
                )?;
                steps
            ]);
            payback.push(vec![
                self.mw(
                    dr.payback_w,
                    &format!("{key}.payback_mw"),
                    &what
                )?;
                steps
            ]);
            energy.push(vec![
                self.mw(
                    dr.energy_wh,
                    &format!("{key}.energy_mwh"),
                    &what
                )?;
                steps
            ]);
            window.push(vec![i64::from(dr.payback_window_steps); steps]);
            let (f, r) = self.probabilities(dr.outage.as_ref(), key, &dr.name)?;
            for (col, v) in fcols.iter_mut().zip([
                dr.interest_per_step,
                f,
                r,
                dr.borrow_efficiency,
                dr.payback_efficiency,
            ]) {
                col.push(vec![v; steps]);
            }
            d.names.push(dr.name.clone());
            d.categories
                .push(self.category("demand_responses", &dr.name));
            d.regions
                .push(self.m.regions()[dr.region].name().to_string());
        }
        let [borrow, payback, energy, window] = &cols;
        let [interest, fail, repair, be, pe] = &fcols;
        d.borrow_mw = by_step(steps, borrow);
        d.payback_mw = by_step(steps, payback);
        d.energy_mwh = by_step(steps, energy);
        d.payback_steps = by_step(steps, window);
        d.interest = by_step(steps, interest);
        d.failure_probability = by_step(steps, fail);
        d.repair_probability = by_step(steps, repair);
        d.borrow_efficiency = by_step(steps, be);
        d.payback_efficiency = by_step(steps, pe);
        Ok(d)
    }

    /// Lines, and one unlimited interface per pair of regions joined by lines (PRAS
    /// groups every line into the interface of its two regions).
    fn lines(&self, steps: usize) -> Result<(Lines, Interfaces), PrasError> {
        let regions = self.m.regions();
        let name = |r: usize| regions[r].name().to_string();
        let mut l = Lines::empty(steps);
        let (mut fwd, mut bwd, mut fail, mut repair) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        let c = self.m.conditions();
        for line in &self.m.network().lines {
            let limits = c.line_limits.iter().find(|x| x.line == line.name);
            // A limit per step (`limits_file`) or the constant one in every step.
            let per_step = |series: Option<&Vec<i64>>, constant: i64, key: &str| {
                (0..steps)
                    .map(|h| {
                        let w = series.map_or(constant, |s| s[h]);
                        self.mw(w, key, &|| format!("{}: step {}", line.name, h + 1))
                    })
                    .collect::<Result<Vec<_>, _>>()
            };
            let key = |series: Option<&Vec<i64>>, k| series.map_or(k, |_| "lines.limits_file");
            let forward = limits.and_then(|x| x.forward_w.as_ref());
            let backward = limits.and_then(|x| x.backward_w.as_ref());
            let (fk, bk) = (
                key(forward, "lines.forward_mw"),
                key(backward, "lines.backward_mw"),
            );
            fwd.push(per_step(forward, line.forward_w, fk)?);
            bwd.push(per_step(backward, line.backward_w, bk)?);
            let (f, r) = self.probabilities(line.outage.as_ref(), "lines", &line.name)?;
            let mut f = vec![f; steps];
            let mut r = vec![r; steps];
            if let Some(rates) = c.line_rates.iter().find(|x| x.units[0] == line.name) {
                if !matches!(line.outage, Some(OutageModel::Discrete { .. })) {
                    return Err(self.refuse(
                        "lines.rates_file",
                        format!("line {}: hourly rates in continuous time; PRAS's are per-step probabilities (outage_model = \"discrete\")", line.name),
                    ));
                }
                for (series, into) in [(&rates.failure, &mut f), (&rates.repair, &mut r)] {
                    if let Some(series) = series {
                        into.copy_from_slice(&series[..steps]);
                    }
                }
            }
            fail.push(f);
            repair.push(r);
            l.names.push(line.name.clone());
            l.categories.push(self.category("lines", &line.name));
            l.from.push(name(line.from));
            l.to.push(name(line.to));
            pairs.push((line.from.min(line.to), line.from.max(line.to)));
        }
        l.forward_mw = by_step(steps, &fwd);
        l.backward_mw = by_step(steps, &bwd);
        l.failure_probability = by_step(steps, &fail);
        l.repair_probability = by_step(steps, &repair);
        pairs.sort_unstable();
        pairs.dedup();
        let n = pairs.len();
        let interfaces = Interfaces {
            from: pairs.iter().map(|&(a, _)| name(a)).collect(),
            to: pairs.iter().map(|&(_, b)| name(b)).collect(),
            forward_mw: Matrix::new(steps, n, vec![UNLIMITED_MW; steps * n]),
            backward_mw: Matrix::new(steps, n, vec![UNLIMITED_MW; steps * n]),
        };
        Ok((l, interfaces))
    }
}

/// The PRAS name of unit `name` of the model: unit k of a `[[units]]` block of n is
/// `NAME#k`; a block of one unit keeps its block's name.
fn generator_name(name: &str, all: &[String]) -> String {
    match name.strip_suffix("#1") {
        Some(block) if !all.iter().any(|n| *n == format!("{block}#2")) => block.to_string(),
        _ => name.to_string(),
    }
}

/// Columns (one per asset, each with a value per step) as a time steps x assets matrix.
fn by_step<T: Copy + PartialEq>(steps: usize, columns: &[Vec<T>]) -> Matrix<T> {
    let data = (0..steps)
        .flat_map(|t| columns.iter().map(move |c| c[t]))
        .collect();
    Matrix::new(steps, columns.len(), data)
}

fn column<'a>(
    pairs: &'a [Probabilities],
    pick: impl Fn(&'a Probabilities) -> &'a Vec<f64>,
) -> Vec<Vec<f64>> {
    pairs.iter().map(|p| pick(p).clone()).collect()
}

/// A UTC offset in minutes as ISO 8601 (`+00:00`, `+06:00`, `-03:30`).
fn offset(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.unsigned_abs();
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}
