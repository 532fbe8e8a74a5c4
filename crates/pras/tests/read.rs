//! The reader on PRAS's two shipped systems (`scenarios/pras/`), against facts of the files
//! found without it (shared/data/pras/README.md, from h5dump).

use gridrisk_pras::{read, Omit, Version, UNLIMITED_MW};
use std::path::{Path, PathBuf};

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios/pras")
        .join(name)
}

#[test]
fn rts_gmlc_as_stored() {
    let s = read(&shipped("rts.pras")).unwrap();
    assert_eq!(s.version, Version(0, 8, 0));
    assert_eq!(
        (s.steps, s.step_length, s.step_unit.as_str()),
        (8784, 1, "h")
    );
    assert_eq!((s.step_min(), s.hours()), (Some(60), Some(8784.0)));
    assert_eq!(s.regions.names, ["1", "2", "3"]);
    assert_eq!(s.peak_load_mw(), 8192);
    for r in 0..3 {
        assert_eq!(s.regions.load_mw.max(r), 2850);
    }
    assert_eq!(s.generators.names.len(), 153);
    assert_eq!(s.generators_that_can_fail(), 93);
    let varying = (0..153)
        .filter(|&a| s.generators.capacity_mw.constant(a).is_none())
        .count();
    assert_eq!(varying, 80);
    assert_eq!(s.storages.names, ["313_STORAGE_1"]);
    assert_eq!(s.storages.regions, ["3"]);
    assert_eq!(s.storages.discharge_mw.constant(0), Some(50));
    assert_eq!(s.storages.energy_mwh.constant(0), Some(150));
    let gs = &s.generator_storages;
    assert_eq!(gs.storage.names, ["212_CSP_1"]);
    assert_eq!(gs.storage.energy_mwh.constant(0), Some(1200));
    assert_eq!(gs.storage.charge_mw.constant(0), Some(0));
    assert_eq!(gs.grid_injection_mw.constant(0), Some(200));
    assert_eq!(gs.inflow_mw.max(0), 391);
    let mut lines: Vec<(String, String, i64)> = (0..6)
        .map(|a| {
            let (f, t) = (&s.lines.from[a], &s.lines.to[a]);
            (
                f.clone(),
                t.clone(),
                s.lines.forward_mw.constant(a).unwrap(),
            )
        })
        .collect();
    lines.sort();
    let expected: Vec<(String, String, i64)> = [
        ("1", "2", 175),
        ("1", "2", 500),
        ("1", "2", 500),
        ("1", "3", 100),
        ("1", "3", 500),
        ("2", "3", 500),
    ]
    .iter()
    .map(|&(f, t, mw)| (f.into(), t.into(), mw))
    .collect();
    assert_eq!(lines, expected);
    assert!(s
        .interfaces
        .forward_mw
        .column(0)
        .all(|mw| mw == UNLIMITED_MW));
    assert!(s.demand_responses.names.is_empty());
}

/// The toy system's check from issue 15: never short as shipped (capacity at least 200
/// MW, load at most 190 MW); with 30 MW more load, short in 24 five-minute steps (2.0 h)
/// with 9.0 MWh unserved. Its generators never fail, so the shortfall is the data's.
/// gridrisk runs it at `[study] step_min = 5` and reproduces them (tests/pras.rs); this
/// checks the reader gives exactly the values the numbers follow from.
#[test]
fn toy_model_short_steps_follow_from_the_file() {
    let s = read(&shipped("toymodel.pras")).unwrap();
    assert_eq!(s.version, Version(0, 7, 0));
    assert_eq!(
        (s.steps, s.step_length, s.step_unit.as_str()),
        (288, 5, "min")
    );
    assert_eq!(s.step_h(), Some(5.0 / 60.0));
    assert_eq!((s.step_min(), s.hours()), (Some(5), Some(24.0)));
    let g = &s.generators;
    assert!((0..g.names.len()).all(|a| g.failure_probability.column(a).all(|p| p == 0.0)));
    let capacity = |t: usize| {
        (0..g.names.len())
            .map(|a| g.capacity_mw.get(t, a))
            .sum::<i64>()
    };
    let load = |t: usize| s.regions.load_mw.get(t, 0);
    assert_eq!((0..s.steps).map(capacity).min(), Some(200));
    assert_eq!((0..s.steps).map(load).max(), Some(190));
    let short: Vec<i64> = (0..s.steps)
        .map(|t| (load(t) + 30 - capacity(t)).max(0))
        .filter(|&mw| mw > 0)
        .collect();
    assert_eq!(short.len(), 24);
    let d = s.step_h().unwrap();
    assert_eq!(short.len() as f64 * d, 2.0);
    assert_eq!(short.iter().sum::<i64>() as f64 * d, 9.0);
}

/// The 5-minute step becomes `[study] step_min = 5` over 24 hours; a step gridrisk cannot
/// take (one that does not divide an hour) or a window that is not whole hours is refused,
/// naming the attribute.
#[test]
fn the_step_converts_to_step_min_or_is_refused() {
    let (_, files) =
        gridrisk_pras::convert_file(&shipped("toymodel.pras"), Omit::default()).unwrap();
    let toml = &files.files[0].1;
    assert!(toml.contains("[study]\nstart = 2015-03-14  # 2015-03-14T00:00:00+00:00\nend = 2015-03-14  # 24 h\nutc_offset = \"+00:00\"\nstep_min = 5"), "{toml}");
    let s = read(&shipped("toymodel.pras")).unwrap();
    let refused = |edit: &dyn Fn(&mut gridrisk_pras::System)| {
        let mut s = s.clone();
        edit(&mut s);
        gridrisk_pras::convert(&s, "toy.pras", "toy", Omit::default()).unwrap_err()
    };
    for (length, unit) in [(7, "min"), (90, "min"), (2, "h"), (1, "d")] {
        let e = refused(&|s| (s.step_length, s.step_unit) = (length, unit.into()));
        assert_eq!(e.dataset, "timestep_length", "{e}");
        assert!(
            e.to_string().contains(&format!("steps of {length} {unit}")),
            "{e}"
        );
    }
    let e = refused(&|s| s.steps = 287);
    assert_eq!(e.dataset, "timestep_count", "{e}");
    assert!(
        e.to_string()
            .contains("287 steps of 5 min are not a whole number of hours"),
        "{e}"
    );
}

#[test]
fn version_labels() {
    assert_eq!(Version::parse("v0.8.0"), Some(Version(0, 8, 0)));
    assert_eq!(Version::parse("v0.10.2"), Some(Version(0, 10, 2)));
    for bad in [
        "0.8.0", "v0.8", "v0.8.0.1", "v0.8.x", "v-1.0.0", "v0..0", "",
    ] {
        assert_eq!(Version::parse(bad), None, "{bad}");
    }
    assert!(Version(0, 5, 0).supported() && Version(0, 8, 9).supported());
    assert!(!Version(0, 4, 9).supported() && !Version(0, 9, 0).supported());
}
