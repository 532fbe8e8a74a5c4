//! Reading a `.pras` file (HDF5) into a [`System`]: root attributes, each asset group's
//! `_core` table of fixed-length strings and its timesteps x assets matrices, every read
//! checked for shape and type and bounded by the file's size.
//!
//! The HDF5 decoding is `hdf5-reader` (pure Rust, no libhdf5). Its reads are bounded by the
//! file, but a compressed dataset legitimately decodes to more than the file holds, so a
//! header could still declare a huge dataset: before anything is allocated, every matrix's
//! shape must be `timestep_count x (assets in its _core table)`, and no decoded read may
//! exceed [`MAX_EXPANSION`] times the file's length (deflate's own limit).

use crate::error::{Kind, PrasError};
use crate::system::{
    DemandResponses, GeneratorStorages, Generators, Interfaces, Lines, Matrix, Regions, Storages,
    System, Version,
};
use hdf5_reader::{Datatype, Hdf5File, OpenOptions};
use std::path::Path;

/// Most bytes one byte of a deflate stream can decode to (1032:1, from the format: a
/// 258-byte match coded in about two bits), so a gzip-chunked dataset larger than this
/// times the file is impossible and refused before it is allocated.
pub const MAX_EXPANSION: usize = 1032;

/// Most time steps: gridrisk's study window is at most 1,000,000 hours.
pub const MAX_STEPS: u64 = 1_000_000;

/// The 8-byte signature an HDF5 file starts with (at offset 0, or after a user block of
/// 512, 1024, 2048, ... bytes, which hdf5-reader also accepts).
const SIGNATURE: &[u8; 8] = b"\x89HDF\r\n\x1a\n";

/// Read the `.pras` file at `path`.
pub fn read(path: &Path) -> Result<System, PrasError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| PrasError::new(&file, "", Kind::Io(e)))?;
    from_bytes(&file, bytes)
}

/// Read a `.pras` file held in memory; `file` names it in errors.
pub fn from_bytes(file: &str, bytes: Vec<u8>) -> Result<System, PrasError> {
    if !has_signature(&bytes) {
        return Err(PrasError::new(file, "", Kind::NotHdf5));
    }
    let max_read = bytes.len().saturating_mul(MAX_EXPANSION);
    let options = OpenOptions {
        max_read_bytes: max_read,
        ..OpenOptions::default()
    };
    let h5 = Hdf5File::from_vec_with_options(bytes, options)
        .map_err(|e| PrasError::new(file, "", Kind::hdf5(e)))?;
    Reader { file, h5, max_read }.system()
}

fn has_signature(bytes: &[u8]) -> bool {
    std::iter::once(0)
        .chain((9..).map(|k| 1usize << k))
        .take_while(|&at| at + SIGNATURE.len() <= bytes.len())
        .any(|at| &bytes[at..at + SIGNATURE.len()] == SIGNATURE)
}

struct Reader<'a> {
    file: &'a str,
    h5: Hdf5File,
    max_read: usize,
}

impl Reader<'_> {
    fn err(&self, dataset: &str, kind: Kind) -> PrasError {
        PrasError::new(self.file, dataset, kind)
    }

    fn system(&self) -> Result<System, PrasError> {
        let version_string = self.string_attr("pras_dataversion")?;
        let version = Version::parse(&version_string).ok_or_else(|| {
            self.err(
                "pras_dataversion",
                Kind::Value(format!(
                    "expected a version label such as \"v0.8.0\", got {version_string:?}"
                )),
            )
        })?;
        if !version.supported() {
            return Err(self.err("pras_dataversion", Kind::Version(version_string)));
        }
        let steps = self.int_attr("timestep_count")?;
        if !(1..=MAX_STEPS as i64).contains(&steps) {
            return Err(self.err(
                "timestep_count",
                Kind::Value(format!("expected 1 to {MAX_STEPS} time steps, got {steps}")),
            ));
        }
        let steps = steps as usize;
        let step_length = self.int_attr("timestep_length")?;
        if step_length < 1 {
            return Err(self.err(
                "timestep_length",
                Kind::Value(format!("expected a positive length, got {step_length}")),
            ));
        }
        let system = System {
            version,
            start_timestamp: self.string_attr("start_timestamp")?,
            steps,
            step_length,
            step_unit: self.string_attr("timestep_unit")?,
            power_unit: self.string_attr("power_unit")?,
            energy_unit: self.string_attr("energy_unit")?,
            regions: self.regions(steps)?,
            generators: self.generators(steps)?,
            storages: self.storages(steps)?,
            generator_storages: self.generator_storages(steps)?,
            demand_responses: self.demand_responses(steps, version)?,
            lines: self.lines(steps)?,
            interfaces: self.interfaces(steps)?,
        };
        if system.generators.names.is_empty() && system.generator_storages.storage.names.is_empty()
        {
            return Err(self.err(
                "generators",
                Kind::Value(
                    "a PRAS system needs generators or generator-storages (or both)".into(),
                ),
            ));
        }
        if system.lines.names.is_empty() != system.interfaces.from.is_empty() {
            return Err(self.err(
                "interfaces",
                Kind::Value("a PRAS system has both lines and interfaces, or neither".into()),
            ));
        }
        Ok(system)
    }

    fn attribute(&self, name: &str) -> Result<hdf5_reader::Attribute, PrasError> {
        let root = self
            .h5
            .root_group()
            .map_err(|e| self.err(name, Kind::hdf5(e)))?;
        root.attribute(name)
            .map_err(|e| self.err(name, Kind::hdf5(e)))
    }

    fn string_attr(&self, name: &str) -> Result<String, PrasError> {
        let a = self.attribute(name)?;
        match a.datatype {
            Datatype::String { .. } => a.read_string().map_err(|e| self.err(name, Kind::hdf5(e))),
            _ => Err(self.err(name, Kind::Type("a string attribute"))),
        }
    }

    fn int_attr(&self, name: &str) -> Result<i64, PrasError> {
        let a = self.attribute(name)?;
        match a.datatype {
            Datatype::FixedPoint { .. } => a
                .read_scalar::<i64>()
                .map_err(|e| self.err(name, Kind::hdf5(e))),
            _ => Err(self.err(name, Kind::Type("an integer attribute"))),
        }
    }

    /// Whether the root has group `name` (PRAS leaves out the groups of absent assets).
    fn has_group(&self, name: &str) -> Result<bool, PrasError> {
        let root = self
            .h5
            .root_group()
            .map_err(|e| self.err(name, Kind::hdf5(e)))?;
        let (groups, _) = root
            .member_names()
            .map_err(|e| self.err(name, Kind::hdf5(e)))?;
        Ok(groups.iter().any(|g| g == name))
    }

    fn dataset(&self, path: &str) -> Result<hdf5_reader::Dataset, PrasError> {
        self.h5
            .dataset(path)
            .map_err(|e| self.err(path, Kind::hdf5(e)))
    }

    /// The string fields `fields` of the compound `_core` table at `path`, one vector per
    /// field, each with one entry per asset.
    fn core(&self, path: &str, fields: &[&str]) -> Result<Vec<Vec<String>>, PrasError> {
        let ds = self.dataset(path)?;
        let shape = ds.shape().to_vec();
        let Datatype::Compound {
            size,
            fields: members,
        } = ds.dtype().clone()
        else {
            return Err(self.err(path, Kind::Type("a compound table of fixed-length strings")));
        };
        let &[n] = shape.as_slice() else {
            return Err(self.err(
                path,
                Kind::Shape {
                    expected: "one dimension (assets)".into(),
                    got: shape,
                },
            ));
        };
        self.check_budget(path, n, size as usize)?;
        let mut spans = Vec::with_capacity(fields.len());
        for &field in fields {
            let m = members.iter().find(|m| m.name == field).ok_or_else(|| {
                self.err(
                    path,
                    Kind::Value(format!("the table has no field `{field}`")),
                )
            })?;
            let Datatype::String {
                size: hdf5_reader::StringSize::Fixed(len),
                ..
            } = m.datatype
            else {
                return Err(self.err(
                    path,
                    Kind::Value(format!("field `{field}` is not a fixed-length string")),
                ));
            };
            let start = m.byte_offset as usize;
            let end = start + len as usize;
            if end > size as usize {
                return Err(self.err(
                    path,
                    Kind::Value(format!("field `{field}` runs past the record")),
                ));
            }
            spans.push((field, start..end));
        }
        let raw = ds
            .read_raw_bytes()
            .map_err(|e| self.err(path, Kind::hdf5(e)))?;
        let mut out = vec![Vec::with_capacity(n as usize); fields.len()];
        for record in raw.chunks_exact(size as usize) {
            for ((field, span), column) in spans.iter().zip(out.iter_mut()) {
                let bytes = &record[span.clone()];
                let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
                let text = std::str::from_utf8(&bytes[..end]).map_err(|_| {
                    self.err(
                        path,
                        Kind::Value(format!(
                            "field `{field}` of record {} is not UTF-8 text",
                            column.len() + 1
                        )),
                    )
                })?;
                column.push(text.trim_end().to_string());
            }
        }
        Ok(out)
    }

    /// Refuse a read of `elements` x `size` bytes above what the file can hold.
    fn check_budget(&self, path: &str, elements: u64, size: usize) -> Result<(), PrasError> {
        let bytes = elements.checked_mul(size as u64);
        match bytes {
            Some(b) if b <= self.max_read as u64 => Ok(()),
            _ => Err(self.err(
                path,
                Kind::TooLarge {
                    elements,
                    file_bytes: self.max_read / MAX_EXPANSION,
                },
            )),
        }
    }

    /// The timesteps x `assets` matrix at `path`, of int64 (`float = false`) or float64.
    fn matrix<T: Element>(
        &self,
        path: &str,
        steps: usize,
        assets: usize,
    ) -> Result<Matrix<T>, PrasError> {
        let ds = self.dataset(path)?;
        let shape = ds.shape().to_vec();
        if shape != [steps as u64, assets as u64] {
            return Err(self.err(
                path,
                Kind::Shape {
                    expected: format!("{steps} x {assets} (time steps x assets)"),
                    got: shape,
                },
            ));
        }
        if !T::matches(ds.dtype()) {
            return Err(self.err(path, Kind::Type(T::WHAT)));
        }
        self.check_budget(path, (steps * assets) as u64, 8)?;
        let mut data = vec![T::default(); steps * assets];
        ds.read_into(&mut data)
            .map_err(|e| self.err(path, Kind::hdf5(e)))?;
        Ok(Matrix::new(steps, assets, data))
    }

    fn regions(&self, steps: usize) -> Result<Regions, PrasError> {
        if !self.has_group("regions")? {
            return Err(self.err("regions", Kind::Missing));
        }
        let [names] = take(self.core("regions/_core", &["name"])?);
        let load_mw = self.matrix("regions/load", steps, names.len())?;
        Ok(Regions { names, load_mw })
    }

    fn generators(&self, steps: usize) -> Result<Generators, PrasError> {
        if !self.has_group("generators")? {
            return Ok(Generators::empty(steps));
        }
        let [names, categories, regions] =
            take(self.core("generators/_core", &["name", "category", "region"])?);
        let n = names.len();
        Ok(Generators {
            capacity_mw: self.matrix("generators/capacity", steps, n)?,
            failure_probability: self.matrix("generators/failureprobability", steps, n)?,
            repair_probability: self.matrix("generators/repairprobability", steps, n)?,
            names,
            categories,
            regions,
        })
    }

    fn storages(&self, steps: usize) -> Result<Storages, PrasError> {
        if !self.has_group("storages")? {
            return Ok(Storages::empty(steps));
        }
        self.storage_group("storages", steps)
    }

    /// The datasets storages and generator-storages share, from group `g`.
    fn storage_group(&self, g: &str, steps: usize) -> Result<Storages, PrasError> {
        let [names, categories, regions] =
            take(self.core(&format!("{g}/_core"), &["name", "category", "region"])?);
        let n = names.len();
        let m = |name: &str| format!("{g}/{name}");
        Ok(Storages {
            charge_mw: self.matrix(&m("chargecapacity"), steps, n)?,
            discharge_mw: self.matrix(&m("dischargecapacity"), steps, n)?,
            energy_mwh: self.matrix(&m("energycapacity"), steps, n)?,
            charge_efficiency: self.matrix(&m("chargeefficiency"), steps, n)?,
            discharge_efficiency: self.matrix(&m("dischargeefficiency"), steps, n)?,
            carryover_efficiency: self.matrix(&m("carryoverefficiency"), steps, n)?,
            failure_probability: self.matrix(&m("failureprobability"), steps, n)?,
            repair_probability: self.matrix(&m("repairprobability"), steps, n)?,
            names,
            categories,
            regions,
        })
    }

    fn generator_storages(&self, steps: usize) -> Result<GeneratorStorages, PrasError> {
        if !self.has_group("generatorstorages")? {
            return Ok(GeneratorStorages::empty(steps));
        }
        let storage = self.storage_group("generatorstorages", steps)?;
        let n = storage.names.len();
        Ok(GeneratorStorages {
            inflow_mw: self.matrix("generatorstorages/inflow", steps, n)?,
            grid_withdrawal_mw: self.matrix(
                "generatorstorages/gridwithdrawalcapacity",
                steps,
                n,
            )?,
            grid_injection_mw: self.matrix("generatorstorages/gridinjectioncapacity", steps, n)?,
            storage,
        })
    }

    fn demand_responses(
        &self,
        steps: usize,
        version: Version,
    ) -> Result<DemandResponses, PrasError> {
        // Demand responses came with v0.8; PRAS's v0.5 reader never looks for them.
        if version < Version(0, 8, 0) || !self.has_group("demandresponses")? {
            return Ok(DemandResponses::empty(steps));
        }
        let g = "demandresponses";
        let [names, categories, regions] =
            take(self.core(&format!("{g}/_core"), &["name", "category", "region"])?);
        let n = names.len();
        let m = |name: &str| format!("{g}/{name}");
        Ok(DemandResponses {
            borrow_mw: self.matrix(&m("borrowcapacity"), steps, n)?,
            payback_mw: self.matrix(&m("paybackcapacity"), steps, n)?,
            energy_mwh: self.matrix(&m("energycapacity"), steps, n)?,
            interest: self.matrix(&m("borrowedenergyinterest"), steps, n)?,
            payback_steps: self.matrix(&m("allowablepaybackperiod"), steps, n)?,
            failure_probability: self.matrix(&m("failureprobability"), steps, n)?,
            repair_probability: self.matrix(&m("repairprobability"), steps, n)?,
            borrow_efficiency: self.matrix(&m("borrowefficiency"), steps, n)?,
            payback_efficiency: self.matrix(&m("paybackefficiency"), steps, n)?,
            names,
            categories,
            regions,
        })
    }

    fn lines(&self, steps: usize) -> Result<Lines, PrasError> {
        if !self.has_group("lines")? {
            return Ok(Lines::empty(steps));
        }
        let [names, categories, from, to] = take(self.core(
            "lines/_core",
            &["name", "category", "region_from", "region_to"],
        )?);
        let n = names.len();
        Ok(Lines {
            forward_mw: self.matrix("lines/forwardcapacity", steps, n)?,
            backward_mw: self.matrix("lines/backwardcapacity", steps, n)?,
            failure_probability: self.matrix("lines/failureprobability", steps, n)?,
            repair_probability: self.matrix("lines/repairprobability", steps, n)?,
            names,
            categories,
            from,
            to,
        })
    }

    fn interfaces(&self, steps: usize) -> Result<Interfaces, PrasError> {
        if !self.has_group("interfaces")? {
            return Ok(Interfaces::empty(steps));
        }
        let [from, to] = take(self.core("interfaces/_core", &["region_from", "region_to"])?);
        let n = from.len();
        Ok(Interfaces {
            forward_mw: self.matrix("interfaces/forwardcapacity", steps, n)?,
            backward_mw: self.matrix("interfaces/backwardcapacity", steps, n)?,
            from,
            to,
        })
    }
}

/// The fields of a `_core` table as an array (`core` returns one vector per field asked).
fn take<const N: usize>(fields: Vec<Vec<String>>) -> [Vec<String>; N] {
    fields
        .try_into()
        .unwrap_or_else(|_| unreachable!("core returns one vector per field asked"))
}

/// An element type of a PRAS matrix: int64 (MW, MWh, steps) or float64 (probabilities,
/// efficiencies).
trait Element: hdf5_reader::H5Type + Default + Copy + PartialEq {
    const WHAT: &'static str;
    fn matches(dtype: &Datatype) -> bool;
}

impl Element for i64 {
    const WHAT: &'static str = "64-bit integers";
    fn matches(dtype: &Datatype) -> bool {
        matches!(
            dtype,
            Datatype::FixedPoint {
                size: 8,
                signed: true,
                ..
            }
        )
    }
}

impl Element for f64 {
    const WHAT: &'static str = "64-bit floats";
    fn matches(dtype: &Datatype) -> bool {
        matches!(dtype, Datatype::FloatingPoint { size: 8, .. })
    }
}
