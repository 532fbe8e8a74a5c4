//! Writing `.pras`: PRAS's shipped RTS-GMLC read, converted to a scenario, loaded, written
//! back as `.pras` and read again gives the same values in every dataset; and what PRAS
//! cannot hold is refused naming the scenario key.

use gridrisk_pras::{encode, from_bytes, from_model, read, Omit, System, UNLIMITED_MW};
use std::path::{Path, PathBuf};

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios/pras")
        .join(name)
}

/// `system` through the scenario and back: convert, load, export, encode, read.
fn round_trip(path: &Path) -> (System, System) {
    let original = read(path).unwrap();
    let scenario = gridrisk_pras::load(path, Omit::default()).unwrap();
    let exported = from_model(&scenario.model, "rts.toml").unwrap();
    let bytes = encode(&exported, "rts-again.pras").unwrap();
    let again = from_bytes("rts-again.pras", bytes).unwrap();
    assert_eq!(again, exported, "the file reads back as written");
    (original, again)
}

#[test]
fn rts_gmlc_round_trip_keeps_every_dataset() {
    let (a, b) = round_trip(&shipped("rts.pras"));
    // The start date comes back from the dated window.
    assert_eq!(a.start_timestamp, "2020-01-01T00:00:00+00:00");
    assert_eq!(a.start_timestamp, b.start_timestamp);
    // The categories come back from the converted scenario's `category` keys.
    assert_eq!(b.generators.categories[0], "Coal");
    assert_eq!(a.generators.categories, b.generators.categories);
    assert_eq!(a.storages.categories, b.storages.categories);
    assert_eq!(
        a.generator_storages.storage.categories,
        b.generator_storages.storage.categories
    );
    assert_eq!(a.lines.categories, b.lines.categories);
    // Field by field first, for a readable failure.
    assert_eq!(a.version, b.version);
    assert_eq!(a.regions, b.regions);
    assert_eq!(a.generators.names, b.generators.names);
    assert_eq!(a.generators.regions, b.generators.regions);
    assert_eq!(a.generators.capacity_mw, b.generators.capacity_mw);
    assert_eq!(
        a.generators.failure_probability,
        b.generators.failure_probability
    );
    assert_eq!(
        a.generators.repair_probability,
        b.generators.repair_probability
    );
    assert_eq!(a.storages, b.storages);
    assert_eq!(a.generator_storages, b.generator_storages);
    assert_eq!(a.lines, b.lines);
    assert_eq!(a.interfaces, b.interfaces);
    assert!(b
        .interfaces
        .forward_mw
        .column(0)
        .all(|mw| mw == UNLIMITED_MW));
    assert_eq!(a, b);
}

/// Lines whose limits and outage probabilities vary by step come back from the scenario
/// (`limits_file`, `rates_file` of `[[lines]]`) as they were.
#[test]
fn lines_with_values_per_step_round_trip() {
    let mut s = read(&shipped("rts.pras")).unwrap();
    for t in 0..s.steps {
        let step = (t % 7) as i64;
        let forward = s.lines.forward_mw.get(t, 0);
        s.lines.forward_mw.set(t, 0, forward - step);
        let backward = s.lines.backward_mw.get(t, 1);
        s.lines.backward_mw.set(t, 1, backward - 2 * step);
        s.lines
            .failure_probability
            .set(t, 2, 0.001 * (1 + t % 5) as f64);
        s.lines
            .repair_probability
            .set(t, 2, 0.01 * (1 + t % 3) as f64);
    }
    let path = std::env::temp_dir().join(format!(
        "gridrisk-lines-per-step-{}.pras",
        std::process::id()
    ));
    std::fs::write(&path, encode(&s, "lines.pras").unwrap()).unwrap();
    let (a, b) = round_trip(&path);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(a.lines.forward_mw.constant(0), None, "not vacuous");
    // The first difference of each matrix, for a readable failure.
    fn first_difference<T: Copy + PartialEq + std::fmt::Debug>(
        a: &gridrisk_pras::Matrix<T>,
        b: &gridrisk_pras::Matrix<T>,
    ) -> Option<(usize, usize, T, T)> {
        (0..a.steps())
            .flat_map(|t| (0..a.assets()).map(move |k| (t, k)))
            .map(|(t, k)| (t, k, a.get(t, k), b.get(t, k)))
            .find(|(_, _, x, y)| x != y)
    }
    let (l, m) = (&a.lines, &b.lines);
    assert_eq!(first_difference(&l.forward_mw, &m.forward_mw), None);
    assert_eq!(first_difference(&l.backward_mw, &m.backward_mw), None);
    assert_eq!(
        first_difference(&l.failure_probability, &m.failure_probability),
        None
    );
    assert_eq!(
        first_difference(&l.repair_probability, &m.repair_probability),
        None
    );
    assert!(a == b, "another dataset differs");
}
