//! Where scenario files come from: the file system or files embedded in the binary, plus
//! the reader that records every file read, hashes their contents and applies the size
//! limits of [`crate::files`].

use crate::files::{self, Limit, ReadError};
use crate::hash::{fnv1a, FNV_OFFSET};
use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

/// A source of scenario files: maps a path to the file's bytes.
///
/// Paths are the scenario's own path and paths joined from it (relative to the file that
/// names them, `.` and `..` resolved lexically).
pub trait Source {
    /// The bytes of the file at `path`.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
}

/// Regular files on disk, each at most [`files::CSV`] bytes long, the largest limit of a
/// scenario's files (read with [`files::read_regular`]; the scenario reader then applies
/// the limit of each kind of file).
#[derive(Clone, Copy, Debug, Default)]
pub struct FileSystem;

impl Source for FileSystem {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        Ok(files::read_regular(path, &files::CSV)?)
    }
}

/// Files compiled into the binary (for example with `include_bytes!`), by relative path
/// such as `benchmarks/ieee-rts79.toml`.
///
/// ```
/// use gridrisk_core::scenario::{Embedded, Source};
/// use std::path::Path;
/// let files = Embedded::new(&[("benchmarks/x.toml", b"name = \"x\"\n".as_slice())]);
/// assert!(files.read(Path::new("benchmarks/./y/../x.toml")).is_ok());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Embedded {
    files: BTreeMap<PathBuf, &'static [u8]>,
}

impl Embedded {
    /// A source holding `files`, given as (relative path, contents) pairs.
    pub fn new(files: &[(&str, &'static [u8])]) -> Embedded {
        let mut e = Embedded::default();
        for &(path, bytes) in files {
            e.insert(path, bytes);
        }
        e
    }

    /// Add (or replace) one file.
    pub fn insert(&mut self, path: &str, bytes: &'static [u8]) {
        self.files.insert(normalize(Path::new(path)), bytes);
    }

    /// The paths of all files held, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.keys().map(PathBuf::as_path)
    }
}

impl Source for Embedded {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.files
            .get(&normalize(path))
            .map(|b| b.to_vec())
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    "no such file among the embedded scenario files",
                )
            })
    }
}

/// Resolve `.` and `..` lexically (without asking the file system). Leading `..` that
/// cannot be resolved are kept; an empty result is `.`.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

/// `rel` relative to the directory of the file `base`, normalized.
pub(crate) fn resolve(base: &Path, rel: &str) -> PathBuf {
    let dir = base.parent().unwrap_or(Path::new(""));
    normalize(&dir.join(rel))
}

/// Reads files through a [`Source`], each once: keeps the list of files in read order and
/// the content hash (FNV-1a 64 over each file's length as 8 little-endian bytes followed
/// by its bytes, in read order), and refuses a file over its kind's limit or one that
/// takes the files read together over [`files::SCENARIO_TOTAL`].
pub(crate) struct Reader<'a> {
    source: &'a dyn Source,
    files: Vec<PathBuf>,
    cache: HashMap<PathBuf, Rc<[u8]>>,
    hash: u64,
    total_bytes: u64,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(source: &'a dyn Source) -> Reader<'a> {
        Reader {
            source,
            files: Vec::new(),
            cache: HashMap::new(),
            hash: FNV_OFFSET,
            total_bytes: 0,
        }
    }

    /// The bytes of `path` (read at most once), a file of the kind `limit` describes.
    pub(crate) fn read(&mut self, path: &Path, limit: &Limit) -> io::Result<Rc<[u8]>> {
        if let Some(b) = self.cache.get(path) {
            return Ok(b.clone());
        }
        let bytes = self.source.read(path)?;
        let len = bytes.len() as u64;
        if len > limit.bytes {
            return Err(ReadError::TooLarge(*limit).into());
        }
        if self.total_bytes + len > files::SCENARIO_TOTAL.bytes {
            return Err(ReadError::TooLarge(files::SCENARIO_TOTAL).into());
        }
        self.total_bytes += len;
        let bytes: Rc<[u8]> = bytes.into();
        self.hash = fnv1a(self.hash, &(bytes.len() as u64).to_le_bytes());
        self.hash = fnv1a(self.hash, &bytes);
        self.files.push(path.to_path_buf());
        self.cache.insert(path.to_path_buf(), bytes.clone());
        Ok(bytes)
    }

    /// Files read so far, in read order.
    pub(crate) fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Fold `bytes` that are not a file (values set by a study) into the content hash.
    pub(crate) fn mix(&mut self, bytes: &[u8]) {
        self.hash = fnv1a(self.hash, &(bytes.len() as u64).to_le_bytes());
        self.hash = fnv1a(self.hash, bytes);
    }

    /// The content hash as 16 lowercase hex digits.
    pub(crate) fn hash_hex(&self) -> String {
        format!("{:016x}", self.hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(
            normalize(Path::new("a/./b/../c.csv")),
            PathBuf::from("a/c.csv")
        );
        assert_eq!(
            normalize(Path::new("../x/../../y")),
            PathBuf::from("../../y")
        );
        assert_eq!(normalize(Path::new("a/..")), PathBuf::from("."));
        assert_eq!(normalize(Path::new("/../a")), PathBuf::from("/a"));
        assert_eq!(
            resolve(Path::new("benchmarks/ieee-rts79.toml"), "ieee-rts79/w.csv"),
            PathBuf::from("benchmarks/ieee-rts79/w.csv")
        );
        assert_eq!(
            resolve(Path::new("x.toml"), "../d/y.csv"),
            PathBuf::from("../d/y.csv")
        );
    }

    #[test]
    fn reader_hashes_length_then_bytes_once_per_file() {
        let src = Embedded::new(&[("a", b"xy".as_slice()), ("b", b"".as_slice())]);
        let mut r = Reader::new(&src);
        r.read(Path::new("a"), &files::TOML).unwrap();
        r.read(Path::new("a"), &files::TOML).unwrap();
        r.read(Path::new("b"), &files::TOML).unwrap();
        let mut expect = FNV_OFFSET;
        for content in [&b"xy"[..], &b""[..]] {
            expect = fnv1a(expect, &(content.len() as u64).to_le_bytes());
            expect = fnv1a(expect, content);
        }
        assert_eq!(r.hash_hex(), format!("{expect:016x}"));
        assert_eq!(r.files(), &[PathBuf::from("a"), PathBuf::from("b")]);
        assert!(r.read(Path::new("c"), &files::TOML).is_err());
    }

    #[test]
    fn reader_applies_the_limit_of_each_kind_and_the_total() {
        static BIG: [u8; 1000] = [b'#'; 1000];
        let src = Embedded::new(&[("a", &BIG[..]), ("b", &BIG[..]), ("c", &BIG[..])]);
        let mut r = Reader::new(&src);
        r.total_bytes = files::SCENARIO_TOTAL.bytes - 2000;
        let small = Limit {
            bytes: 999,
            what: "a small file",
        };
        let e = r.read(Path::new("a"), &small).unwrap_err();
        assert_eq!(
            e.to_string(),
            "larger than the 999 bytes limit for a small file"
        );
        r.read(Path::new("a"), &files::TOML).unwrap();
        r.read(Path::new("b"), &files::TOML).unwrap();
        let e = r.read(Path::new("c"), &files::TOML).unwrap_err();
        assert_eq!(
            e.to_string(),
            "larger than the 256 MiB limit for the files of one scenario together"
        );
        assert_eq!(r.files(), &[PathBuf::from("a"), PathBuf::from("b")]);
    }
}
