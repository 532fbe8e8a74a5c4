//! `gridrisk report`: the HTML structure of reports of run, compare and study files, and bad
//! input.

use crate::util::gridrisk;
use predicates::str::contains;
use serde_json::Value;
use std::path::Path;

const KZ: &str = "scenarios/kazakhstan/winter-2021-22.toml";
const RAIDS: &str = "scenarios/kazakhstan/raids-november.toml";
const THREE: &str = "scenarios/benchmarks/ieee-rts79-three-area-import.toml";

fn write_json(dir: &Path, name: &str, args: &[&str]) -> String {
    let path = dir.join(name);
    let out = gridrisk()
        .args(args)
        .args(["--format", "json", "--out"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "gridrisk {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    path.to_str().unwrap().to_string()
}

/// The `data-chart` kinds of the figures in `html`, in order.
fn chart_kinds(html: &str) -> Vec<String> {
    html.split("<figure class=\"chart\"")
        .skip(1)
        .map(|f| {
            let f = &f[f.find("data-chart=\"").unwrap() + 12..];
            f[..f.find('"').unwrap()].to_string()
        })
        .collect()
}

fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[test]
fn report_has_every_chart_and_variant_and_no_external_reference() {
    let dir = tempfile::tempdir().unwrap();
    let run = write_json(dir.path(), "run.json", &["run", KZ, "--samples", "60"]);
    let three = write_json(
        dir.path(),
        "three.json",
        &["run", THREE, "--samples", "300"],
    );
    let cmp = write_json(
        dir.path(),
        "cmp.json",
        &["compare", KZ, RAIDS, "--samples", "40"],
    );
    // A variant label with markup, to check escaping.
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&cmp).unwrap()).unwrap();
    let tricky = "raids <b>from</b> 1 Nov & \"self-limits\" -> South";
    doc["variants"][0]["label"] = tricky.into();
    let cmp2 = dir.path().join("cmp-labels.json");
    std::fs::write(&cmp2, serde_json::to_string(&doc).unwrap()).unwrap();

    let out = dir.path().join("report.html");
    gridrisk()
        .args([
            "report",
            &run,
            &three,
            &cmp,
            cmp2.to_str().unwrap(),
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).unwrap();

    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    // Self-contained: nothing to fetch, nothing to run.
    for bad in [
        "http://", "https://", "<script", "<link", "<img", "<iframe", "@import", "url(",
    ] {
        assert!(!html.contains(bad), "report contains {bad:?}");
    }
    // Every chart is its own inline SVG, inside its own figure.
    let kinds = chart_kinds(&html);
    assert_eq!(html.matches("<svg ").count(), kinds.len());
    assert_eq!(html.matches("</svg>").count(), kinds.len());
    // Run of Kazakhstan: regions, heatmap, exceedance, mining, imports by day and in total,
    // lines.
    let run_kinds = [
        "regions-lole",
        "regions-eue",
        "heatmap",
        "exceedance",
        "mining-path",
        "import-path",
        "imports",
        "lines",
    ];
    assert_eq!(&kinds[..8], &run_kinds);
    // Three-area benchmark: no mining.
    assert_eq!(
        &kinds[8..15],
        &[
            "regions-lole",
            "regions-eue",
            "heatmap",
            "exceedance",
            "import-path",
            "imports",
            "lines"
        ]
    );
    // Each comparison: three forest plots (system LOLE, South LOLE, system EUE), regions,
    // mining path.
    let cmp_kinds = [
        "forest",
        "forest",
        "forest",
        "regions-lole",
        "regions-eue",
        "mining-path",
    ];
    assert_eq!(&kinds[15..21], &cmp_kinds);
    assert_eq!(&kinds[21..], &cmp_kinds);
    // Charts have axis labels with units, and titles.
    for text in [
        "lole_h (h/window)",
        "eue_mwh (MWh/window)",
        "hour of day (h, scenario clock)",
        "week of the study window",
        "system unserved energy in one sample, x (MWh/window)",
        "illegal mining load (MW)",
        "energy imported (MWh/window)",
        "energy imported (MWh/yr)",
        "variant minus base, lole_h (h/window)",
        "Imports per source: total energy over the window (not a time series)",
        "mean import (MW)",
    ] {
        assert!(html.contains(text), "no {text:?} in the report");
    }
    // Every scenario and variant is named, escaped; with a summary sentence per variant.
    assert!(html.contains("kazakhstan-winter-2021-22-raids-november"));
    assert!(html.contains("ieee-rts79-three-area-import"));
    assert!(html.contains(&escaped(tricky)));
    assert!(!html.contains("<b>from</b>"));
    assert!(html.contains("SOUTH&#39;s expected hours of shortfall from"));
    assert_eq!(
        html.matches("<p class=\"summary\">").count(),
        2 + 2,
        "a sentence per run and per variant"
    );
    // The file names appear as section headings.
    for f in ["run.json", "three.json", "cmp.json", "cmp-labels.json"] {
        assert!(html.contains(f));
    }
}

#[test]
fn a_study_report_names_every_variant() {
    let dir = tempfile::tempdir().unwrap();
    gridrisk()
        .args(["study", "--samples", "20", "--out-dir"])
        .arg(dir.path())
        .assert()
        .success();
    let study = dir.path().join("study.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&study).unwrap()).unwrap();
    let out = dir.path().join("report.html");
    gridrisk()
        .arg("report")
        .arg(&study)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let html = std::fs::read_to_string(&out).unwrap();
    let variants = doc["variants"].as_array().unwrap();
    assert!(variants.len() > 5);
    for v in variants {
        let label = v["label"].as_str().unwrap();
        assert!(
            html.contains(&escaped(label)),
            "variant {label:?} not named"
        );
    }
    assert!(html.contains(&escaped(doc["study"]["name"].as_str().unwrap())));
    assert_eq!(
        html.matches("<p class=\"summary\">").count(),
        variants.len()
    );
    assert!(chart_kinds(&html).iter().filter(|k| *k == "forest").count() >= 3);
}

#[test]
fn bad_result_files_exit_2_name_the_file_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    let not_json = dir.path().join("scenario.toml");
    std::fs::write(&not_json, "name = \"x\"\n").unwrap();
    let not_result = dir.path().join("other.json");
    std::fs::write(&not_result, "{\"a\": 1}").unwrap();
    let analytic = dir.path().join("analytic.json");
    std::fs::write(
        &analytic,
        "{\"schema\": \"gridrisk.analytic/1\", \"system\": {}}",
    )
    .unwrap();
    let truncated = dir.path().join("truncated.json");
    std::fs::write(&truncated, "{\"schema\": \"gridrisk.result/1\", \"syst").unwrap();
    let missing = dir.path().join("missing.json");
    for (file, message) in [
        (&missing, "cannot read result file"),
        (&not_json, "not a JSON result file"),
        (&not_result, "not a gridrisk result file"),
        (&analytic, "is not a run, compare or study result"),
        (&truncated, "not a JSON result file"),
    ] {
        gridrisk()
            .arg("report")
            .arg(file)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2)
            .stderr(contains(file.file_name().unwrap().to_str().unwrap()))
            .stderr(contains(message));
        assert!(!out.exists(), "a report was written for {}", file.display());
    }
    // A bad file after a good one: the existing output is left as it was.
    std::fs::write(&out, "old").unwrap();
    let good = write_json(dir.path(), "good.json", &["run", THREE, "--samples", "50"]);
    gridrisk()
        .args(["report", &good])
        .arg(&not_result)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty());
}
