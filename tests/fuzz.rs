//! Fuzzing harness (issue 9): mutated scenarios, CSVs, PRAS system files (`.pras`), sweep
//! files, shard files and result files, run through every command of the built binary, each run classified by its outcome.
//!
//! Short mode (CI, part of `cargo test --release`): 150 cases, fixed seed. Long mode (a
//! release check): `scripts/fuzz.sh` or
//! `GRIDRISK_FUZZ_CASES=6000 cargo test --release --test cli fuzz -- --nocapture`.
//! Environment: `GRIDRISK_FUZZ_SEED` (default 9), `GRIDRISK_FUZZ_CASES` (default 150),
//! `GRIDRISK_FUZZ_CASE` (run only that case index, to reproduce one), `GRIDRISK_FUZZ_JOBS`
//! (cases in parallel, default 2), `GRIDRISK_FUZZ_TIMEOUT_S` (default 20),
//! `GRIDRISK_FUZZ_MEM_MIB` (address-space limit per run, default 2048).
//!
//! Every mutation is drawn from a generator seeded by (seed, case index), so a case is the
//! same on every machine and in any order. Each case copies nothing: it edits one file (or
//! a shard set) in its worker's copy of the project tree, runs its commands with the
//! project tree's relative paths, and restores the file. A failing case's tree is kept in
//! `target/fuzz-failures/case-<seed>-<index>/` with `repro.sh` (the commands that failed);
//! at most a few cases per group of like failures are kept.
//!
//! Outcome classes of one command run: `ok-0` (exit 0, and the result passes the
//! consistency checks), `bad-input-2` (exit 2 and the message names an input file),
//! `env-1` (exit 1 where the case makes writing fail), and the failing classes `panic`,
//! `signal`, `hang` (killed after the time limit), `memory` (address-space limit hit),
//! `unexpected-status`, `exit-2-without-file-name`, `inconsistent-0`. The test fails if
//! any failing class is non-zero.

use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_gridrisk");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Reproducers kept per group of like failures.
const KEEP_PER_GROUP: usize = 3;

const RTS: &str = "scenarios/benchmarks/ieee-rts79.toml";
/// PRAS's RTS-GMLC and its 5-minute toy system (`.pras`, HDF5).
const PRAS_RTS: &str = "scenarios/pras/rts.pras";
const PRAS_TOY: &str = "scenarios/pras/toymodel.pras";
const THREE: &str = "scenarios/benchmarks/ieee-rts79-three-area.toml";
const THREE_IMPORT: &str = "scenarios/benchmarks/ieee-rts79-three-area-import.toml";
const THREE_LADDER: &str = "scenarios/benchmarks/ieee-rts79-three-area-ladder.toml";
/// RTS-79 with discrete-time units (`outage_model`, `failure_probability`,
/// `repair_probability`).
const DISCRETE: &str = "scenarios/benchmarks/ieee-rts79-discrete.toml";
/// RTS-79 with an hourly unit capacity (`capacity_file`; it extends `RTS`).
const HOURLY: &str = "scenarios/benchmarks/ieee-rts79-hourly-capacity.toml";
const HOURLY_CSV: &str = "scenarios/benchmarks/ieee-rts79/u400_capacity_mw.csv";
const RTS_STORAGE: &str = "scenarios/benchmarks/ieee-rts79-storage.toml";
/// A study of RTS-79 and its storage variant, written by the cases that run it.
const STUDY_RTS: &str = "scenarios/benchmarks/fuzz-study.toml";
const STUDY_RTS_TEXT: &str = "name = \"rts79-storage\"\nbase = \"ieee-rts79.toml\"\n\
    samples = 20\nseed = 1\n\n[[variants]]\nfile = \"ieee-rts79-storage.toml\"\n";
/// RTS-79 with a peak-shaving generator-storage and an hourly inflow (`[[generator_storages]]`,
/// `inflow_file`; it extends `RTS`).
const HYDRO: &str = "scenarios/benchmarks/ieee-rts79-hydro.toml";
const HYDRO_CSV: &str = "scenarios/benchmarks/ieee-rts79/hydro_inflow_mw.csv";
/// RTS-79 with demand response (`[[demand_responses]]`; it extends `RTS`).
const RTS_DR: &str = "scenarios/benchmarks/ieee-rts79-dr.toml";
/// PRAS's `threenode_dr`: demand response on a network (three regions, three lines, hourly
/// capacities from a CSV).
const THREENODE_DR: &str = "tests/data/demand_response/threenode_dr.toml";
const THREENODE_DR_CSV: &str = "tests/data/demand_response/threenode_dr.csv";
/// RTS-79 with hourly failure rates (`rates_file`, `failure_rate_column`; it extends `RTS`).
const RATES: &str = "scenarios/benchmarks/ieee-rts79-cold-rates.toml";
const RATES_CSV: &str = "scenarios/benchmarks/ieee-rts79/cold_failure_rates.csv";
/// The three-area RTS-79 with a line's limits and another's failure rates per step
/// (`[[lines]]` `limits_file`, `rates_file`).
const LINE_STEPS: &str = "tests/data/lines/three-area-line-steps.toml";
const LINE_STEPS_CSV: &str = "tests/data/lines/three-area-lines.csv";
const KAZ: &str = "scenarios/kazakhstan/winter-2021-22.toml";
/// The three-area import benchmark with a schedule from a CSV column (`schedule_mw`).
const THREE_SCHEDULE: &str = "tests/data/schedule/three-area-schedule.toml";
const SCHEDULE_CSV: &str = "tests/data/schedule/ext.csv";
const CSVS: [&str; 3] = [
    "scenarios/benchmarks/ieee-rts79/weekly_peak_pct.csv",
    "scenarios/benchmarks/ieee-rts79/daily_peak_pct.csv",
    "scenarios/benchmarks/ieee-rts79/hourly_peak_pct.csv",
];
const SWEEP_RTS: &str = "tests/data/sweep/rts.toml";
/// The ladder base: the Russian exchange as a schedule from a CSV (issue 13 findings 3, 4, 7).
const KAZ_LADDER: &str = "scenarios/kazakhstan/ladder-base.toml";
const KAZ_SCHEDULE_CSV: &str = "scenarios/kazakhstan/russia_schedule_mw.csv";
const SWEEP_KAZ: &str = "scenarios/kazakhstan/sweep-illegal-mining.toml";
const UNCERTAIN: &str = "tests/data/uncertain/study.toml";
/// Storage and demand response at 5-minute steps (PRAS's per-step rules).
const FIVE_DR: &str = "tests/data/subhourly/five-minute-dr.toml";
const FIVE_DR_CSV: &str = "tests/data/subhourly/five-minute-dr.csv";

/// Shard sets made in setup: (name, scenario, samples, block size, shards).
const SHARD_SETS: [(&str, &str, u32, u32, u32); 3] = [
    ("rts", RTS, 40, 10, 3),
    ("three", THREE_IMPORT, 20, 5, 2),
    ("kaz", KAZ, 8, 2, 2),
];
/// Result files made in setup, for `report` and `merge`.
const RESULTS: [&str; 4] = [
    "results/run-rts.json",
    "results/run-three.json",
    "results/run-kaz.json",
    "results/compare-kaz.json",
];

/// Extreme replacements for a number (TOML or CSV text).
const EXTREMES: [&str; 26] = [
    "0",
    "-1",
    "1e-9",
    "1e-6",
    "0.5",
    "1e300",
    "-1e300",
    "1e15",
    "4e12",
    "5e12",
    "1e9",
    "2147483648",
    "4294967296",
    "9007199254740993",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "-9223372036854775808",
    "nan",
    "inf",
    "-inf",
    "-0.0",
    "\"NaN\"",
    "\"12\"",
    "1e-300",
    "100000",
];

// ---------------------------------------------------------------------------------------
// Settings and random numbers

struct Settings {
    seed: u64,
    cases: usize,
    only: Option<usize>,
    jobs: usize,
    timeout: Duration,
    mem_bytes: u64,
}

fn env_num(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v}: expected a non-negative integer")),
        Err(_) => default,
    }
}

impl Settings {
    fn from_env() -> Settings {
        Settings {
            seed: env_num("GRIDRISK_FUZZ_SEED", 9),
            cases: env_num("GRIDRISK_FUZZ_CASES", 150) as usize,
            only: std::env::var("GRIDRISK_FUZZ_CASE")
                .ok()
                .map(|v| v.trim().parse().expect("GRIDRISK_FUZZ_CASE: a case index")),
            jobs: env_num("GRIDRISK_FUZZ_JOBS", 2).max(1) as usize,
            timeout: Duration::from_secs(env_num("GRIDRISK_FUZZ_TIMEOUT_S", 20)),
            mem_bytes: env_num("GRIDRISK_FUZZ_MEM_MIB", 2048) << 20,
        }
    }
}

/// SplitMix64: small, portable, and enough for choosing mutations.
struct Rng(u64);

impl Rng {
    fn for_case(seed: u64, case: usize) -> Rng {
        let mut rng = Rng(seed ^ (case as u64).wrapping_mul(0xA076_1D64_78BD_642F));
        rng.next();
        rng
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        assert!(n > 0);
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64) < p * (1u64 << 53) as f64
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

// ---------------------------------------------------------------------------------------
// Outcomes

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Class {
    Ok0,
    BadInput2,
    Env1,
    Panic,
    Signal,
    Hang,
    Memory,
    UnexpectedStatus,
    Exit2WithoutFileName,
    Inconsistent0,
}

impl Class {
    const ALL: [Class; 10] = [
        Class::Ok0,
        Class::BadInput2,
        Class::Env1,
        Class::Panic,
        Class::Signal,
        Class::Hang,
        Class::Memory,
        Class::UnexpectedStatus,
        Class::Exit2WithoutFileName,
        Class::Inconsistent0,
    ];
    fn name(self) -> &'static str {
        match self {
            Class::Ok0 => "ok-0",
            Class::BadInput2 => "bad-input-2",
            Class::Env1 => "env-1",
            Class::Panic => "panic",
            Class::Signal => "signal",
            Class::Hang => "hang",
            Class::Memory => "memory",
            Class::UnexpectedStatus => "unexpected-status",
            Class::Exit2WithoutFileName => "exit-2-without-file-name",
            Class::Inconsistent0 => "inconsistent-0",
        }
    }
    fn failing(self) -> bool {
        !matches!(self, Class::Ok0 | Class::BadInput2 | Class::Env1)
    }
}

/// One command run: its class, what went wrong (for failing classes), and its output.
struct Run {
    args: Vec<String>,
    /// Standard output went to /dev/full.
    stdout_full: bool,
    class: Class,
    detail: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn fail(&mut self, class: Class, detail: String) {
        if !self.class.failing() {
            self.class = class;
            self.detail = detail;
        }
    }
}

/// What a command expects of its environment.
#[derive(Clone, Copy, PartialEq)]
enum Env {
    Normal,
    /// The case makes writing the output fail: exit 1 expected.
    WriteFails,
    /// Standard output is /dev/full (written to, never replaced): exit 1 expected.
    StdoutFull,
}

// ---------------------------------------------------------------------------------------
// Worker trees and running the binary

/// A worker's copy of the project tree: `scenarios/`, `tests/data/sweep/`, `tests/data/uncertain/`,
/// `tests/data/schedule/`, `tests/data/subhourly/` and `tests/data/demand_response/`, the shards and
/// results of setup, and `special/` (a FIFO, a directory, a device node that discards
/// nothing), with commands run from its root.
struct Tree {
    root: PathBuf,
    settings_timeout: Duration,
    mem_bytes: u64,
    /// Files changed by the current case, with their original contents.
    saved: Vec<(PathBuf, Option<Vec<u8>>)>,
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_dir(&entry.path(), &target);
        } else if kind.is_file() {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl Tree {
    fn new(root: PathBuf, pristine: &Path, settings: &Settings) -> Tree {
        copy_dir(pristine, &root);
        let special = root.join("special");
        fs::create_dir_all(special.join("dir")).unwrap();
        let fifo = special.join("fifo");
        let made = Command::new("mkfifo").arg(&fifo).status();
        assert!(
            made.map(|s| s.success()).unwrap_or(false),
            "mkfifo {}",
            fifo.display()
        );
        Tree {
            root,
            settings_timeout: settings.timeout,
            mem_bytes: settings.mem_bytes,
            saved: Vec::new(),
        }
    }

    fn read(&self, rel: &str) -> Vec<u8> {
        fs::read(self.root.join(rel)).unwrap()
    }

    /// Replace `rel` with `bytes` for this case.
    fn write(&mut self, rel: &str, bytes: &[u8]) {
        let path = self.root.join(rel);
        if !self.saved.iter().any(|(p, _)| *p == path) {
            self.saved.push((path.clone(), fs::read(&path).ok()));
        }
        fs::write(&path, bytes).unwrap();
    }

    /// Undo the case's edits and clear its outputs.
    fn restore(&mut self) {
        for (path, bytes) in self.saved.drain(..) {
            match bytes {
                Some(b) => fs::write(&path, b).unwrap(),
                None => {
                    let _ = fs::remove_file(&path);
                }
            }
        }
        let out = self.root.join("out");
        if out.exists() {
            fs::remove_dir_all(&out).unwrap();
        }
        fs::create_dir_all(&out).unwrap();
    }

    /// A device node that fails every write (like /dev/full), made afresh for each use in
    /// the worker's tree when the user may make device nodes, so that a binary replacing
    /// its `--out` target cannot damage the machine's /dev/full; else /dev/full itself,
    /// but not for root, who could replace it. `None`: no such target here.
    fn full_device(&self) -> Option<String> {
        let node = self.root.join("special/full");
        let _ = fs::remove_file(&node);
        let made = Command::new("mknod")
            .arg(&node)
            .args(["c", "1", "7"])
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        let root = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| o.stdout.trim_ascii() == b"0")
            .unwrap_or(true);
        match (made, root) {
            (true, _) => Some("special/full".into()),
            (false, false) => Some("/dev/full".into()),
            (false, true) => None,
        }
    }

    /// Run the binary with `args` under the time and memory limits and classify the exit.
    /// `names`: what an exit-2 message must mention (any one of them).
    fn run(&self, args: &[String], names: &[String], env: Env) -> Run {
        let out_dir = self.root.join("out");
        let stdout_path = out_dir.join(".stdout");
        let stderr_path = out_dir.join(".stderr");
        let mut child = Command::new("prlimit")
            .arg(format!("--as={}", self.mem_bytes))
            .arg("--")
            .arg(BIN)
            .args(args)
            .current_dir(&self.root)
            .stdin(Stdio::null())
            .stdout(match env {
                Env::StdoutFull => fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .unwrap(),
                _ => fs::File::create(&stdout_path).unwrap(),
            })
            .stderr(fs::File::create(&stderr_path).unwrap())
            .spawn()
            .expect("prlimit (util-linux) runs the binary");
        let start = Instant::now();
        let mut timed_out = false;
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > self.settings_timeout {
                timed_out = true;
                let _ = child.kill();
                break child.wait().unwrap();
            }
            std::thread::sleep(Duration::from_millis(
                (start.elapsed().as_millis() as u64 / 10).clamp(1, 50),
            ));
        };
        let stdout = String::from_utf8_lossy(&fs::read(&stdout_path).unwrap_or_default()).into();
        let stderr: String =
            String::from_utf8_lossy(&fs::read(&stderr_path).unwrap_or_default()).into();
        let code = status.code();
        let (class, detail) = if timed_out {
            (
                Class::Hang,
                format!("killed after {} s", self.settings_timeout.as_secs()),
            )
        } else if stderr.contains("memory allocation of") || stderr.contains("os error 12") {
            (Class::Memory, first_line(&stderr))
        } else if stderr.contains("panicked") || code == Some(101) {
            (Class::Panic, panic_site(&stderr))
        } else if let Some(sig) = status.signal() {
            let what = if stderr.contains("stack overflow") {
                " (stack overflow)"
            } else {
                ""
            };
            (Class::Signal, format!("signal {sig}{what}"))
        } else {
            match (code, env) {
                (Some(0), Env::Normal) => (Class::Ok0, String::new()),
                (Some(0), Env::WriteFails | Env::StdoutFull) => (
                    Class::UnexpectedStatus,
                    "exit 0 although the output cannot be written".into(),
                ),
                (Some(2), _) if names.iter().any(|n| stderr.contains(n.as_str())) => {
                    (Class::BadInput2, String::new())
                }
                (Some(2), _) => (
                    Class::Exit2WithoutFileName,
                    format!("names none of {names:?}: {}", first_line(&stderr)),
                ),
                (Some(1), Env::WriteFails | Env::StdoutFull) => (Class::Env1, String::new()),
                (c, _) => (
                    Class::UnexpectedStatus,
                    format!("exit {c:?}: {}", first_line(&stderr)),
                ),
            }
        };
        Run {
            args: args.to_vec(),
            stdout_full: matches!(env, Env::StdoutFull),
            class,
            detail,
            code,
            stdout,
            stderr,
        }
    }
}

fn first_line(text: &str) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    line.chars().take(160).collect()
}

/// `file:line` of a panic and its message, from the standard panic report.
fn panic_site(stderr: &str) -> String {
    let mut lines = stderr.lines();
    while let Some(line) = lines.next() {
        if let Some(at) = line.find("panicked at ") {
            let site = line[at + 12..].trim_end_matches(':');
            let msg = lines.next().unwrap_or("");
            return format!("{site}: {}", msg.chars().take(120).collect::<String>());
        }
    }
    first_line(stderr)
}

fn s(x: &str) -> String {
    x.to_string()
}

fn base_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

// ---------------------------------------------------------------------------------------
// Text mutations

/// Byte ranges of the numbers in TOML or CSV text (outside comments and quoted strings;
/// bare dates count as one token).
fn numbers(text: &str, toml: bool) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    let mut in_string = false;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            if c == b'"' || c == b'\n' {
                in_string = false;
            }
            i += 1;
            continue;
        }
        if toml && c == b'#' {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'"' {
            in_string = true;
            i += 1;
            continue;
        }
        let prev_ok =
            i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || b"_.-+".contains(&bytes[i - 1]));
        let starts = c.is_ascii_digit()
            || (b"-+".contains(&c) && i + 1 < bytes.len() && bytes[i + 1].is_ascii_digit());
        if prev_ok && starts {
            let start = i;
            i += 1;
            while i < bytes.len()
                && (bytes[i].is_ascii_digit()
                    || b"._eE:".contains(&bytes[i])
                    || (b"-+".contains(&bytes[i]) && bytes[i - 1] != b' '))
            {
                i += 1;
            }
            if i == bytes.len() || !(bytes[i].is_ascii_alphabetic() || bytes[i] == b'_') {
                spans.push((start, i));
            }
            continue;
        }
        i += 1;
    }
    spans
}

/// A small change of a number that keeps its type: the likeliest to stay valid.
fn mild(token: &str, rng: &mut Rng) -> String {
    if let Ok(n) = token.parse::<i64>() {
        return match rng.below(5) {
            0 => (n.saturating_mul(2)).to_string(),
            1 => (n / 2).to_string(),
            2 => n.saturating_add(1).to_string(),
            3 => n.saturating_sub(1).max(0).to_string(),
            _ => (n.saturating_mul(11) / 10).to_string(),
        };
    }
    match token.parse::<f64>() {
        Ok(x) => {
            let y = match rng.below(4) {
                0 => x * 2.0,
                1 => x / 2.0,
                2 => x * 1.1,
                _ => x * 0.9,
            };
            let text = format!("{y:?}");
            if text.contains('.') || text.contains('e') {
                text
            } else {
                format!("{text}.0")
            }
        }
        // A date or time: change one digit.
        Err(_) => {
            let mut b = token.as_bytes().to_vec();
            let digits: Vec<usize> = (0..b.len()).filter(|&i| b[i].is_ascii_digit()).collect();
            let at = *rng.pick(&digits);
            b[at] = b'0' + rng.below(10) as u8;
            String::from_utf8(b).unwrap()
        }
    }
}

fn replace_number(
    text: &str,
    toml: bool,
    extreme: bool,
    rng: &mut Rng,
) -> Option<(String, String)> {
    let spans = numbers(text, toml);
    if spans.is_empty() {
        return None;
    }
    let (a, b) = *rng.pick(&spans);
    let old = &text[a..b];
    let new = if extreme {
        s(rng.pick::<&str>(&EXTREMES))
    } else {
        mild(old, rng)
    };
    let line = text[..a].matches('\n').count() + 1;
    Some((
        format!("{}{}{}", &text[..a], new, &text[b..]),
        format!("line {line}: number {old} -> {new}"),
    ))
}

/// Whether a sweep file asks for more than 10,000 samples per cell, up to the reader's
/// limit of 10^12: valid, and hours or days long.
fn long_valid_samples(sweep: &str) -> bool {
    sweep.lines().any(|line| {
        let Some((key, value)) = line.split_once('=') else {
            return false;
        };
        let value = value
            .split('#')
            .next()
            .unwrap_or("")
            .trim()
            .replace('_', "");
        key.trim() == "samples"
            && value
                .parse::<u64>()
                .is_ok_and(|n| n > 10_000 && n <= 1_000_000_000_000)
    })
}

/// A structural edit of a text file: lines deleted, duplicated or swapped, keys swapped,
/// the file truncated, a byte flipped, a stray line inserted.
fn structural(text: &str, rng: &mut Rng) -> (String, String) {
    let mut lines: Vec<&str> = text.lines().collect();
    if lines.is_empty() {
        return (s("x = "), s("empty file -> stray line"));
    }
    let n = lines.len();
    let choice = rng.below(8);
    let desc;
    match choice {
        0 => {
            let i = rng.below(n);
            desc = format!("line {} deleted", i + 1);
            lines.remove(i);
        }
        1 => {
            let i = rng.below(n);
            desc = format!("line {} duplicated", i + 1);
            lines.insert(i, lines[i]);
        }
        2 => {
            let (i, j) = (rng.below(n), rng.below(n));
            desc = format!("lines {} and {} swapped", i + 1, j + 1);
            lines.swap(i, j);
        }
        3 => {
            // Swap the keys of two `key = value` lines.
            let keyed: Vec<usize> = (0..n)
                .filter(|&i| lines[i].contains('=') && !lines[i].trim_start().starts_with('#'))
                .collect();
            if keyed.len() < 2 {
                return structural_bytes(text, rng);
            }
            let (i, j) = (*rng.pick(&keyed), *rng.pick(&keyed));
            let (ki, vi) = lines[i].split_once('=').unwrap();
            let (kj, vj) = lines[j].split_once('=').unwrap();
            let (a, b) = (format!("{kj}={vi}"), format!("{ki}={vj}"));
            desc = format!("keys of lines {} and {} swapped", i + 1, j + 1);
            let mut owned: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            owned[i] = a;
            owned[j] = b;
            return (owned.join("\n") + "\n", desc);
        }
        4 => {
            let i = rng.below(n + 1);
            let stray = *rng.pick(&[
                "[[units]]",
                "outage_model = \"discrete\"",
                "failure_probability = 0.5",
                "[[regions]]",
                "[[corridors]]",
                "[[ladder]]",
                "[[storages]]",
                "[[generator_storages]]",
                "dispatch = \"peak_shaving\"",
                "inflow_mw = -5",
                // A renewable's MW series (an MW column of a shipped CSV; elsewhere an
                // unknown key or a missing file).
                "mw_file = \"ieee-rts79/hydro_inflow_mw.csv\"",
                "[[demand_responses]]",
                "payback_window_h = 0",
                "payback_window_steps = 0",
                "payback_window_steps = 12",
                "interest_per_step = 2",
                "interest_per_step = 0.01",
                "interest_per_h = 0.01",
                "[study]",
                "step_min = 5",
                "step_min = 7",
                "step_min = 15",
                "holidays = [2021-12-16, 2021-12-16]",
                "schedule_mw = -50",
                "schedule_mw = { file = \"ext.csv\", column = \"EXT\" }",
                "day_factor = { Sat = 0.97, holiday = 0 }",
                "= 1",
                "x = [",
                "name = \"dup\"",
                "category = 7",
                "category = \"Coal\"",
                "\u{0}\u{ff}",
            ]);
            desc = format!("stray line {stray:?} inserted at line {}", i + 1);
            lines.insert(i, stray);
        }
        _ => return structural_bytes(text, rng),
    }
    (lines.join("\n") + "\n", desc)
}

/// Truncation, a flipped byte, or an empty file.
fn structural_bytes(text: &str, rng: &mut Rng) -> (String, String) {
    let b = text.as_bytes();
    match rng.below(3) {
        0 if !b.is_empty() => {
            let at = rng.below(b.len());
            (
                String::from_utf8_lossy(&b[..at]).into_owned(),
                format!("truncated to {at} bytes"),
            )
        }
        1 if !b.is_empty() => {
            let at = rng.below(b.len());
            let mut v = b.to_vec();
            v[at] ^= 1 << rng.below(8);
            (
                String::from_utf8_lossy(&v).into_owned(),
                format!("byte {at} flipped"),
            )
        }
        _ => (String::new(), s("emptied")),
    }
}

/// Paths that are not a readable regular file.
fn special_path(rng: &mut Rng) -> String {
    s(rng.pick::<&str>(&[
        "/dev/zero",
        "/dev/urandom",
        "/dev/null",
        "special/fifo",
        "special/dir",
        "special/missing.toml",
        "/proc/self/mem",
    ]))
}

/// Point a path-valued key (`extends`, `base`, `*_file`) at a special path, or add an
/// `extends` line if there is none. Relative special paths are made relative to `file`.
fn repath(text: &str, file: &str, special: &str) -> (String, String) {
    let depth = Path::new(file).components().count() - 1;
    let target = if special.starts_with('/') {
        special.to_string()
    } else {
        format!("{}{special}", "../".repeat(depth))
    };
    let mut lines: Vec<String> = text.lines().map(|l| l.to_string()).collect();
    let keyed = lines.iter().position(|l| {
        let t = l.trim_start();
        (t.starts_with("extends") || t.starts_with("base") || t.contains("_file"))
            && t.contains("= \"")
    });
    let desc = match keyed {
        Some(i) => {
            let key = lines[i].split('=').next().unwrap().trim().to_string();
            lines[i] = format!("{key} = \"{target}\"");
            format!("line {}: {key} -> {target}", i + 1)
        }
        None => {
            lines.insert(0, format!("extends = \"{target}\""));
            format!("extends = {target} added")
        }
    };
    (lines.join("\n") + "\n", desc)
}

/// CSV edits: rows deleted, duplicated, swapped or reversed, a column duplicated, the
/// header dropped, a cell made empty or non-numeric, a ragged row.
fn csv_edit(text: &str, rng: &mut Rng) -> (String, String) {
    let mut lines: Vec<String> = text.lines().map(|l| l.to_string()).collect();
    let n = lines.len();
    if n < 3 {
        return structural_bytes(text, rng);
    }
    let row = 1 + rng.below(n - 1);
    let desc = match rng.below(8) {
        0 => {
            lines.remove(row);
            format!("row {row} deleted")
        }
        1 => {
            lines.insert(row, lines[row].clone());
            format!("row {row} duplicated")
        }
        2 => {
            let other = 1 + rng.below(n - 1);
            lines.swap(row, other);
            format!("rows {row} and {other} swapped")
        }
        3 => {
            lines[1..].reverse();
            s("data rows reversed")
        }
        4 => {
            let col = rng.below(lines[0].split(',').count());
            for l in lines.iter_mut() {
                let cell = l.split(',').nth(col).unwrap_or("").to_string();
                l.push(',');
                l.push_str(&cell);
            }
            format!("column {col} duplicated")
        }
        5 => {
            lines.remove(0);
            s("header dropped")
        }
        6 => {
            let cells: Vec<&str> = lines[row].split(',').collect();
            let col = rng.below(cells.len());
            let new = *rng.pick(&["", "abc", "1,2", "\"5\"", "1e400"]);
            let mut owned: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
            owned[col] = new.to_string();
            lines[row] = owned.join(",");
            format!("row {row} column {col} -> {new:?}")
        }
        _ => {
            lines[row].push_str(",7");
            format!("row {row} has an extra cell")
        }
    };
    (lines.join("\n") + "\n", desc)
}

// ---------------------------------------------------------------------------------------
// JSON mutations (shards and results)

/// Paths (as key/index lists) of every node in a JSON document.
fn json_paths(v: &Value, here: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                here.push(Value::String(k.clone()));
                json_paths(x, here, out);
                here.pop();
            }
        }
        Value::Array(a) => {
            // Every element of short arrays; a few of long ones.
            let step = (a.len() / 8).max(1);
            for i in (0..a.len()).step_by(step) {
                here.push(Value::from(i));
                json_paths(&a[i], here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn json_at<'a>(v: &'a mut Value, path: &[Value]) -> &'a mut Value {
    path.iter().fold(v, |v, key| match key {
        Value::String(k) => &mut v[k.as_str()],
        _ => &mut v[key.as_u64().unwrap() as usize],
    })
}

fn path_text(path: &[Value]) -> String {
    let mut t = String::from("$");
    for key in path {
        match key {
            Value::String(k) => write!(t, ".{k}").unwrap(),
            _ => write!(t, "[{key}]").unwrap(),
        }
    }
    t
}

/// One edit of one node: numbers to extremes, strings or null; strings to numbers;
/// arrays shortened, emptied or lengthened; keys removed.
fn json_edit(doc: &mut Value, rng: &mut Rng) -> String {
    let mut paths = Vec::new();
    json_paths(doc, &mut Vec::new(), &mut paths);
    let path = paths[1 + rng.below(paths.len() - 1)].clone();
    let node = json_at(doc, &path);
    let at = path_text(&path);
    let new = match node {
        Value::Number(n) => {
            let x = n.as_f64().unwrap();
            match rng.below(8) {
                0 => Value::from(x.to_string()),
                1 => Value::Null,
                2 => serde_json::json!(-x - 1.0),
                3 => serde_json::json!(x * 2.0 + 1.0),
                4 => serde_json::json!(u64::MAX),
                5 => serde_json::json!(i64::MAX),
                6 => serde_json::json!(9_007_199_254_740_993u64),
                _ => serde_json::json!(1e300),
            }
        }
        Value::String(t) => match rng.below(4) {
            0 => t.parse::<u64>().map(Value::from).unwrap_or(Value::from(1)),
            1 => Value::Null,
            2 => Value::from(format!("{t}x")),
            _ => Value::from(""),
        },
        Value::Array(a) => {
            let len = a.len();
            match rng.below(3) {
                0 if len > 0 => {
                    a.truncate(rng.below(len));
                    return format!("{at}: array truncated to {} of {len}", a.len());
                }
                1 if len > 0 => {
                    let last = a[len - 1].clone();
                    a.push(last);
                    return format!("{at}: last element duplicated");
                }
                _ => Value::Array(Vec::new()),
            }
        }
        Value::Object(m) if !m.is_empty() => {
            let keys: Vec<String> = m.keys().cloned().collect();
            let key = rng.pick(&keys).clone();
            m.remove(&key);
            return format!("{at}: key {key} removed");
        }
        Value::Bool(b) => Value::Bool(!*b),
        _ => Value::from(0),
    };
    let desc = format!("{at}: {} -> {}", short(node), short(&new));
    *node = new;
    desc
}

fn short(v: &Value) -> String {
    let t = v.to_string();
    if t.len() > 40 {
        format!(
            "{}...",
            &t[..t.char_indices().nth(37).map(|c| c.0).unwrap_or(37)]
        )
    } else {
        t
    }
}

// ---------------------------------------------------------------------------------------
// Consistency of results

const TOL: f64 = 1e-9;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOL * a.abs().max(b.abs()).max(1.0)
}

/// `(mean, se, lo, hi)` of an estimate, `None` for null. `lold_h` from a single sample
/// with events has no interval (`se` and `ci95` null): it counts as a point. Where an
/// estimate rests on few samples with a shortfall it carries their count.
fn estimate(v: &Value, at: &str) -> Result<Option<[f64; 4]>, String> {
    if v.is_null() {
        return Ok(None);
    }
    let num = |x: &Value, what: &str| {
        x.as_f64()
            .ok_or_else(|| format!("{at}.{what} is not a number: {}", short(x)))
    };
    let mean = num(&v["mean"], "mean")?;
    // README: `se` and `ci95` null; the engine writes `"ci95": [null, null]`.
    let no_interval = v["ci95"].is_null() || (v["ci95"][0].is_null() && v["ci95"][1].is_null());
    if at.ends_with(".lold_h") && v["se"].is_null() && no_interval {
        return Ok(Some([mean, 0.0, mean, mean]));
    }
    let e = [
        mean,
        num(&v["se"], "se")?,
        num(&v["ci95"][0], "ci95[0]")?,
        num(&v["ci95"][1], "ci95[1]")?,
    ];
    let [mean, se, lo, hi] = e;
    if se < 0.0 {
        return Err(format!("{at}: negative std err {se}"));
    }
    if !(lo <= mean + TOL * mean.abs().max(1.0) && mean <= hi + TOL * mean.abs().max(1.0)) {
        return Err(format!(
            "{at}: mean {mean} outside its interval [{lo}, {hi}]"
        ));
    }
    if let Some(k) = v.get("shortfall_samples") {
        if k.as_u64().is_none() {
            return Err(format!("{at}.shortfall_samples is not a count: {k}"));
        }
    }
    Ok(Some(e))
}

/// Checks of one area's indices (all non-negative; probabilities at most 1).
fn check_area(
    area: &Value,
    at: &str,
    (horizon_h, steps_per_hour): (f64, f64),
    ranges: bool,
) -> Result<BTreeMap<String, f64>, String> {
    let map = area
        .as_object()
        .ok_or_else(|| format!("{at} is not an object"))?;
    let mut means = BTreeMap::new();
    for (index, v) in map {
        let here = format!("{at}.{index}");
        match estimate(v, &here)? {
            Some([mean, _, lo, hi]) => {
                if mean < 0.0 {
                    return Err(format!("{here}: negative mean {mean}"));
                }
                if ranges && lo < -TOL {
                    return Err(format!("interval below zero: {here} [{lo}, {hi}]"));
                }
                if index == "p_shortfall" && (mean > 1.0 + TOL || (ranges && hi > 1.0 + TOL)) {
                    return Err(format!("probability above 1: {here} {mean} [{lo}, {hi}]"));
                }
                means.insert(index.clone(), mean);
            }
            // Per-event means: null without an event (a storage system never short).
            None if matches!(
                index.as_str(),
                "lold_h" | "neue_ppm" | "storage_at_event_mwh"
            ) => {}
            None => return Err(format!("{here} is null")),
        }
    }
    let m = |k: &str| means.get(k).copied();
    if let Some(lole) = m("lole_h") {
        if lole > horizon_h * (1.0 + TOL) {
            return Err(format!(
                "{at}.lole_h {lole} above the horizon {horizon_h} h"
            ));
        }
        // An event, and a day's shortfall, lasts at least one step.
        let lole_steps = lole * steps_per_hour;
        if let Some(lolf) = m("lolf") {
            if lolf > lole_steps * (1.0 + TOL) + TOL {
                return Err(format!("{at}: lolf {lolf} above lole_h {lole}"));
            }
            if lolf > 0.0 && map.get("lold_h").is_some_and(Value::is_null) {
                return Err(format!("{at}.lold_h null although lolf is {lolf}"));
            }
        }
        if let Some(days) = m("lole_d") {
            if days > lole_steps * (1.0 + TOL) + TOL {
                return Err(format!("{at}: lole_d {days} above lole_h {lole}"));
            }
        }
        if let Some(p) = m("p_shortfall") {
            if (p == 0.0) != (lole == 0.0) {
                return Err(format!("{at}: p_shortfall {p} but lole_h {lole}"));
            }
        }
    }
    if let Some(eue) = m("eue_mwh") {
        if eue > 0.0 && map.get("neue_ppm").is_some_and(Value::is_null) {
            return Err(format!("{at}.neue_ppm null although eue_mwh is {eue}"));
        }
        let parts = ["eue_household_mwh", "eue_illegal_mwh", "eue_registered_mwh"];
        if parts.iter().all(|p| means.contains_key(*p)) {
            let sum: f64 = parts.iter().map(|p| means[*p]).sum();
            if !close(sum, eue) {
                return Err(format!("{at}: eue parts sum to {sum}, eue_mwh is {eue}"));
            }
        }
    }
    Ok(means)
}

/// Regions against the system: the system is short in an hour when any region is.
fn check_system(doc: &Value, at: &str, horizon: (f64, f64), ranges: bool) -> Result<(), String> {
    let system = check_area(&doc["system"], &format!("{at}.system"), horizon, ranges)?;
    let regions = doc["regions"]
        .as_object()
        .ok_or_else(|| format!("{at}.regions is not an object"))?;
    let mut per_region = Vec::new();
    for (name, area) in regions {
        per_region.push(check_area(
            area,
            &format!("{at}.regions.{name}"),
            horizon,
            ranges,
        )?);
    }
    for index in ["lole_h", "lole_d", "p_shortfall"] {
        let Some(&sys) = system.get(index) else {
            continue;
        };
        let values: Vec<f64> = per_region
            .iter()
            .filter_map(|r| r.get(index).copied())
            .collect();
        let max = values.iter().copied().fold(0.0, f64::max);
        let sum: f64 = values.iter().sum();
        if sys < max * (1.0 - TOL) - TOL || sys > sum * (1.0 + TOL) + TOL {
            return Err(format!(
                "{at}.system.{index} {sys} outside [max {max}, sum {sum}] of the regions"
            ));
        }
    }
    if let Some(&sys) = system.get("eue_mwh") {
        let sum: f64 = per_region.iter().filter_map(|r| r.get("eue_mwh")).sum();
        if !close(sys, sum) {
            return Err(format!(
                "{at}.system.eue_mwh {sys} but the regions sum to {sum}"
            ));
        }
    }
    Ok(())
}

/// A paired difference is the difference of the means.
fn check_difference(base: &Value, variant: &Value, at: &str) -> Result<(), String> {
    let diff = &variant["difference"];
    for part in ["system", "regions"] {
        let mut pairs = Vec::new();
        if part == "system" {
            pairs.push((
                &diff["system"],
                &base["system"],
                &variant["system"],
                s("system"),
            ));
        } else if let Some(m) = diff["regions"].as_object() {
            for (r, d) in m {
                pairs.push((
                    d,
                    &base["regions"][r],
                    &variant["regions"][r],
                    format!("regions.{r}"),
                ));
            }
        }
        for (d, b, v, name) in pairs {
            let Some(m) = d.as_object() else {
                return Err(format!("{at}.difference.{name} is not an object"));
            };
            for (index, e) in m {
                let here = format!("{at}.difference.{name}.{index}");
                let [mean, ..] = estimate(e, &here)?.ok_or(format!("{here} is null"))?;
                let (Some(bm), Some(vm)) = (b[index]["mean"].as_f64(), v[index]["mean"].as_f64())
                else {
                    continue;
                };
                if (mean - (vm - bm)).abs() > 1e-6 * bm.abs().max(vm.abs()).max(1.0) {
                    return Err(format!("{here} {mean} but the means differ by {}", vm - bm));
                }
            }
        }
    }
    Ok(())
}

/// Nulls only where the README allows them (`lold_h`, `neue_ppm` and
/// `storage_at_event_mwh`, checked above; the analytic `lolf_ct` with a discrete-time unit).
fn check_nulls(v: &Value, at: &str) -> Result<(), String> {
    match v {
        Value::Null => Err(format!("{at} is null")),
        Value::Object(m) => m
            .iter()
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "lold_h" | "neue_ppm" | "lolf_ct" | "storage_at_event_mwh"
                )
            })
            .try_for_each(|(k, x)| check_nulls(x, &format!("{at}.{k}"))),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .try_for_each(|(i, x)| check_nulls(x, &format!("{at}[{i}]"))),
        _ => Ok(()),
    }
}

fn check_distribution(doc: &Value) -> Result<(), String> {
    let d = &doc["eue_distribution"];
    if d.is_null() {
        return Ok(());
    }
    let q: Vec<f64> = ["p50_mwh", "p90_mwh", "p95_mwh", "p99_mwh"]
        .iter()
        .filter_map(|k| d[*k].as_f64())
        .collect();
    if q.windows(2).any(|w| w[0] > w[1]) || q.first().is_some_and(|&x| x < 0.0) {
        return Err(format!("eue_distribution quantiles out of order: {q:?}"));
    }
    if let (Some(&p95), Some(cvar)) = (q.get(2), d["cvar95_mwh"].as_f64()) {
        if cvar < p95 * (1.0 - TOL) - TOL {
            return Err(format!("eue_distribution cvar95 {cvar} below p95 {p95}"));
        }
    }
    if let Some(rows) = doc["heatmap"]["p"].as_array() {
        for x in rows.iter().flat_map(|r| r.as_array().into_iter().flatten()) {
            let p = x.as_f64().unwrap_or(-1.0);
            if !(0.0..=1.0 + TOL).contains(&p) {
                return Err(format!("heatmap probability {x}"));
            }
        }
    }
    Ok(())
}

/// The engine's own consistency checks on a result document of any schema.
fn check_doc(doc: &Value, ranges: bool) -> Result<(), String> {
    check_nulls(doc, "$")?;
    let horizon_h = doc["horizon_h"]
        .as_f64()
        .ok_or("horizon_h is not a number")?;
    // Steps an hour (`[study] step_min`; a comparison's scenarios share one).
    let step_min = (doc["window"]["step_min"].as_u64())
        .or(doc["base"]["window"]["step_min"].as_u64())
        .unwrap_or(60);
    let horizon = (horizon_h, (60 / step_min.max(1)) as f64);
    match doc["schema"].as_str() {
        Some("gridrisk.result/1") => {
            check_system(doc, "$", horizon, ranges)?;
            let lole_h = doc["system"]["lole_h"]["mean"].as_f64().unwrap_or(0.0);
            for (group, index) in [
                ("imports", "import_mwh"),
                ("lines", "binding_h"),
                ("corridors", "binding_h"),
            ] {
                for (name, x) in doc[group].as_object().into_iter().flatten() {
                    let here = format!("$.{group}.{name}.{index}");
                    if let Some([mean, _, lo, _]) = estimate(&x[index], &here)? {
                        if mean < 0.0 || (ranges && lo < -TOL) {
                            return Err(format!("interval below zero: {here} {mean} [{lo}, ..]"));
                        }
                        if index == "binding_h" && mean > horizon_h * (1.0 + TOL) {
                            return Err(format!("{here} {mean} above the horizon"));
                        }
                        // A corridor binds only in hours with a shortfall, sample by sample.
                        if group == "corridors" && mean > lole_h * (1.0 + TOL) + TOL {
                            return Err(format!("{here} {mean} above system lole_h {lole_h}"));
                        }
                    }
                }
            }
            check_distribution(doc)
        }
        Some("gridrisk.compare/1") => {
            let base = &doc["base"];
            check_system(base, "$.base", horizon, ranges)?;
            for (i, v) in doc["variants"].as_array().into_iter().flatten().enumerate() {
                let at = format!("$.variants[{i}]");
                check_system(v, &at, horizon, ranges)?;
                check_difference(base, v, &at)?;
            }
            Ok(())
        }
        Some("gridrisk.analytic/1") => {
            let sys = doc["system"].as_object().ok_or("system is not an object")?;
            for (k, v) in sys {
                // Discrete-time units have no continuous-time frequency (README).
                if k == "lolf_ct" && v.is_null() {
                    continue;
                }
                let x = v.as_f64().ok_or(format!("$.system.{k} is not a number"))?;
                if x < 0.0 {
                    return Err(format!("$.system.{k} negative: {x}"));
                }
            }
            match sys.get("lole_h").and_then(Value::as_f64) {
                Some(lole) if lole > horizon_h * (1.0 + TOL) => {
                    Err(format!("$.system.lole_h {lole} above the horizon"))
                }
                _ => Ok(()),
            }
        }
        Some("gridrisk.worth/1") => {
            for (i, w) in doc["results"].as_array().into_iter().flatten().enumerate() {
                let num = |k: &str, j: usize| w[k][j].as_f64().unwrap_or(f64::NAN);
                let x = w["x_mw"].as_f64().unwrap_or(f64::NAN);
                let (lo, hi) = (num("ci95_mw", 0), num("ci95_mw", 1));
                let (blo, bhi) = (num("bracket_mw", 0), num("bracket_mw", 1));
                if !(0.0 <= lo && lo <= x && x <= hi && blo <= x && x <= bhi) {
                    return Err(format!(
                        "$.results[{i}]: x {x} outside its interval [{lo}, {hi}] or bracket [{blo}, {bhi}]"
                    ));
                }
            }
            Ok(())
        }
        other => Err(format!("unknown schema {other:?}")),
    }
}

/// The checks of `check_doc`, first without the interval-range checks, so that an
/// interval outside an index's range (frequent with few samples) does not hide a worse
/// inconsistency of the same result.
fn check_all(doc: &Value) -> Result<(), String> {
    check_doc(doc, false).and_then(|()| check_doc(doc, true))
}

fn without_run(mut doc: Value) -> Value {
    if let Some(m) = doc.as_object_mut() {
        m.remove("run");
    }
    doc
}

/// Check the JSON that a run printed (exit 0 only).
fn check_json_run(run: &mut Run) {
    if run.class != Class::Ok0 {
        return;
    }
    match serde_json::from_str::<Value>(&run.stdout) {
        Ok(doc) => {
            if let Err(e) = check_all(&doc) {
                run.fail(Class::Inconsistent0, e);
            }
        }
        Err(e) => run.fail(Class::Inconsistent0, format!("output is not JSON: {e}")),
    }
}

// ---------------------------------------------------------------------------------------
// Cases

/// One case: what was mutated, the runs, and whether it reached simulation.
struct Case {
    kind: &'static str,
    mutation: String,
    runs: Vec<Run>,
    reached_simulation: bool,
    /// A command writes to the device node `special/full`, which `repro.sh` makes afresh.
    uses_device: bool,
}

impl Case {
    fn new(kind: &'static str) -> Case {
        Case {
            kind,
            mutation: String::new(),
            runs: Vec::new(),
            reached_simulation: false,
            uses_device: false,
        }
    }
    /// Whether the last run hung or hit the memory limit: later runs of the same input
    /// would only repeat it (and cost the time limit again).
    fn stuck(&self) -> bool {
        self.runs
            .last()
            .is_some_and(|r| matches!(r.class, Class::Hang | Class::Memory))
    }
}

/// The names of the files a shipped scenario reads: an exit-2 message about it must name
/// one of them.
fn inputs_of(scenario: &str) -> Vec<String> {
    let mut files = vec![scenario];
    if scenario.contains("kazakhstan") {
        files.push(KAZ);
        if scenario == KAZ_LADDER {
            files.push(KAZ_SCHEDULE_CSV);
        }
    } else {
        files.extend([THREE, THREE_IMPORT, SCHEDULE_CSV]);
        files.extend(CSVS);
        if scenario == HOURLY {
            files.extend([RTS, HOURLY_CSV]);
        }
        if scenario == RATES {
            files.extend([RTS, RATES_CSV]);
        }
        if scenario == HYDRO {
            files.extend([RTS, HYDRO_CSV]);
        }
        if scenario == LINE_STEPS {
            files.push(LINE_STEPS_CSV);
        }
        if scenario == FIVE_DR {
            files.push(FIVE_DR_CSV);
        }
        if scenario == THREENODE_DR {
            files.push(THREENODE_DR_CSV);
        }
    }
    files.into_iter().map(base_name).collect()
}

fn samples_for(scenario: &str) -> &'static str {
    if scenario.contains("kazakhstan") {
        "4"
    } else {
        "20"
    }
}

fn strings(xs: &[&str]) -> Vec<String> {
    xs.iter().map(|x| x.to_string()).collect()
}

/// A scenario or CSV mutation, then validate, run, and one more command.
fn scenario_case(tree: &mut Tree, rng: &mut Rng, csv: bool) -> Case {
    let mut case = Case::new(if csv { "csv" } else { "scenario" });
    let kaz_files = [
        KAZ,
        "scenarios/kazakhstan/interruptible.toml",
        "scenarios/kazakhstan/raids-february.toml",
        "scenarios/kazakhstan/as-it-happened.toml",
        "scenarios/kazakhstan/sensitivity/corridor-plus500.toml",
        "scenarios/kazakhstan/sensitivity/demand-v1.toml",
        "scenarios/kazakhstan/sensitivity/raids-november-homogeneous.toml",
        "scenarios/kazakhstan/sensitivity/schedule.toml",
        KAZ_LADDER,
    ];
    // (scenario run, file mutated)
    let (scenario, file): (&str, &str) = if csv {
        if rng.chance(0.2) {
            (THREE_SCHEDULE, SCHEDULE_CSV)
        } else if rng.chance(0.1) {
            (HYDRO, HYDRO_CSV)
        } else if rng.chance(0.1) {
            (LINE_STEPS, LINE_STEPS_CSV)
        } else if rng.chance(0.1) {
            if rng.chance(0.5) {
                (FIVE_DR, FIVE_DR_CSV)
            } else {
                (THREENODE_DR, THREENODE_DR_CSV)
            }
        } else {
            (*rng.pick(&[RTS, RTS, THREE]), *rng.pick(&CSVS))
        }
    } else {
        match rng.below(12) {
            0 | 1 => (RTS, RTS),
            2 => {
                let file = *rng.pick(&[DISCRETE, HOURLY, RATES, LINE_STEPS]);
                (file, file)
            }
            3 | 4 => (THREE, THREE),
            5 if rng.chance(0.3) => (THREE_SCHEDULE, THREE_SCHEDULE),
            5 => (THREE_IMPORT, *rng.pick(&[THREE_IMPORT, THREE])),
            6 => (THREE_LADDER, *rng.pick(&[THREE_LADDER, THREE_IMPORT])),
            7 if rng.chance(0.5) => (HYDRO, *rng.pick(&[HYDRO, HYDRO, RTS])),
            7 if rng.chance(0.5) => match *rng.pick(&[RTS_DR, THREENODE_DR]) {
                RTS_DR => (RTS_DR, *rng.pick(&[RTS_DR, RTS])),
                dr => (dr, dr),
            },
            7 if rng.chance(0.5) => (FIVE_DR, FIVE_DR),
            7 => (RTS_STORAGE, *rng.pick(&[RTS_STORAGE, RTS])),
            _ => {
                let top = *rng.pick(&kaz_files);
                (top, if rng.chance(0.5) { KAZ } else { top })
            }
        }
    };
    let text = String::from_utf8_lossy(&tree.read(file)).into_owned();
    let mut names = inputs_of(scenario);
    names.push(base_name(file));
    let roll = rng.below(100);
    let (new, desc) = if roll < 65 {
        replace_number(&text, !csv, false, rng).unwrap_or_else(|| structural(&text, rng))
    } else if roll < 83 {
        replace_number(&text, !csv, true, rng).unwrap_or_else(|| structural(&text, rng))
    } else if roll < 95 || csv {
        if csv && rng.chance(0.6) {
            csv_edit(&text, rng)
        } else {
            structural(&text, rng)
        }
    } else {
        let special = special_path(rng);
        names.push(base_name(&special));
        let (t, d) = repath(&text, file, &special);
        (t, d)
    };
    tree.write(file, new.as_bytes());
    case.mutation = format!("{file}: {desc}");
    let samples = samples_for(scenario);

    let validate = tree.run(&strings(&["validate", scenario]), &names, Env::Normal);
    let valid = validate.code == Some(0);
    case.reached_simulation = valid;
    case.runs.push(validate);
    if case.stuck() {
        return case;
    }
    if valid && rng.chance(0.2) {
        // A valid scenario converts to .pras or is refused naming its file and key.
        let convert = tree.run(
            &strings(&["convert", scenario, "--out", "out/fuzz.pras"]),
            &names,
            Env::Normal,
        );
        case.runs.push(convert);
        if case.stuck() {
            return case;
        }
    }
    let mut run = tree.run(
        &strings(&[
            "run",
            scenario,
            "--samples",
            samples,
            "--threads",
            "1",
            "--format",
            "json",
        ]),
        &names,
        Env::Normal,
    );
    check_json_run(&mut run);
    match (valid, run.code) {
        (true, Some(2)) => run.fail(Class::Inconsistent0, s("validate exit 0 but run exit 2")),
        (false, Some(0)) => run.fail(
            Class::Inconsistent0,
            format!("validate exit {:?} but run exit 0", case.runs[0].code),
        ),
        _ => {}
    }
    case.runs.push(run);
    if case.stuck() {
        return case;
    }
    let extra = rng.below(11);
    let mut stdout_full = false;
    let args: Vec<String> = match extra {
        // The event catalogue and per-sample rows, in both formats.
        0 => strings(&[
            "run",
            scenario,
            "--samples",
            samples,
            "--threads",
            "1",
            "--events",
            "events.csv",
            "--per-sample",
            "samples.parquet",
        ]),
        // With cause attribution (every sample with a shortfall re-simulated per world),
        // per event, and the worst event's days re-simulated.
        1 => strings(&[
            "run",
            scenario,
            "--samples",
            samples,
            "--threads",
            "1",
            "--attribute",
            "--events",
            "events.csv",
            "--worst-day",
            "day.csv",
            "--format",
            "csv",
        ]),
        2 | 3 => strings(&["analytic", scenario, "--format", "json"]),
        4 | 5 => {
            // Kazakhstan variants against the (perhaps mutated) base; a benchmark against itself.
            let (base, variant) = match scenario {
                KAZ => (KAZ, "scenarios/kazakhstan/interruptible.toml"),
                s if s.contains("kazakhstan") => (KAZ, s),
                s => (s, s),
            };
            strings(&[
                "compare",
                base,
                variant,
                "--samples",
                samples,
                "--threads",
                "1",
                "--block-size",
                "2",
                "--event-mw",
                "0,100",
                "--event-hours",
                "2",
                "--events",
                "events.parquet",
                "--per-sample",
                "paired.csv",
                "--format",
                "json",
            ])
        }
        6 => {
            let mut a = strings(&["run", scenario, "--samples", samples, "--threads", "1"]);
            if let Some(full) = tree.full_device() {
                case.uses_device = true;
                a.extend([s("--out"), full]);
            }
            a
        }
        7 => {
            stdout_full = Path::new("/dev/full").exists();
            strings(&["run", scenario, "--samples", samples, "--threads", "1"])
        }
        8 => {
            // The worth of a Kazakhstan variant (in the South), or of a benchmark against
            // itself (which must be refused: it cannot change the metric).
            let (base, variant, region) = match scenario {
                KAZ => (KAZ, "scenarios/kazakhstan/interruptible.toml", "SOUTH"),
                s if s.contains("kazakhstan") => (KAZ, s, "SOUTH"),
                s => (s, s, "A"),
            };
            // Either measure by either metric; now and then a region the base lacks
            // (refused, naming the base).
            let measure = *rng.pick(&["--efc", "--elcc"]);
            let metric = *rng.pick(&["eue", "lole"]);
            let mut a = strings(&["worth", base, variant, "--samples", samples]);
            a.extend(strings(&["--threads", "1", measure, "--metric", metric]));
            a.extend(strings(&["--format", "json"]));
            if base == KAZ {
                let region = *rng.pick(&[region, region, region, "NOWHERE"]);
                a.extend(strings(&["--region", region]));
            }
            a
        }
        _ => return shard_roundtrip(tree, case, scenario, samples, &names),
    };
    let env = if case.uses_device {
        Env::WriteFails
    } else if stdout_full {
        Env::StdoutFull
    } else {
        Env::Normal
    };
    // Refusing the `--out` target before simulating (it is not a regular file) is bad
    // input naming it; failing to write to it is a failure of the environment.
    let target = args.last().filter(|_| case.uses_device).cloned();
    let mut run_names = names.clone();
    run_names.extend(target.clone());
    let mut run = tree.run(&args, &run_names, env);
    if matches!(extra, 2..=5 | 8) {
        check_json_run(&mut run);
    }
    if let Some(target) = target {
        if run.code == Some(2) && valid && !run.stderr.contains(target.as_str()) {
            run.fail(
                Class::UnexpectedStatus,
                format!(
                    "exit 2 for a failed write of valid input: {}",
                    first_line(&run.stderr)
                ),
            );
        }
        let node = tree.root.join("special/full");
        let still_device = fs::symlink_metadata(&node)
            .map(|m| !m.file_type().is_file())
            .unwrap_or(true);
        if args.last().map(String::as_str) == Some("special/full") && !still_device {
            run.fail(
                Class::UnexpectedStatus,
                s("the --out device node was replaced by a regular file"),
            );
        }
    }
    if extra == 2 || extra == 3 {
        // `analytic` is exact for one region (in either outage convention); on several, or
        // with hourly unit capacities or rates, it must refuse.
        if run.class == Class::Ok0 && scenario != RTS && scenario != DISCRETE {
            run.fail(
                Class::Inconsistent0,
                format!("analytic exit 0 on {scenario}"),
            );
        }
    }
    case.runs.push(run);
    case
}

/// Run the mutated scenario in two shards, merge them, and compare with the unsharded run.
fn shard_roundtrip(
    tree: &mut Tree,
    mut case: Case,
    scenario: &str,
    samples: &str,
    names: &[String],
) -> Case {
    let common = ["--samples", samples, "--threads", "1", "--block-size", "2"];
    let mut files = Vec::new();
    // Each shard writes its events; their files in shard order must be the direct run's.
    let mut shard_events = Vec::new();
    for k in 1..=2 {
        let out = format!("out/shard-{k}.json");
        let events = format!("out/events-{k}.csv");
        let mut args = strings(&["run", scenario]);
        args.extend(strings(&common));
        args.extend([s("--shard"), format!("{k}/2"), s("--out"), out.clone()]);
        args.extend([s("--events"), events.clone()]);
        let run = tree.run(&args, names, Env::Normal);
        let ok = run.class == Class::Ok0;
        case.runs.push(run);
        if !ok {
            return case;
        }
        files.push(out);
        shard_events.push(events);
    }
    let mut args = vec![s("merge")];
    args.extend(files);
    args.extend(strings(&["--format", "json"]));
    let mut merged = tree.run(
        &args,
        &strings(&["shard-1.json", "shard-2.json"]),
        Env::Normal,
    );
    check_json_run(&mut merged);
    if merged.class == Class::Ok0 {
        let mut direct_args = strings(&["run", scenario]);
        direct_args.extend(strings(&common));
        direct_args.extend(strings(&["--format", "json", "--events", "out/events.csv"]));
        let direct = tree.run(&direct_args, names, Env::Normal);
        let a = serde_json::from_str(&merged.stdout).map(without_run).ok();
        let b = serde_json::from_str(&direct.stdout).map(without_run).ok();
        if direct.code == Some(0) && a != b {
            merged.fail(
                Class::Inconsistent0,
                s("merged shards differ from the unsharded run"),
            );
        }
        if direct.code == Some(0) {
            // The header once, then every shard's rows.
            let mut joined = Vec::new();
            for (i, file) in shard_events.iter().enumerate() {
                let text = String::from_utf8_lossy(&tree.read(file)).into_owned();
                let skip = usize::from(i > 0);
                joined.extend(text.lines().skip(skip).map(String::from));
            }
            let whole = String::from_utf8_lossy(&tree.read("out/events.csv")).into_owned();
            if joined != whole.lines().map(String::from).collect::<Vec<_>>() {
                merged.fail(
                    Class::Inconsistent0,
                    s("the shards' event files differ from the unsharded run's"),
                );
            }
        }
        case.runs.push(direct);
    }
    case.runs.push(merged);
    case
}

/// A sweep file mutated, then swept into `out/sweep`; every cell file must be consistent.
fn sweep_case(tree: &mut Tree, rng: &mut Rng) -> Case {
    let mut case = Case::new("sweep");
    let file = if rng.chance(0.85) {
        SWEEP_RTS
    } else {
        SWEEP_KAZ
    };
    let text = String::from_utf8_lossy(&tree.read(file)).into_owned();
    let mut names = vec![base_name(file)];
    let roll = rng.below(100);
    let (new, desc) = if roll < 50 {
        replace_number(&text, true, false, rng).unwrap_or_else(|| structural(&text, rng))
    } else if roll < 75 {
        replace_number(&text, true, true, rng).unwrap_or_else(|| structural(&text, rng))
    } else if roll < 92 {
        structural(&text, rng)
    } else {
        let special = special_path(rng);
        names.push(base_name(&special));
        repath(&text, file, &special)
    };
    // A valid sample count runs as long as it asks, which a time limit cannot tell from a
    // hang (as for `--samples`): a count the reader accepts stays small.
    let (new, desc) = if long_valid_samples(&new) {
        (text.clone(), format!("{desc}: a long valid run, not made"))
    } else {
        (new, desc)
    };
    tree.write(file, new.as_bytes());
    case.mutation = format!("{file}: {desc}");
    // The base scenario and its files may be blamed too.
    names.extend(inputs_of(if file == SWEEP_RTS {
        RTS
    } else {
        "scenarios/kazakhstan/raids-february.toml"
    }));
    let mut args = strings(&["sweep", file, "--out", "out/sweep", "--threads", "1"]);
    if rng.chance(0.2) {
        // Regions to summarise: some exist in one base or the other, some nowhere.
        let regions = *rng.pick(&[
            "RTS",
            "SOUTH",
            "SOUHT",
            "SOUTH,SOUTH",
            "SOUTH-HUB",
            ",",
            "NORTH,SOUTH,W-URAL",
            "",
        ]);
        args.extend(strings(&["--regions", regions]));
        case.mutation += &format!(" --regions {regions:?}");
        names.push(s("--regions"));
    }
    let mut run = tree.run(&args, &names, Env::Normal);
    if run.class == Class::Ok0 {
        case.reached_simulation = true;
        if !tree.root.join("out/sweep/summary.csv").is_file() {
            run.fail(Class::Inconsistent0, s("sweep exit 0 without summary.csv"));
        }
        let cells = fs::read_dir(tree.root.join("out/sweep/cells"))
            .map(|d| d.flatten().collect::<Vec<_>>());
        for cell in cells.unwrap_or_default() {
            let text = fs::read_to_string(cell.path()).unwrap_or_default();
            let check = serde_json::from_str::<Value>(&text)
                .map_err(|e| e.to_string())
                .and_then(|doc| check_all(&doc));
            if let Err(e) = check {
                run.fail(
                    Class::Inconsistent0,
                    format!("cell {}: {e}", cell.file_name().to_string_lossy()),
                );
            }
        }
    }
    case.runs.push(run);
    case
}

/// The uncertain-parameter study of the step system (or one of its scenarios) mutated, then
/// run into `out/uncertain`; a run that succeeds must write a consistent document.
fn uncertain_case(tree: &mut Tree, rng: &mut Rng) -> Case {
    let mut case = Case::new("uncertain");
    let file = *rng.pick(&[
        UNCERTAIN,
        UNCERTAIN,
        UNCERTAIN,
        "tests/data/uncertain/step.toml",
    ]);
    let text = String::from_utf8_lossy(&tree.read(file)).into_owned();
    let roll = rng.below(100);
    let (new, desc) = if roll < 45 {
        replace_number(&text, true, false, rng).unwrap_or_else(|| structural(&text, rng))
    } else if roll < 70 {
        replace_number(&text, true, true, rng).unwrap_or_else(|| structural(&text, rng))
    } else {
        structural(&text, rng)
    };
    // A valid design runs as long as it asks: the samples and points the reader accepts
    // stay small.
    let long = long_valid_samples(&new)
        || new.lines().any(|l| {
            l.split_once('=').is_some_and(|(k, v)| {
                k.trim() == "points" && v.trim().parse::<u64>().is_ok_and(|n| n > 256)
            })
        });
    let (new, desc) = if long {
        (text.clone(), format!("{desc}: a long valid run, not made"))
    } else {
        (new, desc)
    };
    tree.write(file, new.as_bytes());
    case.mutation = format!("{file}: {desc}");
    let names: Vec<String> = [UNCERTAIN, "step.toml", "step-plus-400.toml", "ramp.csv"]
        .into_iter()
        .map(base_name)
        .collect();
    let args = strings(&[
        "study",
        UNCERTAIN,
        "--out-dir",
        "out/uncertain",
        "--threads",
        "1",
        "--format",
        "json",
    ]);
    let mut run = tree.run(&args, &names, Env::Normal);
    if run.class == Class::Ok0 {
        case.reached_simulation = true;
        let doc = fs::read_to_string(tree.root.join("out/uncertain/study.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok());
        let ok = doc.is_some_and(|d| {
            d["schema"] == "gridrisk.uncertain/1"
                && d["points"].as_array().is_some_and(|p| !p.is_empty())
        });
        if !ok {
            run.fail(
                Class::Inconsistent0,
                s("study exit 0 without a gridrisk.uncertain/1 study.json"),
            );
        }
    }
    case.runs.push(run);
    case
}

/// Shard files edited (one node, the text, or the set), then merged: `merge` either
/// refuses with exit 2 or gives exactly the unsharded result.
fn shard_case(tree: &mut Tree, rng: &mut Rng, references: &BTreeMap<String, Value>) -> Case {
    let mut case = Case::new("shard");
    let (set, _, _, _, n) = *rng.pick(&SHARD_SETS);
    let mut files: Vec<String> = (1..=n)
        .map(|k| format!("shards/{set}-{k}-of-{n}.json"))
        .collect();
    let target = files[rng.below(files.len())].clone();
    let text = String::from_utf8_lossy(&tree.read(&target)).into_owned();
    let roll = rng.below(100);
    let desc = if roll < 60 {
        let mut doc: Value = serde_json::from_str(&text).unwrap();
        let d = json_edit(&mut doc, rng);
        tree.write(
            &target,
            serde_json::to_string_pretty(&doc).unwrap().as_bytes(),
        );
        d
    } else if roll < 72 {
        let (t, d) = structural_bytes(&text, rng);
        tree.write(&target, t.as_bytes());
        d
    } else if roll < 80 {
        files.retain(|f| *f != target);
        format!("{target} left out")
    } else if roll < 88 {
        // Another shard's content relabelled as this one.
        let other = files.iter().find(|f| **f != target).cloned().unwrap();
        let mut doc: Value = serde_json::from_slice(&tree.read(&other)).unwrap();
        let mine: Value = serde_json::from_str(&text).unwrap();
        doc["shard"]["k"] = mine["shard"]["k"].clone();
        tree.write(
            &target,
            serde_json::to_string_pretty(&doc).unwrap().as_bytes(),
        );
        format!("{target}: content of {other} relabelled")
    } else if roll < 94 {
        // The same shard of another seed, or its state under this header.
        let other: Value =
            serde_json::from_slice(&tree.read(&target.replace(".json", "-seed2.json"))).unwrap();
        let mut doc: Value = serde_json::from_str(&text).unwrap();
        doc["state"] = other["state"].clone();
        tree.write(
            &target,
            serde_json::to_string_pretty(&doc).unwrap().as_bytes(),
        );
        format!("{target}: state of seed 2 under the seed-1 header")
    } else {
        files.push(target.clone());
        format!("{target} given twice")
    };
    case.mutation = desc;
    let format = if rng.chance(0.85) { "json" } else { "table" };
    let mut args = vec![s("merge")];
    args.extend(files.iter().cloned());
    args.extend([s("--format"), s(format)]);
    let names: Vec<String> = files.iter().map(|f| base_name(f)).collect();
    let mut run = tree.run(&args, &names, Env::Normal);
    if format == "json" && run.class == Class::Ok0 {
        check_json_run(&mut run);
        let merged = serde_json::from_str(&run.stdout).map(without_run).ok();
        if merged.as_ref() != references.get(set) {
            run.fail(
                Class::Inconsistent0,
                s("merge accepted edited shards and gave a result other than the unsharded run"),
            );
        }
    }
    case.runs.push(run);
    case
}

/// A run or compare result edited, then fed to `report` (and to `merge`, which must refuse
/// a result that is not a shard).
fn result_case(tree: &mut Tree, rng: &mut Rng) -> Case {
    let mut case = Case::new("result");
    let file = *rng.pick(&RESULTS);
    let text = String::from_utf8_lossy(&tree.read(file)).into_owned();
    let desc = if rng.chance(0.8) {
        let mut doc: Value = serde_json::from_str(&text).unwrap();
        let d = json_edit(&mut doc, rng);
        tree.write(file, serde_json::to_string_pretty(&doc).unwrap().as_bytes());
        d
    } else {
        let (t, d) = structural_bytes(&text, rng);
        tree.write(file, t.as_bytes());
        d
    };
    case.mutation = format!("{file}: {desc}");
    let names = vec![base_name(file)];
    let mut run = tree.run(
        &strings(&["report", file, "--out", "out/report.html"]),
        &names,
        Env::Normal,
    );
    if run.class == Class::Ok0
        && fs::metadata(tree.root.join("out/report.html"))
            .map(|m| m.len())
            .unwrap_or(0)
            == 0
    {
        run.fail(Class::Inconsistent0, s("report exit 0 without a report"));
    }
    case.runs.push(run);
    if rng.chance(0.3) {
        let mut merge = tree.run(
            &strings(&["merge", file, "--format", "json"]),
            &names,
            Env::Normal,
        );
        if merge.class == Class::Ok0 {
            merge.fail(
                Class::Inconsistent0,
                s("merge accepted a result file as a shard"),
            );
        }
        case.runs.push(merge);
    }
    case
}

/// A PRAS system file with mutated bytes (flipped, overwritten in the headers, a declared
/// dimension made huge, cut short), then `validate`, a short `run` and `compare`, with an
/// `--omit` value: exit 0 or 2 naming the file (or the option), never a panic, a hang or an
/// allocation the file does not justify.
fn pras_case(tree: &mut Tree, rng: &mut Rng) -> Case {
    let mut case = Case::new("pras");
    let file = *rng.pick(&[PRAS_RTS, PRAS_RTS, PRAS_RTS, PRAS_TOY]);
    let mut b = tree.read(file);
    let desc = match rng.below(4) {
        0 => {
            let n = 1 + rng.below(8);
            for _ in 0..n {
                let at = rng.below(b.len());
                b[at] ^= 1 << rng.below(8);
            }
            format!("{n} bits flipped")
        }
        1 => {
            let at = rng.below(b.len().min(8192) - 8);
            let v = *rng.pick(&[u64::MAX, 1 << 40, 0, 1 << 31]);
            b[at..at + 8].copy_from_slice(&v.to_le_bytes());
            format!("8 bytes at {at} set to {v}")
        }
        2 => {
            // A dataspace dimension (the step count as a little-endian u64) made huge.
            let steps: u64 = if file == PRAS_RTS { 8784 } else { 288 };
            let hits: Vec<usize> = (0..b.len() - 8)
                .filter(|&i| b[i..i + 8] == steps.to_le_bytes())
                .collect();
            let at = *rng.pick(&hits);
            let v = *rng.pick(&[1u64 << 40, 1 << 24, u64::MAX]);
            b[at..at + 8].copy_from_slice(&v.to_le_bytes());
            format!("dimension at {at} set to {v}")
        }
        _ => {
            let len = rng.below(b.len());
            b.truncate(len);
            format!("cut to {len} bytes")
        }
    };
    tree.write(file, &b);
    case.mutation = format!("{file}: {desc}");
    // --omit as run, compare and study take it, an unknown table among the values.
    let omit = *rng.pick(&[
        "generator-storages",
        "storages",
        "storages,generator-storages,demand-responses",
        "batteries",
    ]);
    let names = vec![base_name(file), s("--omit")];
    case.runs.push(tree.run(
        &strings(&["validate", file, "--omit", omit]),
        &names,
        Env::Normal,
    ));
    // A short run, then the file compared with itself, with the same options.
    for command in [&["run", file][..], &["compare", file, file]] {
        if case.stuck() {
            break;
        }
        let mut args = strings(command);
        args.extend(strings(&[
            "--omit",
            omit,
            "--samples",
            "2",
            "--threads",
            "1",
        ]));
        args.extend(strings(&["--format", "json"]));
        let mut run = tree.run(&args, &names, Env::Normal);
        if command[0] == "run" {
            check_json_run(&mut run);
            case.reached_simulation = run.class == Class::Ok0;
        }
        case.runs.push(run);
    }
    case
}

/// Values of `--target` for `run` and `compare`: valid, unknown index or area, bad rule
/// values, a paired target (refused by `run`) and a plain one (refused by `compare`).
const TARGETS: &[&str] = &[
    "lole_h:rel=0.5",
    "eue_mwh@RTS:width=1e9",
    "lolf@system:width=0.001",
    "diff:eue_mwh:excludes-zero",
    "diff:lole_h@RTS:rel=0.9",
    "eue_mwh@NOWHERE:rel=0.1",
    "lold_h:rel=0.1",
    "eue_illegal_mwh:rel=0.1",
    "eue_mwh:width=0",
    "eue_mwh:width=-1",
    "lole_h:rel=nan",
    "lole_h:excludes-zero",
    "lole_h",
    "",
];

/// Command-line values at and past their limits.
fn args_case(tree: &mut Tree, rng: &mut Rng) -> Case {
    let mut case = Case::new("args");
    let (option, values): (&str, &[&str]) = *rng.pick(&[
        (
            // A valid count runs as long as it asks (days for 10^11 samples), which a time
            // limit cannot tell from a hang: counts here are small or past the limit of
            // 10^12, which must be refused at once.
            // Counts whose work is enormous (10^11 RTS-79 years) are refused without
            // --force; exponent forms are whole counts or refused.
            "--samples",
            &[
                "0",
                "1",
                "1e15",
                "-1",
                "18446744073709551616",
                "1000000000001",
                "100000000000",
                "1e11",
                "2e1",
                "1.5e0",
                "1e-3",
                "inf",
            ][..],
        ),
        ("--threads", &["1", "3", "100000", "-1"][..]),
        ("--block-size", &["0", "1", "3", "18446744073709551615"][..]),
        ("--seed", &["0", "18446744073709551615", "-1", "1.5"][..]),
        (
            "--shard",
            &[
                "0/1",
                "2/1",
                "1/0",
                "1/18446744073709551615",
                "4294967296/4294967296",
                "1/3",
                "a/b",
            ][..],
        ),
        (
            "--target-rel-ci",
            &["0.5", "0", "-1", "nan", "inf", "1e-300"][..],
        ),
        ("--max-samples", &["0", "10", "18446744073709551615"][..]),
        // The default run (no command; its design needs 2 winters a point): values it must
        // refuse at once, as a valid count runs the two embedded studies.
        (
            "default --samples",
            &["0", "1", "-1", "1e15", "18446744073709551616", "x"][..],
        ),
        ("default --threads", &["-1", "100000", "x"][..]),
        (
            // Run targets; "compare --target" the same values on a comparison.
            "--target", TARGETS,
        ),
        ("compare --target", TARGETS),
        // A study (the RTS-79 study written below) stops on its variants' paired differences.
        ("study --target", TARGETS),
        (
            "study --events",
            &[
                "out/e.csv",
                "out/e.parquet",
                "out/e.txt",
                "missing/e.csv",
                "out",
            ][..],
        ),
        (
            "--event-mw",
            &[
                "0",
                "1000",
                "500,1000",
                "-5",
                "1.5",
                "18446744073709551616",
                "",
            ][..],
        ),
        (
            "--event-hours",
            &["1", "3,24", "0", "-1", "x", "18446744073709551615"][..],
        ),
    ]);
    let value = *rng.pick(values);
    let (command, option) = option.split_once(' ').unwrap_or(("run", option));
    if command == "default" {
        case.mutation = format!("{option} {value}");
        let run = tree.run(
            &strings(&[option, value]),
            &[s(option), s(value)],
            Env::Normal,
        );
        case.runs.push(run);
        return case;
    }
    let input = if command == "study" { STUDY_RTS } else { RTS };
    case.mutation = format!("{command} {input} {option} {value}");
    let mut args = strings(&[command, input]);
    match command {
        "compare" => args.push(s(RTS_STORAGE)),
        "study" => {
            tree.write(STUDY_RTS, STUDY_RTS_TEXT.as_bytes());
            args.extend(strings(&["--out-dir", "out/study"]));
        }
        _ => {}
    }
    args.extend(strings(&[option, value]));
    match option {
        "--samples" | "--block-size" => {}
        "--max-samples" => args.extend(strings(&["--target-rel-ci", "0.5"])),
        // A small cap: a target that is never met must still end quickly.
        "--target" => args.extend(strings(&["--max-samples", "300"])),
        "--shard" => {
            let out = "out/shard.json";
            args.extend(strings(&[
                "--samples",
                "20",
                "--block-size",
                "5",
                "--out",
                out,
            ]));
        }
        _ => args.extend(strings(&["--samples", "20"])),
    }
    if option != "--shard" {
        args.extend(strings(&["--format", "json"]));
    }
    let names = vec![s(option), base_name(input), s(value)];
    let mut run = tree.run(&args, &names, Env::Normal);
    if option != "--shard" {
        check_json_run(&mut run);
    }
    case.reached_simulation = run.code == Some(0);
    case.runs.push(run);
    case
}

fn run_case(
    tree: &mut Tree,
    seed: u64,
    index: usize,
    references: &BTreeMap<String, Value>,
) -> Case {
    let mut rng = Rng::for_case(seed, index);
    tree.restore();
    let roll = rng.below(100);
    match roll {
        0..=53 => scenario_case(tree, &mut rng, false),
        54..=57 => pras_case(tree, &mut rng),
        58..=69 => scenario_case(tree, &mut rng, true),
        70..=74 => sweep_case(tree, &mut rng),
        75..=77 => uncertain_case(tree, &mut rng),
        78..=87 => shard_case(tree, &mut rng, references),
        88..=94 => result_case(tree, &mut rng),
        _ => args_case(tree, &mut rng),
    }
}

// ---------------------------------------------------------------------------------------
// Setup, reproducers, summary

/// The pristine tree: the shipped scenarios and sweeps (the Kazakhstan sweep made small),
/// real shards and result files.
fn pristine(dir: &Path) -> BTreeMap<String, Value> {
    let root = Path::new(ROOT);
    copy_dir(&root.join("scenarios"), &dir.join("scenarios"));
    for data in [
        "tests/data/sweep",
        "tests/data/uncertain",
        "tests/data/schedule",
        "tests/data/subhourly",
        "tests/data/demand_response",
        "tests/data/lines",
    ] {
        copy_dir(&root.join(data), &dir.join(data));
    }
    let sweep = fs::read_to_string(dir.join(SWEEP_KAZ)).unwrap();
    let small = sweep
        .replace("samples = 500", "samples = 4")
        .replace("values = [340, 700, 1200]", "values = [340, 1200]");
    assert_ne!(small, sweep, "the Kazakhstan sweep has `samples = 500`");
    fs::write(dir.join(SWEEP_KAZ), small).unwrap();
    for sub in ["shards", "results", "out"] {
        fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let gridrisk = |args: &[&str]| {
        let out = Command::new(BIN)
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "setup: gridrisk {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let mut references = BTreeMap::new();
    for (set, scenario, samples, block, n) in SHARD_SETS {
        let (samples, block) = (samples.to_string(), block.to_string());
        let common = [
            "--samples",
            &samples,
            "--block-size",
            &block,
            "--threads",
            "1",
        ];
        for k in 1..=n {
            for (seed, suffix) in [("1", ""), ("2", "-seed2")] {
                let out = format!("shards/{set}-{k}-of-{n}{suffix}.json");
                let shard = format!("{k}/{n}");
                let mut args = vec![
                    "run", scenario, "--seed", seed, "--shard", &shard, "--out", &out,
                ];
                args.extend(common);
                gridrisk(&args);
                fix_run_key(&dir.join(out));
            }
        }
        let mut args = vec!["run", scenario, "--seed", "1", "--format", "json"];
        args.extend(common);
        let doc: Value = serde_json::from_slice(&gridrisk(&args)).unwrap();
        references.insert(set.to_string(), without_run(doc));
    }
    for (file, args) in [
        (RESULTS[0], vec!["run", RTS, "--samples", "200"]),
        (RESULTS[1], vec!["run", THREE_IMPORT, "--samples", "200"]),
        (RESULTS[2], vec!["run", KAZ, "--samples", "8"]),
        (
            RESULTS[3],
            vec![
                "compare",
                KAZ,
                "scenarios/kazakhstan/interruptible.toml",
                "--samples",
                "8",
            ],
        ),
    ] {
        let mut args = args;
        args.extend(["--format", "json", "--threads", "1", "--out", file]);
        gridrisk(&args);
        fix_run_key(&dir.join(file));
    }
    references
}

/// Give the run-dependent `"run"` key (wall time, threads) fixed values, so that a byte
/// offset drawn for a mutation hits the same byte on every machine and in every run.
fn fix_run_key(path: &Path) {
    let mut doc: Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    for v in doc["run"]
        .as_object_mut()
        .into_iter()
        .flat_map(|m| m.values_mut())
    {
        *v = if v.is_u64() {
            Value::from(1)
        } else {
            Value::from(0.5)
        };
    }
    fs::write(path, serde_json::to_string_pretty(&doc).unwrap() + "\n").unwrap();
}

/// Keep a failing case's tree and the commands that reproduce it.
fn keep(tree: &Tree, dest: &Path, case: &Case, seed: u64, index: usize) {
    let _ = fs::remove_dir_all(dest);
    // Only what the case's commands read: shard sets are large.
    let subs: &[&str] = match case.kind {
        "shard" => &["scenarios", "shards"],
        "result" => &["results"],
        "sweep" => &["scenarios", "tests"],
        _ => &["scenarios"],
    };
    for sub in subs {
        copy_dir(&tree.root.join(sub), &dest.join(sub));
    }
    let mut script = format!(
        "#!/bin/sh\n# Fuzz case {index} of seed {seed} ({} mutation): {}\n\
         # Rerun the case: GRIDRISK_FUZZ_SEED={seed} GRIDRISK_FUZZ_CASE={index} \
         cargo test --release --test cli fuzz -- --nocapture\n\
         cd \"$(dirname \"$0\")\"\nG=${{GRIDRISK:-{BIN}}}\n\
         mkdir -p out special/dir\n[ -p special/fifo ] || mkfifo special/fifo\n",
        case.kind, case.mutation
    );
    if case.uses_device {
        script.push_str("rm -f special/full; mknod special/full c 1 7 2>/dev/null\n");
    }
    for run in &case.runs {
        writeln!(
            script,
            "# {}: exit {:?} {}",
            run.class.name(),
            run.code,
            run.detail
        )
        .unwrap();
        let quoted: Vec<String> = run.args.iter().map(|a| format!("'{a}'")).collect();
        let to_full = if run.stdout_full { " > /dev/full" } else { "" };
        writeln!(script, "\"$G\" {}{to_full}", quoted.join(" ")).unwrap();
        if run.class.failing() {
            let err: String = run.stderr.chars().take(2000).collect();
            for line in err.lines() {
                writeln!(script, "#   stderr: {line}").unwrap();
            }
        }
    }
    fs::write(dest.join("repro.sh"), script).unwrap();
}

/// A failing run's group: class, command, and its detail with numbers blanked.
fn group(run: &Run) -> String {
    // Not the file names listed or the cell's hash: they vary within a group.
    let mut text = run.detail.as_str();
    if text.starts_with("names none of") || text.starts_with("cell ") {
        text = text
            .split_once("]: ")
            .or(text.split_once(": "))
            .map_or(text, |p| p.1);
    }
    // Nor the region, line or import source.
    let mut named = String::new();
    let mut rest = text;
    while let Some(at) = ["regions.", "lines.", "imports."]
        .iter()
        .filter_map(|k| rest.find(k).map(|i| i + k.len()))
        .min()
    {
        named.push_str(&rest[..at]);
        named.push('*');
        rest = &rest[at..];
        rest = &rest[rest.find('.').unwrap_or(rest.len())..];
    }
    named.push_str(rest);
    let mut detail = String::new();
    let mut last_digit = false;
    for c in named.chars() {
        if c.is_ascii_digit() {
            if !last_digit {
                detail.push('N');
            }
            last_digit = true;
        } else {
            last_digit = false;
            detail.push(c);
        }
    }
    let detail: String = detail.chars().take(110).collect();
    format!("{} | {} | {}", run.class.name(), run.args[0], detail)
}

#[derive(Default)]
struct Tally {
    runs: BTreeMap<Class, usize>,
    cases: usize,
    failing_cases: usize,
    reached: usize,
    /// Group -> (runs, kept reproducer directories).
    groups: BTreeMap<String, (usize, Vec<String>)>,
    kinds: BTreeMap<&'static str, (usize, usize)>,
}

#[test]
fn fuzz() {
    let settings = Settings::from_env();
    let started = Instant::now();
    let work = tempfile::tempdir().unwrap();
    let pristine_dir = work.path().join("pristine");
    let references = pristine(&pristine_dir);
    let failures = Path::new(ROOT).join("target/fuzz-failures");
    let indices: Vec<usize> = match settings.only {
        Some(i) => vec![i],
        None => (0..settings.cases).collect(),
    };
    let next = AtomicUsize::new(0);
    let tally = Mutex::new(Tally::default());
    std::thread::scope(|scope| {
        for w in 0..settings.jobs.min(indices.len().max(1)) {
            let (next, tally, indices, references, failures, settings) =
                (&next, &tally, &indices, &references, &failures, &settings);
            let root = work.path().join(format!("worker-{w}"));
            let pristine_dir = &pristine_dir;
            scope.spawn(move || {
                let mut tree = Tree::new(root, pristine_dir, settings);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&index) = indices.get(i) else {
                        break;
                    };
                    let case = run_case(&mut tree, settings.seed, index, references);
                    let failing = case.runs.iter().any(|r| r.class.failing());
                    let mut t = tally.lock().unwrap();
                    t.cases += 1;
                    if indices.len() >= 1000 && t.cases % (indices.len() / 10) == 0 {
                        eprintln!("fuzz: {} of {} cases", t.cases, indices.len());
                    }
                    t.reached += case.reached_simulation as usize;
                    let kind = t.kinds.entry(case.kind).or_default();
                    kind.0 += 1;
                    kind.1 += failing as usize;
                    for run in &case.runs {
                        *t.runs.entry(run.class).or_default() += 1;
                    }
                    if failing {
                        t.failing_cases += 1;
                        let mut keep_here = false;
                        let dir = failures.join(format!("case-{}-{index}", settings.seed));
                        for run in case.runs.iter().filter(|r| r.class.failing()) {
                            let entry = t.groups.entry(group(run)).or_default();
                            entry.0 += 1;
                            if entry.1.len() < KEEP_PER_GROUP {
                                entry.1.push(dir.display().to_string());
                                keep_here = true;
                            }
                        }
                        drop(t);
                        if keep_here {
                            keep(&tree, &dir, &case, settings.seed, index);
                        }
                    }
                    tree.restore();
                }
            });
        }
    });
    let t = tally.into_inner().unwrap();
    let mut report = format!(
        "fuzz: seed {}, {} cases ({} with a failing run), {} command runs, {:.0} s\n",
        settings.seed,
        t.cases,
        t.failing_cases,
        t.runs.values().sum::<usize>(),
        started.elapsed().as_secs_f64()
    );
    writeln!(
        report,
        "reached simulation: {} of {} cases ({:.1}%)",
        t.reached,
        t.cases,
        100.0 * t.reached as f64 / t.cases.max(1) as f64
    )
    .unwrap();
    for (kind, (n, failing)) in &t.kinds {
        writeln!(report, "  {kind:<9} {n:>6} cases, {failing:>5} failing").unwrap();
    }
    writeln!(report, "runs per outcome class:").unwrap();
    for class in Class::ALL {
        let n = t.runs.get(&class).copied().unwrap_or(0);
        let mark = if class.failing() { " (failing)" } else { "" };
        writeln!(report, "  {:<26} {n:>7}{mark}", class.name()).unwrap();
    }
    if !t.groups.is_empty() {
        writeln!(
            report,
            "failing groups (runs; kept reproducers, each with repro.sh):"
        )
        .unwrap();
        let mut groups: Vec<_> = t.groups.iter().collect();
        groups.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
        for (g, (n, dirs)) in groups {
            writeln!(
                report,
                "  {n:>6}  {g}\n          {}",
                dirs.join("\n          ")
            )
            .unwrap();
        }
    }
    println!("{report}");
    let _ = fs::create_dir_all(&failures);
    let _ = fs::write(
        failures.join(format!("summary-{}.txt", settings.seed)),
        &report,
    );
    let failing: usize = Class::ALL
        .iter()
        .filter(|c| c.failing())
        .map(|c| t.runs.get(c).copied().unwrap_or(0))
        .sum();
    assert_eq!(failing, 0, "failing runs under fuzzing:\n{report}");
}
