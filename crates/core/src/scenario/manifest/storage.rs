//! `[[storages]]` and `[[generator_storages]]`: storage devices and generator-storages
//! (see [`crate::model::Storage`]; a generator-storage is a storage device with an
//! [`Inflow`], read here but for an hourly inflow CSV, which `build.rs` reads once the
//! window's hours are known).

use super::{element_label, series_ref, short_number, table_array, unit_outage, Fields, FileRef};
use crate::model::{GenStorDispatch, Inflow, ShavingPeriod, Storage};
use crate::power::W_PER_MW;
use crate::scenario::error::Problems;
use crate::scenario::keys;
use std::path::Path;
use std::rc::Rc;

/// Most devices in one `[[storages]]` block (`count`).
pub(crate) const MAX_STORAGE_COUNT: i64 = 100;
/// Most storage devices in a scenario (blocks expanded): each is a resource of the hourly
/// dispatch.
pub(crate) const MAX_STORAGE_DEVICES: usize = 256;
/// Largest energy capacity of one device, MWh (10 TWh, 1e13 Wh): every state of charge is
/// an exact `f64` when efficiencies are applied, and the window energy bound stays small.
pub(crate) const MAX_ENERGY_MWH: f64 = 1e7;

/// An hourly inflow CSV of a generator-storage, to be read by `build.rs`: the devices it
/// fills (a range of the scenario's storages) and its column.
#[derive(Debug)]
pub(crate) struct InflowSeries {
    /// The devices of the block.
    pub(crate) devices: std::ops::Range<usize>,
    /// `inflow_file`.
    pub(crate) file: FileRef,
    /// `inflow_column` (default: the block's name).
    pub(crate) column: String,
}

/// Read every `[[storages]]` block, then every `[[generator_storages]]` block, of the root
/// table `f`, expanded to devices (a block of `count` devices named `name#1`, `name#2`,
/// ...), and the generator-storages' inflow CSVs still to read. `regions` are the region
/// names, `hubs` which are hubs.
pub(super) fn storages(
    f: &Fields<'_>,
    regions: &[String],
    hubs: &[bool],
    p: &mut Problems,
) -> (Vec<Storage>, Vec<InflowSeries>) {
    let mut series = Vec::new();
    let devices = device_blocks(
        f,
        &[
            ("storages", keys::STORAGE),
            ("generator_storages", keys::GENERATOR_STORAGE),
        ],
        "storage",
        |table, sf, seen, first, p| {
            let (mut device, count) = storage(sf, regions, hubs, seen, p)?;
            if table == "generator_storages" {
                let (inflow, csv) = inflow(sf, &device, p)?;
                device.inflow = Some(inflow);
                if let Some((file, column)) = csv {
                    series.push(InflowSeries {
                        devices: first..first + count,
                        file,
                        column,
                    });
                }
            }
            Some((device, count))
        },
        |d, name| Storage { name, ..d.clone() },
        p,
    );
    (devices, series)
}

/// Read every block of the table arrays `tables` (each with its keys), in order, with `one`
/// (given the table, the block's fields, the names seen so far and the index its first
/// device will have; it returns the block's first device, named as the block, and its
/// count), expanded to devices (`rename` names `name#1`, `name#2`, ...), at most
/// [`MAX_STORAGE_DEVICES`] in all (`kind` names them in the message): each device is a
/// resource of the hourly dispatch. Storages, generator-storages and demand responses
/// share it.
pub(super) fn device_blocks<T>(
    f: &Fields<'_>,
    tables: &[(&str, &[&str])],
    kind: &str,
    mut one: impl FnMut(
        &str,
        &Fields<'_>,
        &mut Vec<(String, Rc<Path>, usize)>,
        usize,
        &mut Problems,
    ) -> Option<(T, usize)>,
    rename: impl Fn(&T, String) -> T,
    p: &mut Problems,
) -> Vec<T>
where
    T: Named,
{
    let mut out = Vec::new();
    let mut seen: Vec<(String, Rc<Path>, usize)> = Vec::new();
    for &(table, keys) in tables {
        for (i, n) in table_array(f, table, p).into_iter().enumerate() {
            let label = element_label(table, i, n);
            let Some(sf) = Fields::new(n, &label, keys, p) else {
                continue;
            };
            let Some((device, count)) = one(table, &sf, &mut seen, out.len(), p) else {
                continue;
            };
            if out.len() + count > MAX_STORAGE_DEVICES {
                sf.bad(
                    "count",
                    format!(
                        "too many {kind} devices: at most {MAX_STORAGE_DEVICES} in a \
                         scenario (blocks counted device by device)"
                    ),
                    p,
                );
                continue;
            }
            if count == 1 {
                out.push(device);
            } else {
                out.extend((1..=count).map(|k| rename(&device, format!("{}#{k}", device.name()))));
            }
        }
    }
    out
}

/// The generator-storage part of a block whose storage fields gave `device`, and its
/// inflow CSV if it has one (`inflow_w` is then empty until `build.rs` reads it).
fn inflow(
    f: &Fields<'_>,
    device: &Storage,
    p: &mut Problems,
) -> Option<(Inflow, Option<(FileRef, String)>)> {
    let csv = series_ref(f, "inflow_file", "inflow_column", Some(&device.name), p)?;
    let inflow_w = match (&csv, f.has("inflow_mw")) {
        (Some(_), true) => {
            f.bad(
                "inflow_mw",
                "give either `inflow_mw` or `inflow_file`, not both".into(),
                p,
            );
            return None;
        }
        (Some(_), false) => Vec::new(),
        (None, _) => vec![f.power_w("inflow_mw", true, p)?],
    };
    let grid_injection_w = f.opt_power_w("grid_injection_mw", p)?;
    let grid_withdrawal_w = f.opt_power_w("grid_withdrawal_mw", p)?;
    let dispatch = match f.string("dispatch", false, p).as_deref() {
        None | Some("pras") => {
            for key in ["peak_shaving_period", "min_injection_mw"] {
                if f.has(key) {
                    f.bad(
                        key,
                        "only goes with `dispatch = \"peak_shaving\"`".into(),
                        p,
                    );
                    return None;
                }
            }
            GenStorDispatch::Pras
        }
        Some("peak_shaving") => {
            let period = match f.string("peak_shaving_period", false, p).as_deref() {
                None | Some("day") => ShavingPeriod::Day,
                Some("week") => ShavingPeriod::Week,
                Some(other) => {
                    f.bad(
                        "peak_shaving_period",
                        format!("expected \"day\" or \"week\", got {other:?}"),
                        p,
                    );
                    return None;
                }
            };
            let min_injection_w = f.opt_power_w("min_injection_mw", p)?.unwrap_or(0);
            GenStorDispatch::PeakShaving {
                period,
                min_injection_w,
            }
        }
        Some(other) => {
            f.bad(
                "dispatch",
                format!("expected \"pras\" or \"peak_shaving\", got {other:?}"),
                p,
            );
            return None;
        }
    };
    let g = Inflow {
        inflow_w,
        grid_injection_w: grid_injection_w.unwrap_or(device.discharge_w),
        grid_withdrawal_w: grid_withdrawal_w.unwrap_or(0),
        dispatch,
    };
    if let GenStorDispatch::PeakShaving {
        min_injection_w, ..
    } = dispatch
    {
        if min_injection_w > g.grid_injection_w {
            f.bad(
                "min_injection_mw",
                format!(
                    "must be at most the grid injection limit, {} MW",
                    short_number(g.grid_injection_w as f64 / W_PER_MW as f64)
                ),
                p,
            );
            return None;
        }
    }
    Some((g, csv))
}

/// A device block's `energy_mwh` (required), watt-hours.
pub(super) fn energy_wh(f: &Fields<'_>, p: &mut Problems) -> Option<i64> {
    let mwh = f.number_in(
        "energy_mwh",
        "MWh",
        true,
        |x| (0.0..=MAX_ENERGY_MWH).contains(&x),
        &format!("an energy from 0 to {} MWh", short_number(MAX_ENERGY_MWH)),
        p,
    )?;
    Some((mwh * W_PER_MW as f64).round() as i64)
}

/// A device block's efficiency `key`, in (0, 1]; 1 if absent.
pub(super) fn efficiency(f: &Fields<'_>, key: &str, p: &mut Problems) -> Option<f64> {
    if !f.has(key) {
        return Some(1.0);
    }
    f.number_in(
        key,
        "a fraction",
        true,
        |x| x > 0.0 && x <= 1.0,
        "an efficiency in (0, 1]",
        p,
    )
}

/// A device with a name (for [`device_blocks`]).
pub(super) trait Named {
    fn name(&self) -> &str;
}

impl Named for Storage {
    fn name(&self) -> &str {
        &self.name
    }
}

/// The outage process of a device block: as a unit block's keys (either convention); a
/// device without any never fails. `kind` names the device in messages.
pub(super) fn device_outage(
    f: &Fields<'_>,
    kind: &str,
    p: &mut Problems,
) -> Option<Option<crate::model::OutageModel>> {
    const OUTAGE_KEYS: [&str; 6] = [
        "outage_model",
        "mttf_h",
        "mttr_h",
        "for",
        "failure_probability",
        "repair_probability",
    ];
    if OUTAGE_KEYS.iter().any(|k| f.has(k)) {
        unit_outage(f, kind, p).map(Some)
    } else {
        Some(None)
    }
}

/// One block: its first device (named as the block) and its count.
fn storage(
    f: &Fields<'_>,
    regions: &[String],
    hubs: &[bool],
    seen: &mut Vec<(String, Rc<Path>, usize)>,
    p: &mut Problems,
) -> Option<(Storage, usize)> {
    let name = f.unique_name("storage", seen, p);
    let region = f.ordinary_region("region", regions, hubs, "storage", p);
    let count = f.count(MAX_STORAGE_COUNT, p);
    let charge_w = f.power_w("charge_mw", true, p);
    let discharge_w = f.power_w("discharge_mw", true, p);
    let energy_wh = energy_wh(f, p);
    let charge_efficiency = efficiency(f, "charge_efficiency", p);
    let discharge_efficiency = efficiency(f, "discharge_efficiency", p);
    let carryover_efficiency = efficiency(f, "carryover_efficiency", p);
    let initial_soc = if f.has("initial_soc") {
        f.number_in(
            "initial_soc",
            "a fraction",
            true,
            |x| (0.0..=1.0).contains(&x),
            "a fraction of `energy_mwh` in [0, 1]",
            p,
        )
    } else {
        Some(0.0)
    };
    let outage = device_outage(f, "storage device", p);
    let energy_wh = energy_wh?;
    Some((
        Storage {
            name: name?,
            region: region?,
            charge_w: charge_w?,
            discharge_w: discharge_w?,
            energy_wh,
            charge_efficiency: charge_efficiency?,
            discharge_efficiency: discharge_efficiency?,
            carryover_efficiency: carryover_efficiency?,
            initial_wh: (energy_wh as f64 * initial_soc?).round() as i64,
            outage: outage?,
            inflow: None,
        },
        count?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extract_text(extra: &str) -> (Vec<Storage>, Vec<String>) {
        let (m, msgs) = super::super::extract_text(&format!(
            "name = \"x\"\n[study]\nhours = 24\n\
             [[regions]]\nname = \"A\"\ndemand = {{ file = \"d.csv\" }}\n\
             [[regions]]\nname = \"H\"\nhub = true\n{extra}"
        ));
        (m.storages, msgs)
    }

    #[test]
    fn a_generator_storage_has_defaults_and_follows_the_storages() {
        let (s, msgs) = extract_text(
            "[[generator_storages]]\nname = \"G\"\nregion = \"A\"\ncharge_mw = 0\n\
             discharge_mw = 200\nenergy_mwh = 1200\ninflow_mw = 50\n\
             [[storages]]\nname = \"B\"\nregion = \"A\"\ncharge_mw = 1\ndischarge_mw = 1\n\
             energy_mwh = 4\n",
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].name.as_str(), s[0].inflow.is_none()), ("B", true));
        let g = s[1].inflow.as_ref().expect("a generator-storage");
        assert_eq!(
            (
                g.inflow_w.clone(),
                g.grid_injection_w,
                g.grid_withdrawal_w,
                g.dispatch
            ),
            (
                vec![50 * W_PER_MW],
                200 * W_PER_MW,
                0,
                GenStorDispatch::Pras
            )
        );
    }

    #[test]
    fn bad_generator_storage_fields_are_named() {
        let (s, msgs) = extract_text(
            "[[generator_storages]]\nname = \"G\"\nregion = \"A\"\ncharge_mw = 0\n\
             discharge_mw = 2\nenergy_mwh = 1\ninflow_mw = -5\n\
             [[generator_storages]]\nname = \"K\"\nregion = \"A\"\ncharge_mw = 0\n\
             discharge_mw = 2\nenergy_mwh = 1\ninflow_mw = 5\ndispatch = \"greedy\"\n\
             [[generator_storages]]\nname = \"L\"\nregion = \"A\"\ncharge_mw = 0\n\
             discharge_mw = 2\nenergy_mwh = 1\ninflow_mw = 5\ndispatch = \"peak_shaving\"\n\
             min_injection_mw = 3\n\
             [[generator_storages]]\nname = \"M\"\nregion = \"A\"\ncharge_mw = 0\n\
             discharge_mw = 2\nenergy_mwh = 1\n",
        );
        assert!(s.is_empty());
        let want = [
            "generator_storages[G].inflow_mw: must be a power >= 0 MW, got -5",
            "generator_storages[K].dispatch: expected \"pras\" or \"peak_shaving\", got \"greedy\"",
            "generator_storages[L].min_injection_mw: must be at most the grid injection limit, 2 MW",
            "generator_storages[M].inflow_mw: missing required field",
        ];
        for w in want {
            assert!(msgs.iter().any(|m| m.contains(w)), "{w} not in {msgs:?}");
        }
    }

    #[test]
    fn a_block_is_expanded_with_defaults() {
        let (s, msgs) = extract_text(
            "[[storages]]\nname = \"B\"\nregion = \"A\"\ncharge_mw = 10\ndischarge_mw = 20\n\
             energy_mwh = 40\ninitial_soc = 0.5\ncount = 2\nmttf_h = 100\nmttr_h = 10\n",
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].name, "B#2");
        assert_eq!(
            (
                s[0].charge_w,
                s[0].discharge_w,
                s[0].energy_wh,
                s[0].initial_wh
            ),
            (10_000_000, 20_000_000, 40_000_000, 20_000_000)
        );
        assert_eq!(s[0].carryover_efficiency, 1.0);
        assert_eq!(
            s[0].outage,
            Some(crate::model::OutageModel::Continuous(
                crate::model::Outage {
                    mttf_h: 100.0,
                    mttr_h: 10.0
                }
            ))
        );
    }

    #[test]
    fn bad_fields_are_named() {
        let (s, msgs) = extract_text(
            "[[storages]]\nname = \"B\"\nregion = \"Z\"\ncharge_mw = -1\ndischarge_mw = 1\n\
             energy_mwh = -4\ncharge_efficiency = 0\nmttf_h = 5\n\
             [[storages]]\nname = \"C\"\nregion = \"H\"\ncharge_mw = 1\ndischarge_mw = 1\n\
             energy_mwh = 1\ndischarge_efficiency = 1.5\ncount = 0\n",
        );
        assert!(s.is_empty());
        let all = msgs.join("\n");
        for part in [
            "storages[B].region: unknown region `Z`",
            "storages[B].charge_mw: must be a power >= 0 MW, got -1",
            "storages[B].energy_mwh: must be an energy from 0 to 10000000 MWh, got -4",
            "storages[B].charge_efficiency: must be an efficiency in (0, 1], got 0",
            "storages[B].mttr_h: missing required field",
            "storages[C].region: region `H` is a hub",
            "storages[C].discharge_efficiency: must be an efficiency in (0, 1], got 1.5",
            "storages[C].count: must be an integer from 1 to 100, got 0",
        ] {
            assert!(all.contains(part), "{part} not in\n{all}");
        }
    }
}
