//! Row tables that a run streams out (the event catalogue, per-sample totals): named, typed
//! columns filled block by block; the CLI writes them as Parquet or CSV.
//!
//! A block's accumulator fills its own table; the runner shows finished blocks in block
//! order, and the writer appends each block's rows and drops them, so memory holds one wave
//! of blocks whatever the number of samples, and the file is the same for any thread count.

use std::ops::Range;
use std::sync::Arc;

/// The values of one column.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// Whole numbers (counts, indices, hours).
    Int(Vec<i64>),
    /// Real numbers (MW, MWh, °C).
    Float(Vec<f64>),
    /// Text (names, dates), shared: most rows repeat a few names.
    Text(Vec<Arc<str>>),
}

impl Values {
    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            Values::Int(v) => v.len(),
            Values::Float(v) => v.len(),
            Values::Text(v) => v.len(),
        }
    }

    /// True if there is no value.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// An empty column of the same type, with room for `capacity` values.
    fn empty_like(&self, capacity: usize) -> Values {
        match self {
            Values::Int(_) => Values::Int(Vec::with_capacity(capacity)),
            Values::Float(_) => Values::Float(Vec::with_capacity(capacity)),
            Values::Text(_) => Values::Text(Vec::with_capacity(capacity)),
        }
    }

    /// Append `other`'s values `at` (of the same type).
    fn extend(&mut self, other: &Values, at: Range<usize>) {
        match (self, other) {
            (Values::Int(a), Values::Int(b)) => a.extend_from_slice(&b[at]),
            (Values::Float(a), Values::Float(b)) => a.extend_from_slice(&b[at]),
            (Values::Text(a), Values::Text(b)) => a.extend_from_slice(&b[at]),
            _ => unreachable!("tables of one schema have columns of the same types"),
        }
    }

    /// The whole numbers of an `Int` column (panics on another type: a schema error).
    pub fn ints_mut(&mut self) -> &mut Vec<i64> {
        match self {
            Values::Int(v) => v,
            _ => unreachable!("an integer column"),
        }
    }

    /// The numbers of a `Float` column.
    pub fn floats_mut(&mut self) -> &mut Vec<f64> {
        match self {
            Values::Float(v) => v,
            _ => unreachable!("a real column"),
        }
    }

    /// The texts of a `Text` column.
    pub fn texts_mut(&mut self) -> &mut Vec<Arc<str>> {
        match self {
            Values::Text(v) => v,
            _ => unreachable!("a text column"),
        }
    }
}

/// Named columns of equal length.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Column names (with units: `peak_mw`, `energy_mwh`).
    pub names: Vec<String>,
    /// Column values, in `names` order.
    pub columns: Vec<Values>,
}

impl Table {
    /// An empty table with these (name, empty column) pairs.
    pub fn new(columns: Vec<(String, Values)>) -> Table {
        let (names, columns) = columns.into_iter().unzip();
        Table { names, columns }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, Values::len)
    }

    /// An empty table of the same schema.
    pub fn empty_like(&self) -> Table {
        self.empty_with_capacity(0)
    }

    /// An empty table of the same schema with room for `rows` rows (allocated now, so a
    /// buffer of that many rows costs the same memory from the start).
    pub fn empty_with_capacity(&self, rows: usize) -> Table {
        Table {
            names: self.names.clone(),
            columns: self.columns.iter().map(|c| c.empty_like(rows)).collect(),
        }
    }

    /// Append the rows of `other` (of the same schema).
    pub fn extend(&mut self, other: &Table) {
        self.extend_rows(other, 0..other.rows());
    }

    /// Append the rows `at` of `other` (of the same schema).
    pub fn extend_rows(&mut self, other: &Table, at: Range<usize>) {
        for (a, b) in self.columns.iter_mut().zip(&other.columns) {
            a.extend(b, at.clone());
        }
    }

    /// Drop every row, keeping the schema and the capacity.
    pub fn clear(&mut self) {
        for c in &mut self.columns {
            match c {
                Values::Int(v) => v.clear(),
                Values::Float(v) => v.clear(),
                Values::Text(v) => v.clear(),
            }
        }
    }
}
