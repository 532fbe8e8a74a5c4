//! Accepted forms of the scenario format that used to be refused: `first_weekday` written
//! as the daily CSV accepts it (`Mon`), and `for = 0` without `mttr_h`; and equivalent forms
//! that must give the same results (a renewable's full-window series, of factors or of MW,
//! equal to its profile).

use crate::util::{gridrisk, json, RTS79};
use std::path::Path;

/// Write `text` as `name` in `dir`, with the 24-hour demand CSV of the bad-input corpus.
fn scenario(dir: &Path, name: &str, text: &str) -> String {
    let csv = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad/data/load24.csv");
    std::fs::copy(csv, dir.join("load24.csv")).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// System results of `gridrisk analytic` on `file` without day-to-day variability (written
/// to `dir`).
fn exact(dir: &Path, file: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(file)
        .unwrap()
        .replace("daily_sd = 0.3", "daily_sd = 0");
    let f = scenario(dir, "exact.toml", &text);
    json(&["analytic", &f, "--format", "json"])["system"].clone()
}

/// System results of a run, without what names the scenario or the run.
fn system(file: &str) -> serde_json::Value {
    let doc = json(&[
        "run",
        file,
        "--samples",
        "200",
        "--seed",
        "5",
        "--format",
        "json",
    ]);
    doc["system"].clone()
}

#[test]
fn first_weekday_takes_names_and_abbreviations_in_any_case() {
    let dir = tempfile::tempdir().unwrap();
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join(RTS79);
    let starting = |day: &str| {
        let file = scenario(
            dir.path(),
            &format!("{day}.toml"),
            &format!(
                "name = \"w\"\nextends = {:?}\n[study]\nfirst_weekday = {day:?}\n",
                base.display().to_string()
            ),
        );
        gridrisk().args(["validate", &file]).assert().success();
        system(&file)
    };
    let saturday = starting("saturday");
    for day in ["Sat", "SA", "Saturday", "satur"] {
        assert_eq!(starting(day), saturday, "{day}");
    }
    // The weekday is read, not ignored: a Monday start gives another result.
    assert_eq!(starting("Mon"), starting("monday"));
    assert_ne!(starting("Mon"), saturday);
}

#[test]
fn a_unit_with_for_zero_needs_no_mttr_and_never_fails() {
    let dir = tempfile::tempdir().unwrap();
    let with = |unit: &str| {
        scenario(
            dir.path(),
            "s.toml",
            &format!(
                "name = \"s\"\n[study]\nhours = 24\n[[regions]]\nname = \"R\"\n\
                 [regions.demand]\nfile = \"load24.csv\"\n\
                 [[units]]\nname = \"G\"\nregion = \"R\"\ncount = 3\nmw = 40\n{unit}\n"
            ),
        )
    };
    // 3 x 40 MW against a peak of about 100 MW: short whenever a unit is out.
    let never = system(&with("for = 0"));
    assert_eq!(never["lole_h"]["mean"], 0.0, "{never}");
    assert_eq!(never, system(&with("for = 0\nmttr_h = 1")));
    // The same units when they do fail: the scenario can be short, so the zero above is
    // the never-failing units'.
    let failing = system(&with("for = 0.2\nmttr_h = 10"));
    assert!(
        failing["lole_h"]["mean"].as_f64().unwrap() > 0.0,
        "{failing}"
    );
}

/// A one-week system with a solar plant whose capacity factors are given as `factors`.
fn solar_week(factors: &str) -> String {
    format!(
        r#"name = "solar-week"
[study]
hours = 168
[[regions]]
name = "A"
[regions.demand]
peak_mw = 300
hourly_shape = [0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.7, 0.8, 0.9, 0.9, 0.9, 0.9,
                0.9, 0.9, 0.9, 0.9, 0.9, 1.0, 1.0, 1.0, 0.9, 0.8, 0.7, 0.6]
[[units]]
name = "G"
region = "A"
count = 4
mw = 80
mttf_h = 500
mttr_h = 50
[[renewables]]
name = "pv"
region = "A"
mw = 60
daily_sd = 0.3
persistence = 0.5
{factors}
"#
    )
}

#[test]
fn a_full_window_series_equal_to_the_profile_gives_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let profile: Vec<f64> = (0..24)
        .map(|h| {
            if (7..18).contains(&h) {
                0.1 * (h - 6) as f64 / 1.2
            } else {
                0.0
            }
        })
        .collect();
    let listed = profile
        .iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let by_hour = scenario(
        dir.path(),
        "by-hour.toml",
        &solar_week(&format!("profile = [{listed}]")),
    );
    // The plant's name is the default column; another column is there to be ignored.
    let csv = std::iter::once("hour,pv,other".to_string())
        .chain((0..168).map(|h| format!("{},{},0.5", h + 1, profile[h % 24])))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.path().join("pv.csv"), csv).unwrap();
    let series = scenario(dir.path(), "series.toml", &solar_week("file = \"pv.csv\""));
    let (a, b) = (system(&by_hour), system(&series));
    assert!(a["lole_h"]["mean"].as_f64().unwrap() > 0.0, "{a}");
    assert_eq!(a, b);
    // `column` picks another column: a different plant, different results.
    let other = scenario(
        dir.path(),
        "other.toml",
        &solar_week("file = \"pv.csv\"\ncolumn = \"other\""),
    );
    assert_ne!(system(&other), a);
    // The exact mode too (without day-to-day variability).
    assert_eq!(exact(dir.path(), &by_hour), exact(dir.path(), &series));
}

/// A plant's series in MW (`mw_file`) is its series of factors times `mw`: whole MW of a
/// 60 MW plant give the factors k / 60 exactly, so the same Monte Carlo and exact results
/// as the hour-of-day profile of those factors; a value above `mw` is refused (the
/// bad-input corpus, `renewable-mw-series-above-mw.toml`).
#[test]
fn a_full_window_mw_series_equal_to_mw_times_the_profile_gives_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let mw: Vec<u32> = (0..24)
        .map(|h| if (7..18).contains(&h) { 5 * (h - 6) } else { 0 })
        .collect();
    let listed = mw
        .iter()
        .map(|&k| (f64::from(k) / 60.0).to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let by_hour = scenario(
        dir.path(),
        "by-hour.toml",
        &solar_week(&format!("profile = [{listed}]")),
    );
    // The plant's MW in each hour of the week, `shift` hours late, as `file`.
    let mw_series = |file: &str, shift: usize| {
        let csv = std::iter::once("pv_mw".to_string())
            .chain((0..168).map(|h| mw[(h + 24 - shift) % 24].to_string()))
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(dir.path().join(file), csv).unwrap();
        let form = format!("mw_file = \"{file}\"\ncolumn = \"pv_mw\"");
        scenario(dir.path(), &format!("{file}.toml"), &solar_week(&form))
    };
    let series = mw_series("pv-mw.csv", 0);
    let (a, b) = (system(&by_hour), system(&series));
    assert!(a["lole_h"]["mean"].as_f64().unwrap() > 0.0, "{a}");
    assert_eq!(a, b);
    // The same MW one hour later is another plant.
    let shifted = mw_series("pv-mw-shifted.csv", 1);
    assert_ne!(system(&shifted), a);
    assert_eq!(exact(dir.path(), &by_hour), exact(dir.path(), &series));
}
