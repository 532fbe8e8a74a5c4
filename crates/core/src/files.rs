//! Reading the files a user names (scenarios, CSVs, studies, sweeps, shards, results):
//! regular files only, each within a size limit, so that `/dev/zero`, a FIFO or a huge file
//! is refused with a message instead of hanging or exhausting memory.
//!
//! [`read_regular`] checks the file type and size before opening, opens without blocking
//! (a FIFO swapped in after the check cannot hang the open), checks the opened file again,
//! and reads at most the limit plus one byte, so a file that grows while it is read is
//! refused too.
//!
//! ```
//! use gridrisk_core::files::{read_regular, TOML};
//! let e = read_regular(std::path::Path::new("/dev/zero"), &TOML).unwrap_err();
//! # #[cfg(unix)]
//! assert_eq!(e.to_string(), "not a regular file (a character device)");
//! ```

use std::fmt;
use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

/// A size limit for one kind of file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Largest accepted size, bytes.
    pub bytes: u64,
    /// The kind of file, with an article, for messages ("a CSV file").
    pub what: &'static str,
}

const MIB: u64 = 1 << 20;

/// TOML files: scenarios, their bases, studies and sweeps. The shipped files are at most a
/// few tens of kB, and a 10,000-unit system at about 100 bytes per unit is 1 MB; parsing
/// holds several times the text in memory, so 4 MiB keeps that well under a gigabyte.
pub const TOML: Limit = Limit {
    bytes: 4 * MIB,
    what: "a TOML file",
};

/// CSV files of a scenario: the longest study (1,000,000 hours) at 64 bytes per row, an
/// hour index and several columns of MW. A CSV read takes about two to four times its size
/// in memory.
pub const CSV: Limit = Limit {
    bytes: 64 * MIB,
    what: "a CSV file",
};

/// JSON files written by gridrisk (results, shards, sweep cells): their size grows with
/// study hours (a shard of the 3,624-hour Kazakhstan winter is 300 kB, mostly about 120
/// bytes per hour for the illegal-mining path), so 256 MiB holds a century-long study.
pub const JSON: Limit = Limit {
    bytes: 256 * MIB,
    what: "a JSON file",
};

/// All the files of one scenario together (its TOML files and CSVs, each counted once):
/// four CSVs at their limit.
pub const SCENARIO_TOTAL: Limit = Limit {
    bytes: 256 * MIB,
    what: "the files of one scenario together",
};

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file system's error (no such file, permission denied, ...).
    #[error("{0}")]
    Io(#[from] io::Error),
    /// Not a regular file; the kind of file it is, with an article ("a FIFO").
    #[error("not a regular file ({0})")]
    NotRegular(&'static str),
    /// Larger than the limit.
    #[error("larger than the {} limit for {}", Size(.0.bytes), .0.what)]
    TooLarge(Limit),
    /// Not UTF-8 text ([`read_text`]); the offset of the first bad byte.
    #[error("not valid UTF-8 text (bad byte at offset {0})")]
    NotUtf8(usize),
}

impl From<ReadError> for io::Error {
    fn from(e: ReadError) -> io::Error {
        match e {
            ReadError::Io(e) => e,
            e => io::Error::new(io::ErrorKind::InvalidData, e),
        }
    }
}

/// A byte count in MiB (whole) or bytes, for messages.
struct Size(u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 >= MIB && self.0 % MIB == 0 {
            write!(f, "{} MiB", self.0 / MIB)
        } else {
            write!(f, "{} bytes", self.0)
        }
    }
}

/// The bytes of the regular file at `path` (a symbolic link is followed), if it is at most
/// `limit.bytes` long.
pub fn read_regular(path: &Path, limit: &Limit) -> Result<Vec<u8>, ReadError> {
    check(&std::fs::metadata(path)?, limit)?;
    let file = open(path)?;
    // The path may name another file by now: check the one opened.
    let len = check(&file.metadata()?, limit)?;
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit.bytes + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit.bytes {
        return Err(ReadError::TooLarge(*limit));
    }
    Ok(bytes)
}

/// [`read_regular`], as UTF-8 text.
pub fn read_text(path: &Path, limit: &Limit) -> Result<String, ReadError> {
    String::from_utf8(read_regular(path, limit)?)
        .map_err(|e| ReadError::NotUtf8(e.utf8_error().valid_up_to()))
}

/// The file's length if it is a regular file within `limit`.
fn check(meta: &Metadata, limit: &Limit) -> Result<u64, ReadError> {
    if !meta.is_file() {
        return Err(ReadError::NotRegular(kind(meta)));
    }
    if meta.len() > limit.bytes {
        return Err(ReadError::TooLarge(*limit));
    }
    Ok(meta.len())
}

/// Open for reading without waiting for a writer, should the path have become a FIFO since
/// it was checked (reading a regular file ignores the flag).
#[cfg(unix)]
fn open(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// What kind of file `meta` describes, other than a regular file.
fn kind(meta: &Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("gridrisk-files-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn reads_a_regular_file_up_to_the_limit() {
        let dir = temp_dir("limit");
        let path = dir.join("a.toml");
        std::fs::write(&path, b"12345").unwrap();
        let five = Limit {
            bytes: 5,
            what: "a test file",
        };
        assert_eq!(read_regular(&path, &five).unwrap(), b"12345");
        let four = Limit { bytes: 4, ..five };
        assert_eq!(
            read_regular(&path, &four).unwrap_err().to_string(),
            "larger than the 4 bytes limit for a test file"
        );
        std::fs::write(&path, b"a\xffb").unwrap();
        assert_eq!(
            read_text(&path, &five).unwrap_err().to_string(),
            "not valid UTF-8 text (bad byte at offset 1)"
        );
        assert!(matches!(
            read_regular(&dir.join("missing"), &five),
            Err(ReadError::Io(e)) if e.kind() == io::ErrorKind::NotFound
        ));
        assert_eq!(
            read_regular(&dir, &five).unwrap_err().to_string(),
            "not a regular file (a directory)"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_sparse_file_over_the_limit_is_refused_before_reading() {
        let dir = temp_dir("sparse");
        let path = dir.join("big.csv");
        File::create(&path).unwrap().set_len(CSV.bytes + 1).unwrap();
        assert_eq!(
            read_regular(&path, &CSV).unwrap_err().to_string(),
            "larger than the 64 MiB limit for a CSV file"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_fifos_are_refused_without_blocking() {
        assert_eq!(
            read_regular(Path::new("/dev/urandom"), &CSV)
                .unwrap_err()
                .to_string(),
            "not a regular file (a character device)"
        );
        let dir = temp_dir("fifo");
        let fifo = dir.join("f");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        assert_eq!(
            read_regular(&fifo, &CSV).unwrap_err().to_string(),
            "not a regular file (a FIFO)"
        );
        // Opened without a writer, the FIFO does not block the open.
        drop(open(&fifo).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
