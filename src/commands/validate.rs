//! `gridrisk validate`: check a scenario and print what it contains, with the warnings a
//! run would print.

use crate::cli::args::ValidateArgs;
use crate::{bad, embedded};
use gridrisk_core::model::Conditions;
use gridrisk_core::power::w_to_mw;
use gridrisk_core::SystemModel;

/// Most names listed in one line of the summary.
const MAX_NAMES: usize = 6;

/// Run the command.
pub fn run(args: &ValidateArgs) -> anyhow::Result<()> {
    let path = std::path::Path::new(&args.scenario);
    let (system, scenario) = if gridrisk_pras::is_pras(path) {
        let (system, scenario) =
            gridrisk_pras::load_system(path, args.pras.omit(), &[]).map_err(bad)?;
        (Some(system), scenario)
    } else {
        (None, embedded::load(&args.scenario).map_err(bad)?)
    };
    super::print_warnings(&scenario);
    let s = &scenario.summary;
    let mut text = format!(
        "{}: valid scenario '{}' ({})\n  {} h, {} ({}), {}, {}, {}, {:.1} MW installed, system peak demand {:.1} MW\n",
        args.scenario,
        scenario.name,
        scenario.content_hash,
        s.hours,
        count(s.regions.len(), "region", "regions"),
        count(s.hubs, "hub", "hubs"),
        count(s.lines, "line", "lines"),
        count(s.imports, "import source", "import sources"),
        count(s.units, "unit", "units"),
        s.installed_mw,
        s.peak_demand_mw,
    );
    for r in &s.regions {
        if r.hub {
            text += &format!("  hub {}\n", r.name);
            continue;
        }
        text += &format!(
            "  region {}: {}, {:.1} MW installed, peak {:.1} MW, demand {:.1} MWh\n",
            r.name,
            count(r.units, "unit", "units"),
            r.installed_mw,
            r.peak_demand_mw,
            r.demand_mwh
        );
    }
    for line in conditions(&scenario.model) {
        text += &format!("  {line}\n");
    }
    match &system {
        Some(system) => text += &pras_summary(system),
        None => text += &units_by_category(&scenario.model),
    }
    if !scenario.warnings.is_empty() {
        let n = scenario.warnings.len();
        text += &format!("  {n} warning{} (on standard error)\n", plural(n));
    }
    crate::output::print(&text)
}

/// The units' installed MW by `category` (first-seen order), as the `.pras` summary gives
/// its generators', for a scenario some of whose units carry one; nothing otherwise.
fn units_by_category(model: &SystemModel) -> String {
    let (units, categories) = (model.units(), model.categories());
    let category = |name: &str| categories.of("units", name);
    if !units.names.iter().any(|n| category(n).is_some()) {
        return String::new();
    }
    let mut by: Vec<(&str, usize, i64)> = Vec::new();
    for (name, &w) in units.names.iter().zip(&units.installed_w) {
        let c = category(name).unwrap_or("(no category)");
        match by.iter_mut().find(|(k, _, _)| *k == c) {
            Some(entry) => {
                entry.1 += 1;
                entry.2 += w;
            }
            None => by.push((c, 1, w)),
        }
    }
    by.iter()
        .map(|(c, n, w)| {
            format!(
                "  units {c}: {}, {:.1} MW installed\n",
                count(*n, "unit", "units"),
                w_to_mw(*w)
            )
        })
        .collect()
}

/// What a PRAS system file holds, as read from it (before conversion): counts, installed
/// MW by category, peak load.
fn pras_summary(s: &gridrisk_pras::System) -> String {
    let max_sum = |m: &gridrisk_pras::Matrix<i64>| (0..m.assets()).map(|a| m.max(a)).sum::<i64>();
    let g = &s.generators;
    let st = &s.storages;
    let gs = &s.generator_storages.storage;
    let unlimited = (0..s.interfaces.from.len())
        .filter(|&a| {
            [&s.interfaces.forward_mw, &s.interfaces.backward_mw]
                .iter()
                .all(|m| m.column(a).all(|mw| mw == gridrisk_pras::UNLIMITED_MW))
        })
        .count();
    let mut text = format!(
        "  PRAS system: format {}, {} steps of {} {} from {}\n  {}, {} ({} can fail), {} ({} MW, {} MWh), {} ({} MW, {} MWh), {}, {}, {} ({} unlimited), {} h\n  peak load {} MW\n",
        s.version,
        s.steps,
        s.step_length,
        s.step_unit,
        s.start_timestamp,
        count(s.regions.names.len(), "region", "regions"),
        count(g.names.len(), "generator", "generators"),
        s.generators_that_can_fail(),
        count(st.names.len(), "storage", "storages"),
        max_sum(&st.discharge_mw),
        max_sum(&st.energy_mwh),
        count(gs.names.len(), "generator-storage", "generator-storages"),
        max_sum(&gs.discharge_mw),
        max_sum(&gs.energy_mwh),
        count(s.demand_responses.names.len(), "demand response", "demand responses"),
        count(s.lines.names.len(), "line", "lines"),
        count(s.interfaces.from.len(), "interface", "interfaces"),
        unlimited,
        s.hours().unwrap_or(f64::NAN),
        s.peak_load_mw(),
    );
    for (category, n, mw) in s.installed_by_category() {
        text += &format!(
            "  generators {category}: {}, {mw} MW installed\n",
            count(n, "unit", "units")
        );
    }
    text
}

/// One line per kind of condition the scenario has (renewables, weather, mining,
/// exchanges, disturbances, unit conditions); none for a scenario without conditions.
fn conditions(model: &SystemModel) -> Vec<String> {
    let c: &Conditions = model.conditions();
    let region = |r: usize| model.regions()[r].name().to_string();
    let mut lines = Vec::new();
    if !c.vre.is_empty() {
        let total_w: i128 = c.vre.iter().map(|v| i128::from(v.capacity_w)).sum();
        let names = c.vre.iter().map(|v| {
            format!(
                "{} {:.1} MW in {}",
                v.name,
                w_to_mw(v.capacity_w),
                region(v.region)
            )
        });
        lines.push(format!(
            "renewables: {} plant{}, {:.1} MW: {}",
            c.vre.len(),
            plural(c.vre.len()),
            total_w as f64 / 1e6,
            list(names)
        ));
    }
    let w = &c.weather;
    if !w.zones.is_empty() {
        let mut line = format!(
            "weather: {} zone{} ({})",
            w.zones.len(),
            plural(w.zones.len()),
            list(w.zones.iter().map(|z| z.name.clone()))
        );
        let heated = w
            .climates
            .iter()
            .filter(|k| k.heating_w_per_c > 0.0)
            .count();
        if heated > 0 {
            line += &format!(", heating demand in {heated} region{}", plural(heated));
        }
        if w.load_forecast_error != 0.0 {
            line += &format!(", load forecast error {:+}", w.load_forecast_error);
        }
        if w.load_forecast_sd > 0.0 {
            line += &format!(", load forecast error sd {}", w.load_forecast_sd);
        }
        lines.push(line);
    }
    let m = &c.mining;
    let mut parts = Vec::new();
    if !m.registered.is_empty() {
        let mw: i128 = m.registered.iter().map(|r| i128::from(r.load_w)).sum();
        parts.push(format!(
            "{:.1} MW registered in {} region{}",
            mw as f64 / 1e6,
            m.registered.len(),
            plural(m.registered.len())
        ));
    }
    if let Some(i) = &m.illegal {
        parts.push(format!(
            "illegal {:.1} to {:.1} MW (mode {:.1} MW)",
            w_to_mw(i.min_w),
            w_to_mw(i.max_w),
            w_to_mw(i.mode_w)
        ));
    }
    if !m.policies.is_empty() {
        parts.push(count(m.policies.len(), "policy", "policies"));
    }
    if !m.enforcement.is_empty() {
        parts.push(format!(
            "enforcement {}",
            list(m.enforcement.iter().map(|e| e.name.clone()))
        ));
    }
    if !parts.is_empty() {
        lines.push(format!("mining: {}", parts.join(", ")));
    }
    if !c.exchanges.is_empty() {
        let names = c.exchanges.iter().map(|e| {
            format!(
                "{} ({:.1} MW scheduled export from {})",
                e.name,
                w_to_mw(e.scheduled_export_w),
                region(e.region)
            )
        });
        lines.push(format!("exchanges: {}", list(names)));
    }
    let net = model.network();
    let scheduled: Vec<String> = net
        .imports
        .iter()
        .filter(|s| !s.schedule_w.is_empty())
        .map(|s| {
            let (lo, hi) = s
                .schedule_w
                .iter()
                .fold((i64::MAX, i64::MIN), |(lo, hi), &w| (lo.min(w), hi.max(w)));
            if lo == hi {
                format!("{} {:.1} MW every hour", s.name, w_to_mw(lo))
            } else {
                format!("{} {:.1} to {:.1} MW", s.name, w_to_mw(lo), w_to_mw(hi))
            }
        })
        .collect();
    if !scheduled.is_empty() {
        lines.push(format!(
            "schedules (+ import, - export): {}",
            list(scheduled.into_iter())
        ));
    }
    if !net.corridors.is_empty() {
        let names = net
            .corridors
            .iter()
            .map(|k| format!("{} ({})", k.name, net.corridor_line_names(k).join(" + ")));
        lines.push(format!("corridors: {}", list(names)));
    }
    if !net.ladder.is_empty() {
        use gridrisk_core::model::{InterruptibleClass, LadderStep};
        let step = |st: &LadderStep| match *st {
            LadderStep::Import { source, cap_w } => {
                let name = &net.imports[source].name;
                match cap_w {
                    Some(w) => format!("{name} {:.1} MW", w_to_mw(w)),
                    None => format!("{name} rest of cap"),
                }
            }
            LadderStep::Interruptible(InterruptibleClass::Mining) => "mining curtailed".into(),
            LadderStep::Interruptible(InterruptibleClass::Exports) => "exports curtailed".into(),
            LadderStep::VoltageReduction {
                region: r,
                fraction,
            } => {
                format!("voltage -{}% in {}", fraction * 100.0, region(r))
            }
            LadderStep::Appeal {
                region: r,
                cap_w,
                hours_per_day,
            } => format!(
                "appeal {:.1} MW in {}, {hours_per_day} h/day",
                w_to_mw(cap_w),
                region(r)
            ),
        };
        let ranks = net.ladder.iter().map(|k| {
            let steps: Vec<String> = k.steps.iter().map(step).collect();
            format!("{} ({})", k.name, steps.join(" + "))
        });
        lines.push(format!(
            "ladder, cheapest first: {}, then firm shedding",
            list(ranks)
        ));
    }
    if !c.disturbances.is_empty() {
        let names = c
            .disturbances
            .iter()
            .map(|d| format!("{} ({})", d.name, count(d.lines.len(), "line", "lines")));
        lines.push(format!("disturbances: {}", list(names)));
    }
    let dated = c
        .units
        .iter()
        .filter(|u| !u.dated_outages.is_empty())
        .count();
    let cold = c.units.iter().filter(|u| u.cold.is_some()).count();
    let mut parts = Vec::new();
    if dated > 0 {
        parts.push(format!(
            "dated outages of {}",
            count(dated, "unit", "units")
        ));
    }
    if cold > 0 {
        parts.push(format!(
            "cold-dependent failures of {}",
            count(cold, "unit", "units")
        ));
    }
    if !c.block_caps.is_empty() {
        parts.push(count(c.block_caps.len(), "block cap", "block caps"));
    }
    if !parts.is_empty() {
        lines.push(format!("units: {}", parts.join(", ")));
    }
    lines
}

/// At most [`MAX_NAMES`] items, comma-separated, then how many more.
fn list(items: impl ExactSizeIterator<Item = String>) -> String {
    let n = items.len();
    let mut shown: Vec<String> = items.take(MAX_NAMES).collect();
    if n > MAX_NAMES {
        shown.push(format!("and {} more", n - MAX_NAMES));
    }
    shown.join(", ")
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
