//! Exchanges end to end (issue 13 finding 7): a disturbance in `stops_with` stops the
//! neighbour's draw while it is in progress.

use crate::util::json;
use serde_json::Value;

fn run(scenario: &str) -> Value {
    json(&["run", scenario, "--samples", "200", "--format", "json"])
}

/// B is fed only over the line the disturbance trips, so its 10 MW are short exactly in
/// the tripped hours. Without `stops_with` the 50 MW export from B is refused in each of
/// them (the ladder's one rank: 50 MWh per shortfall hour); with it the neighbour draws
/// nothing then, and nothing is refused. The outages are the same (same streams).
#[test]
fn a_disturbance_in_stops_with_stops_the_exchange() {
    let (stopped, not) = (
        run("tests/data/exchange/stops-with.toml"),
        run("tests/data/exchange/not-stopped.toml"),
    );
    let mean = |v: &Value| v["mean"].as_f64().unwrap();
    let refused = |sc: &Value| mean(&sc["ladder"]["refuse the export"]["used_mwh"]);
    let lole = mean(&not["system"]["lole_h"]);
    assert!(lole > 0.0);
    assert_eq!(stopped["system"], not["system"]);
    assert!((refused(&not) - 50.0 * lole).abs() < 1e-9 * refused(&not));
    assert_eq!(refused(&stopped), 0.0);
}
