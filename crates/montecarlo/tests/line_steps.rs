//! Lines with limits and failure rates per step (`limits_file`, `rates_file`): the walk that
//! passes over blocks with each line's least limit in the block gives what the hour-by-hour
//! walk gives, sample by sample.

mod common;

use gridrisk_montecarlo::accumulators::Indices;
use gridrisk_montecarlo::Sampler;

#[test]
fn skipping_blocks_equals_the_hour_by_hour_walk() {
    let model = common::load_test_data("lines", "three-area-line-steps.toml");
    assert!(!model.conditions().line_limits.is_empty(), "not vacuous");
    assert!(!model.conditions().line_rates.is_empty(), "not vacuous");
    let (mut fast, mut slow) = (Sampler::new(&model).unwrap(), Sampler::new(&model).unwrap());
    slow.walk_every_hour();
    let (mut x, mut y) = (Indices::new(&model), Indices::new(&model));
    for s in 0..60 {
        fast.sample(7, s, &mut x);
        slow.sample(7, s, &mut y);
    }
    let (x, y) = (
        serde_json::to_string(&x).unwrap(),
        serde_json::to_string(&y).unwrap(),
    );
    assert_eq!(x, y);
}
