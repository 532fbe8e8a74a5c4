//! EFC and ELCC (`gridrisk_montecarlo::worth`): the exact check against the analytic mode,
//! PRAS's capacity-credit tests, common random numbers, and the refusals.

use gridrisk_core::SystemModel;
use gridrisk_montecarlo::analytic;
use gridrisk_montecarlo::worth::{
    worth, worth_with, worths, Measure, Metric, Question, Reuse, Worth, WorthError,
};
use gridrisk_montecarlo::{SimulationSpec, StopRule};
use std::path::Path;

fn load(name: &str) -> SystemModel {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/worth")
        .join(name);
    gridrisk_core::scenario::load(&path).unwrap().model
}

/// A scenario of the repository's `scenarios/` directory.
fn scenario(name: &str) -> SystemModel {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(name);
    gridrisk_core::scenario::load(&path).unwrap().model
}

fn run(
    base: &SystemModel,
    variant: &SystemModel,
    measure: Measure,
    region: usize,
    samples: u64,
    seed: u64,
) -> Result<Worth, WorthError> {
    let spec = SimulationSpec::new(StopRule::Samples(samples), seed, 100).unwrap();
    worth(
        base,
        variant,
        Question {
            measure,
            region,
            metric: Metric::Eue,
        },
        &spec,
        0,
        &|_| {},
    )
}

fn exact_eue(m: &SystemModel) -> f64 {
    analytic::exact(m).unwrap().eue_mwh
}

/// The x (MW) at which `g` (rising in x, watts) crosses zero: bisection to 1 W on the
/// exact function, then the secant inside the last watt.
fn exact_root(g: impl Fn(i64) -> f64, mut hi: i64) -> f64 {
    let mut lo = 0;
    assert!(g(lo) < 0.0 && g(hi) >= 0.0);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if g(mid) >= 0.0 {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let (gl, gh) = (g(lo), g(hi));
    (lo as f64 + -gl / (gh - gl)) / 1e6
}

/// Exact EFC of a single-region variant: firm capacity x lowers every hour's net load by x,
/// so EUE(base + x) is the exact EUE of the base with x less load.
fn exact_efc(base: &SystemModel, variant: &SystemModel) -> f64 {
    let target = exact_eue(variant);
    exact_root(
        |x| target - exact_eue(&base.with_added_load(0, -x).unwrap()),
        100_000_000,
    )
}

/// Exact ELCC of a single-region variant.
fn exact_elcc(base: &SystemModel, variant: &SystemModel) -> f64 {
    let target = exact_eue(base);
    exact_root(
        |x| exact_eue(&variant.with_added_load(0, x).unwrap()) - target,
        100_000_000,
    )
}

fn within_3se(name: &str, w: &Worth, exact: f64) {
    assert!(
        (w.x_mw - exact).abs() <= 3.0 * w.se_mw,
        "{name}: {} +/- {} MW, exact {exact}",
        w.x_mw,
        w.se_mw
    );
}

#[test]
fn pras_singlenode_a_exact_values_by_the_analytic_mode() {
    // The enumerated values: EFC 8.2376 MW, ELCC 7.3738 MW.
    let (base, variant) = (load("singlenode-a.toml"), load("singlenode-a-gen4.toml"));
    let (efc, elcc) = (exact_efc(&base, &variant), exact_elcc(&base, &variant));
    assert!((efc - 8.2376).abs() < 5e-5, "{efc}");
    assert!((elcc - 7.3738).abs() < 5e-5, "{elcc}");
}

#[test]
fn pras_singlenode_a_fourth_unit() {
    // PRASCapacityCredits.jl/test/runtests.jl: EFC in (8, 9), ELCC in (7, 8).
    let (base, variant) = (load("singlenode-a.toml"), load("singlenode-a-gen4.toml"));
    let efc = run(&base, &variant, Measure::Efc, 0, 20_000, 1).unwrap();
    let elcc = run(&base, &variant, Measure::Elcc, 0, 20_000, 1).unwrap();
    assert!(efc.x_mw > 8.0 && efc.x_mw < 9.0, "{efc:?}");
    assert!(elcc.x_mw > 7.0 && elcc.x_mw < 8.0, "{elcc:?}");
    within_3se("EFC", &efc, 8.2376);
    within_3se("ELCC", &elcc, 7.3738);
    assert!(efc.monotone && elcc.monotone);
    // Stopped by the interval, not a step count: the bracket is narrower than the interval.
    for w in [&efc, &elcc] {
        assert!(w.bracket_mw[1] - w.bracket_mw[0] <= w.ci95_mw[1] - w.ci95_mw[0]);
        assert_eq!(w.steps + 1, w.evaluations.len());
    }
}

#[test]
fn pras_threenode_gen1_raised_to_15_mw() {
    // PRASCapacityCredits.jl/test/runtests.jl: EFC and ELCC in region A in (3, 4); exact
    // 3.343 and 3.624 MW.
    let (base, variant) = (load("threenode.toml"), load("threenode-gen1-15.toml"));
    let efc = run(&base, &variant, Measure::Efc, 0, 10_000, 1).unwrap();
    let elcc = run(&base, &variant, Measure::Elcc, 0, 10_000, 1).unwrap();
    assert!(efc.x_mw > 3.0 && efc.x_mw < 4.0, "{efc:?}");
    assert!(elcc.x_mw > 3.0 && elcc.x_mw < 4.0, "{elcc:?}");
    within_3se("EFC", &efc, 3.343);
    within_3se("ELCC", &elcc, 3.624);
}

/// Replications of the EFC of singlenode_a's fourth unit (`samples` each, seeds 1..=reps):
/// how many intervals cover the exact x.
fn covered(reps: u64, samples: u64) -> u64 {
    let (base, variant) = (load("singlenode-a.toml"), load("singlenode-a-gen4.toml"));
    let exact = exact_efc(&base, &variant);
    (1..=reps)
        .filter(|&seed| {
            let w = run(&base, &variant, Measure::Efc, 0, samples, seed).unwrap();
            w.ci95_mw[0] <= exact && exact <= w.ci95_mw[1]
        })
        .count() as u64
}

#[test]
fn efc_interval_covers_the_exact_x() {
    // 20 replications: fewer than 16 covered has probability 0.3% at 95% coverage.
    let k = covered(20, 2_000);
    assert!(k >= 16, "{k} of 20");
}

/// Opt-in (`cargo test --release -p gridrisk-montecarlo --test worth -- --ignored`):
/// coverage over 1,000 replications within [0.93, 0.97].
#[test]
#[ignore = "long: 1,000 replications"]
fn efc_interval_coverage_over_1000_replications() {
    let k = covered(1_000, 2_000);
    eprintln!("coverage {k} / 1000");
    assert!((930..=970).contains(&k), "{k} of 1000");
}

#[test]
fn an_added_firm_unit_moves_no_other_draw() {
    // The variant is the base with a differently named 5 MW never-failing unit: with common
    // random numbers D(5 MW) is 0 on every sample, so the EFC is 5 MW with no error.
    let base = load("threenode.toml");
    let variant = base
        .with_firm_unit("another firm unit", 1, 5_000_000)
        .unwrap();
    let w = run(&base, &variant, Measure::Efc, 1, 2_000, 7).unwrap();
    assert_eq!(w.x_mw, 5.0);
    assert_eq!(w.se_mw, 0.0);
}

/// The worth of `variant` reusing earlier evaluations and reusing nothing (both sides run
/// over every sample in every evaluation): identical, evaluation by evaluation.
fn reuse_changes_nothing(
    base: &SystemModel,
    variant: &SystemModel,
    region: &str,
    metric: Metric,
    samples: u64,
) -> Vec<Worth> {
    let region = (base.regions().iter())
        .position(|r| r.name() == region)
        .unwrap();
    let spec = SimulationSpec::new(StopRule::Samples(samples), 3, 10).unwrap();
    [Measure::Efc, Measure::Elcc]
        .map(|measure| {
            let question = Question {
                measure,
                region,
                metric,
            };
            let with =
                |reuse| worth_with(base, variant, question, &spec, 0, &|_| {}, reuse).unwrap();
            let (reused, plain) = (with(Reuse::Everything), with(Reuse::Nothing));
            assert_eq!(format!("{reused:?}"), format!("{plain:?}"), "{measure:?}");
            assert!(reused.steps >= 2, "{reused:?}");
            reused
        })
        .into()
}

#[test]
fn worths_share_the_zero_evaluation() {
    // EFC and ELCC together (one run at x = 0) give what each gives alone, with and without
    // energy-limited resources.
    let kz = |name: &str| scenario(&format!("kazakhstan/{name}"));
    let rts = |name: &str| scenario(&format!("benchmarks/{name}"));
    let kazakhstan = [kz("winter-2021-22.toml"), kz("interruptible.toml")];
    let storage = [rts("ieee-rts79.toml"), rts("ieee-rts79-storage.toml")];
    // (scenarios, region, metric); region 3 of the Kazakhstan base is the South.
    let cases = [
        (&kazakhstan, 3, Metric::Eue),
        (&kazakhstan, 3, Metric::Lole),
        (&storage, 0, Metric::Eue),
    ];
    let spec = SimulationSpec::new(StopRule::Samples(60), 3, 10).unwrap();
    for ([base, variant], region, metric) in &cases {
        let both = [Measure::Efc, Measure::Elcc];
        let seen = std::sync::Mutex::new(Vec::new());
        let together = worths(
            base,
            variant,
            &both,
            *region,
            *metric,
            &spec,
            0,
            &|m, _| seen.lock().unwrap().push(m),
            Reuse::Everything,
        )
        .unwrap();
        assert_eq!(together.len(), 2);
        for (measure, w) in both.iter().zip(&together) {
            let question = Question {
                measure: *measure,
                region: *region,
                metric: *metric,
            };
            let alone = worth_with(
                base,
                variant,
                question,
                &spec,
                0,
                &|_| {},
                Reuse::Everything,
            )
            .unwrap();
            assert_eq!(
                format!("{w:?}"),
                format!("{alone:?}"),
                "{measure:?} {metric:?}"
            );
            // Progress names each measure once per evaluation after x = 0.
            let shown = seen
                .lock()
                .unwrap()
                .iter()
                .filter(|m| *m == measure)
                .count();
            assert_eq!(shown, w.steps, "{measure:?}");
        }
    }
}

#[test]
fn reusing_earlier_evaluations_changes_no_result() {
    // Without energy-limited resources (samples pinned by the bracket skipped, only the
    // blocks that can be short walked): the Kazakhstan base (network, hub, capped block,
    // weather, mining) by EUE and LOLE, and the three-area RTS-79 with an import.
    let kz = |name: &str| scenario(&format!("kazakhstan/{name}"));
    let (base, interruptible) = (kz("winter-2021-22.toml"), kz("interruptible.toml"));
    for metric in [Metric::Eue, Metric::Lole] {
        for w in reuse_changes_nothing(&base, &interruptible, "SOUTH", metric, 60) {
            assert!(w.monotone);
        }
    }
    let three = |name: &str| scenario(&format!("benchmarks/{name}"));
    let w = reuse_changes_nothing(
        &three("ieee-rts79-three-area.toml"),
        &three("ieee-rts79-three-area-import.toml"),
        "A",
        Metric::Eue,
        60,
    );
    assert!(w[0].monotone);
    // With storage only the fixed side's totals are reused.
    let w = reuse_changes_nothing(
        &three("ieee-rts79.toml"),
        &three("ieee-rts79-storage.toml"),
        "RTS",
        Metric::Eue,
        60,
    );
    assert!(!w[0].monotone);
}

#[test]
fn refusals() {
    let (base, variant) = (load("singlenode-a.toml"), load("singlenode-a-gen4.toml"));
    let same = run(&base, &base, Measure::Efc, 0, 500, 1).unwrap_err();
    assert!(matches!(same, WorthError::NoChange { .. }), "{same}");
    assert!(
        same.to_string().contains("does not change eue_mwh"),
        "{same}"
    );
    let worse = run(&variant, &base, Measure::Elcc, 0, 500, 1).unwrap_err();
    assert!(matches!(worse, WorthError::Negative { .. }), "{worse}");
    assert!(
        worse.to_string().contains("swap BASE and VARIANT"),
        "{worse}"
    );
}

#[test]
fn the_added_unit_and_load_are_checked() {
    let base = load("singlenode-a.toml");
    // A scenario's own unit name is refused for the firm unit; a load that overflows is refused.
    let e = base.with_firm_unit("Gen#1", 0, 1).unwrap_err();
    assert!(e.to_string().contains("already exists"), "{e}");
    let e = base.with_added_load(0, i64::MAX).unwrap_err();
    assert!(e.to_string().contains("overflows"), "{e}");
    // The firm unit offers its capacity in every hour: x MW of firm capacity is exactly x
    // MW less load in a single region.
    let firm = base.with_firm_unit("firm", 0, 3_500_000).unwrap();
    let less = base.with_added_load(0, -3_500_000).unwrap();
    assert!((exact_eue(&firm) - exact_eue(&less)).abs() < 1e-12);
}
