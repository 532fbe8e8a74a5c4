//! What can be wrong with a `.pras` file, named by file and dataset.

use std::fmt;

/// A problem with a `.pras` file: the file, the dataset (or root attribute) and what is
/// wrong, displayed as `FILE: DATASET: what`.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {}{kind}", dataset_prefix(.dataset))]
pub struct PrasError {
    /// The file, as given.
    pub file: String,
    /// The dataset (`generators/capacity`), group or root attribute (`pras_dataversion`);
    /// empty for the file as a whole.
    pub dataset: String,
    /// What is wrong.
    pub kind: Kind,
}

fn dataset_prefix(dataset: &str) -> String {
    if dataset.is_empty() {
        String::new()
    } else {
        format!("{dataset}: ")
    }
}

impl PrasError {
    pub(crate) fn new(file: &str, dataset: &str, kind: Kind) -> PrasError {
        PrasError {
            file: file.to_string(),
            dataset: dataset.to_string(),
            kind,
        }
    }
}

/// What is wrong with a `.pras` file.
#[derive(Debug)]
#[non_exhaustive]
pub enum Kind {
    /// The file cannot be read.
    Io(std::io::Error),
    /// The file has no HDF5 signature.
    NotHdf5,
    /// The file ends before data its headers point to: cut short.
    Truncated(String),
    /// Any other HDF5 decoding error.
    Hdf5(String),
    /// A required dataset, group or attribute is absent.
    Missing,
    /// A file format version outside the range read.
    Version(String),
    /// A dataset of the wrong shape.
    Shape {
        /// What was expected.
        expected: String,
        /// The dataset's dimensions.
        got: Vec<u64>,
    },
    /// A dataset or attribute of the wrong type; says what was expected.
    Type(&'static str),
    /// A dataset larger than the file could hold, even compressed.
    TooLarge {
        /// Elements declared.
        elements: u64,
        /// The file's length.
        file_bytes: usize,
    },
    /// A value outside its domain.
    Value(String),
    /// Something PRAS can express that gridrisk cannot model.
    Unsupported(String),
}

impl Kind {
    /// An `hdf5-reader` error, classified by its message (the crate does not export its
    /// error type): reads past the end of the file are truncation, a missing signature is
    /// not HDF5, a missing object is [`Kind::Missing`].
    pub(crate) fn hdf5(e: impl fmt::Display) -> Kind {
        let text = e.to_string();
        if text.contains("unexpected end of data") || text.contains("out of bounds") {
            Kind::Truncated(text)
        } else if text.contains("invalid HDF5 magic bytes") {
            Kind::NotHdf5
        } else if text.contains("not found") {
            Kind::Missing
        } else {
            Kind::Hdf5(text)
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Kind::Io(e) => write!(f, "cannot read the file: {e}"),
            Kind::NotHdf5 => f.write_str(
                "not an HDF5 file (no HDF5 signature): a PRAS system file (.pras) is HDF5",
            ),
            Kind::Truncated(e) => write!(
                f,
                "the file ends before the data its headers point to (truncated?): {e}"
            ),
            Kind::Hdf5(e) => write!(f, "cannot decode the HDF5 data: {e}"),
            Kind::Missing => f.write_str("missing: a PRAS system file has it"),
            Kind::Version(v) => write!(
                f,
                "PRAS file format {v} is not supported: gridrisk reads v0.5.0 to v0.8.x, as PRAS does"
            ),
            Kind::Shape { expected, got } => {
                let dims: Vec<String> = got.iter().map(u64::to_string).collect();
                write!(f, "expected shape {expected}, got {}", dims.join(" x "))
            }
            Kind::Type(what) => write!(f, "expected {what}"),
            Kind::TooLarge {
                elements,
                file_bytes,
            } => write!(
                f,
                "declares {elements} elements, more than a file of {file_bytes} bytes can hold even compressed"
            ),
            Kind::Value(what) | Kind::Unsupported(what) => f.write_str(what),
        }
    }
}
