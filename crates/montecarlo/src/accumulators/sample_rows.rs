//! Per-sample output: one row per sample and area with the sample's additive totals
//! ([`super::SAMPLE_TOTALS`]: `lole_h` hours, `lole_d` days, `lolf` events, `eue_mwh` and its
//! parts, `p_shortfall` 0/1, `mining_curtailed_mwh`), whose means over the rows of an area
//! are the run's estimates. A comparison adds, per variant, the paired differences
//! (variant - base) of the same sample, labelled `<variant> - <base>`.
//!
//! Like the event catalogue, rows are kept per block and taken by a writer in block order
//! (never merged), so memory is flat in the number of samples.

use super::SAMPLE_TOTALS;
use crate::table::{Table, Values};
use std::sync::Arc;

/// Per-sample rows of one block.
#[derive(Clone, Debug)]
pub struct SampleRows {
    scenario: Arc<str>,
    areas: Vec<Arc<str>>,
    /// This block's rows.
    pub rows: Table,
}

impl SampleRows {
    /// Empty rows of a scenario labelled `scenario` whose areas are `areas` (regions, then
    /// "system").
    pub fn new(scenario: &str, areas: Vec<String>) -> SampleRows {
        SampleRows {
            scenario: scenario.into(),
            areas: areas.into_iter().map(Arc::from).collect(),
            rows: table(),
        }
    }

    /// Append area `a`'s totals of sample `sample` (in [`SAMPLE_TOTALS`] order and integer
    /// units) under `scenario` (or this scenario's label).
    pub fn push(&mut self, scenario: Option<&Arc<str>>, sample: u64, a: usize, totals: &[i64]) {
        let c = &mut self.rows.columns;
        c[0].texts_mut()
            .push(scenario.unwrap_or(&self.scenario).clone());
        c[1].ints_mut().push(sample as i64);
        c[2].texts_mut().push(self.areas[a].clone());
        for ((column, &v), &(_, factor)) in c[3..].iter_mut().zip(totals).zip(&SAMPLE_TOTALS) {
            match column {
                Values::Int(x) => x.push(v),
                // Watt-hours to MWh by a division, exact to the last digit.
                Values::Float(x) => x.push(v as f64 / (1.0 / factor).round()),
                Values::Text(_) => unreachable!("totals are numbers"),
            }
        }
    }

    /// This scenario's label.
    pub fn scenario(&self) -> &str {
        &self.scenario
    }
}

/// An empty table of per-sample rows: `scenario`, `sample`, `area`, then the totals (whole
/// numbers for counts, MWh as reals).
fn table() -> Table {
    let mut columns = vec![
        ("scenario".to_string(), Values::Text(Vec::new())),
        ("sample".to_string(), Values::Int(Vec::new())),
        ("area".to_string(), Values::Text(Vec::new())),
    ];
    columns.extend(SAMPLE_TOTALS.iter().map(|&(key, factor)| {
        let values = if factor == 1.0 {
            Values::Int(Vec::new())
        } else {
            Values::Float(Vec::new())
        };
        (key.to_string(), values)
    }));
    Table::new(columns)
}
