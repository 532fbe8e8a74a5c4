//! Scenario files end to end: the shipped RTS-79 benchmark, `extends` variants, embedded
//! sources, and the corpus of bad scenarios in the repository's `tests/bad/`.

use gridrisk_core::model::{Outage, OutageModel};
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
        (u.outage[i], u.capacity_w[i]),
        (
            Outage {
                mttf_h: 450.0,
                mttr_h: 50.0
            }
            .into(),
            20_000_000
        )
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
    // Bounds: E = (2850 MW + 1 W) x 8736 h, so (2^127 - 1) / E^2 samples at most.
    assert_eq!(gridrisk_core::bounds::window_wh(m), 24_897_600_008_736);
    assert_eq!(gridrisk_core::bounds::max_samples(m), 274_469_744_655);
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
    assert_eq!(
        u.outage[i],
        Outage {
            mttf_h: 450.0,
            mttr_h: 100.0
        }
        .into()
    );
    let j = u.names.iter().position(|n| n == "U5#2").unwrap();
    let OutageModel::Continuous(o) = u.outage[j] else {
        panic!("U5 is a continuous-time unit")
    };
    assert!((o.mttf_h - 190.0).abs() < 1e-9);
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
    use gridrisk_core::model::{ImportLink, ImportSource, Line, Sharing};
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
                outage: Some(
                    Outage {
                        mttf_h: 2000.0,
                        mttr_h: 20.0
                    }
                    .into()
                ),
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
            schedule_w: Vec::new(),
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

/// A small dated two-region scenario using every condition key of `docs/scenario-format.md`.
const CONDITIONS_BASE: &str = r#"name = "two-regions-winter"

[study]
start = 2021-11-29
end = 2021-12-02

[weather]
load_forecast_sd = 0.02
shift_c = -4
[[weather.zones]]
name = "north"
normal_c = -12.0
anomaly_sd_c = 6.0
persistence = 0.8
[[weather.zones]]
name = "south"
normal_c = -2
anomaly_sd_c = 4
[[weather.correlation]]
zones = ["south", "north"]
r = 0.7

[[regions]]
name = "NORTH"
weather_zone = "north"
heating_mw_per_c = 14
[regions.demand]
peak_mw = 1000
hourly_shape = [0.85, 0.85, 0.85, 0.85, 0.85, 0.87, 0.90, 0.93, 0.96, 0.96, 0.96, 0.96,
                0.93, 0.92, 0.92, 0.93, 0.96, 1.00, 1.00, 1.00, 1.00, 1.00, 0.95, 0.90]
month_factor = { 11 = 0.9, 12 = 1.1 }

[[regions]]
name = "SOUTH"
weather_zone = "south"
heating_mw_per_c = 5.5
heating_threshold_c = -5
[regions.demand]
file = "load.csv"
month_factor = { 12 = 2 }

[[units]]
name = "CHP"
region = "NORTH"
count = 3
mw = 100
mttf_h = 1000
mttr_h = 50
cold = { zone = "north", below_anomaly_c = -10.0, factor = 2.0 }
[[units.dated_outages]]
from = 2021-11-30
to = 2021-11-30
count = 2
[[units.dated_outages]]
from = 2021-11-20
to = 2021-11-29

[[units]]
name = "GT"
region = "SOUTH"
mw = 50
mttf_h = 500
mttr_h = 20

[[lines]]
name = "NORTH-SOUTH"
from = "NORTH"
to = "SOUTH"
forward_mw = 500

[[lines]]
name = "NORTH-SOUTH-2"
from = "NORTH"
to = "SOUTH"
forward_mw = 300

[[imports]]
name = "RUSSIA"
cap_mw = 1200
mttf_h = 4000
mttr_h = 10
fallback_cap_mw = 750
cold = { zone = "north", below_anomaly_c = -10, factor = 0.8 }
[[imports.links]]
name = "Barnaul"
region = "NORTH"
cap_mw = 700

[[mining.registered]]
region = "NORTH"
mw = 420
[[mining.registered]]
region = "SOUTH"
mw = 100.5

[mining.illegal]
min_mw = 340
mode_mw = 700
max_mw = 1200
shares = { SOUTH = 0.4, NORTH = 0.6 }
farm_mean_mw = 5.0
farm_cv = 1.0

[[mining.policies]]
kind = "interruptible"
from = 2021-11-30
to = 2021-12-01
[[mining.policies]]
kind = "curtail"
hours_of_day = [17, 18, 19, 20]
[[mining.policies]]
kind = "ban"
from = 2021-12-02
to = 2022-01-10
[[mining.policies]]
kind = "self_limit"
region = "SOUTH"
reduction_mw = 50
from = 2021-12-01

[[mining.enforcement]]
name = "raids"
from = 2021-11-30
hazard_per_day = 0.02
inspections_per_day = 3
reconnect_probability = 0.3
reconnect_delay_days = [10, 20]
relocate_probability = 0.5
amnesty = 2021-12-02
[[mining.enforcement]]
name = "watch"
hazard_per_day = 0.001

[[exchanges]]
name = "CENTRAL-ASIA"
region = "SOUTH"
scheduled_export_mw = 100
deviation_mw = 150
bad_day_probability = 0.05
bad_day_draw_mw = [400, 700]

[[disturbances]]
name = "trip"
lines = ["NORTH-SOUTH-2", "NORTH-SOUTH"]
mtbf_h = 2880
duration_h = 4

[[renewables]]
name = "SOUTH-wind"
region = "SOUTH"
mw = 276
capacity_factor = 0.15
daily_sd = 0.5
persistence = 0.6
[[renewables]]
name = "SOUTH-solar"
region = "SOUTH"
mw = 100
profile = [0, 0, 0, 0, 0, 0, 0, 0.1, 0.3, 0.5, 0.6, 0.7, 0.7, 0.6, 0.5, 0.3, 0.1, 0, 0, 0, 0, 0, 0, 0]
"#;

const CONDITIONS_VARIANT: &str = r#"name = "two-regions-winter-variant"
extends = "base.toml"

[[units]]
name = "CHP"
[[units.dated_outages]]
from = 2021-12-01
to = 2021-12-01
count = 1

[[mining.registered]]
region = "SOUTH"
mw = 10

[[mining.enforcement]]
name = "watch"
hazard_per_day = 0.5

[[renewables]]
name = "SOUTH-wind"
mw = 300

[[exchanges]]
name = "KYRGYZ"
region = "SOUTH"
"#;

fn conditions_files() -> Overlay {
    let csv = std::iter::once("hour,load_mw".to_string())
        .chain((0..96).map(|h| format!("{h},{}", 100 + h)))
        .collect::<Vec<_>>()
        .join("\n");
    Overlay(vec![
        (
            PathBuf::from("c/base.toml"),
            CONDITIONS_BASE.as_bytes().to_vec(),
        ),
        (
            PathBuf::from("c/variant.toml"),
            CONDITIONS_VARIANT.as_bytes().to_vec(),
        ),
        (PathBuf::from("c/load.csv"), csv.into_bytes()),
    ])
}

/// Four weeks from Monday 13 December 2021, with Kazakhstan's holidays in them: a shape
/// region with month and day factors, and a CSV region with day factors only.
const DAY_FACTORS: &str = r#"
name = "days"
[study]
start = 2021-12-13
end = 2022-01-09
holidays = [2021-12-16, 2021-12-17, 2022-01-03, 2022-01-04, 2022-01-07, 2022-03-08]
[[regions]]
name = "A"
[regions.demand]
peak_mw = 1000
hourly_shape = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
month_factor = { 1 = 1.1 }
day_factor = { saturday = 0.97, Sun = 0.95, holiday = 0.93 }
[[regions]]
name = "B"
[regions.demand]
file = "load.csv"
day_factor = { Fri = 1.5 }
[[units]]
name = "G"
region = "A"
mw = 2000
for = 0
"#;

#[test]
fn demand_takes_day_and_holiday_factors_on_their_dates() {
    let csv = std::iter::once("load_mw".to_string())
        .chain((0..28 * 24).map(|_| "200".to_string()))
        .collect::<Vec<_>>()
        .join("\n");
    let files = Overlay(vec![
        (
            PathBuf::from("d/days.toml"),
            DAY_FACTORS.as_bytes().to_vec(),
        ),
        (PathBuf::from("d/load.csv"), csv.into_bytes()),
    ]);
    let s = scenario::load_with(Path::new("d/days.toml"), &files).unwrap_or_else(|e| panic!("{e}"));
    // 8 March 2022 is outside the window: a warning, and no effect.
    assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    assert!(
        s.warnings[0].to_string().contains(
            "study.holidays[5]: 2022-03-08 is outside the study window (2021-12-13 to \
             2022-01-09); it never applies"
        ),
        "{}",
        s.warnings[0]
    );
    let (a, b) = (
        s.model.regions()[0].demand_w(),
        s.model.regions()[1].demand_w(),
    );
    // Study days of the holidays: 16, 17 Dec; 3, 4, 7 Jan. 1 January is day 19.
    let holidays = [3, 4, 21, 22, 25];
    for day in 0..28 {
        let weekday = day % 7; // 13 December 2021 was a Monday
        let month = if day >= 19 { 1.1 } else { 1.0 };
        let by_day = if holidays.contains(&day) {
            0.93
        } else {
            [1.0, 1.0, 1.0, 1.0, 1.0, 0.97, 0.95][weekday]
        };
        let friday = if weekday == 4 { 1.5 } else { 1.0 };
        for h in day * 24..(day + 1) * 24 {
            let want = 1000e6 * month * by_day;
            assert!((a[h] as f64 - want).abs() <= 1.0, "A hour {h}: {}", a[h]);
            // B has no holiday factor: Friday 17 December, a holiday, keeps Friday's.
            assert_eq!(b[h] as f64, 200e6 * friday, "B hour {h}");
        }
    }
    // Spot checks: Thursday 16 December (holiday), Saturday 18 December, Friday 7 January
    // (holiday in January), Saturday 8 January.
    assert_eq!(
        [a[3 * 24], a[5 * 24], a[25 * 24], a[26 * 24]],
        [930_000_000, 970_000_000, 1_023_000_000, 1_067_000_000]
    );
}

#[test]
#[allow(clippy::single_range_in_vec_init)]
fn conditions_are_read_with_dates_as_study_hours() {
    use gridrisk_core::model::{
        ColdRule, Disturbance, Enforcement, Exchange, IllegalMining, MiningPolicy, RegionClimate,
        RegisteredMining, UnitConditions, Vre, VreProfile, WeatherZone,
    };
    let s = scenario::load_with(Path::new("c/base.toml"), &conditions_files())
        .unwrap_or_else(|e| panic!("{e}"));
    let m = &s.model;
    assert_eq!(m.hours(), 96);
    // Demand: peak x shape x month factor (November 0.9, December 1.1).
    let north = m.regions()[0].demand_w();
    assert_eq!(north[0], 765_000_000);
    assert_eq!(north[47], 810_000_000);
    assert_eq!(north[48], 935_000_000);
    assert_eq!(north[48 + 17], 1_100_000_000);
    // CSV demand with a December factor of 2.
    let south = m.regions()[1].demand_w();
    assert_eq!((south[47], south[48]), (147_000_000, 296_000_000));

    let c = m.conditions();
    let w = &c.weather;
    assert_eq!((w.load_forecast_sd, w.shift_c), (0.02, -4.0));
    assert_eq!(
        w.zones,
        [
            WeatherZone {
                name: "north".into(),
                normal_c: -12.0,
                anomaly_sd_c: 6.0,
                persistence: 0.8
            },
            WeatherZone {
                name: "south".into(),
                normal_c: -2.0,
                anomaly_sd_c: 4.0,
                persistence: 0.0
            }
        ]
    );
    assert_eq!(w.correlation, [1.0, 0.7, 0.7, 1.0]);
    assert_eq!(
        w.climates,
        [
            RegionClimate {
                region: 0,
                zone: 0,
                heating_w_per_c: 14e6,
                threshold_c: -12.0
            },
            RegionClimate {
                region: 1,
                zone: 1,
                heating_w_per_c: 5.5e6,
                threshold_c: -5.0
            }
        ]
    );

    // Units: the block's cold rule on every unit; dated outages on the first `count`.
    let cold = Some(ColdRule {
        zone: 0,
        below_anomaly_c: -10.0,
        factor: 2.0,
    });
    let uc = |k: usize, dated: Vec<std::ops::Range<usize>>| UnitConditions {
        unit: format!("CHP#{k}"),
        cold: cold.clone(),
        dated_outages: dated,
    };
    assert_eq!(
        c.units,
        [
            uc(1, vec![24..48, 0..24]),
            uc(2, vec![24..48, 0..24]),
            uc(3, vec![0..24])
        ]
    );

    // Imports: fallback cap and cold rule.
    let ru = &m.network().imports[0];
    assert_eq!(ru.fallback_cap_w, 750_000_000);
    assert_eq!(
        ru.cold,
        Some(ColdRule {
            zone: 0,
            below_anomaly_c: -10.0,
            factor: 0.8
        })
    );

    // Mining.
    let mi = &c.mining;
    assert_eq!(
        mi.registered,
        [
            RegisteredMining {
                region: 0,
                load_w: 420_000_000
            },
            RegisteredMining {
                region: 1,
                load_w: 100_500_000
            }
        ]
    );
    assert_eq!(
        mi.illegal,
        Some(IllegalMining {
            min_w: 340_000_000,
            mode_w: 700_000_000,
            max_w: 1_200_000_000,
            shares: vec![(0, 0.6), (1, 0.4)],
            farm_mean_w: 5e6,
            farm_cv: 1.0,
            detectability_cv: 0.0,
            detectability_size_exponent: 0.0,
        })
    );
    let mut evening = [false; 24];
    evening[17..=20].fill(true);
    assert_eq!(
        mi.policies,
        [
            MiningPolicy::Interruptible { hours: 24..72 },
            MiningPolicy::Curtail {
                hours: 0..96,
                hours_of_day: evening
            },
            MiningPolicy::Ban { hours: 72..96 },
            MiningPolicy::SelfLimit {
                region: 1,
                reduction_w: 50_000_000,
                from_h: 48
            },
        ]
    );
    assert_eq!(
        mi.enforcement,
        [
            Enforcement {
                name: "raids".into(),
                days: 1..4,
                hazard_per_day: 0.02,
                inspections_per_day: 3,
                reconnect_probability: 0.3,
                reconnect_delay_days: (10, 20),
                relocate_probability: 0.5,
                amnesty_day: Some(3),
            },
            Enforcement {
                name: "watch".into(),
                days: 0..4,
                hazard_per_day: 0.001,
                inspections_per_day: u32::MAX,
                reconnect_probability: 0.0,
                reconnect_delay_days: (14, 30),
                relocate_probability: 0.0,
                amnesty_day: None,
            },
        ]
    );

    // Neighbours.
    assert_eq!(
        c.exchanges,
        [Exchange {
            name: "CENTRAL-ASIA".into(),
            region: 1,
            scheduled_export_w: 100_000_000,
            deviation_w: 150_000_000,
            bad_day_probability: 0.05,
            bad_day_draw_w: (400_000_000, 700_000_000),
            bad_day_refusable: false,
            stops_with: Vec::new(),
        }]
    );
    assert_eq!(
        c.disturbances,
        [Disturbance {
            name: "trip".into(),
            lines: vec![1, 0],
            outage: Outage {
                mttf_h: 2880.0,
                mttr_h: 4.0
            },
        }]
    );

    // Renewables.
    assert_eq!(
        c.vre[0],
        Vre {
            name: "SOUTH-wind".into(),
            region: 1,
            capacity_w: 276_000_000,
            profile: VreProfile::ByHourOfDay([0.15; 24]),
            daily_sd: 0.5,
            persistence: 0.6,
        }
    );
    assert_eq!(
        (
            c.vre[1].profile.factor(0, 11),
            c.vre[1].profile.factor(0, 20)
        ),
        (0.7, 0.0)
    );
    assert_eq!((c.vre[1].daily_sd, c.vre[1].persistence), (0.0, 0.0));

    // Clipped date ranges are warnings, not errors.
    let warnings: Vec<String> = s.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(
        warnings,
        [
            "c/base.toml:55: units[CHP].dated_outages[1].from: the dates 2021-11-20 to \
             2021-11-29 are partly outside the study window (2021-11-29 to 2021-12-02); \
             clipped to 2021-11-29 to 2021-11-29",
            "c/base.toml:114: mining.policies[2].to: the dates 2021-12-02 to 2022-01-10 are \
             partly outside the study window (2021-11-29 to 2021-12-02); clipped to \
             2021-12-02 to 2021-12-02",
        ]
    );
}

#[test]
#[allow(clippy::single_range_in_vec_init)]
fn conditions_variant_merges_named_arrays_and_replaces_the_others() {
    let s = scenario::load_with(Path::new("c/variant.toml"), &conditions_files())
        .unwrap_or_else(|e| panic!("{e}"));
    let c = s.model.conditions();
    // Unnamed arrays are replaced as a whole.
    assert_eq!(c.mining.registered.len(), 1);
    assert_eq!(c.mining.registered[0].load_w, 10_000_000);
    let dated: Vec<_> = c.units.iter().map(|u| u.dated_outages.clone()).collect();
    assert_eq!(dated, [vec![48..72], vec![], vec![]]);
    // Named arrays merge by name.
    assert_eq!(c.mining.enforcement.len(), 2);
    assert_eq!(c.mining.enforcement[1].hazard_per_day, 0.5);
    assert_eq!(c.mining.enforcement[1].inspections_per_day, u32::MAX);
    assert_eq!(c.vre[0].capacity_w, 300_000_000);
    assert_eq!(c.vre[0].daily_sd, 0.5);
    let names: Vec<&str> = c.exchanges.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["CENTRAL-ASIA", "KYRGYZ"]);
    assert_eq!(c.exchanges[1].scheduled_export_w, 0);
    // The base's clipped ranges still warn (the ban); the replaced dated outage does not.
    assert_eq!(s.warnings.len(), 1);
    assert!(s.warnings[0]
        .to_string()
        .starts_with("c/base.toml:114: mining.policies[2].to"));
}

#[test]
fn study_file_lists_base_and_variants_relative_to_it() {
    let files = Embedded::new(&[
        (
            "studies/kz/winter.study.toml",
            b"name = \"kazakhstan-2021-22\"\ndescription = \"winter\"\n\
              base = \"../../scenarios/./kz/winter.toml\"\nsamples = 500\nseed = 7\n\
              [[variants]]\nfile = \"v/../interruptible.toml\"\nlabel = \"interruptible\"\n\
              [[variants]]\nfile = \"ban.toml\"\n"
                .as_slice(),
        ),
        (
            "studies/bad.study.toml",
            b"name = \"bad\"\nbase = \"x.toml\"\nsamples = 0\nsead = 3\n\
              [[variants]]\nlabel = \"no file\"\n"
                .as_slice(),
        ),
        (
            "studies/min.study.toml",
            b"name = \"m\"\nbase = \"b.toml\"\n".as_slice(),
        ),
    ]);
    let s = scenario::load_study_with(Path::new("studies/kz/winter.study.toml"), &files)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        s,
        scenario::Study {
            name: "kazakhstan-2021-22".into(),
            description: "winter".into(),
            base: PathBuf::from("scenarios/kz/winter.toml"),
            variants: vec![
                scenario::StudyVariant {
                    file: PathBuf::from("studies/kz/interruptible.toml"),
                    label: Some("interruptible".into()),
                },
                scenario::StudyVariant {
                    file: PathBuf::from("studies/kz/ban.toml"),
                    label: None,
                },
            ],
            samples: 500,
            seed: 7,
            uncertain: Vec::new(),
            design: None,
        }
    );
    let m = scenario::load_study_with(Path::new("studies/min.study.toml"), &files).unwrap();
    assert_eq!((m.samples, m.seed, m.variants.len()), (2000, 1, 0));
    assert_eq!(m.base, PathBuf::from("studies/b.toml"));
    let e = scenario::load_study_with(Path::new("studies/bad.study.toml"), &files)
        .unwrap_err()
        .to_string();
    for want in [
        "studies/bad.study.toml:3: samples: must be an integer >= 1, got 0",
        "studies/bad.study.toml:4: sead: unknown key; did you mean `seed`?",
        "studies/bad.study.toml:5: variants[0].file: missing required field",
    ] {
        assert!(e.contains(want), "missing {want:?} in\n{e}");
    }
    assert!(scenario::load_study(Path::new("/nonexistent/x.study.toml")).is_err());
}

/// A fresh directory under the system's temporary directory.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gridrisk-scenario-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A small valid scenario: one region of 24 hours at 100 MW, one 150 MW unit.
const SMALL: &str = "[study]\nhours = 24\n[[regions]]\nname = \"R\"\n\
    demand = { peak_mw = 100, hourly_shape = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, \
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] }\n\
    [[units]]\nname = \"G\"\nregion = \"R\"\nmw = 150\nmttf_h = 1000\nmttr_h = 10\n";

/// `s0.toml` extends `s1.toml`, ..., which extends `s{bases}.toml`, the full scenario.
fn extends_chain(dir: &Path, bases: usize) {
    for i in 0..bases {
        let text = format!("name = \"s{i}\"\nextends = \"s{}.toml\"\n", i + 1);
        std::fs::write(dir.join(format!("s{i}.toml")), text).unwrap();
    }
    let text = format!("name = \"s{bases}\"\n{SMALL}");
    std::fs::write(dir.join(format!("s{bases}.toml")), text).unwrap();
}

/// A chain of 20,000 files overflowed the stack of the recursive walk; the walk is a loop
/// that stops at the depth limit, naming the file and the limit.
#[test]
fn extends_chain_of_20000_files_stops_at_the_depth_limit() {
    let dir = temp_dir("extends-20000");
    extends_chain(&dir, 20_000);
    let e = scenario::load(&dir.join("s0.toml")).unwrap_err();
    assert_eq!(e.problems.len(), 1, "{e}");
    let msg = e.to_string();
    let at = format!(
        "{}:2: extends: too many levels of `extends`",
        dir.join("s64.toml").display()
    );
    assert!(msg.starts_with(&at), "{msg}");
    assert!(msg.contains("would be base number 65 of"), "{msg}");
    assert!(msg.contains("at most 64 are allowed"), "{msg}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// 64 bases load (every name merged over the last file's scenario); 65 are refused.
#[test]
fn extends_chain_at_the_depth_limit_loads() {
    let dir = temp_dir("extends-64");
    extends_chain(&dir, 64);
    let s = scenario::load(&dir.join("s0.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.name, "s0");
    assert_eq!(s.files.len(), 65);
    assert_eq!(s.summary.installed_mw, 150.0);
    std::fs::remove_dir_all(&dir).unwrap();
    let dir = temp_dir("extends-65");
    extends_chain(&dir, 65);
    let e = scenario::load(&dir.join("s0.toml")).unwrap_err();
    assert!(e.to_string().contains("base number 65"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `/dev/zero` grew to gigabytes when read as a base or a CSV, and a FIFO hung forever:
/// only regular files are read, each within its limit, and the error names the file at
/// fault and why.
#[cfg(unix)]
#[test]
fn devices_fifos_and_huge_files_are_refused_promptly() {
    let dir = temp_dir("special");
    let fifo = dir.join("fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    // A CSV and a TOML file one byte over their limits, sparse so they cost no disk.
    let big_csv = dir.join("big.csv");
    std::fs::File::create(&big_csv)
        .unwrap()
        .set_len(gridrisk_core::files::CSV.bytes + 1)
        .unwrap();
    let big_toml = dir.join("big.toml");
    std::fs::File::create(&big_toml)
        .unwrap()
        .set_len(gridrisk_core::files::TOML.bytes + 1)
        .unwrap();
    let demand_from = |file: &str| {
        format!(
            "name = \"x\"\n[study]\nhours = 24\n[[regions]]\nname = \"R\"\n\
             demand = {{ file = \"{file}\" }}\n"
        )
    };
    let cases = [
        (
            "extends = \"/dev/zero\"\n".to_string(),
            "case.toml:2: extends: cannot read base scenario `/dev/zero`: not a regular file \
             (a character device)",
        ),
        (
            "extends = \"fifo\"\n".to_string(),
            "case.toml:2: extends: cannot read base scenario `DIR/fifo`: not a regular file \
             (a FIFO)",
        ),
        (
            "extends = \"big.toml\"\n".to_string(),
            "case.toml:2: extends: cannot read base scenario `DIR/big.toml`: larger than the \
             4 MiB limit for a TOML file",
        ),
        (
            demand_from("/dev/urandom"),
            "case.toml:6: regions[R].demand.file: cannot read `/dev/urandom`: not a regular \
             file (a character device)",
        ),
        (
            demand_from("fifo"),
            "case.toml:6: regions[R].demand.file: cannot read `DIR/fifo`: not a regular file \
             (a FIFO)",
        ),
        (
            demand_from("big.csv"),
            "case.toml:6: regions[R].demand.file: cannot read `DIR/big.csv`: larger than the \
             64 MiB limit for a CSV file",
        ),
    ];
    let d = dir.display().to_string();
    for (text, expect) in cases {
        let case = dir.join("case.toml");
        let text = if text.starts_with("name") {
            text
        } else {
            format!("name = \"x\"\n{text}")
        };
        std::fs::write(&case, text).unwrap();
        let e = scenario::load(&case).unwrap_err().to_string();
        let expect = format!("{d}/{}", expect.replace("DIR", &d));
        assert_eq!(e, expect);
    }
    // The scenario itself.
    for (path, why) in [
        (fifo.clone(), "not a regular file (a FIFO)"),
        (
            big_toml.clone(),
            "larger than the 4 MiB limit for a TOML file",
        ),
        (dir.clone(), "not a regular file (a directory)"),
    ] {
        let e = scenario::load(&path).unwrap_err().to_string();
        assert_eq!(
            e,
            format!("{}: cannot read scenario file: {why}", path.display())
        );
        let e = scenario::load_study(&path).unwrap_err().to_string();
        assert_eq!(
            e,
            format!("{}: cannot read study file: {why}", path.display())
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The warnings of implausible sizes fire just past their thresholds (a unit 10 times the
/// peak, installed capacity 20 times the peak, supply below the peak), not at them.
#[test]
fn implausible_sizes_warn_just_past_their_thresholds() {
    let warnings = |units: &str| {
        let text = format!(
            "name = \"p\"\n{}{units}",
            &SMALL[..SMALL.find("[[units]]").unwrap()]
        );
        let src = Overlay(vec![(PathBuf::from("p.toml"), text.into_bytes())]);
        let s = scenario::load_with(Path::new("p.toml"), &src).unwrap_or_else(|e| panic!("{e}"));
        s.warnings
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    };
    let block = |name: &str, count: u32, mw: f64| {
        format!(
            "[[units]]\nname = \"{name}\"\nregion = \"R\"\ncount = {count}\nmw = {mw}\n\
             mttf_h = 1000\nmttr_h = 10\n"
        )
    };
    // Peak 100 MW: a 1000 MW unit and 2000 MW installed are at the thresholds.
    assert!(warnings(&block("G", 1, 1000.0)).is_empty());
    assert!(warnings(&(block("G", 1, 1000.0) + &block("H", 10, 100.0))).is_empty());
    assert_eq!(
        warnings(&block("G", 1, 1000.001)),
        [
            "p.toml:11: units[G].mw: one unit of 1000.001 MW is more than 10 times the system's \
          peak demand of 100 MW; is it a typo?"
        ]
    );
    assert_eq!(
        warnings(&(block("G", 1, 1000.0) + &block("H", 10, 100.001))),
        [
            "p.toml: the installed capacity (2000.01 MW with renewables) is more than 20 times \
          the peak demand (100 MW); is a unit or the demand mistyped?"
        ]
    );
    assert!(warnings(&block("G", 1, 100.0)).is_empty());
    assert_eq!(
        warnings(&block("G", 1, 99.999)),
        [
            "p.toml: all units, renewables and imports together (99.999 MW) are less than the \
          peak demand (100 MW): the peak hours are short even with nothing out"
        ]
    );
}

/// Load a one-file scenario from `text`; `Err` holds the messages.
fn load_text(text: &str) -> Result<scenario::Scenario, String> {
    // Embedded files are 'static (compiled in); a leaked test string is too.
    let text: &'static str = Box::leak(text.to_string().into_boxed_str());
    let files = Embedded::new(&[("b.toml", text.as_bytes())]);
    scenario::load_with(Path::new("b.toml"), &files).map_err(|e| e.to_string())
}

/// A window of `hours` hours with region A of flat demand `peak_mw`, then `rest`.
fn flat(hours: usize, peak_mw: &str, rest: &str) -> String {
    format!(
        "name = \"edge\"\n[study]\nhours = {hours}\n[[regions]]\nname = \"A\"\n{rest}\n\
         [regions.demand]\npeak_mw = {peak_mw}\nhourly_shape = [{}]\n",
        ["1"; 24].join(", ")
    )
}

/// Region A with one block of `count` units of `mw` MW and `outage` (e.g. `for = 0`).
fn with_units(hours: usize, count: u64, mw: &str, outage: &str) -> String {
    flat(hours, "100", "")
        + &format!(
            "[[units]]\nname = \"G\"\nregion = \"A\"\ncount = {count}\nmw = {mw}\n{outage}\n"
        )
}

#[test]
fn the_largest_powers_are_exact_and_one_watt_more_is_refused() {
    use gridrisk_core::bounds::MAX_POWER_W;
    let s = load_text(&with_units(24, 3, "1e8", "for = 0\nmttr_h = 10")).unwrap();
    assert_eq!(s.model.installed_w(0), 3 * MAX_POWER_W);
    assert_eq!(s.summary.installed_mw, 3e8);
    let e = load_text(&with_units(
        24,
        3,
        "100000000.000001",
        "for = 0\nmttr_h = 10",
    ))
    .unwrap_err();
    assert!(e.contains("b.toml:14: units[G].mw: 100000000.000001 MW is more than the largest power accepted, 1e8 MW"), "{e}");
    // A demand peak at the bound gives exactly 1e14 W in every hour; one watt more does not load.
    let s = load_text(&flat(24, "1e8", "")).unwrap();
    assert!(s.model.regions()[0]
        .demand_w()
        .iter()
        .all(|&w| w == MAX_POWER_W));
    let e = load_text(&flat(24, "100000000.000001", "")).unwrap_err();
    assert!(
        e.contains("b.toml:8: regions[A].demand.peak_mw: 100000000.000001 MW is more"),
        "{e}"
    );
}

#[test]
fn region_totals_are_bounded_at_the_region() {
    // 9 units of 1e8 MW and a 1e8 MW peak (demand bound 1e8 MW + 1 W of rounding) is 1 W
    // over the region bound of 1e9 MW; a peak 1 W lower is exactly at it.
    let e = load_text(
        &with_units(24, 9, "1e8", "for = 0\nmttr_h = 10").replace("peak_mw = 100", "peak_mw = 1e8"),
    )
    .unwrap_err();
    assert!(
        e.contains("b.toml:4: regions[A]: the region's power adds up to 1000000000.000001 MW"),
        "{e}"
    );
    let at = with_units(24, 9, "1e8", "for = 0\nmttr_h = 10")
        .replace("peak_mw = 100", "peak_mw = 99999999.999999");
    assert!(load_text(&at).is_ok());
}

#[test]
fn the_window_energy_bound_is_exact() {
    // (1e14 W + 1 W) x 46,116 h < 2^62 Wh < (1e14 W + 1 W) x 46,117 h.
    let s = load_text(&flat(46_116, "1e8", "")).unwrap();
    assert_eq!(gridrisk_core::bounds::max_samples(&s.model), 8);
    let e = load_text(&flat(46_117, "1e8", "")).unwrap_err();
    assert!(e.contains("b.toml: the window's energy bound (demand bounds and import caps over 46117 hours) is 4611700000000.046117 MWh"), "{e}");
}

#[test]
fn heating_is_bounded_at_absolute_zero() {
    let zone = "[weather]\n[[weather.zones]]\nname = \"z\"\nnormal_c = -10\nanomaly_sd_c = 5\n";
    // 1e8 MW over 273.15 °C: exactly at the bound with a threshold of 0 °C.
    let heating = |mw_per_c: &str| {
        flat(
            24,
            "100",
            &format!(
                "weather_zone = \"z\"\nheating_mw_per_c = {mw_per_c}\nheating_threshold_c = 0"
            ),
        )
        .replacen("[[regions]]", &format!("{zone}[[regions]]"), 1)
    };
    assert!(load_text(&heating("366099.2")).is_ok());
    let e = load_text(&heating("366099.3")).unwrap_err();
    assert!(e.contains("regions[A].heating_mw_per_c: 366099.3 MW per °C below a threshold of 0 °C adds 100000023.795 MW at absolute zero"), "{e}");
}

#[test]
fn mean_durations_below_one_step_are_refused() {
    let ok = ["mttf_h = 1\nmttr_h = 1", "for = 0.5\nmttr_h = 1"];
    for outage in ok {
        assert!(
            load_text(&with_units(24, 1, "200", outage)).is_ok(),
            "{outage}"
        );
    }
    for (outage, want) in [
        (
            "mttf_h = 0.999999\nmttr_h = 1",
            "units[G].mttf_h: must be a mean duration >= 1 hour",
        ),
        (
            "mttf_h = 1\nmttr_h = 0.999999",
            "units[G].mttr_h: must be a mean duration >= 1 hour",
        ),
        (
            "for = 0.500001\nmttr_h = 1",
            "units[G].for: 0.500001 with mttr_h = 1 means a mean time to failure of 0.999996 h",
        ),
    ] {
        let e = load_text(&with_units(24, 1, "200", outage)).unwrap_err();
        assert!(e.contains(want), "{outage}: {e}");
    }
}

#[test]
fn outage_histories_are_bounded() {
    // 65,536 units x 4,096 hours = 2^28 changes at most: accepted; one hour more is not.
    let at = with_units(4096, 65_536, "1", "mttf_h = 1000\nmttr_h = 10");
    assert!(load_text(&at).is_ok());
    let e = load_text(&with_units(4097, 65_536, "1", "mttf_h = 1000\nmttr_h = 10")).unwrap_err();
    assert!(
        e.contains("components that can fail x hours is 268500992, more than 268435456"),
        "{e}"
    );
}

/// A value set by a study (`scenario::load_set`) builds the same model as the value
/// written in the file, names the study's line in a problem, and is part of the hash.
#[test]
fn a_setting_is_read_like_a_value_written_by_hand() {
    use gridrisk_core::scenario::{FileSystem, KeyPath, Setting};
    let set = |key: &str, value: f64, integer: bool| Setting {
        key: KeyPath::parse(key).unwrap(),
        value,
        integer,
        file: PathBuf::from("study.toml"),
        line: 7,
    };
    let path = rts_path();
    let plain = scenario::load(&path).unwrap();
    // The RTS-79's U400 block has mttr_h = 150.
    let same = scenario::load_set(
        &path,
        &FileSystem,
        &[set("units[U400].mttr_h", 150.0, false)],
    )
    .unwrap();
    assert_eq!(format!("{:?}", same.model), format!("{:?}", plain.model));
    assert_ne!(same.content_hash, plain.content_hash);
    let other = scenario::load_set(
        &path,
        &FileSystem,
        &[set("units[U400].mttr_h", 300.0, false)],
    )
    .unwrap();
    assert_ne!(format!("{:?}", other.model), format!("{:?}", plain.model));
    assert_ne!(other.content_hash, same.content_hash);
    // Out of the key's domain: the reader's own message, at the study's line.
    let e = scenario::load_set(
        &path,
        &FileSystem,
        &[set("units[U400].mttr_h", -1.0, false)],
    )
    .unwrap_err();
    let p = &e.problems[0];
    assert_eq!(
        (p.file.as_path(), p.line),
        (Path::new("study.toml"), Some(7))
    );
    assert_eq!(p.field.as_deref(), Some("units[U400].mttr_h"));
    // An integer key: a float is refused, `integer` rounds.
    let e = scenario::load_set(&path, &FileSystem, &[set("units[U400].count", 2.0, false)])
        .unwrap_err();
    assert!(e.to_string().contains("expected an integer"), "{e}");
    let two =
        scenario::load_set(&path, &FileSystem, &[set("units[U400].count", 1.6, true)]).unwrap();
    assert_eq!(two.model.units().len(), plain.model.units().len());
    let e = scenario::load_set(&path, &FileSystem, &[set("units[U999].mttr_h", 5.0, false)])
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("no element named \"U999\" in `units`"),
        "{e}"
    );
}
