//! The keys each table of a scenario file and of a study file accepts: one list per table,
//! used by the readers (a key not in its table's list is an "unknown key" error, with a
//! suggestion) and published in [`SCENARIO`] and [`STUDY`], against which
//! `docs/scenario-format.md` and `docs/scenario.schema.json` are tested.
//!
//! A table is named by its TOML path with array brackets dropped: `""` is the top level,
//! `regions` each `[[regions]]`, `regions.demand` a region's `[regions.demand]`,
//! `imports.links` each `[[imports.links]]`, `units.cold` a unit's inline `cold` table.
//! Tables whose keys are names chosen by the user (`seasons`, `month_factor`, `day_factor`,
//! `mining.illegal.shares`) are not listed.

pub(crate) const ROOT: &[&str] = &[
    "name",
    "description",
    "extends",
    "study",
    "regions",
    "units",
    "sharing",
    "lines",
    "imports",
    "weather",
    "mining",
    "exchanges",
    "disturbances",
    "renewables",
    "corridors",
    "ladder",
    "storages",
    "generator_storages",
    "demand_responses",
];
pub(crate) const STUDY_WINDOW: &[&str] = &[
    "hours",
    "first_weekday",
    "start",
    "end",
    "utc_offset",
    "step_min",
    "holidays",
];
pub(crate) const REGION: &[&str] = &[
    "name",
    "hub",
    "demand",
    "weather_zone",
    "heating_mw_per_c",
    "heating_threshold_c",
];
/// The keys of a CSV demand.
pub(crate) const DEMAND_CSV: &[&str] = &["file", "column"];
/// The keys of RTS-style percentage tables (with `peak_mw`).
pub(crate) const DEMAND_TABLES: &[&str] = &[
    "weekly_pct_file",
    "daily_pct_file",
    "hourly_pct_file",
    "seasons",
];
pub(crate) const DEMAND: &[&str] = &[
    "file",
    "column",
    "peak_mw",
    "weekly_pct_file",
    "daily_pct_file",
    "hourly_pct_file",
    "seasons",
    "hourly_shape",
    "scale",
    "month_factor",
    "day_factor",
];
pub(crate) const UNIT: &[&str] = &[
    "name",
    "category",
    "region",
    "count",
    "mw",
    "outage_model",
    "mttf_h",
    "mttr_h",
    "for",
    "failure_probability",
    "repair_probability",
    "derate",
    "cap_mw",
    "block_cap_mw",
    "capacity_file",
    "capacity_column",
    "rates_file",
    "failure_rate_column",
    "repair_rate_column",
    "cold",
    "dated_outages",
];
/// A cold rule, `{ zone, below_anomaly_c, factor }` (of a unit block or an import source).
pub(crate) const COLD: &[&str] = &["zone", "below_anomaly_c", "factor"];
pub(crate) const DATED_OUTAGE: &[&str] = &["from", "to", "count"];
pub(crate) const LINE: &[&str] = &[
    "name",
    "category",
    "from",
    "to",
    "forward_mw",
    "backward_mw",
    "outage_model",
    "mttf_h",
    "mttr_h",
    "failure_probability",
    "repair_probability",
    "limits_file",
    "forward_column",
    "backward_column",
    "rates_file",
    "failure_rate_column",
    "repair_rate_column",
];
pub(crate) const DEMAND_RESPONSE: &[&str] = &[
    "name",
    "category",
    "region",
    "count",
    "borrow_mw",
    "payback_mw",
    "energy_mwh",
    "borrow_efficiency",
    "payback_efficiency",
    "interest_per_h",
    "interest_per_step",
    "payback_window_h",
    "payback_window_steps",
    "outage_model",
    "mttf_h",
    "mttr_h",
    "for",
    "failure_probability",
    "repair_probability",
];
pub(crate) const STORAGE: &[&str] = &[
    "name",
    "category",
    "region",
    "count",
    "charge_mw",
    "discharge_mw",
    "energy_mwh",
    "charge_efficiency",
    "discharge_efficiency",
    "carryover_efficiency",
    "initial_soc",
    "outage_model",
    "mttf_h",
    "mttr_h",
    "for",
    "failure_probability",
    "repair_probability",
];
pub(crate) const GENERATOR_STORAGE: &[&str] = &[
    "name",
    "category",
    "region",
    "count",
    "charge_mw",
    "discharge_mw",
    "energy_mwh",
    "charge_efficiency",
    "discharge_efficiency",
    "carryover_efficiency",
    "initial_soc",
    "outage_model",
    "mttf_h",
    "mttr_h",
    "for",
    "failure_probability",
    "repair_probability",
    "inflow_mw",
    "inflow_file",
    "inflow_column",
    "grid_injection_mw",
    "grid_withdrawal_mw",
    "dispatch",
    "peak_shaving_period",
    "min_injection_mw",
];
pub(crate) const CORRIDOR: &[&str] = &["name", "lines"];
pub(crate) const IMPORT: &[&str] = &[
    "name",
    "cap_mw",
    "mttf_h",
    "mttr_h",
    "links",
    "fallback_cap_mw",
    "cold",
    "schedule_mw",
];
pub(crate) const SCHEDULE: &[&str] = &["file", "column"];
pub(crate) const LINK: &[&str] = &["name", "region", "cap_mw", "mttf_h", "mttr_h"];
pub(crate) const LADDER: &[&str] = &[
    "name",
    "imports",
    "interruptible",
    "voltage_reduction",
    "appeals",
];
pub(crate) const LADDER_IMPORT: &[&str] = &["source", "mw"];
pub(crate) const LADDER_VOLTAGE: &[&str] = &["region", "pct"];
pub(crate) const LADDER_APPEAL: &[&str] = &["region", "mw", "hours_per_day"];
pub(crate) const WEATHER: &[&str] = &[
    "load_forecast_sd",
    "load_forecast_error",
    "shift_c",
    "zones",
    "correlation",
];
pub(crate) const ZONE: &[&str] = &["name", "normal_c", "anomaly_sd_c", "persistence"];
pub(crate) const CORRELATION: &[&str] = &["zones", "r"];
pub(crate) const RENEWABLE: &[&str] = &[
    "name",
    "region",
    "mw",
    "capacity_factor",
    "profile",
    "file",
    "mw_file",
    "column",
    "daily_sd",
    "persistence",
];
pub(crate) const EXCHANGE: &[&str] = &[
    "name",
    "region",
    "scheduled_export_mw",
    "deviation_mw",
    "bad_day_probability",
    "bad_day_draw_mw",
    "bad_day_refusable",
    "stops_with",
];
pub(crate) const DISTURBANCE: &[&str] = &["name", "lines", "mtbf_h", "duration_h"];
pub(crate) const MINING: &[&str] = &["registered", "illegal", "policies", "enforcement"];
pub(crate) const REGISTERED: &[&str] = &["region", "mw"];
pub(crate) const ILLEGAL: &[&str] = &[
    "min_mw",
    "mode_mw",
    "max_mw",
    "shares",
    "farm_mean_mw",
    "farm_cv",
    "detectability_cv",
    "detectability_size_exponent",
];
/// Every policy key; each kind allows only some of them (`policy_keys` in the reader).
pub(crate) const POLICY: &[&str] = &[
    "kind",
    "from",
    "to",
    "hours_of_day",
    "region",
    "reduction_mw",
];
pub(crate) const ENFORCEMENT: &[&str] = &[
    "name",
    "from",
    "to",
    "hazard_per_day",
    "inspections_per_day",
    "reconnect_probability",
    "reconnect_delay_days",
    "relocate_probability",
    "amnesty",
];

/// Every table of a scenario file, by TOML path (see the [module docs](self)), with the keys
/// it accepts.
pub const SCENARIO: &[(&str, &[&str])] = &[
    ("", ROOT),
    ("study", STUDY_WINDOW),
    ("regions", REGION),
    ("regions.demand", DEMAND),
    ("units", UNIT),
    ("units.cold", COLD),
    ("units.dated_outages", DATED_OUTAGE),
    ("lines", LINE),
    ("corridors", CORRIDOR),
    ("imports", IMPORT),
    ("imports.cold", COLD),
    ("imports.schedule_mw", SCHEDULE),
    ("imports.links", LINK),
    ("ladder", LADDER),
    ("ladder.imports", LADDER_IMPORT),
    ("ladder.voltage_reduction", LADDER_VOLTAGE),
    ("ladder.appeals", LADDER_APPEAL),
    ("storages", STORAGE),
    ("generator_storages", GENERATOR_STORAGE),
    ("demand_responses", DEMAND_RESPONSE),
    ("weather", WEATHER),
    ("weather.zones", ZONE),
    ("weather.correlation", CORRELATION),
    ("renewables", RENEWABLE),
    ("exchanges", EXCHANGE),
    ("disturbances", DISTURBANCE),
    ("mining", MINING),
    ("mining.registered", REGISTERED),
    ("mining.illegal", ILLEGAL),
    ("mining.policies", POLICY),
    ("mining.enforcement", ENFORCEMENT),
];

pub(crate) const STUDY_FILE: &[&str] = &[
    "name",
    "description",
    "base",
    "samples",
    "seed",
    "variants",
    "uncertain",
    "design",
];
pub(crate) const VARIANT: &[&str] = &["file", "label"];
pub(crate) const UNCERTAIN: &[&str] = &[
    "name",
    "description",
    "keys",
    "replaces",
    "law",
    "low",
    "high",
    "mode",
    "mean",
    "sd",
    "integer",
    "source",
];
pub(crate) const DESIGN: &[&str] = &[
    "method",
    "points",
    "seed",
    "beat_by_lole_h",
    "beat_by_eue_mwh",
];

/// Every table of a study file ([`crate::scenario::Study`]), by TOML path, with the keys it
/// accepts.
pub const STUDY: &[(&str, &[&str])] = &[
    ("", STUDY_FILE),
    ("variants", VARIANT),
    ("uncertain", UNCERTAIN),
    ("design", DESIGN),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_keys_are_unique() {
        for tables in [SCENARIO, STUDY] {
            for (i, (path, keys)) in tables.iter().enumerate() {
                assert!(tables[..i].iter().all(|(p, _)| p != path), "{path} twice");
                for (j, k) in keys.iter().enumerate() {
                    assert!(!keys[..j].contains(k), "{path}.{k} twice");
                }
            }
        }
        assert!(DEMAND_CSV
            .iter()
            .chain(DEMAND_TABLES)
            .all(|k| DEMAND.contains(k)));
    }
}
