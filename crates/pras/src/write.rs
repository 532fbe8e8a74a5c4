//! Writing a [`System`] as a `.pras` file (HDF5) in the layout PRAS's own `savemodel`
//! writes and its reader expects: root attributes (version, time steps, units, start),
//! per asset group a `_core` compound table of fixed-length strings and its time steps x
//! assets matrices (int64 MW and MWh, float64 probabilities and efficiencies) gzip-chunked;
//! groups of absent assets left out, lines and interfaces both or neither.
//!
//! The encoding is `hdf5-writer` (pure Rust, the reader's family), in memory: the caller
//! writes the bytes (the CLI through a temporary file renamed into place).

use crate::error::{Kind, PrasError};
use crate::system::{Matrix, Storages, System};
use hdf5_writer::{
    AttributeBuilder, CompoundField, DatasetBuilder, Datatype, FilterDescription, Hdf5Builder,
    Hdf5Writer, StringEncoding, StringPadding, StringSize, WriteOptions, FILTER_DEFLATE,
};
use std::io::Cursor;

/// Bytes of each `_core` string field: PRAS's default (64), or the longest name.
const MIN_STRING_BYTES: usize = 64;

/// Steps per chunk of a matrix (PRAS's files chunk by time too).
const CHUNK_STEPS: usize = 4096;

/// Deflate level (PRAS's `savemodel` default is 1).
const DEFLATE_LEVEL: u32 = 1;

/// The bytes of `system` as a `.pras` file; `file` names the target in errors.
pub fn encode(system: &System, file: &str) -> Result<Vec<u8>, PrasError> {
    let err = |e: hdf5_writer::Error| PrasError::new(file, "", Kind::Hdf5(e.to_string()));
    let mut b = Hdf5Builder::new();
    for (name, value) in [
        ("pras_dataversion", system.version.to_string()),
        ("start_timestamp", system.start_timestamp.clone()),
        ("timestep_unit", system.step_unit.clone()),
        ("power_unit", system.power_unit.clone()),
        ("energy_unit", system.energy_unit.clone()),
    ] {
        b = b.attribute(AttributeBuilder::fixed_string(name, value));
    }
    for (name, value) in [
        ("timestep_count", system.steps as i64),
        ("timestep_length", system.step_length),
    ] {
        b = b.attribute(AttributeBuilder::scalar(name, value).map_err(err)?);
    }
    let mut w = Writer {
        datasets: Vec::new(),
        err: &err,
    };
    let r = &system.regions;
    w.table("regions/_core", &[("name", &r.names)])?;
    w.matrix("regions/load", &r.load_mw)?;
    let g = &system.generators;
    if !g.names.is_empty() {
        w.table(
            "generators/_core",
            &[
                ("name", &g.names),
                ("category", &g.categories),
                ("region", &g.regions),
            ],
        )?;
        w.matrix("generators/capacity", &g.capacity_mw)?;
        w.matrix("generators/failureprobability", &g.failure_probability)?;
        w.matrix("generators/repairprobability", &g.repair_probability)?;
    }
    if !system.storages.names.is_empty() {
        w.storages("storages", &system.storages)?;
    }
    let gs = &system.generator_storages;
    if !gs.storage.names.is_empty() {
        w.storages("generatorstorages", &gs.storage)?;
        w.matrix("generatorstorages/inflow", &gs.inflow_mw)?;
        w.matrix(
            "generatorstorages/gridwithdrawalcapacity",
            &gs.grid_withdrawal_mw,
        )?;
        w.matrix(
            "generatorstorages/gridinjectioncapacity",
            &gs.grid_injection_mw,
        )?;
    }
    let d = &system.demand_responses;
    if !d.names.is_empty() {
        w.table(
            "demandresponses/_core",
            &[
                ("name", &d.names),
                ("category", &d.categories),
                ("region", &d.regions),
            ],
        )?;
        for (name, m) in [
            ("borrowcapacity", &d.borrow_mw),
            ("paybackcapacity", &d.payback_mw),
            ("energycapacity", &d.energy_mwh),
            ("allowablepaybackperiod", &d.payback_steps),
        ] {
            w.matrix(&format!("demandresponses/{name}"), m)?;
        }
        for (name, m) in [
            ("borrowefficiency", &d.borrow_efficiency),
            ("paybackefficiency", &d.payback_efficiency),
            ("borrowedenergyinterest", &d.interest),
            ("failureprobability", &d.failure_probability),
            ("repairprobability", &d.repair_probability),
        ] {
            w.matrix(&format!("demandresponses/{name}"), m)?;
        }
    }
    let l = &system.lines;
    let i = &system.interfaces;
    if !l.names.is_empty() {
        w.table(
            "lines/_core",
            &[
                ("name", &l.names),
                ("category", &l.categories),
                ("region_from", &l.from),
                ("region_to", &l.to),
            ],
        )?;
        w.matrix("lines/forwardcapacity", &l.forward_mw)?;
        w.matrix("lines/backwardcapacity", &l.backward_mw)?;
        w.matrix("lines/failureprobability", &l.failure_probability)?;
        w.matrix("lines/repairprobability", &l.repair_probability)?;
        w.table(
            "interfaces/_core",
            &[("region_from", &i.from), ("region_to", &i.to)],
        )?;
        w.matrix("interfaces/forwardcapacity", &i.forward_mw)?;
        w.matrix("interfaces/backwardcapacity", &i.backward_mw)?;
    }
    let plan = (w.datasets.into_iter())
        .fold(b, Hdf5Builder::dataset)
        .into_plan()
        .map_err(err)?;
    let out = Hdf5Writer::new(Cursor::new(Vec::new()), WriteOptions::default())
        .finish(plan)
        .map_err(err)?;
    Ok(out.into_inner())
}

struct Writer<'a> {
    datasets: Vec<DatasetBuilder>,
    err: &'a dyn Fn(hdf5_writer::Error) -> PrasError,
}

impl Writer<'_> {
    fn add(&mut self, d: DatasetBuilder) {
        self.datasets.push(d);
    }

    /// A `_core` table: one record per asset, each field a fixed-length, null-padded
    /// string (as PRAS's `string_table!` writes it).
    fn table(&mut self, path: &str, fields: &[(&str, &Vec<String>)]) -> Result<(), PrasError> {
        let len = fields
            .iter()
            .flat_map(|(_, v)| v.iter().map(String::len))
            .max()
            .unwrap_or(0)
            .max(MIN_STRING_BYTES);
        let string = Datatype::String {
            size: StringSize::Fixed(len as u32),
            encoding: if fields.iter().all(|(_, v)| v.iter().all(|s| s.is_ascii())) {
                StringEncoding::Ascii
            } else {
                StringEncoding::Utf8
            },
            padding: StringPadding::NullTerminate,
        };
        let members = fields
            .iter()
            .enumerate()
            .map(|(k, (name, _))| CompoundField {
                name: name.to_string(),
                byte_offset: (k * len) as u32,
                datatype: string.clone(),
            })
            .collect();
        let rows = fields.first().map_or(0, |(_, v)| v.len());
        let mut raw = vec![0u8; rows * fields.len() * len];
        for r in 0..rows {
            for (k, (_, values)) in fields.iter().enumerate() {
                let at = (r * fields.len() + k) * len;
                let v = values[r].as_bytes();
                raw[at..at + v.len()].copy_from_slice(v);
            }
        }
        let datatype = Datatype::Compound {
            size: (fields.len() * len) as u32,
            fields: members,
        };
        self.add(DatasetBuilder::new(path, datatype, vec![rows as u64]).raw_data(raw));
        Ok(())
    }

    fn matrix<T>(&mut self, path: &str, m: &Matrix<T>) -> Result<(), PrasError>
    where
        T: hdf5_writer::H5WriteElement + Copy + PartialEq,
    {
        let shape = vec![m.steps() as u64, m.assets() as u64];
        let data: Vec<T> = (0..m.steps())
            .flat_map(|t| (0..m.assets()).map(move |a| m.get(t, a)))
            .collect();
        let d = DatasetBuilder::typed_data(path, shape, &data)
            .map_err(self.err)?
            .chunked(vec![m.steps().min(CHUNK_STEPS) as u64, m.assets() as u64])
            .filter(FilterDescription {
                id: FILTER_DEFLATE,
                name: None,
                client_data: vec![DEFLATE_LEVEL],
            });
        self.add(d);
        Ok(())
    }

    /// The datasets storages and generator-storages share, in group `g`.
    fn storages(&mut self, g: &str, s: &Storages) -> Result<(), PrasError> {
        self.table(
            &format!("{g}/_core"),
            &[
                ("name", &s.names),
                ("category", &s.categories),
                ("region", &s.regions),
            ],
        )?;
        for (name, m) in [
            ("chargecapacity", &s.charge_mw),
            ("dischargecapacity", &s.discharge_mw),
            ("energycapacity", &s.energy_mwh),
        ] {
            self.matrix(&format!("{g}/{name}"), m)?;
        }
        for (name, m) in [
            ("chargeefficiency", &s.charge_efficiency),
            ("dischargeefficiency", &s.discharge_efficiency),
            ("carryoverefficiency", &s.carryover_efficiency),
            ("failureprobability", &s.failure_probability),
            ("repairprobability", &s.repair_probability),
        ] {
            self.matrix(&format!("{g}/{name}"), m)?;
        }
        Ok(())
    }
}
