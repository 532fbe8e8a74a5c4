//! What a scenario with steps shorter than an hour (`[study] step_min` below 60) may hold.
//!
//! The engine counts steps and converts counts to hours and energy where it reports them,
//! so demand, capacities (constant or a CSV row per step), discrete-time outages (per-step
//! probabilities, PRAS's convention), continuous-time outages (exponential durations in
//! hours, the state at the start of each step), lines, the calendar (hour of day, day,
//! week, month of each step), and storages, generator-storages and demand response (energy
//! moved as power x step length, carry-over, interest and payback windows per step: PRAS's
//! convention) work at any step. The inputs below are defined in hours or per day and
//! would need their own conversion; at a shorter step they are refused, each naming its key,
//! rather than read as if a step were an hour.

use super::error::Problems;
use super::manifest::element_label;
use super::tree::Node;

/// Top-level tables refused at a sub-hourly step, with why.
const TABLES: [(&str, &str); 7] = [
    (
        "mining",
        "mining policies and raids are dated by day and hour",
    ),
    ("weather", "temperatures are drawn per day"),
    (
        "imports",
        "the import results (import and export MWh, mean MW by day) are summed per hour",
    ),
    ("exchanges", "exchanges are drawn per day of 24 hours"),
    ("disturbances", "disturbances are dated by day and hour"),
    ("renewables", "renewable profiles are hourly"),
    ("ladder", "ladder appeals are hours per day"),
];

/// Keys of each element of a table array refused at a sub-hourly step, with why.
const ELEMENT_KEYS: [(&str, &str, &str); 3] = [
    ("units", "cold", "cold rules follow daily temperatures"),
    (
        "units",
        "dated_outages",
        "dated outages are whole days of 24 hours",
    ),
    (
        "demand_responses",
        "interest_per_h",
        "the interest on borrowed energy compounds per step (PRAS's convention): give \
         `interest_per_step`",
    ),
];

/// Record a problem for every key of `root` (the merged scenario tree) that is refused at
/// steps of `step_min` minutes; nothing at 60.
pub(crate) fn refuse_hourly_inputs(root: &Node, step_min: u32, p: &mut Problems) {
    if step_min == 60 {
        return;
    }
    let refuse = |n: &Node, field: &str, why: &str, p: &mut Problems| {
        p.push(
            &n.file,
            Some(n.line),
            Some(field),
            format!(
                "not supported with `[study] step_min = {step_min}` (steps shorter than an \
                 hour): {why}"
            ),
        );
    };
    for (table, why) in TABLES {
        if let Some(n) = root.get(table) {
            refuse(n, table, why, p);
        }
    }
    for (table, key, why) in ELEMENT_KEYS {
        let Some(super::tree::Value::Array(elements)) = root.get(table).map(|n| &n.value) else {
            continue;
        };
        for (i, e) in elements.iter().enumerate() {
            if let Some(n) = e.get(key) {
                refuse(n, &format!("{}.{key}", element_label(table, i, e)), why, p);
            }
        }
    }
}
