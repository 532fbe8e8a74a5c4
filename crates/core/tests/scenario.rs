//! Scenario files end to end: the shipped RTS-79 benchmark, `extends` variants, embedded
//! sources, and the corpus of bad scenarios in the repository's `tests/bad/`.

use gridrisk_core::scenario::{self, Embedded, Source};
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn rts_path() -> PathBuf {
    repo().join("scenarios/benchmarks/ieee-rts79.toml")
}

#[test]
fn ieee_rts79_loads_with_published_totals() {
    let s = scenario::load(&rts_path()).unwrap_or_else(|e| panic!("{e}"));
    let m = &s.model;
    assert_eq!(s.name, "ieee-rts79");
    assert_eq!(m.regions().len(), 1);
    assert_eq!(m.units().len(), 32);
    assert_eq!(m.hours(), 8736);
    assert_eq!(m.installed_w(0), 3_405_000_000);
    let demand = m.regions()[0].demand_w();
    assert_eq!(m.regions()[0].peak_w(), 2_850_000_000);
    // Annual energy: the reference gives 15,297,074.7 MWh, rounded to 0.1 MWh; the exact
    // sum of the table products (checked with rational arithmetic) is 15,297,074.71374 MWh,
    // and every hourly load is an exact number of watts.
    assert_eq!(m.demand_wh(0), 15_297_074_713_740);
    let total: i64 = demand.iter().sum();
    assert_eq!(((total as f64 / 1e6) * 10.0).round() / 10.0, 15_297_074.7);
    // The peak is in week 51, Tuesday, hour 19 (18:00-19:00); hour 18 ties with it (the
    // winter weekday profile is 100% in both).
    let peak_h = 50 * 168 + 24 + 18;
    assert_eq!(demand[peak_h], 2_850_000_000);
    assert_eq!(demand[peak_h - 1], 2_850_000_000);
    assert_eq!(demand.iter().filter(|&&d| d == 2_850_000_000).count(), 2);
    // Units: names by block, parameters from Table 5.
    let u = m.units();
    assert!(u.names.contains(&"U12#5".to_string()));
    assert!(u.names.contains(&"U400#2".to_string()));
    let i = u.names.iter().position(|n| n == "U20#1").unwrap();
    assert_eq!(
        (u.mttf_h[i], u.mttr_h[i], u.capacity_w[i]),
        (450.0, 50.0, 20_000_000)
    );
    // Summary.
    let sum = &s.summary;
    assert_eq!((sum.units, sum.hours), (32, 8736));
    assert_eq!(sum.installed_mw, 3405.0);
    assert_eq!(sum.peak_demand_mw, 2850.0);
    assert_eq!(sum.regions[0].name, "RTS");
    assert_eq!(sum.regions[0].units, 32);
    assert!((sum.regions[0].demand_mwh - 15_297_074.713_74).abs() < 1e-6);
    // Files and hash.
    assert_eq!(s.files.len(), 4);
    assert_eq!(s.content_hash.len(), 16);
    assert!(s
        .content_hash
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    let again = scenario::load(&rts_path()).unwrap();
    assert_eq!(again.content_hash, s.content_hash);
}

#[test]
fn embedded_source_resolves_relative_paths() {
    let dir = repo().join("scenarios/benchmarks");
    let leak = |p: &str| -> &'static [u8] { Box::leak(std::fs::read(dir.join(p)).unwrap().into()) };
    let files = Embedded::new(&[
        ("benchmarks/ieee-rts79.toml", leak("ieee-rts79.toml")),
        (
            "benchmarks/ieee-rts79/weekly_peak_pct.csv",
            leak("ieee-rts79/weekly_peak_pct.csv"),
        ),
        (
            "benchmarks/ieee-rts79/daily_peak_pct.csv",
            leak("ieee-rts79/daily_peak_pct.csv"),
        ),
        (
            "benchmarks/ieee-rts79/hourly_peak_pct.csv",
            leak("ieee-rts79/hourly_peak_pct.csv"),
        ),
    ]);
    let s = scenario::load_with(Path::new("benchmarks/ieee-rts79.toml"), &files).unwrap();
    assert_eq!(s.model.demand_wh(0), 15_297_074_713_740);
    assert_eq!(
        s.files[1],
        Path::new("benchmarks/ieee-rts79/weekly_peak_pct.csv")
    );
    // Same bytes, same hash, whatever the source.
    assert_eq!(
        s.content_hash,
        scenario::load(&rts_path()).unwrap().content_hash
    );
    assert!(files.read(Path::new("benchmarks/nope.toml")).is_err());
}

/// A source of in-memory files for variants (plus the RTS files from disk).
struct Overlay(Vec<(PathBuf, Vec<u8>)>);

impl Source for Overlay {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        match self.0.iter().find(|(p, _)| p == path) {
            Some((_, b)) => Ok(b.clone()),
            None => std::fs::read(path),
        }
    }
}

#[test]
fn variant_extends_base_overriding_one_block_and_adding_one() {
    let base = rts_path();
    let dir = base.parent().unwrap().to_path_buf();
    let variant = dir.join("variants/long-repairs.toml");
    let text = "name = \"rts-long-repairs\"\n\
                extends = \"../ieee-rts79.toml\"\n\
                [[units]]\n\
                name = \"U20\"\n\
                mttr_h = 100\n\
                [[units]]\n\
                name = \"U5\"\n\
                region = \"RTS\"\n\
                count = 2\n\
                mw = 5\n\
                for = 0.05\n\
                mttr_h = 10\n";
    let src = Overlay(vec![(variant.clone(), text.as_bytes().to_vec())]);
    let s = scenario::load_with(&variant, &src).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.name, "rts-long-repairs");
    assert!(s.description.starts_with("IEEE RTS-79"));
    let u = s.model.units();
    assert_eq!(u.len(), 34);
    assert_eq!(s.model.installed_w(0), 3_415_000_000);
    let i = u.names.iter().position(|n| n == "U20#4").unwrap();
    assert_eq!((u.mttf_h[i], u.mttr_h[i]), (450.0, 100.0));
    let j = u.names.iter().position(|n| n == "U5#2").unwrap();
    assert!((u.mttf_h[j] - 190.0).abs() < 1e-9);
    // Base CSVs stay relative to the base file.
    assert_eq!(s.files.len(), 5);
    assert_eq!(s.files[0], variant);
    assert!(s.files[2].ends_with("ieee-rts79/weekly_peak_pct.csv"));
    assert_eq!(s.model.demand_wh(0), 15_297_074_713_740);
}

#[test]
fn study_by_dates_and_csv_demand() {
    let src = Overlay(vec![
        (
            PathBuf::from("w/s.toml"),
            b"name = \"w\"\n[study]\nstart = 2022-01-24\nend = 2022-01-25\n\
              utc_offset = \"+05:00\"\n[[regions]]\nname = \"A\"\n\
              [regions.demand]\nfile = \"data/../load.csv\"\ncolumn = \"mw\"\nscale = 2\n\
              [[regions]]\nname = \"B\"\ndemand = { file = \"load.csv\", column = \"mw\" }\n\
              [[units]]\nname = \"G\"\nregion = \"B\"\nmw = 100\nmttf_h = 1000\nmttr_h = 10\n\
              derate = 0.25\n"
                .to_vec(),
        ),
        (
            PathBuf::from("w/load.csv"),
            (std::iter::once("hour,mw".to_string()))
                .chain((0..48).map(|h| format!("{h},{}", 10 + h)))
                .collect::<Vec<_>>()
                .join("\n")
                .into_bytes(),
        ),
    ]);
    let s = scenario::load_with(Path::new("w/s.toml"), &src).unwrap_or_else(|e| panic!("{e}"));
    let cal = s.model.calendar();
    assert_eq!(cal.hours(), 48);
    assert_eq!(cal.weekday(0), 0); // 2022-01-24 was a Monday
    assert_eq!(cal.utc_offset_min(), 300);
    assert_eq!(s.model.regions()[0].demand_w()[47], 114_000_000);
    assert_eq!(s.model.regions()[1].demand_w()[47], 57_000_000);
    assert_eq!(s.model.units().capacity_w[0], 75_000_000);
    assert_eq!(s.summary.peak_demand_mw, 171.0);
    assert_eq!(
        s.files,
        [PathBuf::from("w/s.toml"), PathBuf::from("w/load.csv")]
    );
}

/// Mutations of the RTS-79 scenario (each line deleted, each value replaced by odd values,
/// CSVs truncated or made non-UTF-8) load or fail cleanly: never a panic, and every error
/// names a file.
#[test]
fn mutated_scenarios_never_panic() {
    let path = rts_path();
    let dir = path.parent().unwrap().to_path_buf();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let odd = [
        "-1",
        "0",
        "nan",
        "-inf",
        "1e300",
        "99999999999999999999",
        "\"x\"",
        "[]",
        "{}",
        "2021-11-01",
        "true",
        "[[0, 99999999999]]",
    ];
    let mut variants: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    for i in 0..lines.len() {
        let mut v = lines.clone();
        v.remove(i);
        variants.push((path.clone(), v.join("\n").into_bytes()));
        if let Some((key, _)) = lines[i].split_once(" = ") {
            for o in odd {
                let mut v = lines.clone();
                let line = format!("{key} = {o}");
                v[i] = &line;
                variants.push((path.clone(), v.join("\n").into_bytes()));
            }
        }
    }
    for csv in [
        "weekly_peak_pct.csv",
        "daily_peak_pct.csv",
        "hourly_peak_pct.csv",
    ] {
        let csv_path = dir.join("ieee-rts79").join(csv);
        let bytes = std::fs::read(&csv_path).unwrap();
        for cut in [0, 1, 5, bytes.len() / 2, bytes.len() - 3] {
            variants.push((csv_path.clone(), bytes[..cut].to_vec()));
        }
        let mut bad = bytes.clone();
        bad[bytes.len() / 2] = 0xff;
        variants.push((csv_path.clone(), bad));
        variants.push((csv_path.clone(), bytes.replace_ascii_digits()));
    }
    let mut loaded = 0;
    for (file, bytes) in variants {
        let src = Overlay(vec![(file.clone(), bytes)]);
        let r = std::panic::catch_unwind(|| scenario::load_with(&path, &src));
        match r {
            Err(_) => panic!("panic with mutated {}", file.display()),
            Ok(Ok(_)) => loaded += 1,
            Ok(Err(e)) => {
                assert!(!e.problems.is_empty());
                for p in &e.problems {
                    assert!(
                        p.file.ends_with(file.file_name().unwrap()) || p.file == path,
                        "{p}"
                    );
                }
            }
        }
    }
    assert!(loaded > 0);
}

/// Replace every digit by `x`.
trait ReplaceDigits {
    fn replace_ascii_digits(&self) -> Vec<u8>;
}

impl ReplaceDigits for Vec<u8> {
    fn replace_ascii_digits(&self) -> Vec<u8> {
        self.iter()
            .map(|&b| if b.is_ascii_digit() { b'x' } else { b })
            .collect()
    }
}

/// Every `tests/bad/*.toml` fails to load, without panicking, with an error whose Display
/// contains the text after `# expect: ` on the file's first line.
#[test]
fn bad_scenarios_report_file_line_and_field() {
    let dir = repo().join("tests/bad");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 36, "only {} bad scenarios", paths.len());
    let mut failures = Vec::new();
    for path in &paths {
        let bytes = std::fs::read(path).unwrap();
        let first = bytes.split(|&b| b == b'\n').next().unwrap();
        let first = String::from_utf8_lossy(first);
        let expect = first
            .strip_prefix("# expect: ")
            .unwrap_or_else(|| panic!("{}: first line must be `# expect: ...`", path.display()))
            .trim_end();
        let result = std::panic::catch_unwind(|| scenario::load(path));
        match result {
            Err(_) => failures.push(format!("{}: panicked", path.display())),
            Ok(Ok(_)) => failures.push(format!("{}: loaded without error", path.display())),
            Ok(Err(e)) => {
                let msg = e.to_string();
                if !msg.contains(expect) {
                    failures.push(format!(
                        "{}:\n  expected: {expect}\n  got:\n    {}",
                        path.display(),
                        msg.replace('\n', "\n    ")
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const NETWORK_BASE: &str = r#"name = "three-regions"
sharing = "shared"

[study]
hours = 24

[[regions]]
name = "North"
demand = { file = "load.csv" }

[[regions]]
name = "Centre"
demand = { file = "load.csv", scale = 0.5 }

[[regions]]
name = "SOUTH-HUB"
hub = true

[[regions]]
name = "South"
demand = { file = "load.csv", scale = 2 }

[[units]]
name = "G"
region = "North"
count = 3
mw = 100
mttf_h = 1000
mttr_h = 50

[[lines]]
name = "North-HUB"
from = "North"
to = "SOUTH-HUB"
forward_mw = 1400
backward_mw = 200
mttf_h = 2000
mttr_h = 20

[[lines]]
name = "Centre-HUB"
from = "Centre"
to = "SOUTH-HUB"
forward_mw = 1000.5

[[lines]]
name = "HUB-South"
from = "SOUTH-HUB"
to = "South"
forward_mw = 2100
backward_mw = 0

[[imports]]
name = "RUSSIA"
cap_mw = 1200
mttf_h = 4000
mttr_h = 10

[[imports.links]]
name = "Ekibastuz-Barnaul"
region = "North"
cap_mw = 700
mttf_h = 1500
mttr_h = 15

[[imports.links]]
name = "Centre-Omsk"
region = "Centre"
cap_mw = 500
"#;

const NETWORK_VARIANT: &str = r#"name = "three-regions-weak-south"
extends = "base.toml"

[[lines]]
name = "HUB-South"
forward_mw = 1800

[[imports]]
name = "CENTRAL-ASIA"
cap_mw = 300

[[imports.links]]
name = "Shymkent"
region = "South"
cap_mw = 250
"#;

fn network_files() -> Overlay {
    let csv = std::iter::once("hour,load_mw".to_string())
        .chain((0..24).map(|h| format!("{h},{}", 100 + h)))
        .collect::<Vec<_>>()
        .join("\n");
    Overlay(vec![
        (
            PathBuf::from("n/base.toml"),
            NETWORK_BASE.as_bytes().to_vec(),
        ),
        (
            PathBuf::from("n/variant.toml"),
            NETWORK_VARIANT.as_bytes().to_vec(),
        ),
        (PathBuf::from("n/load.csv"), csv.into_bytes()),
    ])
}

#[test]
fn network_with_a_hub_lines_and_imports() {
    use gridrisk_core::model::{ImportLink, ImportSource, Line, Outage, Sharing};
    let s = scenario::load_with(Path::new("n/base.toml"), &network_files())
        .unwrap_or_else(|e| panic!("{e}"));
    let m = &s.model;
    let names: Vec<&str> = m.regions().iter().map(|r| r.name()).collect();
    assert_eq!(names, ["North", "Centre", "SOUTH-HUB", "South"]);
    // The hub: no demand, no units.
    assert_eq!(m.regions()[2].demand_w(), &[0; 24][..]);
    assert!(m.region_units(2).is_empty());
    assert_eq!(m.regions()[3].peak_w(), 246_000_000);
    let net = m.network();
    assert_eq!(net.sharing, Sharing::Shared);
    assert_eq!(
        net.lines,
        [
            Line {
                name: "North-HUB".into(),
                from: 0,
                to: 2,
                forward_w: 1_400_000_000,
                backward_w: 200_000_000,
                outage: Some(Outage {
                    mttf_h: 2000.0,
                    mttr_h: 20.0
                }),
            },
            Line {
                name: "Centre-HUB".into(),
                from: 1,
                to: 2,
                forward_w: 1_000_500_000,
                backward_w: 1_000_500_000,
                outage: None,
            },
            Line {
                name: "HUB-South".into(),
                from: 2,
                to: 3,
                forward_w: 2_100_000_000,
                backward_w: 0,
                outage: None,
            },
        ]
    );
    assert_eq!(
        net.imports,
        [ImportSource {
            name: "RUSSIA".into(),
            cap_w: 1_200_000_000,
            outage: Some(Outage {
                mttf_h: 4000.0,
                mttr_h: 10.0
            }),
            fallback_cap_w: 0,
            cold: None,
            links: vec![
                ImportLink {
                    name: "Ekibastuz-Barnaul".into(),
                    region: 0,
                    cap_w: 700_000_000,
                    outage: Some(Outage {
                        mttf_h: 1500.0,
                        mttr_h: 15.0
                    }),
                },
                ImportLink {
                    name: "Centre-Omsk".into(),
                    region: 1,
                    cap_w: 500_000_000,
                    outage: None,
                },
            ],
        }]
    );
    let sum = &s.summary;
    assert_eq!((sum.lines, sum.imports, sum.hubs), (3, 1, 1));
    let hubs: Vec<bool> = sum.regions.iter().map(|r| r.hub).collect();
    assert_eq!(hubs, [false, false, true, false]);
    let hub = &sum.regions[2];
    assert_eq!(
        (hub.units, hub.peak_demand_mw, hub.demand_mwh),
        (0, 0.0, 0.0)
    );
}

#[test]
fn network_variant_changes_a_line_and_adds_an_import() {
    let s = scenario::load_with(Path::new("n/variant.toml"), &network_files())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.name, "three-regions-weak-south");
    let net = s.model.network();
    // The line keeps its place, its ends and its backward limit; only forward changes.
    let l = &net.lines[2];
    assert_eq!(
        (l.name.as_str(), l.from, l.to, l.forward_w, l.backward_w),
        ("HUB-South", 2, 3, 1_800_000_000, 0)
    );
    assert_eq!(net.lines[0].forward_w, 1_400_000_000);
    // Imports in order of use: the base's first, then the variant's.
    let names: Vec<&str> = net.imports.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["RUSSIA", "CENTRAL-ASIA"]);
    let ca = &net.imports[1];
    assert_eq!(
        (ca.cap_w, ca.outage, ca.links.len()),
        (300_000_000, None, 1)
    );
    assert_eq!((ca.links[0].region, ca.links[0].cap_w), (3, 250_000_000));
    assert_eq!(net.imports[0].links.len(), 2);
    assert_eq!(s.summary.imports, 2);
}

#[test]
fn scenario_without_network_keys_has_isolated_regions() {
    let s = scenario::load(&rts_path()).unwrap();
    assert_eq!(*s.model.network(), gridrisk_core::model::Network::default());
    assert_eq!(
        (s.summary.lines, s.summary.imports, s.summary.hubs),
        (0, 0, 0)
    );
    assert!(!s.summary.regions[0].hub);
}
