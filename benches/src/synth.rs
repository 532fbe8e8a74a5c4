//! Synthetic systems of R IEEE RTS-79 areas: the large-system benchmark of gridrisk.
//!
//! [`Synth`] describes one system and writes it as a scenario file; the criterion
//! benchmark (`benches/benches/scale.rs`), the `synth` binary and `scripts/scale.sh` all
//! build their systems here, so they measure the same thing. The output is a function of the parameters alone
//! (same R, variant and rule, same bytes).
//!
//! # The system
//!
//! * **Areas.** R areas `A1` .. `AR`, each the RTS-79 generating system of
//!   `scenarios/benchmarks/ieee-rts79.toml` (Table 5: 32 units in nine blocks, MTTF and MTTR
//!   in hours) with the RTS-79 hourly load (Tables 1-3, 2,850 MW annual peak, 52 weeks of
//!   168 h from a Monday). The areas are identical, so their peaks coincide, which is the
//!   hard case for a network: the areas are short in the same hours.
//! * **Variant.** `loose`: the load as published. `tight`: every area's load x 1.1
//!   (`scale = 1.1`), so that many areas are short in the same hours and deficits are no
//!   longer local.
//! * **Lines.** A ring `A1-A2`, `A2-A3`, ..., `AR-A1` (R >= 3; one line for R = 2, none for
//!   R = 1), then chords `Ai` to `A(i + R/2)` (R/2 rounded down) for every 0-based i that is a
//!   multiple of 3 with 2i < R (R >= 4; such a chord never repeats a ring line or another
//!   chord). Every line carries 300 MW each way (about 10% of an area's peak, as in the
//!   three-area benchmark). Lines are numbered in that order (ring, then chords) from 0; the
//!   even-numbered ones fail, MTTF 8,760 h (one outage a year) and MTTR 10 h, the others
//!   never fail.
//! * **Rule.** `sharing = "local"` or `"shared"`, as chosen.
//!
//! With R = 1 the system is RTS-79 itself (the same units, load and study window), so
//! `gridrisk analytic` gives RTS-79's exact indices for it.

use gridrisk_core::scenario::{self, Scenario, ScenarioError, Source};
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

/// How loaded the areas are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// The RTS-79 load as published.
    Loose,
    /// Every area's load x 1.1.
    Tight,
}

impl Variant {
    /// `loose` or `tight`.
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Loose => "loose",
            Variant::Tight => "tight",
        }
    }

    /// The demand `scale` of every area.
    fn scale(self) -> &'static str {
        match self {
            Variant::Loose => "1.0",
            Variant::Tight => "1.1",
        }
    }
}

/// How an unavoidable shortfall is split between areas (the scenario's `sharing`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// A shortfall stays where it arises.
    Local,
    /// The largest shortfall / demand ratio is minimised first.
    Shared,
}

impl Rule {
    /// `local` or `shared`, as in the scenario format.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Local => "local",
            Rule::Shared => "shared",
        }
    }
}

/// One synthetic system: R areas, a variant and a sharing rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Synth {
    /// Number of areas, at least 1.
    pub regions: usize,
    /// Load level.
    pub variant: Variant,
    /// Sharing rule.
    pub rule: Rule,
}

/// RTS-79 Table 5 as nine blocks of identical units: (name, count, MW, MTTF h, MTTR h), as
/// in `scenarios/benchmarks/ieee-rts79.toml` (a test checks that they agree).
pub const RTS79_UNITS: [(&str, u32, u32, u32, u32); 9] = [
    ("U12", 5, 12, 2940, 60),
    ("U20", 4, 20, 450, 50),
    ("U50", 6, 50, 1980, 20),
    ("U76", 4, 76, 1960, 40),
    ("U100", 3, 100, 1200, 50),
    ("U155", 4, 155, 960, 40),
    ("U197", 3, 197, 950, 50),
    ("U350", 1, 350, 1150, 100),
    ("U400", 2, 400, 1100, 150),
];

/// The RTS-79 load tables, written beside every generated scenario under [`CSV_DIR`].
pub const CSVS: [(&str, &str); 3] = [
    (
        "weekly_peak_pct.csv",
        include_str!("../../scenarios/benchmarks/ieee-rts79/weekly_peak_pct.csv"),
    ),
    (
        "daily_peak_pct.csv",
        include_str!("../../scenarios/benchmarks/ieee-rts79/daily_peak_pct.csv"),
    ),
    (
        "hourly_peak_pct.csv",
        include_str!("../../scenarios/benchmarks/ieee-rts79/hourly_peak_pct.csv"),
    ),
];

/// The directory, relative to a generated scenario, that holds its load tables.
pub const CSV_DIR: &str = "ieee-rts79";

/// Line limit each way, MW.
const LINE_MW: u32 = 300;
/// Outage process of the failing lines, hours.
const LINE_MTTF_H: u32 = 8760;
const LINE_MTTR_H: u32 = 10;

impl Synth {
    /// The system of `regions` areas (at least 1) with `variant` and `rule`.
    pub fn new(regions: usize, variant: Variant, rule: Rule) -> Synth {
        assert!(regions >= 1, "a synthetic system has at least one area");
        Synth {
            regions,
            variant,
            rule,
        }
    }

    /// The scenario's name, also its file stem: `synth-r0024-tight-local`.
    pub fn name(&self) -> String {
        format!(
            "synth-r{:04}-{}-{}",
            self.regions,
            self.variant.as_str(),
            self.rule.as_str()
        )
    }

    /// The lines as 0-based (from, to) area pairs, in the order of the module doc: the ring,
    /// then the chords.
    pub fn lines(&self) -> Vec<(usize, usize)> {
        let r = self.regions;
        let mut lines: Vec<(usize, usize)> = match r {
            1 => Vec::new(),
            2 => vec![(0, 1)],
            _ => (0..r).map(|i| (i, (i + 1) % r)).collect(),
        };
        if r >= 4 {
            lines.extend(
                (0..r)
                    .filter(|i| i % 3 == 0 && 2 * i < r)
                    .map(|i| (i, i + r / 2)),
            );
        }
        lines
    }

    /// The scenario file's text.
    pub fn toml(&self) -> String {
        let mut s = String::new();
        let lines = self.lines();
        let failing = lines.len().div_ceil(2);
        // Writing to a String cannot fail.
        let _ = writeln!(
            s,
            "# Synthetic system of {r} IEEE RTS-79 areas, generated by gridrisk-benches `synth`\n\
             # (benches/src/synth.rs documents the construction); regenerate rather than edit.\n\
             # {r} areas x {units} units, {l} lines of {LINE_MW} MW each way ({failing} failing: \
             MTTF {LINE_MTTF_H} h, MTTR {LINE_MTTR_H} h),\n\
             # load x {scale}.\n\
             name = \"{name}\"\n\
             description = \"{r} RTS-79 areas, ring plus chords, {variant} load, {rule} sharing\"\n\
             sharing = \"{rule}\"\n\
             \n\
             [study]\n\
             hours = 8736\n\
             first_weekday = \"monday\"",
            r = self.regions,
            units = RTS79_UNITS.iter().map(|u| u.1).sum::<u32>(),
            l = lines.len(),
            scale = self.variant.scale(),
            name = self.name(),
            variant = self.variant.as_str(),
            rule = self.rule.as_str(),
        );
        for a in 1..=self.regions {
            let _ = writeln!(
                s,
                "\n[[regions]]\n\
                 name = \"A{a}\"\n\
                 [regions.demand]\n\
                 peak_mw = 2850\n\
                 scale = {scale}\n\
                 weekly_pct_file = \"{CSV_DIR}/weekly_peak_pct.csv\"\n\
                 daily_pct_file = \"{CSV_DIR}/daily_peak_pct.csv\"\n\
                 hourly_pct_file = \"{CSV_DIR}/hourly_peak_pct.csv\"\n\
                 seasons = {{ winter = [[1, 8], [44, 52]], summer = [[18, 30]], \
                 spring_fall = [[9, 17], [31, 43]] }}",
                scale = self.variant.scale(),
            );
        }
        for (k, &(from, to)) in lines.iter().enumerate() {
            let (from, to) = (from + 1, to + 1);
            let _ = writeln!(
                s,
                "\n[[lines]]\n\
                 name = \"A{from}-A{to}\"\n\
                 from = \"A{from}\"\n\
                 to = \"A{to}\"\n\
                 forward_mw = {LINE_MW}\n\
                 backward_mw = {LINE_MW}"
            );
            if k % 2 == 0 {
                let _ = writeln!(s, "mttf_h = {LINE_MTTF_H}\nmttr_h = {LINE_MTTR_H}");
            }
        }
        for a in 1..=self.regions {
            for (unit, count, mw, mttf_h, mttr_h) in RTS79_UNITS {
                let _ = writeln!(
                    s,
                    "\n[[units]]\n\
                     name = \"A{a}-{unit}\"\n\
                     region = \"A{a}\"\n\
                     count = {count}\n\
                     mw = {mw}\n\
                     mttf_h = {mttf_h}\n\
                     mttr_h = {mttr_h}"
                );
            }
        }
        s
    }

    /// Write the scenario into `dir` (created if missing) as `<name>.toml`, with the load
    /// tables under `dir/ieee-rts79/`; returns the scenario's path.
    pub fn write(&self, dir: &Path) -> io::Result<PathBuf> {
        let tables = dir.join(CSV_DIR);
        std::fs::create_dir_all(&tables)?;
        for (file, text) in CSVS {
            std::fs::write(tables.join(file), text)?;
        }
        let path = dir.join(format!("{}.toml", self.name()));
        std::fs::write(&path, self.toml())?;
        Ok(path)
    }

    /// The scenario read in memory, without touching the file system (for benchmarks).
    pub fn load(&self) -> Result<Scenario, ScenarioError> {
        let files = InMemory {
            name: format!("{}.toml", self.name()),
            toml: self.toml(),
        };
        scenario::load_with(Path::new(&files.name), &files)
    }
}

/// The generated scenario and its load tables, as a [`Source`].
struct InMemory {
    name: String,
    toml: String,
}

impl Source for InMemory {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        if path == Path::new(&self.name) {
            return Ok(self.toml.as_bytes().to_vec());
        }
        CSVS.iter()
            .find(|(file, _)| path == Path::new(CSV_DIR).join(file))
            .map(|(_, text)| text.as_bytes().to_vec())
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "not a generated file"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gridrisk_core::model::Sharing;

    #[test]
    fn ring_and_chords() {
        let lines = |r| Synth::new(r, Variant::Loose, Rule::Local).lines();
        assert!(lines(1).is_empty());
        assert_eq!(lines(2), [(0, 1)]);
        assert_eq!(lines(3), [(0, 1), (1, 2), (2, 0)]);
        assert_eq!(lines(4), [(0, 1), (1, 2), (2, 3), (3, 0), (0, 2)]);
        assert_eq!(
            lines(9)[9..],
            [(0, 4), (3, 7)],
            "chords from 0 and 3 (6 x 2 >= 9)"
        );
        // No chord repeats a ring line or another chord, in either direction.
        for r in 1..200 {
            let l = lines(r);
            let mut pairs: Vec<_> = l.iter().map(|&(a, b)| (a.min(b), a.max(b))).collect();
            pairs.sort_unstable();
            pairs.dedup();
            assert_eq!(pairs.len(), l.len(), "R = {r}");
            assert!(l.iter().all(|&(a, b)| a != b && a < r && b < r), "R = {r}");
        }
    }

    #[test]
    fn loads_with_the_construction_of_the_module_doc() {
        for (r, variant, rule) in [
            (1, Variant::Loose, Rule::Local),
            (2, Variant::Tight, Rule::Shared),
            (12, Variant::Tight, Rule::Local),
        ] {
            let synth = Synth::new(r, variant, rule);
            let sc = synth.load().expect("a generated scenario loads");
            assert!(sc.warnings.is_empty(), "{:?}", sc.warnings);
            assert_eq!(sc.name, synth.name());
            let m = &sc.model;
            assert_eq!(m.regions().len(), r);
            let units: u32 = RTS79_UNITS.iter().map(|u| u.1).sum();
            assert_eq!(m.units().len(), r * units as usize);
            let net = m.network();
            assert_eq!(net.lines.len(), synth.lines().len());
            for (k, line) in net.lines.iter().enumerate() {
                assert_eq!(line.outage.is_some(), k % 2 == 0, "line {k}");
                assert_eq!(
                    (line.forward_w, line.backward_w),
                    (300_000_000, 300_000_000)
                );
            }
            let want = match rule {
                Rule::Local => Sharing::Local,
                Rule::Shared => Sharing::Shared,
            };
            assert_eq!(net.sharing, want);
        }
    }

    /// One area is RTS-79: the same unit data and the same hourly demand as the shipped
    /// scenario (only the names differ), so [`RTS79_UNITS`] and the load tables agree with it.
    #[test]
    fn one_area_is_rts79() {
        let rts = scenario::load(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/benchmarks/ieee-rts79.toml"),
        )
        .expect("the shipped RTS-79 scenario loads")
        .model;
        let one = Synth::new(1, Variant::Loose, Rule::Local)
            .load()
            .unwrap()
            .model;
        let (a, b) = (rts.units(), one.units());
        assert_eq!(a.installed_w, b.installed_w);
        assert_eq!(a.capacity_w, b.capacity_w);
        assert_eq!(a.outage, b.outage);
        assert_eq!(rts.regions()[0].demand_w(), one.regions()[0].demand_w());
        let tight = Synth::new(1, Variant::Tight, Rule::Local)
            .load()
            .unwrap()
            .model;
        assert_eq!(
            tight.regions()[0].peak_w(),
            (rts.regions()[0].peak_w() as f64 * 1.1).round() as i64
        );
    }

    /// The systems never change silently: `docs/performance.md` measured these bytes (the
    /// scenario and its load tables, whose hash `gridrisk validate` prints too). A change to
    /// the construction updates this hash and re-measures the baseline.
    #[test]
    fn the_benchmark_is_pinned() {
        let sc = Synth::new(24, Variant::Tight, Rule::Local).load().unwrap();
        assert_eq!(sc.content_hash, "e03e21a1af44497b");
    }

    #[test]
    fn same_parameters_same_bytes() {
        let a = Synth::new(24, Variant::Tight, Rule::Shared);
        assert_eq!(a.toml(), a.toml());
        assert_ne!(
            a.toml(),
            Synth::new(24, Variant::Loose, Rule::Shared).toml()
        );
    }
}
