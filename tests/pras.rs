//! PRAS system files (issue 15): `validate`, `run` and `convert` on PRAS's two shipped
//! systems (`scenarios/pras/`, MIT), and bad `.pras` files (truncated, another version, a
//! dataset of the wrong shape, not HDF5), each exit 2 naming the file and the dataset.

use crate::util::{gridrisk, json, without_run};
use serde_json::Value;
use std::path::Path;

const RTS: &str = "scenarios/pras/rts.pras";
const TOY: &str = "scenarios/pras/toymodel.pras";

fn stderr_of(args: &[&str]) -> (i32, String) {
    let out = gridrisk().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `gridrisk convert FROM --out OUT`, which must succeed; its standard output.
fn convert(from: &str, out: &Path) -> String {
    let run = gridrisk()
        .args(["convert", from, "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "convert {from}: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    String::from_utf8_lossy(&run.stdout).into_owned()
}

/// The counts `validate` prints, against the facts of RTS-GMLC as read from the file by
/// hand (shared/data/pras/README.md: h5dump of each dataset) rather than by this reader.
#[test]
fn validate_prints_rts_gmlc_counts_and_peak() {
    let out = gridrisk().args(["validate", RTS]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "format v0.8.0, 8784 steps of 1 h from 2020-01-01T00:00:00+00:00",
        "3 regions, 153 generators (93 can fail), 1 storage (50 MW, 150 MWh), 1 generator-storage (200 MW, 1200 MWh), 0 demand responses, 6 lines, 3 interfaces (3 unlimited), 8784 h",
        "peak load 8192 MW",
        "system peak demand 8192.0 MW",
        "generators Coal: 16 units, 2317 MW installed",
        "generators Gas CC: 10 units, 3550 MW installed",
        "generators Gas CT: 27 units, 1485 MW installed",
        "generators Hydro: 20 units, 1000 MW installed",
        "generators Nuclear: 1 unit, 400 MW installed",
        "generators Oil CT: 12 units, 240 MW installed",
        "generators Oil ST: 7 units, 84 MW installed",
        "generators Solar PV: 25 units, 1432 MW installed",
        "generators Solar RTPV: 31 units, 1072 MW installed",
        "generators Wind: 4 units, 2508 MW installed",
        "region 1: 51 units",
        "peak 2850.0 MW",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

/// A result without what differs between the .pras and its converted TOML: the `"run"` key
/// (and, defensively, the scenario's source path).
fn comparable(doc: Value) -> Value {
    let mut doc = without_run(doc);
    if let Some(s) = doc.get_mut("scenario").and_then(Value::as_object_mut) {
        s.remove("source");
    }
    doc
}

/// `validate` of the converted RTS-GMLC (a TOML scenario whose units carry PRAS's
/// categories) sums the installed MW by category as `validate` of the `.pras` file does:
/// the same hand-read facts.
#[test]
fn validate_of_a_toml_scenario_sums_installed_mw_by_category() {
    let dir = tempfile::tempdir().unwrap();
    convert(RTS, dir.path());
    let toml = dir.path().join("rts.toml");
    let out = gridrisk()
        .args(["validate", toml.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for expected in [
        "units Coal: 16 units, 2317.0 MW installed",
        "units Gas CC: 10 units, 3550.0 MW installed",
        "units Gas CT: 27 units, 1485.0 MW installed",
        "units Hydro: 20 units, 1000.0 MW installed",
        "units Nuclear: 1 unit, 400.0 MW installed",
        "units Oil CT: 12 units, 240.0 MW installed",
        "units Oil ST: 7 units, 84.0 MW installed",
        "units Solar PV: 25 units, 1432.0 MW installed",
        "units Solar RTPV: 31 units, 1072.0 MW installed",
        "units Wind: 4 units, 2508.0 MW installed",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    // A scenario without categories prints none.
    let out = gridrisk()
        .args(["validate", crate::util::RTS79])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("  units "));
}

#[test]
fn run_on_the_pras_file_equals_run_on_its_conversion() {
    let dir = tempfile::tempdir().unwrap();
    convert(RTS, dir.path());
    let toml = dir.path().join("rts.toml");
    let from_pras = json(&["run", RTS, "--samples", "60", "--format", "json"]);
    let from_toml = json(&[
        "run",
        toml.to_str().unwrap(),
        "--samples",
        "60",
        "--format",
        "json",
    ]);
    assert_eq!(comparable(from_pras.clone()), comparable(from_toml));
    // Not vacuous: the storage moved energy.
    let charged = &from_pras["system"]["storage_charged_mwh"]["mean"];
    assert!(charged.as_f64().unwrap() > 0.0, "{from_pras}");
}

/// Convert writes the TOML and the CSV files the mapping needs (hourly capacity of the 80
/// hydro, wind and solar generators; load of the three regions).
#[test]
fn convert_writes_the_scenario_files() {
    let dir = tempfile::tempdir().unwrap();
    convert(RTS, dir.path());
    let toml = std::fs::read_to_string(dir.path().join("rts.toml")).unwrap();
    assert_eq!(toml.matches("[[units]]").count(), 153);
    assert_eq!(toml.matches("capacity_file = \"capacity.csv\"").count(), 80);
    // The 93 generators that can fail, and the generator-storage 212_CSP_1.
    let discrete = 94;
    assert_eq!(
        toml.matches("outage_model = \"discrete\"").count(),
        discrete
    );
    assert_eq!(toml.matches("[[lines]]").count(), 6);
    assert_eq!(toml.matches("[[storages]]").count(), 1);
    let load = std::fs::read_to_string(dir.path().join("load.csv")).unwrap();
    assert_eq!(load.lines().next(), Some("hour,1,2,3"));
    assert_eq!(load.lines().count(), 8785);
}

/// PRAS's toy system (issue 15): 288 steps of 5 minutes, generators that never fail. With
/// 30 MW more load in every step it is short in 24 steps, 2.0 h, with 9.0 MWh unserved;
/// the numbers are derived here from the file, then `run` must give them exactly, through
/// the converted scenario and through that scenario written back as a `.pras` file (which
/// keeps the 5-minute step).
#[test]
fn toymodel_with_30_mw_more_load_is_short_as_the_file_says() {
    let s = gridrisk_pras::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join(TOY)).unwrap();
    let step_min = s.step_min().unwrap();
    assert_eq!(step_min, 5);
    let g = &s.generators;
    assert!((0..g.names.len()).all(|a| g.failure_probability.column(a).all(|p| p == 0.0)));
    let capacity = |t: usize| {
        (0..g.names.len())
            .map(|a| g.capacity_mw.get(t, a))
            .sum::<i64>()
    };
    let short_mw: Vec<i64> = (0..s.steps)
        .map(|t| (s.regions.load_mw.get(t, 0) + 30 - capacity(t)).max(0))
        .collect();
    let steps = short_mw.iter().filter(|&&mw| mw > 0).count();
    let events = (0..s.steps)
        .filter(|&t| short_mw[t] > 0 && (t == 0 || short_mw[t - 1] == 0))
        .count();
    // Steps and MW x steps to hours and MWh: x d, d = 5/60 h (multiplied first: exact).
    let lole_h = (steps as f64 * f64::from(step_min)) / 60.0;
    let eue_mwh = (short_mw.iter().sum::<i64>() as f64 * f64::from(step_min)) / 60.0;
    assert_eq!(
        (steps, lole_h, eue_mwh),
        (24, 2.0, 9.0),
        "the issue's numbers"
    );

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    convert(TOY, d);
    let toml = std::fs::read_to_string(d.join("toymodel.toml")).unwrap();
    assert!(toml.contains("start = 2015-03-14  # 2015-03-14T00:00:00+00:00\nend = 2015-03-14  # 24 h\nutc_offset = \"+00:00\"\nstep_min = 5"), "{toml}");
    let load = std::fs::read_to_string(d.join("load.csv")).unwrap();
    let mut plus = String::new();
    for (i, line) in load.lines().enumerate() {
        match (i, line.split_once(',')) {
            (0, _) => plus += line,
            (_, Some((step, mw))) => {
                plus += &format!("{step},{}", mw.parse::<i64>().unwrap() + 30);
            }
            _ => panic!("{line}"),
        }
        plus.push('\n');
    }
    std::fs::write(d.join("load-plus-30.csv"), plus).unwrap();
    std::fs::write(
        d.join("plus-30.toml"),
        "name = \"toymodel-plus-30\"\nextends = \"toymodel.toml\"\n[[regions]]\n\
         name = \"The Region\"\n[regions.demand]\nfile = \"load-plus-30.csv\"\n",
    )
    .unwrap();
    let plus_pras = d.join("plus-30.pras");
    convert(d.join("plus-30.toml").to_str().unwrap(), &plus_pras);
    // The written file keeps the step and the load.
    let written = gridrisk_pras::read(&plus_pras).unwrap();
    assert_eq!(
        (
            written.steps,
            written.step_length,
            written.step_unit.as_str()
        ),
        (288, 5, "min")
    );
    assert!(
        (0..s.steps).all(|t| written.regions.load_mw.get(t, 0) == s.regions.load_mw.get(t, 0) + 30)
    );

    let run = |file: &Path| {
        json(&[
            "run",
            file.to_str().unwrap(),
            "--samples",
            "20",
            "--format",
            "json",
        ])
    };
    for doc in [run(&d.join("plus-30.toml")), run(&plus_pras)] {
        assert_eq!(doc["horizon_h"], 24, "{doc}");
        assert_eq!(doc["window"]["hours"], 24);
        assert_eq!(doc["window"]["step_min"], 5);
        let sys = &doc["system"];
        let mean = |k: &str| sys[k]["mean"].as_f64().unwrap();
        assert_eq!(mean("lole_h"), lole_h, "{sys}");
        assert_eq!(mean("eue_mwh"), eue_mwh, "{sys}");
        assert_eq!(mean("lolf"), events as f64);
        assert_eq!(mean("lold_h"), lole_h / events as f64);
        assert_eq!((mean("lole_d"), mean("p_shortfall")), (1.0, 1.0));
        assert_eq!(sys["lole_h"]["se"].as_f64(), Some(0.0));
        // The shortfall steps, counted back from hours.
        assert_eq!(mean("lole_h") * 60.0 / f64::from(step_min), steps as f64);
        assert_eq!(doc["eue_distribution"]["p50_mwh"].as_f64(), Some(eue_mwh));
    }
    // As shipped it is never short.
    let doc = json(&["run", TOY, "--samples", "5", "--format", "json"]);
    assert_eq!(doc["system"]["lole_h"]["mean"].as_f64(), Some(0.0), "{doc}");
}

/// `validate` on the 5-minute system prints its steps and its length in hours.
#[test]
fn validate_prints_the_toy_systems_steps() {
    let out = gridrisk().args(["validate", TOY]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("288 steps of 5 min from 2015-03-14"),
        "{text}"
    );
    assert!(text.contains("0 interfaces (0 unlimited), 24 h"), "{text}");
    assert!(text.contains("  24 h, 1 region"), "{text}");
}

/// A copy of rts.pras with `edit` applied, in `dir`.
fn crafted(dir: &Path, name: &str, edit: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut bytes = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(RTS)).unwrap();
    edit(&mut bytes);
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

/// The offset of the only occurrence of `needle` in `hay`.
fn only(hay: &[u8], needle: &[u8]) -> usize {
    let hits: Vec<usize> = (0..=hay.len() - needle.len())
        .filter(|&i| &hay[i..i + needle.len()] == needle)
        .collect();
    assert_eq!(hits.len(), 1, "{needle:?} found at {hits:?}");
    hits[0]
}

fn assert_bad(file: &str, expected: &[&str]) {
    for command in ["validate", "run"] {
        let (code, err) =
            stderr_of(&[command, file, "--samples", "1"][..if command == "run" { 4 } else { 2 }]);
        assert_eq!(code, 2, "{command} {file}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        for e in expected {
            assert!(err.contains(e), "{command} {file}: missing {e:?} in {err}");
        }
    }
}

#[test]
fn bad_pras_files_exit_2_naming_file_and_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let truncated = crafted(d, "truncated.pras", |b| b.truncate(b.len() / 2));
    assert_bad(
        &truncated,
        &["truncated.pras: pras_dataversion: the file ends before the data its headers point to (truncated?)"],
    );
    for (version, name) in [(b"v0.4.0", "v04.pras"), (b"v0.9.0", "v09.pras")] {
        let f = crafted(d, name, |b| {
            let at = only(b, b"v0.8.0");
            b[at..at + 6].copy_from_slice(version);
        });
        let label = std::str::from_utf8(version).unwrap();
        assert_bad(
            &f,
            &[
                &format!("{name}: pras_dataversion: PRAS file format {label} is not supported"),
                "v0.5.0 to v0.8.x",
            ],
        );
    }
    // regions/load's dataspace: dimensions 8784 x 3 then the same maximum dimensions; the
    // first 8784 x 3 in the file (interfaces' come later, with the same values).
    let shape = crafted(d, "shape.pras", |b| {
        let dims: Vec<u8> = [8784u64, 3].iter().flat_map(|v| v.to_le_bytes()).collect();
        let at = (0..b.len() - 16)
            .find(|&i| b[i..i + 16] == dims[..])
            .unwrap();
        b[at..at + 8].copy_from_slice(&8783u64.to_le_bytes());
    });
    assert_bad(
        &shape,
        &["shape.pras: regions/load: expected shape 8784 x 3 (time steps x assets), got 8783 x 3"],
    );
    // Every 8784 (the step count as a little-endian u64: `timestep_count` and every
    // dataspace) made 1,000,000: the load (3 million values) fits what the file can hold,
    // the generators' 153 million do not, and nothing that large is allocated.
    let huge = crafted(d, "huge.pras", |b| {
        let (from, to) = (8784u64.to_le_bytes(), 1_000_000u64.to_le_bytes());
        let mut at = 0;
        while let Some(i) = (at..b.len().saturating_sub(8)).find(|&i| b[i..i + 8] == from) {
            b[i..i + 8].copy_from_slice(&to);
            at = i + 8;
        }
    });
    assert_bad(
        &huge,
        &["huge.pras: generators/capacity: declares 153000000 elements, more than a file of 888145 bytes can hold even compressed"],
    );
    let text = d.join("text.pras");
    std::fs::write(&text, "name = \"not hdf5\"\n").unwrap();
    assert_bad(
        text.to_str().unwrap(),
        &["text.pras: not an HDF5 file (no HDF5 signature)"],
    );
    let empty = d.join("empty.pras");
    std::fs::write(&empty, "").unwrap();
    assert_bad(empty.to_str().unwrap(), &["empty.pras: not an HDF5 file"]);
}

/// `--omit` on `compare` and `study` means what it means on `run`: every `.pras` file given
/// (or named by the study file) is converted without those tables, so the base is the
/// scenario `run --omit` simulates: the same content hash and the same numbers.
#[test]
fn omit_on_compare_and_study_is_omit_on_run() {
    let run = |omit: &[&str]| {
        let mut args = vec!["run", RTS, "--samples", "4", "--format", "json"];
        args.extend(omit);
        json(&args)
    };
    let omitted = run(&["--omit", "storages"]);
    let whole = run(&[]);
    let hash = |doc: &Value| doc["content_hash"].as_str().unwrap().to_string();
    assert_ne!(hash(&omitted["scenario"]), hash(&whole["scenario"]));
    assert_eq!(omitted["system"]["storage_charged_mwh"]["mean"], 0.0);
    assert!(
        whole["system"]["storage_charged_mwh"]["mean"]
            .as_f64()
            .unwrap()
            > 0.0
    );

    let compared = json(&[
        "compare",
        RTS,
        RTS,
        "--samples",
        "4",
        "--format",
        "json",
        "--omit",
        "storages",
    ]);
    for side in [&compared["base"], &compared["variants"][0]] {
        assert_eq!(hash(&side["scenario"]), hash(&omitted["scenario"]));
        assert_eq!(side["system"], omitted["system"]);
    }

    let dir = tempfile::tempdir().unwrap();
    let rts = Path::new(env!("CARGO_MANIFEST_DIR")).join(RTS);
    let study = dir.path().join("study.toml");
    std::fs::write(
        &study,
        format!(
            "name = \"rts-omit\"\ndescription = \"x\"\nbase = {rts:?}\nsamples = 4\nseed = 1\n[[variants]]\nfile = {rts:?}\n"
        ),
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let studied = json(&[
        "study",
        study.to_str().unwrap(),
        "--out-dir",
        out_dir.to_str().unwrap(),
        "--format",
        "json",
        "--omit",
        "storages",
    ]);
    assert_eq!(
        hash(&studied["base"]["scenario"]),
        hash(&omitted["scenario"])
    );
    assert_eq!(studied["base"]["system"], omitted["system"]);
}

/// `convert SCENARIO --out X.pras` writes a file that runs as the scenario did: RTS-GMLC
/// converted to TOML and back to `.pras` gives the same numbers as the shipped file (the
/// same component names, so the same random streams).
#[test]
fn a_scenario_converts_to_a_pras_file_that_runs_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    convert(RTS, d);
    let again = d.join("again.pras");
    let text = convert(d.join("rts.toml").to_str().unwrap(), &again);
    assert!(
        text.contains(
            "PRAS file format v0.8.0, 3 regions, 153 generators, 1 storages, 1 generator-storages"
        ),
        "{text}"
    );
    let run = |file: &str| json(&["run", file, "--samples", "20", "--format", "json"]);
    let (a, b) = (run(RTS), run(again.to_str().unwrap()));
    assert_eq!(a["system"], b["system"]);
    assert_eq!(a["regions"], b["regions"]);
    assert_eq!(a["lines"], b["lines"]);
    // No temporary file is left beside it.
    let names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pras") || n.ends_with(".tmp"))
        .collect();
    assert_eq!(names, ["again.pras"]);
}

/// What PRAS cannot hold is refused with exit 2 naming the scenario file and key, and no
/// file is written.
#[test]
fn what_pras_cannot_hold_is_refused_by_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let toml = |name: &str, units: &str, extra: &str| {
        let path = d.join(format!("{name}.toml"));
        std::fs::write(
            &path,
            format!(
                "name = \"{name}\"\n[study]\nhours = 24\n[[regions]]\nname = \"A\"\n[regions.demand]\nfile = \"load.csv\"\n[[units]]\nname = \"G\"\nregion = \"A\"\n{units}\n{extra}"
            ),
        )
        .unwrap();
        path.to_str().unwrap().to_string()
    };
    let load: String = std::iter::once("hour,load_mw".to_string())
        .chain((1..=24).map(|h| format!("{h},50")))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(d.join("load.csv"), load + "\n").unwrap();
    let discrete = "mw = 100\noutage_model = \"discrete\"\nfailure_probability = 0.01\nrepair_probability = 0.1";
    let cases = [
        (
            toml("continuous", "mw = 100\nmttf_h = 1000\nmttr_h = 50", ""),
            "continuous.toml: units.outage_model: G: continuous-time outages",
        ),
        (
            toml("fraction", "mw = 100.5\noutage_model = \"discrete\"\nfailure_probability = 0.01\nrepair_probability = 0.1", ""),
            "fraction.toml: units.mw: unit G: hour 1: 100.5 MW is not a whole number of MW",
        ),
        (
            toml(
                "charged",
                discrete,
                "[[storages]]\nname = \"S\"\nregion = \"A\"\ncharge_mw = 10\ndischarge_mw = 10\nenergy_mwh = 40\ninitial_soc = 0.5",
            ),
            "charged.toml: storages.initial_soc: S: starts charged",
        ),
        (
            {
                let path = d.join("storage-only.toml");
                std::fs::write(
                    &path,
                    "name = \"storage-only\"\n[study]\nhours = 24\n[[regions]]\nname = \"A\"\n[regions.demand]\nfile = \"load.csv\"\n[[storages]]\nname = \"S\"\nregion = \"A\"\ncharge_mw = 10\ndischarge_mw = 10\nenergy_mwh = 40\n",
                )
                .unwrap();
                path.to_str().unwrap().to_string()
            },
            "storage-only.toml: units: no units and no generator-storages",
        ),
        (
            "scenarios/kazakhstan/winter-2021-22.toml".to_string(),
            "winter-2021-22.toml: weather: PRAS has no weather zones",
        ),
    ];
    for (scenario, expected) in &cases {
        let target = d.join("x.pras");
        let (code, err) = stderr_of(&["convert", scenario, "--out", target.to_str().unwrap()]);
        assert_eq!(code, 2, "{scenario}: {err}");
        assert!(
            err.contains(expected),
            "{scenario}: missing {expected:?} in {err}"
        );
        assert!(!target.exists());
    }
    // The accepted form of the same unit converts.
    let ok = toml("ok", discrete, "");
    let target = d.join("ok.pras");
    let (code, err) = stderr_of(&["convert", &ok, "--out", target.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let (code, err) = stderr_of(&["convert", &ok, "--out", d.join("ok.toml").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("whose name ends in .pras"), "{err}");
}

/// Shards of a run with `--omit` merge with the same `--omit` into the unsharded run's
/// result; without it, merge refuses (the content hash differs) and says what to give.
#[test]
fn shards_of_an_omitted_run_merge_with_the_same_omit() {
    let dir = tempfile::tempdir().unwrap();
    let common = ["--samples", "8", "--block-size", "2", "--omit", "storages"];
    let mut shards = Vec::new();
    for k in 1..=2 {
        let path = dir.path().join(format!("s{k}.json"));
        let shard = format!("{k}/2");
        let mut args = vec![
            "run",
            RTS,
            "--shard",
            &shard,
            "--out",
            path.to_str().unwrap(),
        ];
        args.extend(common);
        let out = gridrisk().args(&args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        shards.push(path.to_str().unwrap().to_string());
    }
    let mut whole = vec!["run", RTS, "--format", "json"];
    whole.extend(common);
    let whole = json(&whole);
    let mut merge = vec!["merge", "--format", "json", "--omit", "storages"];
    merge.extend(shards.iter().map(String::as_str));
    assert_eq!(without_run(json(&merge)), without_run(whole));

    let mut plain = vec!["merge"];
    plain.extend(shards.iter().map(String::as_str));
    let (code, err) = stderr_of(&plain);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("give merge the same --omit"), "{err}");
}

/// A two-region system whose interface binds, with limits per step on the interface and on a
/// line: `B` (120 MW of load, a 50 MW unit up with probability 0.8) imports from `A` (200
/// MW that never fails) over two lines of 60 MW (up with probability 0.9; line `L1`'s
/// forward limit is 45 MW in odd steps), under an interface limit of 80 MW in steps
/// 0, 3, 6, ..., 100 MW in steps 1, 4, ... and unlimited in the others. Written by `convert`
/// from a TOML scenario, the limits set in the `.pras` file; the file then runs as its
/// conversion (a hub carries the interface), and its LOLE and EUE match exact enumeration
/// of the 8 states of each step (the chains start stationary, so each step's states have
/// the stationary probabilities).
#[test]
fn a_binding_interface_with_limits_per_step_is_exact() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let steps = 48;
    let load: String = std::iter::once("hour,A,B".to_string())
        .chain((1..=steps).map(|h| format!("{h},10,120")))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(d.join("load.csv"), load + "\n").unwrap();
    let line = |name: &str| {
        format!("[[lines]]\nname = \"{name}\"\nfrom = \"A\"\nto = \"B\"\nforward_mw = 60\noutage_model = \"discrete\"\nfailure_probability = 0.05\nrepair_probability = 0.45\n")
    };
    let toml = format!(
        "name = \"two\"\nsharing = \"local\"\n[study]\nhours = {steps}\n\
         [[regions]]\nname = \"A\"\n[regions.demand]\nfile = \"load.csv\"\ncolumn = \"A\"\n\
         [[regions]]\nname = \"B\"\n[regions.demand]\nfile = \"load.csv\"\ncolumn = \"B\"\n\
         [[units]]\nname = \"GA\"\nregion = \"A\"\nmw = 200\noutage_model = \"discrete\"\nfailure_probability = 0\nrepair_probability = 1\n\
         [[units]]\nname = \"GB\"\nregion = \"B\"\nmw = 50\noutage_model = \"discrete\"\nfailure_probability = 0.1\nrepair_probability = 0.4\n{}{}",
        line("L1"),
        line("L2")
    );
    std::fs::write(d.join("two.toml"), toml).unwrap();
    let plain = d.join("plain.pras");
    convert(d.join("two.toml").to_str().unwrap(), &plain);
    let mut s = gridrisk_pras::read(&plain).unwrap();
    assert_eq!(s.interfaces.from, ["A"]);
    let interface_mw = |t: usize| [Some(80), Some(100), None][t % 3];
    let l1_mw = |t: usize| if t % 2 == 1 { 45 } else { 60 };
    for t in 0..steps {
        let limit = interface_mw(t).unwrap_or(gridrisk_pras::UNLIMITED_MW);
        s.interfaces.forward_mw.set(t, 0, limit);
        s.lines.forward_mw.set(t, 0, l1_mw(t));
    }
    let file = d.join("two.pras");
    std::fs::write(&file, gridrisk_pras::encode(&s, "two.pras").unwrap()).unwrap();
    let file = file.to_str().unwrap();

    // The conversion: a hub, the lines into it and the interface's limits per step.
    let out = d.join("conv");
    convert(file, &out);
    let text = std::fs::read_to_string(out.join("two.toml")).unwrap();
    for expected in [
        "name = \"A-B interface\"\nhub = true",
        "from = \"A\"\nto = \"A-B interface\"",
        "name = \"A-B interface limit\"",
        "from = \"A-B interface\"\nto = \"B\"\nforward_mw = 120\nbackward_mw = 120",
        "limits_file = \"line-limits.csv\"\nforward_column = \"L1 forward\"",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
    let limits = std::fs::read_to_string(out.join("line-limits.csv")).unwrap();
    let mut rows = limits.lines();
    assert_eq!(rows.next(), Some("L1 forward,A-B interface limit forward"));
    // Step 1 (t = 0): 80 MW; step 2: 100 MW, but L1 carries 45: at most 105, 100 binds;
    // step 3: unlimited, the lines' 120.
    assert_eq!(rows.next(), Some("60,80"));
    assert_eq!(rows.next(), Some("45,100"));
    assert_eq!(rows.next(), Some("60,120"));

    let samples = "4000";
    let from_pras = json(&["run", file, "--samples", samples, "--format", "json"]);
    let toml = out.join("two.toml");
    let toml = toml.to_str().unwrap();
    let from_toml = json(&["run", toml, "--samples", samples, "--format", "json"]);
    assert_eq!(comparable(from_pras.clone()), comparable(from_toml));

    // Exact: per step, over the states of GB (0.8 up), L1 and L2 (0.9 up each); and,
    // to show the check is not vacuous, EUE with the lines alone.
    let (mut lole_h, mut eue_mwh, mut lines_only_mwh) = (0.0, 0.0, 0.0);
    for t in 0..steps {
        for state in 0..8 {
            let up = |k: usize| state >> k & 1 == 1;
            let p = |k: usize, a: f64| if up(k) { a } else { 1.0 - a };
            let prob = p(0, 0.8) * p(1, 0.9) * p(2, 0.9);
            let need = 120 - if up(0) { 50 } else { 0 };
            let lines = if up(1) { l1_mw(t) } else { 0 } + if up(2) { 60 } else { 0 };
            let flow = interface_mw(t).map_or(lines, |mw| lines.min(mw));
            let short = (need - flow).max(0);
            lines_only_mwh += prob * (need - lines).max(0) as f64;
            if short > 0 {
                lole_h += prob;
                eue_mwh += prob * short as f64;
            }
        }
    }
    let system = &from_pras["system"];
    for (key, exact) in [("lole_h", lole_h), ("eue_mwh", eue_mwh)] {
        let (mean, se) = (
            system[key]["mean"].as_f64().unwrap(),
            system[key]["se"].as_f64().unwrap(),
        );
        assert!(se > 0.0, "{key}: {system}");
        assert!(
            (mean - exact).abs() <= 4.0 * se,
            "{key}: {mean} (se {se}) against the exact {exact}"
        );
    }
    let se = system["eue_mwh"]["se"].as_f64().unwrap();
    assert!(
        eue_mwh - lines_only_mwh > 20.0 * se,
        "{eue_mwh} {lines_only_mwh} {se}"
    );
    // The shortfall stays in B, where it arises.
    let region_b = &from_pras["regions"]["B"]["eue_mwh"]["mean"];
    assert_eq!(region_b, &system["eue_mwh"]["mean"]);
}

/// Lines' limits and rates per step (`limits_file`, `rates_file`, as PRAS's lines have
/// them): columns equal to the constants in every step give exactly the results without
/// them; the derated and failing columns give others.
#[test]
fn line_columns_equal_to_the_constants_give_the_same_numbers() {
    let run = |file: &str| {
        let doc = json(&["run", file, "--samples", "200", "--format", "json"]);
        (
            doc["system"].clone(),
            doc["regions"].clone(),
            doc["lines"].clone(),
        )
    };
    let base = run("scenarios/benchmarks/ieee-rts79-three-area.toml");
    assert_eq!(run("tests/data/lines/three-area-line-flat.toml"), base);
    let steps = run("tests/data/lines/three-area-line-steps.toml");
    let eue = |x: &(Value, Value, Value)| x.0["eue_mwh"]["mean"].as_f64().unwrap();
    assert!(
        eue(&steps) > eue(&base),
        "{} against {}",
        eue(&steps),
        eue(&base)
    );
}

/// Storage and generator-storage parameters that vary by step are refused naming the file,
/// the dataset, the asset and the first step that differs (gridrisk's devices take constant
/// power, energy and efficiencies).
#[test]
fn storage_parameters_that_vary_by_step_are_refused_by_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let rts = gridrisk_pras::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join(RTS)).unwrap();
    type Edit = fn(&mut gridrisk_pras::System);
    let cases: [(&str, Edit, &str); 3] = [
        (
            "charge.pras",
            |s| s.storages.charge_mw.set(5, 0, 40),
            "charge.pras: storages/chargecapacity: 313_STORAGE_1: the value varies by step (50 in step 1, 40 in step 6); gridrisk's [[storages]] take it as a constant",
        ),
        (
            "carry.pras",
            |s| s.storages.carryover_efficiency.set(9, 0, 0.5),
            "carry.pras: storages/carryoverefficiency: 313_STORAGE_1: the value varies by step (1 in step 1, 0.5 in step 10)",
        ),
        (
            "injection.pras",
            |s| s.generator_storages.grid_injection_mw.set(1, 0, 7),
            "injection.pras: generatorstorages/gridinjectioncapacity: 212_CSP_1: the value varies by step",
        ),
    ];
    for (name, edit, expected) in cases {
        let mut s = rts.clone();
        edit(&mut s);
        let file = dir.path().join(name);
        std::fs::write(&file, gridrisk_pras::encode(&s, name).unwrap()).unwrap();
        assert_bad(file.to_str().unwrap(), &[expected]);
    }
}
