//! Warnings for sizes that load but are implausible beside the rest of the system, such as
//! a unit of 150,000 MW in a 520 MW system (a typo of a few zeros). They are warnings, not
//! errors: an odd study may mean them.
//!
//! With peak demand the system's largest hourly demand (the sum over regions) and supply
//! all unit nameplates, renewable plants and import source caps together:
//!
//! * one unit or renewable plant larger than [`UNIT_PEAK_RATIO`] (10) times the peak
//!   demand: the largest unit of a real system is a few percent of its peak;
//! * a line limit, in either direction, larger than [`LINE_SUPPLY_RATIO`] (10) times the
//!   supply: no flow can come near it;
//! * supply below the peak demand: the peak hours are short even with nothing out;
//! * installed capacity (units and renewables) above [`INSTALLED_PEAK_RATIO`] (20) times
//!   the peak demand: real systems have a reserve margin of tens of percent, not 1,900%.
//!
//! A system whose demand is zero in every hour gets none of these.

use super::build::Summary;
use super::error::Problems;
use super::manifest::Block;
use super::tree::{Node, Value};
use crate::model::SystemModel;
use crate::power::w_to_mw;
use std::path::Path;

/// A unit or plant above this multiple of the system's peak demand is warned about.
pub(crate) const UNIT_PEAK_RATIO: f64 = 10.0;
/// A line limit above this multiple of the system's supply is warned about.
pub(crate) const LINE_SUPPLY_RATIO: f64 = 10.0;
/// Installed capacity above this multiple of the system's peak demand is warned about.
pub(crate) const INSTALLED_PEAK_RATIO: f64 = 20.0;

/// Warn about implausible sizes in `model`, built from `blocks` (read from `path`; `root`
/// is its merged TOML tree, for the file and line of each value).
pub(crate) fn check(
    path: &Path,
    root: &Node,
    blocks: &[Block],
    model: &SystemModel,
    summary: &Summary,
    p: &mut Problems,
) {
    let peak_mw = summary.peak_demand_mw;
    if peak_mw <= 0.0 {
        return;
    }
    let network = model.network();
    let vre = &model.conditions().vre;
    let renewables_mw: f64 = vre.iter().map(|v| w_to_mw(v.capacity_w)).sum();
    let imports_mw: f64 = network.imports.iter().map(|s| w_to_mw(s.cap_w)).sum();
    let installed_mw = summary.installed_mw + renewables_mw;
    let supply_mw = installed_mw + imports_mw;

    for b in blocks {
        let mw = w_to_mw(b.installed_w);
        if mw > UNIT_PEAK_RATIO * peak_mw {
            let msg = format!(
                "one unit of {mw} MW is more than {UNIT_PEAK_RATIO} times the system's peak \
                 demand of {peak_mw} MW; is it a typo?"
            );
            warn_at(path, root, "units", &b.name, "mw", msg, p);
        }
    }
    for v in vre {
        let mw = w_to_mw(v.capacity_w);
        if mw > UNIT_PEAK_RATIO * peak_mw {
            let msg = format!(
                "a plant of {mw} MW is more than {UNIT_PEAK_RATIO} times the system's peak \
                 demand of {peak_mw} MW; is it a typo?"
            );
            warn_at(path, root, "renewables", &v.name, "mw", msg, p);
        }
    }
    for line in &network.lines {
        let element = find(root, "lines", &line.name);
        let backward_given = element.is_some_and(|e| e.get("backward_mw").is_some());
        for (key, w) in [
            ("forward_mw", line.forward_w),
            ("backward_mw", line.backward_w),
        ] {
            let mw = w_to_mw(w);
            if mw > LINE_SUPPLY_RATIO * supply_mw && (key == "forward_mw" || backward_given) {
                let msg = format!(
                    "a limit of {mw} MW is more than {LINE_SUPPLY_RATIO} times all the \
                     system's supply ({supply_mw} MW with renewables and imports), so it never \
                     binds; is it a typo?"
                );
                warn_at(path, root, "lines", &line.name, key, msg, p);
            }
        }
    }
    if supply_mw < peak_mw {
        p.warn(
            path,
            None,
            None,
            format!(
                "all units, renewables and imports together ({supply_mw} MW) are less than the \
                 peak demand ({peak_mw} MW): the peak hours are short even with nothing out"
            ),
        );
    }
    if installed_mw > INSTALLED_PEAK_RATIO * peak_mw {
        p.warn(
            path,
            None,
            None,
            format!(
                "the installed capacity ({installed_mw} MW with renewables) is more than \
                 {INSTALLED_PEAK_RATIO} times the peak demand ({peak_mw} MW); is a unit or the \
                 demand mistyped?"
            ),
        );
    }
}

/// The element of the array of tables `array` named `name`, if any.
fn find<'a>(root: &'a Node, array: &str, name: &str) -> Option<&'a Node> {
    match &root.get(array)?.value {
        Value::Array(elements) => elements.iter().find(|e| e.get_str("name") == Some(name)),
        _ => None,
    }
}

/// A warning at `array[name].key`, at the file and line the value was written at (else
/// the scenario's file).
fn warn_at(
    path: &Path,
    root: &Node,
    array: &str,
    name: &str,
    key: &str,
    msg: String,
    p: &mut Problems,
) {
    let field = format!("{array}[{name}].{key}");
    match find(root, array, name).and_then(|e| e.get(key)) {
        Some(n) => p.warn(&n.file, Some(n.line), Some(&field), msg),
        None => p.warn(path, None, Some(&field), msg),
    }
}
