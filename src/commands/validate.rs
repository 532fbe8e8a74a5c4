//! `gridrisk validate`: check a scenario and print what it contains.

use crate::cli::args::ValidateArgs;
use crate::{bad, embedded};

/// Run the command.
pub fn run(args: &ValidateArgs) -> anyhow::Result<()> {
    let scenario = embedded::load(&args.scenario).map_err(bad)?;
    let s = &scenario.summary;
    let mut text = format!(
        "{}: valid scenario '{}' ({})\n  {} h, {} regions ({} hubs), {} lines, {} import sources, {} units, {:.1} MW installed, system peak demand {:.1} MW\n",
        args.scenario,
        scenario.name,
        scenario.content_hash,
        s.hours,
        s.regions.len(),
        s.hubs,
        s.lines,
        s.imports,
        s.units,
        s.installed_mw,
        s.peak_demand_mw,
    );
    for r in &s.regions {
        if r.hub {
            text += &format!("  hub {}\n", r.name);
            continue;
        }
        text += &format!(
            "  region {}: {} units, {:.1} MW installed, peak {:.1} MW, demand {:.1} MWh\n",
            r.name, r.units, r.installed_mw, r.peak_demand_mw, r.demand_mwh
        );
    }
    crate::output::print(&text)
}
