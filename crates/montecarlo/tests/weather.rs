//! Tests of the weather sampler: the normal quantile against high-precision values, the
//! moments of the anomaly, forecast and renewable processes over fixed-seed samples, input
//! validation, reproducibility and common random numbers.

use gridrisk_core::model::{RegionClimate, Vre, VreProfile, Weather, WeatherZone};
use gridrisk_montecarlo::rng::SampleKey;
use gridrisk_montecarlo::weather::{normal_quantile, WeatherDraw, WeatherError, WeatherSampler};

const DAYS: usize = 120;

fn zone(name: &str, sd: f64, phi: f64) -> WeatherZone {
    WeatherZone {
        name: name.into(),
        normal_c: -12.0,
        anomaly_sd_c: sd,
        persistence: phi,
    }
}

/// Three zones as in facts section 8: sd 6 °C, persistence 0.8, correlations north-south
/// 0.7, north-west 0.7, south-west 0.5.
fn kazakhstan(shift_c: f64) -> Weather {
    Weather {
        zones: vec![
            zone("north", 6.0, 0.8),
            zone("south", 6.0, 0.8),
            zone("west", 6.0, 0.8),
        ],
        correlation: vec![1.0, 0.7, 0.7, 0.7, 1.0, 0.5, 0.7, 0.5, 1.0],
        shift_c,
        load_forecast_sd: 0.02,
        load_forecast_error: 0.0,
        climates: vec![RegionClimate {
            region: 0,
            zone: 0,
            heating_w_per_c: 30e6,
            threshold_c: 10.0,
        }],
    }
}

fn vre(name: &str, sd: f64, phi: f64) -> Vre {
    Vre {
        name: name.into(),
        region: 0,
        capacity_w: 100_000_000,
        profile: VreProfile::ByHourOfDay([0.3; 24]),
        daily_sd: sd,
        persistence: phi,
    }
}

fn plants() -> Vec<Vre> {
    vec![
        vre("wind-a", 0.1, 0.6),
        vre("wind-b", 0.15, 0.3),
        vre("solar-c", 0.8, 0.5),
        vre("wind-d", 0.0, 0.7),
    ]
}

/// Relative error of `x` against `exact`.
fn rel(x: f64, exact: f64) -> f64 {
    if exact == 0.0 {
        x.abs()
    } else {
        ((x - exact) / exact).abs()
    }
}

#[test]
fn normal_quantile_known_values() {
    // Exact quantiles of the f64 values of p (mpmath, 60 digits, Newton on ncdf).
    #[allow(clippy::excessive_precision)]
    let cases = [
        (0.975, 1.959_963_984_540_053_855_6),
        (0.025, -1.959_963_984_540_054_211_8),
        (0.1, -1.281_551_565_544_600_435_3),
        (0.001, -3.090_232_306_167_813_535_4),
        (1e-10, -6.361_340_902_404_056_199_1),
        (1e-20, -9.262_340_089_798_407_579_6),
        (1e-100, -21.273_453_560_965_324_294),
        (1e-300, -37.047_096_299_361_199_236_55),
        (0.3, -0.524_400_512_708_040_815_97),
        (0.45, -0.125_661_346_855_074_006_16),
        (0.7, 0.524_400_512_708_040_656_31),
    ];
    let mut worst: f64 = 0.0;
    for (p, exact) in cases {
        let x = normal_quantile(p);
        assert!(rel(x, exact) < 1e-14, "Q({p:e}) = {x}, exact {exact}");
        worst = worst.max(rel(x, exact));
    }
    eprintln!("normal_quantile at 11 reference points: worst relative error {worst:e}");
    assert_eq!(normal_quantile(0.5), 0.0);
    assert!((normal_quantile(0.975) - 1.959963984540054).abs() < 1e-15);
    assert_eq!(normal_quantile(0.0), f64::NEG_INFINITY);
    assert_eq!(normal_quantile(1.0), f64::INFINITY);
    assert!(normal_quantile(f64::NAN).is_nan());
}

#[test]
fn normal_quantile_symmetry_and_round_trip() {
    // Symmetry where 1 - p is exact.
    for k in 1..1024u32 {
        let p = f64::from(k) / 1024.0;
        let (a, b) = (normal_quantile(p), normal_quantile(1.0 - p));
        assert!(
            (a + b).abs() <= 1e-15 * a.abs().max(1.0),
            "p = {p}: {a} vs {b}"
        );
    }
    for k in 1..=300 {
        let p = 10f64.powi(-k);
        let (a, b) = (normal_quantile(p), normal_quantile(1.0 - p));
        if p >= 1e-15 {
            // 1 - p is rounded: compare with the exact complement's quantile loosely.
            assert!(rel(-b, a) < 1e-2, "p = {p}: {a} vs {b}");
        }
        assert!(a < normal_quantile(p * 1.0001));
    }
    // Round trip through the lower tail: Phi(x) = erfc(-x / sqrt 2) / 2, down to x = -37
    // (below about -37.5, p is subnormal and has lost precision itself).
    let mut worst: f64 = 0.0;
    for i in 1..=3700 {
        let x = -(i as f64) * 0.01;
        let p = 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2);
        worst = worst.max(rel(normal_quantile(p), x));
    }
    eprintln!("round trip Q(Phi(x)), x in [-37, -0.01]: worst relative error {worst:e}");
    assert!(worst < 1e-14, "worst round-trip relative error {worst:e}");
    // Monotone on a fine grid across the region boundaries.
    let mut last = f64::NEG_INFINITY;
    for i in 1..200_000 {
        let x = normal_quantile(i as f64 / 200_000.0);
        assert!(x > last);
        last = x;
    }
}

/// Moments of the anomalies over `samples` samples of `weather`.
struct Moments {
    mean: Vec<f64>,
    sd: Vec<f64>,
    lag1: Vec<f64>,
    corr: Vec<f64>,
    /// sd across samples on day 0 and on the last day, per zone.
    sd_first_last: Vec<(f64, f64)>,
}

fn moments(weather: &Weather, samples: u64) -> Moments {
    let n = weather.zones.len();
    let s = WeatherSampler::new(weather, &[], DAYS).unwrap();
    let mut out = s.draw();
    let mut all = vec![Vec::new(); n];
    for i in 0..samples {
        s.sample(SampleKey::new(2022, i), &mut out);
        for (z, v) in all.iter_mut().enumerate() {
            v.extend_from_slice(out.zone_anomalies_c(z));
        }
    }
    let mean: Vec<f64> = all
        .iter()
        .map(|v| v.iter().sum::<f64>() / v.len() as f64)
        .collect();
    let var: Vec<f64> = (0..n)
        .map(|z| all[z].iter().map(|a| (a - mean[z]).powi(2)).sum::<f64>() / all[z].len() as f64)
        .collect();
    let lag1 = (0..n)
        .map(|z| {
            let mut num = 0.0;
            let mut cnt = 0;
            for smp in all[z].chunks(DAYS) {
                for d in 1..DAYS {
                    num += (smp[d] - mean[z]) * (smp[d - 1] - mean[z]);
                    cnt += 1;
                }
            }
            num / cnt as f64 / var[z]
        })
        .collect();
    let mut corr = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            let cov = all[i]
                .iter()
                .zip(&all[j])
                .map(|(a, b)| (a - mean[i]) * (b - mean[j]))
                .sum::<f64>()
                / all[i].len() as f64;
            corr[i * n + j] = cov / (var[i] * var[j]).sqrt();
        }
    }
    let day_sd = |z: usize, d: usize| {
        let xs: Vec<f64> = all[z].chunks(DAYS).map(|smp| smp[d]).collect();
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / xs.len() as f64).sqrt()
    };
    Moments {
        sd: var.iter().map(|v| v.sqrt()).collect(),
        mean,
        lag1,
        corr,
        sd_first_last: (0..n)
            .map(|z| (day_sd(z, 0), day_sd(z, DAYS - 1)))
            .collect(),
    }
}

#[test]
fn anomaly_moments() {
    let w = kazakhstan(0.0);
    let m = moments(&w, 4000);
    eprintln!(
        "anomalies over 4000 x {DAYS} days: mean {:.4?} sd {:.4?} lag1 {:.4?} corr {:.4?} \
         sd(day 0, day {}) {:.3?}",
        m.mean,
        m.sd,
        m.lag1,
        m.corr,
        DAYS - 1,
        m.sd_first_last
    );
    for z in 0..3 {
        // se of the pooled sd is ~0.2%; of the mean ~0.03 °C.
        assert!(rel(m.sd[z], 6.0) < 0.01, "zone {z} sd {}", m.sd[z]);
        assert!(m.mean[z].abs() < 0.2, "zone {z} mean {}", m.mean[z]);
        assert!(
            (m.lag1[z] - 0.8).abs() < 0.01,
            "zone {z} lag1 {}",
            m.lag1[z]
        );
        // Stationary start: the sd across samples is 6 on the first and on the last day.
        let (first, last) = m.sd_first_last[z];
        assert!(
            rel(first, 6.0) < 0.04 && rel(last, 6.0) < 0.04,
            "{first} {last}"
        );
        for j in 0..3 {
            let c = w.correlation[z * 3 + j];
            let got = m.corr[z * 3 + j];
            assert!((got - c).abs() < 0.02, "corr {z}-{j}: {got} vs {c}");
        }
    }
}

#[test]
fn unequal_persistence_correlation_is_documented_value() {
    let w = Weather {
        zones: vec![zone("a", 3.0, 0.8), zone("b", 5.0, 0.6)],
        correlation: vec![1.0, 0.7, 0.7, 1.0],
        ..Weather::default()
    };
    let m = moments(&w, 4000);
    let k = (0.36f64 * 0.64).sqrt() / (1.0 - 0.48);
    eprintln!(
        "unequal persistence: sd {:.4?} lag1 {:.4?} corr {:.4} (expected {:.4})",
        m.sd,
        m.lag1,
        m.corr[1],
        0.7 * k
    );
    assert!(rel(m.sd[0], 3.0) < 0.01 && rel(m.sd[1], 5.0) < 0.01);
    assert!((m.lag1[0] - 0.8).abs() < 0.01 && (m.lag1[1] - 0.6).abs() < 0.01);
    assert!((m.corr[1] - 0.7 * k).abs() < 0.01);
}

#[test]
fn shift_moves_every_anomaly_by_exactly_the_shift() {
    let base = WeatherSampler::new(&kazakhstan(0.0), &plants(), DAYS).unwrap();
    let cold = WeatherSampler::new(&kazakhstan(-4.0), &plants(), DAYS).unwrap();
    let (mut a, mut b) = (base.draw(), cold.draw());
    let mut sum = 0.0;
    for i in 0..200 {
        let key = SampleKey::new(7, i);
        base.sample(key, &mut a);
        cold.sample(key, &mut b);
        for z in 0..3 {
            for d in 0..DAYS {
                let (x, y) = (a.anomaly_c(z, d), b.anomaly_c(z, d));
                // The same unshifted anomaly plus the shift, bit for bit...
                assert_eq!(y.to_bits(), (x + -4.0).to_bits());
                // ...so the difference is -4 up to the rounding of that addition.
                assert!((y - x + 4.0).abs() <= 4.0 * f64::EPSILON * x.abs().max(4.0));
                sum += y - x;
            }
        }
        assert_eq!(a.forecast_error(), b.forecast_error());
        for p in 0..4 {
            assert_eq!(a.vre_factors(p), b.vre_factors(p));
        }
    }
    let mean = sum / (200 * 3 * DAYS) as f64;
    eprintln!("mean shift {mean}");
    assert!((mean + 4.0).abs() < 1e-12);
}

#[test]
fn forecast_error_sd() {
    let s = WeatherSampler::new(&kazakhstan(0.0), &[], 1).unwrap();
    let mut out = s.draw();
    let n = 40_000;
    let (mut sum, mut sq) = (0.0, 0.0);
    for i in 0..n {
        s.sample(SampleKey::new(11, i), &mut out);
        sum += out.forecast_error();
        sq += out.forecast_error() * out.forecast_error();
    }
    let mean = sum / n as f64;
    let sd = (sq / n as f64 - mean * mean).sqrt();
    eprintln!("forecast error over {n} samples: mean {mean:.6} sd {sd:.6} (configured 0.02)");
    // se of the sd is 0.35%.
    assert!(rel(sd, 0.02) < 0.02, "sd {sd}");
    assert!(mean.abs() < 0.0005, "mean {mean}");

    // Zero sd: exactly zero.
    let mut w = kazakhstan(0.0);
    w.load_forecast_sd = 0.0;
    let s = WeatherSampler::new(&w, &[], 1).unwrap();
    s.sample(SampleKey::new(11, 0), &mut out);
    assert_eq!(out.forecast_error().to_bits(), 0.0f64.to_bits());
}

#[test]
fn vre_factor_moments() {
    let s = WeatherSampler::new(&Weather::default(), &plants(), DAYS).unwrap();
    let mut out = s.draw();
    let samples = 4000;
    let mut all = vec![Vec::new(); 4];
    for i in 0..samples {
        s.sample(SampleKey::new(5, i), &mut out);
        for (p, v) in all.iter_mut().enumerate() {
            v.extend_from_slice(out.vre_factors(p));
        }
    }
    let stats = |v: &[f64]| {
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64;
        let mut num = 0.0;
        let mut cnt = 0;
        for smp in v.chunks(DAYS) {
            for d in 1..DAYS {
                num += (smp[d] - mean) * (smp[d - 1] - mean);
                cnt += 1;
            }
        }
        (mean, var.sqrt(), num / cnt as f64 / var)
    };
    for (p, (sd, phi)) in [(0.1, 0.6), (0.15, 0.3)].into_iter().enumerate() {
        let (mean, got_sd, lag1) = stats(&all[p]);
        eprintln!("vre {p}: mean {mean:.5} sd {got_sd:.5} (cfg {sd}) lag1 {lag1:.4} (cfg {phi})");
        assert!((mean - 1.0).abs() < 0.002, "mean {mean}");
        assert!(rel(got_sd, sd) < 0.02, "sd {got_sd}");
        assert!((lag1 - phi).abs() < 0.01, "lag1 {lag1}");
    }
    // Large sd: clipped at zero, never negative, some exact zeros.
    let zeros = all[2].iter().filter(|&&m| m == 0.0).count();
    assert!(all[2].iter().all(|&m| m >= 0.0));
    let frac = zeros as f64 / all[2].len() as f64;
    eprintln!("vre 2 (sd 0.8): fraction of zero days {frac:.4} (P(z < -1.25) = 0.1056)");
    assert!((frac - 0.1056).abs() < 0.01);
    // Zero sd: exactly 1.
    assert!(all[3].iter().all(|&m| m == 1.0));
}

#[test]
fn bad_inputs_are_errors() {
    let check = |w: &Weather, vre: &[Vre], what: &str| {
        let err = WeatherSampler::new(w, vre, DAYS).expect_err(what);
        eprintln!("{what}: {err}");
        err
    };
    let mut w = kazakhstan(0.0);
    // Each pair is allowed, the triple is not: corr(s, w) must exceed 2 * 0.9^2 - 1 = 0.62.
    w.correlation = vec![1.0, 0.9, 0.9, 0.9, 1.0, 0.5, 0.9, 0.5, 1.0];
    assert_eq!(
        check(&w, &[], "not positive definite"),
        WeatherError::NotPositiveDefinite
    );
    w.correlation = vec![1.0, 0.7, 0.7, 0.6, 1.0, 0.5, 0.7, 0.5, 1.0];
    assert!(matches!(
        check(&w, &[], "asymmetric"),
        WeatherError::CorrelationAsymmetric { .. }
    ));
    w.correlation = vec![1.0, 0.7, 0.7, 1.0];
    assert!(matches!(
        check(&w, &[], "wrong size"),
        WeatherError::CorrelationSize { got: 4, .. }
    ));
    w.correlation = vec![0.9, 0.7, 0.7, 0.7, 1.0, 0.5, 0.7, 0.5, 1.0];
    assert!(matches!(
        check(&w, &[], "diagonal"),
        WeatherError::CorrelationDiagonal { .. }
    ));
    w.correlation = vec![1.0, 1.7, 0.7, 1.7, 1.0, 0.5, 0.7, 0.5, 1.0];
    assert!(matches!(
        check(&w, &[], "range"),
        WeatherError::CorrelationRange { .. }
    ));
    w.correlation = vec![1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0];
    assert_eq!(
        check(&w, &[], "singular"),
        WeatherError::NotPositiveDefinite
    );

    let good = kazakhstan(0.0);
    let mut w = good.clone();
    w.zones[1].persistence = 1.0;
    assert!(matches!(
        check(&w, &[], "persistence 1"),
        WeatherError::ZonePersistence { .. }
    ));
    w.zones[1].persistence = -0.1;
    assert!(matches!(
        check(&w, &[], "persistence < 0"),
        WeatherError::ZonePersistence { .. }
    ));
    let mut w = good.clone();
    w.zones[2].anomaly_sd_c = -1.0;
    assert!(matches!(
        check(&w, &[], "sd < 0"),
        WeatherError::ZoneSd { .. }
    ));
    w.zones[2].anomaly_sd_c = f64::NAN;
    assert!(matches!(
        check(&w, &[], "sd NaN"),
        WeatherError::ZoneSd { .. }
    ));
    let mut w = good.clone();
    w.load_forecast_sd = -0.01;
    assert!(matches!(
        check(&w, &[], "forecast sd"),
        WeatherError::ForecastSd(_)
    ));
    let mut w = good.clone();
    w.shift_c = f64::INFINITY;
    assert!(matches!(check(&w, &[], "shift"), WeatherError::Shift(_)));
    let mut w = good.clone();
    w.climates[0].zone = 3;
    assert!(matches!(
        check(&w, &[], "climate zone"),
        WeatherError::ClimateZone { zone: 3, .. }
    ));
    assert!(matches!(
        check(&good, &[vre("w", 0.1, 1.0)], "vre persistence"),
        WeatherError::VrePersistence { .. }
    ));
    assert!(matches!(
        check(&good, &[vre("w", -0.1, 0.5)], "vre sd"),
        WeatherError::VreSd { .. }
    ));
}

fn bits(d: &WeatherDraw) -> Vec<u64> {
    let mut v = vec![d.forecast_error().to_bits()];
    for z in 0..d.zones() {
        v.extend(d.zone_anomalies_c(z).iter().map(|x| x.to_bits()));
    }
    for p in 0..d.plants() {
        v.extend(d.vre_factors(p).iter().map(|x| x.to_bits()));
    }
    v
}

#[test]
fn reproducible_and_common_random_numbers() {
    let s = WeatherSampler::new(&kazakhstan(0.0), &plants(), DAYS).unwrap();
    let mut a = s.draw();
    let mut b = WeatherDraw::new(0, 0, 0);
    s.sample(SampleKey::new(3, 17), &mut a);
    s.sample(SampleKey::new(3, 17), &mut b);
    assert_eq!(bits(&a), bits(&b));
    // A draw reused after another sample gives the same bits again.
    s.sample(SampleKey::new(3, 18), &mut b);
    assert_ne!(bits(&a), bits(&b));
    s.sample(SampleKey::new(3, 17), &mut b);
    assert_eq!(bits(&a), bits(&b));
    // A clone of the sampler (another worker) agrees.
    let t = s.clone();
    t.sample(SampleKey::new(3, 17), &mut b);
    assert_eq!(bits(&a), bits(&b));

    // Pinned values: a change here changes every published result.
    assert_eq!(a.anomaly_c(0, 0), -4.2694306278271235);
    assert_eq!(a.forecast_error(), -0.022859691371250303);
    assert_eq!(a.vre_factor(0, 0), 1.1284099443901583);

    // Editing one plant or the forecast sd leaves every other draw unchanged.
    let mut other = plants();
    other[1].daily_sd = 0.3;
    other.push(vre("new", 0.2, 0.5));
    let mut w = kazakhstan(0.0);
    w.load_forecast_sd = 0.05;
    let u = WeatherSampler::new(&w, &other, DAYS).unwrap();
    u.sample(SampleKey::new(3, 17), &mut b);
    for z in 0..3 {
        assert_eq!(a.zone_anomalies_c(z), b.zone_anomalies_c(z));
    }
    // Same normal, sd 0.05 instead of 0.02.
    assert!(rel(b.forecast_error(), a.forecast_error() * 2.5) < 1e-15);
    for p in [0, 2, 3] {
        assert_eq!(a.vre_factors(p), b.vre_factors(p));
    }
    assert_ne!(a.vre_factors(1), b.vre_factors(1));
    // Same stream, larger sd: each day's deviation scales exactly by 2 (before clipping).
    for d in 0..DAYS {
        let (x, y) = (a.vre_factor(1, d) - 1.0, b.vre_factor(1, d) - 1.0);
        assert!((y - 2.0 * x).abs() < 1e-12 || y == -1.0);
    }
}

#[test]
fn empty_weather() {
    let s = WeatherSampler::new(&Weather::default(), &[], DAYS).unwrap();
    let mut out = s.draw();
    s.sample(SampleKey::new(1, 1), &mut out);
    assert_eq!((out.zones(), out.plants(), out.days()), (0, 0, DAYS));
    assert_eq!(out.forecast_error().to_bits(), 0.0f64.to_bits());
    // Zero days, zones present.
    let s = WeatherSampler::new(&kazakhstan(0.0), &plants(), 0).unwrap();
    let mut out = s.draw();
    s.sample(SampleKey::new(1, 1), &mut out);
    assert_eq!(out.zone_anomalies_c(0), &[] as &[f64]);
    // Forecast only.
    let w = Weather {
        load_forecast_sd: 0.03,
        ..Weather::default()
    };
    let s = WeatherSampler::new(&w, &[], DAYS).unwrap();
    let mut a = s.draw();
    let mut b = s.draw();
    s.sample(SampleKey::new(1, 1), &mut a);
    s.sample(SampleKey::new(1, 1), &mut b);
    assert!(a.forecast_error() != 0.0);
    assert_eq!(a.forecast_error().to_bits(), b.forecast_error().to_bits());
}

/// Rough timing: `cargo test --release -p gridrisk-montecarlo --test weather -- --ignored
/// --nocapture`.
#[test]
#[ignore]
fn timing() {
    let s = WeatherSampler::new(&kazakhstan(-4.0), &plants()[..3], DAYS).unwrap();
    let mut more = plants();
    more[3].daily_sd = 0.2;
    let s4 = WeatherSampler::new(&kazakhstan(-4.0), &more, DAYS).unwrap();
    for (name, s) in [("3 VRE with sd > 0", &s), ("4 VRE with sd > 0", &s4)] {
        let mut out = s.draw();
        let n = 200_000u64;
        let t = std::time::Instant::now();
        let mut acc = 0.0;
        for i in 0..n {
            s.sample(SampleKey::new(9, i), &mut out);
            acc += out.anomaly_c(0, DAYS - 1) + out.vre_factor(0, 0);
        }
        let per = t.elapsed().as_secs_f64() / n as f64;
        eprintln!(
            "3 zones x {DAYS} days + {name}: {:.2} us per sample ({acc:.1})",
            per * 1e6
        );
    }
}
