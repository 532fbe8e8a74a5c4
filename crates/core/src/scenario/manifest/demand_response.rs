//! `[[demand_responses]]`: demand response devices (see [`crate::model::DemandResponse`]),
//! read and expanded as `[[storages]]` blocks are.

use super::storage::{
    device_blocks, device_outage, efficiency, energy_wh, Named, MAX_STORAGE_COUNT,
};
use super::Fields;
use crate::model::DemandResponse;
use crate::scenario::error::Problems;
use crate::scenario::keys;
use std::path::Path;
use std::rc::Rc;

/// Longest payback window, hours (ten years of hours: longer is no window at all).
const MAX_PAYBACK_WINDOW_H: i64 = 87_600;

/// The debt's growth per time step: `interest_per_step`, or `interest_per_h`, which is the
/// same at the default one-hour step and refused at shorter steps (`step.rs`: PRAS's
/// interest is per step, and a growth per hour has no exact per-step equivalent); 0 if
/// neither is given.
fn interest_per_step(f: &Fields<'_>, p: &mut Problems) -> Option<f64> {
    let keys = ["interest_per_step", "interest_per_h"];
    let given: Vec<&str> = keys.into_iter().filter(|k| f.has(k)).collect();
    match given[..] {
        [] => Some(0.0),
        [key] => f.number_in(
            key,
            "a fraction",
            true,
            |x| (0.0..=1.0).contains(&x),
            if key == "interest_per_h" {
                "a growth of the borrowed energy per hour in [0, 1]"
            } else {
                "a growth of the borrowed energy per step in [0, 1]"
            },
            p,
        ),
        _ => {
            f.bad(
                "interest_per_h",
                "give either `interest_per_h` or `interest_per_step`, not both".into(),
                p,
            );
            None
        }
    }
}

/// The payback window in time steps: `payback_window_steps` (PRAS's
/// `allowable_payback_period`), or `payback_window_h` hours of `steps_per_hour` steps.
fn payback_window_steps(f: &Fields<'_>, steps_per_hour: u32, p: &mut Problems) -> Option<u32> {
    let k = i64::from(steps_per_hour);
    let (key, unit, scale) = match (f.has("payback_window_h"), f.has("payback_window_steps")) {
        (true, true) => {
            f.bad(
                "payback_window_h",
                "give either `payback_window_h` or `payback_window_steps`, not both".into(),
                p,
            );
            return None;
        }
        (false, true) => ("payback_window_steps", "time steps", 1),
        _ => ("payback_window_h", "hours", k),
    };
    let most = MAX_PAYBACK_WINDOW_H * k / scale;
    match f.integer(key, true, p) {
        Some(n) if (1..=most).contains(&n) => Some((n * scale) as u32),
        Some(n) => {
            f.bad(
                key,
                format!("must be a whole number of {unit} from 1 to {most}, got {n}"),
                p,
            );
            None
        }
        None => None,
    }
}

impl Named for DemandResponse {
    fn name(&self) -> &str {
        &self.name
    }
}

/// Read every `[[demand_responses]]` block of the root table `f`, expanded to devices.
/// `regions` are the region names, `hubs` which are hubs; `steps_per_hour` the window's
/// (`[study] step_min`), for `payback_window_h`.
pub(super) fn demand_responses(
    f: &Fields<'_>,
    regions: &[String],
    hubs: &[bool],
    steps_per_hour: u32,
    p: &mut Problems,
) -> Vec<DemandResponse> {
    device_blocks(
        f,
        &[("demand_responses", keys::DEMAND_RESPONSE)],
        "demand response",
        |_, df, seen, _, p| demand_response(df, regions, hubs, seen, steps_per_hour, p),
        |d, name| DemandResponse { name, ..d.clone() },
        p,
    )
}

/// One block: its first device (named as the block) and its count.
fn demand_response(
    f: &Fields<'_>,
    regions: &[String],
    hubs: &[bool],
    seen: &mut Vec<(String, Rc<Path>, usize)>,
    steps_per_hour: u32,
    p: &mut Problems,
) -> Option<(DemandResponse, usize)> {
    let name = f.unique_name("demand response", seen, p);
    let region = f.ordinary_region("region", regions, hubs, "demand response", p);
    let count = f.count(MAX_STORAGE_COUNT, p);
    let borrow_w = f.power_w("borrow_mw", true, p);
    let payback_w = f.power_w("payback_mw", true, p);
    let energy_wh = energy_wh(f, p);
    let borrow_efficiency = efficiency(f, "borrow_efficiency", p);
    let payback_efficiency = efficiency(f, "payback_efficiency", p);
    let interest_per_step = interest_per_step(f, p);
    let payback_window_steps = payback_window_steps(f, steps_per_hour, p);
    let outage = device_outage(f, "demand response device", p);
    Some((
        DemandResponse {
            name: name?,
            region: region?,
            borrow_w: borrow_w?,
            payback_w: payback_w?,
            energy_wh: energy_wh?,
            borrow_efficiency: borrow_efficiency?,
            payback_efficiency: payback_efficiency?,
            interest_per_step: interest_per_step?,
            payback_window_steps: payback_window_steps?,
            outage: outage?,
        },
        count?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extract_text(extra: &str) -> (Vec<DemandResponse>, Vec<String>) {
        let (m, msgs) = super::super::extract_text(&format!(
            "name = \"x\"\n[study]\nhours = 24\n\
             [[regions]]\nname = \"A\"\ndemand = {{ file = \"d.csv\" }}\n\
             [[regions]]\nname = \"H\"\nhub = true\n{extra}"
        ));
        (m.demand_responses, msgs)
    }

    #[test]
    fn a_block_is_expanded_with_defaults() {
        let (d, msgs) = extract_text(
            "[[demand_responses]]\nname = \"D\"\nregion = \"A\"\nborrow_mw = 10\n\
             payback_mw = 5\nenergy_mwh = 40\npayback_window_h = 3\ncount = 2\n\
             outage_model = \"discrete\"\nfailure_probability = 0.1\nrepair_probability = 0.9\n",
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(d.len(), 2);
        assert_eq!(d[1].name, "D#2");
        assert_eq!(
            (
                d[0].borrow_w,
                d[0].payback_w,
                d[0].energy_wh,
                d[0].payback_window_steps
            ),
            (10_000_000, 5_000_000, 40_000_000, 3)
        );
        assert_eq!(
            (
                d[0].borrow_efficiency,
                d[0].payback_efficiency,
                d[0].interest_per_step
            ),
            (1.0, 1.0, 0.0)
        );
        assert_eq!(
            d[0].outage,
            Some(crate::model::OutageModel::Discrete {
                p_fail: 0.1,
                p_repair: 0.9
            })
        );
    }

    #[test]
    fn bad_fields_are_named() {
        let (d, msgs) = extract_text(
            "[[demand_responses]]\nname = \"D\"\nregion = \"Z\"\nborrow_mw = -1\n\
             payback_mw = 1\nenergy_mwh = -4\nborrow_efficiency = 0\npayback_window_h = 0\n\
             interest_per_h = -0.1\n\
             [[demand_responses]]\nname = \"E\"\nregion = \"H\"\nborrow_mw = 1\n\
             payback_mw = 1\nenergy_mwh = 1\npayback_efficiency = 1.5\n",
        );
        assert!(d.is_empty());
        let all = msgs.join("\n");
        for part in [
            "demand_responses[D].region: unknown region `Z`",
            "demand_responses[D].borrow_mw: must be a power >= 0 MW, got -1",
            "demand_responses[D].energy_mwh: must be an energy from 0 to 10000000 MWh, got -4",
            "demand_responses[D].borrow_efficiency: must be an efficiency in (0, 1], got 0",
            "demand_responses[D].payback_window_h: must be a whole number of hours from 1",
            "demand_responses[D].interest_per_h: must be a growth of the borrowed energy",
            "demand_responses[E].region: region `H` is a hub",
            "demand_responses[E].payback_efficiency: must be an efficiency in (0, 1], got 1.5",
            "demand_responses[E].payback_window_h: missing required field",
        ] {
            assert!(all.contains(part), "{part} not in\n{all}");
        }
    }

    /// At 15-minute steps a window in hours is four times as many steps; one in steps and
    /// the interest per step are taken as they are (PRAS's); two spellings of one key are
    /// refused.
    #[test]
    fn windows_and_interest_are_per_step() {
        let text = |study: &str, keys: &str| {
            super::super::extract_text(&format!(
                "name = \"x\"\n[study]\n{study}\n\
                 [[regions]]\nname = \"A\"\ndemand = {{ file = \"d.csv\" }}\n\
                 [[demand_responses]]\nname = \"D\"\nregion = \"A\"\nborrow_mw = 10\n\
                 payback_mw = 5\nenergy_mwh = 40\n{keys}\n"
            ))
        };
        let quarter = "hours = 24\nstep_min = 15";
        let window = |study: &str, keys: &str| {
            let (m, msgs) = text(study, keys);
            assert!(msgs.is_empty(), "{msgs:?}");
            let d = &m.demand_responses[0];
            (d.payback_window_steps, d.interest_per_step)
        };
        assert_eq!(window(quarter, "payback_window_h = 3"), (12, 0.0));
        assert_eq!(
            window(
                quarter,
                "payback_window_steps = 7\ninterest_per_step = 0.01"
            ),
            (7, 0.01)
        );
        assert_eq!(window("hours = 24", "payback_window_h = 3"), (3, 0.0));
        let (_, msgs) = text(
            "hours = 24",
            "payback_window_h = 3\npayback_window_steps = 3\n\
             interest_per_h = 0.1\ninterest_per_step = 0.1",
        );
        let all = msgs.join("\n");
        for part in [
            "payback_window_h: give either `payback_window_h` or `payback_window_steps`",
            "interest_per_h: give either `interest_per_h` or `interest_per_step`",
        ] {
            assert!(all.contains(part), "{part} not in\n{all}");
        }
    }
}
