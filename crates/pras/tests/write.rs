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
