//! Mining sampler: closed forms of enforcement, the triangular total, policy windows,
//! no-op campaigns and amnesty.

use gridrisk_core::calendar::Date;
use gridrisk_core::model::{Enforcement, IllegalMining, Mining, MiningPolicy, RegisteredMining};
use gridrisk_core::Calendar;
use gridrisk_montecarlo::mining::{MiningDraw, MiningError, MiningHours, MiningSampler};
use gridrisk_montecarlo::rng::SampleKey;

const MW: i64 = 1_000_000;

/// Section 7.2 / 8 starting values: six regions, triangular 340/700/1200 MW, 5 MW farms.
fn illegal() -> IllegalMining {
    IllegalMining {
        min_w: 340 * MW,
        mode_w: 700 * MW,
        max_w: 1200 * MW,
        shares: vec![
            (0, 0.5),
            (1, 40.0 / 700.0),
            (2, 20.0 / 700.0),
            (3, 250.0 / 700.0),
            (4, 20.0 / 700.0),
            (5, 20.0 / 700.0),
        ],
        farm_mean_w: 5e6,
        farm_cv: 1.0,
        detectability_cv: 0.0,
        detectability_size_exponent: 0.0,
    }
}

fn campaign(days: std::ops::Range<usize>, hazard: f64, cap: u32) -> Enforcement {
    Enforcement {
        name: "raids".into(),
        days,
        hazard_per_day: hazard,
        inspections_per_day: cap,
        reconnect_probability: 0.0,
        reconnect_delay_days: (14, 30),
        relocate_probability: 0.0,
        amnesty_day: None,
    }
}

fn mining(enforcement: Vec<Enforcement>) -> Mining {
    Mining {
        registered: vec![
            RegisteredMining {
                region: 0,
                load_w: 420 * MW,
            },
            RegisteredMining {
                region: 4,
                load_w: 91 * MW,
            },
        ],
        policies: vec![],
        illegal: Some(illegal()),
        enforcement,
    }
}

fn window(days: usize) -> Calendar {
    Calendar::from_hours(days * 24, 0, 360)
}

fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0);
    (m, (v / n).sqrt())
}

/// Every per-hour output of two draws, for exact comparison.
/// `MiningDraw::region_hours` (the rows the hourly inputs read) gives, hour by hour, what
/// the per-hour accessors give.
fn assert_region_hours(d: &MiningDraw, regions: usize, hours: usize) {
    let (mut firm, mut illegal, mut interruptible) =
        (vec![-1; hours], vec![-1; hours], vec![-1; hours]);
    for r in 0..regions {
        d.region_hours(
            r,
            MiningHours {
                registered_firm_w: &mut firm,
                illegal_w: &mut illegal,
                interruptible_w: &mut interruptible,
            },
        );
        for h in 0..hours {
            let rows = (firm[h], illegal[h], interruptible[h]);
            let each = (
                d.registered_firm_w(r, h),
                d.illegal_w(r, h),
                d.registered_interruptible_w(r, h),
            );
            assert_eq!(rows, each, "region {r} hour {h}");
        }
    }
}

fn outputs(d: &MiningDraw, regions: usize, hours: usize) -> Vec<i64> {
    let mut v = Vec::new();
    for r in 0..regions {
        for h in 0..hours {
            v.push(d.registered_firm_w(r, h));
            v.push(d.registered_interruptible_w(r, h));
            v.push(d.illegal_w(r, h));
        }
    }
    v.extend_from_slice(d.illegal_by_day_w());
    v.push(d.disconnections() as i64);
    v.push(d.farms() as i64);
    v
}

#[test]
fn unlimited_inspections_leave_t_mean_exp_minus_hazard_t() {
    let (start, hazard, samples) = (10usize, 0.08, 4000u64);
    let cal = window(60);
    // One campaign of hazard h, and two overlapping campaigns of h/2 each (independent tests
    // on the same day add their hazards).
    let single = MiningSampler::new(
        &mining(vec![campaign(start..60, hazard, u32::MAX)]),
        6,
        &cal,
    )
    .unwrap();
    let double = MiningSampler::new(
        &mining(vec![
            campaign(start..60, hazard / 2.0, u32::MAX),
            campaign(start..60, hazard / 2.0, u32::MAX),
        ]),
        6,
        &cal,
    )
    .unwrap();
    let t_mean = (340.0 + 700.0 + 1200.0) / 3.0 * 1e6;
    for (label, sampler) in [("single", &single), ("double", &double)] {
        let mut draw = sampler.draw();
        let ts = [1usize, 2, 5, 10, 20, 35, 50];
        let mut left = vec![Vec::new(); ts.len()];
        let mut ratio = vec![Vec::new(); ts.len()];
        for s in 0..samples {
            sampler.sample(SampleKey::new(11, s), &mut draw);
            let total = draw.illegal_total_w();
            // Before the campaign, everything is connected.
            assert!(draw.illegal_by_day_w()[..start].iter().all(|&w| w == total));
            for (i, &t) in ts.iter().enumerate() {
                let day = start + t - 1;
                let w = draw.illegal_by_day_w()[day];
                // The hourly values of the day sum to the national value.
                for h in [24 * day, 24 * day + 23] {
                    assert_eq!((0..6).map(|r| draw.illegal_w(r, h)).sum::<i64>(), w);
                }
                left[i].push(w as f64);
                ratio[i].push(w as f64 / total as f64);
            }
        }
        for (i, &t) in ts.iter().enumerate() {
            let expect = (-hazard * t as f64).exp();
            let (m, se) = mean_sd(&left[i]);
            let z = (m - t_mean * expect) / se;
            let (mr, ser) = mean_sd(&ratio[i]);
            let zr = (mr - expect) / ser;
            println!(
                "{label} t={t:2}: mean left {:.1} MW (closed form {:.1}, z {z:+.2}); \
                 share left {mr:.4} (exp(-ht) {expect:.4}, z {zr:+.2})",
                m / 1e6,
                t_mean * expect / 1e6
            );
            assert!(z.abs() < 4.0, "{label} t={t}: z = {z}");
            assert!(zr.abs() < 4.0, "{label} t={t}: z = {zr}");
        }
    }
}

/// Mining with one unlimited campaign from day 0 and the given detectability law.
fn heterogeneous(hazard: f64, cv: f64, size_exponent: f64) -> Mining {
    let mut m = mining(vec![campaign(0..60, hazard, u32::MAX)]);
    let ill = m.illegal.as_mut().unwrap();
    ill.detectability_cv = cv;
    ill.detectability_size_exponent = size_exponent;
    m
}

#[test]
fn gamma_frailty_leaves_the_closed_form_share_of_farms() {
    // A farm of frailty Z is still connected after t days with probability exp(-h Z t); over
    // a gamma Z of mean 1 and CV c that is (1 + c^2 h t)^(-1/c^2): detections fall as the easy
    // farms are found. Shapes 4 (c = 0.5) and 1/2.25 (c = 1.5, the boosted branch).
    let (hazard, samples) = (0.05, 3000u64);
    let cal = window(60);
    for cv in [0.5, 1.5] {
        let sampler = MiningSampler::new(&heterogeneous(hazard, cv, 0.0), 6, &cal).unwrap();
        let mut draw = sampler.draw();
        let ts = [1usize, 5, 20, 60];
        let mut left = vec![Vec::new(); ts.len()];
        for s in 0..samples {
            sampler.sample(SampleKey::new(17, s), &mut draw);
            for (i, &t) in ts.iter().enumerate() {
                left[i].push(draw.farms_connected_by_day()[t - 1] as f64 / draw.farms() as f64);
            }
        }
        for (i, &t) in ts.iter().enumerate() {
            let c2 = cv * cv;
            let expect = (1.0 + c2 * hazard * t as f64).powf(-1.0 / c2);
            let homogeneous = (-hazard * t as f64).exp();
            let (m, se) = mean_sd(&left[i]);
            let z = (m - expect) / se;
            println!("cv {cv} t={t:2}: share left {m:.4} (closed form {expect:.4}, z {z:+.2})");
            assert!(z.abs() < 4.0, "cv {cv} t={t}: z = {z}");
            // Heterogeneity leaves more farms than the same mean hazard for all would (after
            // the first day, where the two differ by less than the noise).
            assert!(t == 1 || m > homogeneous + 4.0 * se, "cv {cv} t={t}");
        }
    }
}

#[test]
fn size_biased_detection_matches_the_drawn_sizes() {
    // With hazard h (size / mean)^g and no frailty, a farm of size S is still connected
    // after t days with probability exp(-h t (S / mean)^g): averaged over the farms each
    // sample drew, the expected share left; the simulated share must match it on average.
    let (hazard, g, samples) = (0.05, 1.0, 2000u64);
    let cal = window(60);
    let sampler = MiningSampler::new(&heterogeneous(hazard, 0.0, g), 6, &cal).unwrap();
    let mut draw = sampler.draw();
    let ts = [1usize, 10, 40];
    let mut gap = vec![Vec::new(); ts.len()];
    let mut mw_vs_count = vec![Vec::new(); ts.len()];
    for s in 0..samples {
        sampler.sample(SampleKey::new(19, s), &mut draw);
        let n = draw.farms() as f64;
        for (i, &t) in ts.iter().enumerate() {
            let expect = draw
                .farm_sizes_w()
                .iter()
                .map(|&w| (-hazard * t as f64 * (w as f64 / 5e6).powf(g)).exp())
                .sum::<f64>()
                / n;
            let share = draw.farms_connected_by_day()[t - 1] as f64 / n;
            gap[i].push(share - expect);
            let mw_share = draw.illegal_by_day_w()[t - 1] as f64 / draw.illegal_total_w() as f64;
            mw_vs_count[i].push(share - mw_share);
        }
    }
    for (i, &t) in ts.iter().enumerate() {
        let (m, se) = mean_sd(&gap[i]);
        println!("t={t:2}: share left minus its expectation {m:+.5} (se {se:.5})");
        assert!((m / se).abs() < 4.0, "t={t}: z = {}", m / se);
        // Large farms go first: a smaller share of the MW is left than of the farms.
        let (d, se) = mean_sd(&mw_vs_count[i]);
        assert!(d > 4.0 * se, "t={t}: {d} (se {se})");
    }
}

#[test]
fn uniform_detectability_is_the_homogeneous_campaign() {
    // A CV of 0 and an exponent of 0 draw nothing more: the same output, bit for bit, as
    // before the keys existed.
    let cal = window(30);
    let zero = MiningSampler::new(&heterogeneous(0.1, 0.0, 0.0), 6, &cal).unwrap();
    let plain = MiningSampler::new(&mining(vec![campaign(0..60, 0.1, u32::MAX)]), 6, &cal).unwrap();
    let (mut a, mut b) = (zero.draw(), plain.draw());
    for s in 0..20 {
        zero.sample(SampleKey::new(3, s), &mut a);
        plain.sample(SampleKey::new(3, s), &mut b);
        assert_eq!(outputs(&a, 6, 30 * 24), outputs(&b, 6, 30 * 24));
        assert!(a.disconnections() > 0);
    }
}

#[test]
fn limited_inspections_take_exactly_k_farms_a_day() {
    let (start, k) = (5usize, 3u32);
    let cal = window(90);
    let sampler = MiningSampler::new(&mining(vec![campaign(start..90, 1e3, k)]), 6, &cal).unwrap();
    let mut draw = sampler.draw();
    for s in 0..50 {
        sampler.sample(SampleKey::new(5, s), &mut draw);
        let n = draw.farms();
        for d in 0usize..90 {
            let t = (d + 1usize).saturating_sub(start);
            let gone = (k as usize * t).min(n);
            assert_eq!(
                draw.farms_connected_by_day()[d],
                n - gone,
                "sample {s}, day {d}"
            );
        }
        assert_eq!(draw.disconnections(), (k as usize * 85).min(n));
        // Highest priorities go first: after day `start`, the k farms gone are the top k.
        let mut order: Vec<usize> = (0..n).collect();
        let p = draw.farm_priorities();
        order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
        let sizes = draw.farm_sizes_w();
        let top: i64 = order[..k as usize].iter().map(|&f| sizes[f]).sum();
        assert_eq!(draw.illegal_by_day_w()[start], draw.illegal_total_w() - top);
    }
}

#[test]
fn national_total_is_triangular_and_farms_sum_to_it() {
    let sampler = MiningSampler::new(&mining(vec![]), 6, &window(10)).unwrap();
    let mut draw = sampler.draw();
    let (mut totals, mut sizes, mut first, mut farms) =
        (Vec::new(), Vec::new(), Vec::new(), 0usize);
    let samples = 5000;
    for s in 0..samples {
        sampler.sample(SampleKey::new(3, s), &mut draw);
        let t = draw.illegal_total_w();
        assert!((340 * MW..=1200 * MW).contains(&t));
        assert_eq!(draw.farm_sizes_w().iter().sum::<i64>(), t);
        assert!(draw.farm_sizes_w().iter().all(|&w| w >= 1));
        assert_eq!(draw.illegal_by_day_w()[9], t);
        // Untruncated farms: all but the last.
        let n = draw.farms();
        assert!(n > 20);
        assert!(draw.farm_sizes_w()[..20].iter().sum::<i64>() < t);
        first.extend(draw.farm_sizes_w()[..20].iter().map(|&w| w as f64));
        sizes.extend(draw.farm_sizes_w()[..n - 1].iter().map(|&w| w as f64));
        farms += n;
        totals.push(t as f64);
        // Regions follow the shares; per-region sums add up.
        assert_eq!((0..6).map(|r| draw.illegal_w(r, 0)).sum::<i64>(), t);
    }
    let (m, se) = mean_sd(&totals);
    let expect = (340.0 + 700.0 + 1200.0) / 3.0 * 1e6;
    println!(
        "T mean {:.2} MW (closed form {:.2}, z {:+.2}); {:.1} farms per sample",
        m / 1e6,
        expect / 1e6,
        (m - expect) / se,
        farms as f64 / samples as f64
    );
    assert!(((m - expect) / se).abs() < 4.0);
    // Variance (a^2 + b^2 + c^2 - ab - ac - bc) / 18.
    let var = (340f64.powi(2) + 700f64.powi(2) + 1200f64.powi(2)
        - 340.0 * 700.0
        - 340.0 * 1200.0
        - 700.0 * 1200.0)
        / 18.0
        * 1e12;
    let sd = (se * se * samples as f64).sqrt();
    assert!((sd / var.sqrt() - 1.0).abs() < 0.05, "sd {sd}");
    // Mean farm size. The first 20 farms of a sample are plain i.i.d. lognormal draws (never
    // cut, as every sample has more than 20 farms and they never reach 340 MW); the last farm
    // is cut, and the farm that crosses T is size-biased (its mean is m (1 + cv^2)), so
    // "all but the last" is biased low by about 0.7% with ~150 farms.
    let (ms, ses) = mean_sd(&first);
    let sd = (ses * ses * first.len() as f64).sqrt();
    println!(
        "mean of the first 20 farms {:.4} MW (law 5.0000, z {:+.2}), cv {:.3} (law 1.000); \
         all but the last: {:.4} MW",
        ms / 1e6,
        (ms - 5e6) / ses,
        sd / ms,
        mean_sd(&sizes).0 / 1e6
    );
    assert!(((ms - 5e6) / ses).abs() < 4.0, "mean size {ms}");
    assert!((sd / ms - 1.0).abs() < 0.08, "cv {}", sd / ms);
}

fn day_of(date: Date, start: Date) -> usize {
    (date.days_since_epoch() - start.days_since_epoch()) as usize
}

#[test]
fn policies_hold_exactly_on_their_hours() {
    let start = Date::new(2021, 11, 1).unwrap();
    let cal = Calendar::from_dates(start, Date::new(2022, 2, 28).unwrap(), 360);
    assert_eq!(cal.hours(), 2880);
    let ban_from = day_of(Date::new(2022, 1, 24).unwrap(), start) * 24;
    let ban_to = (day_of(Date::new(2022, 2, 7).unwrap(), start) + 1) * 24;
    let curtail_to = ban_from;
    let limit_from = day_of(Date::new(2022, 2, 16).unwrap(), start) * 24;
    let interruptible = 24 * 30..24 * 100;
    let mut evening = [false; 24];
    evening[17..21].fill(true);
    let mut m = mining(vec![]);
    m.illegal = None;
    m.registered.push(RegisteredMining {
        region: 0,
        load_w: 10 * MW,
    });
    m.policies = vec![
        MiningPolicy::Curtail {
            hours: 0..curtail_to,
            hours_of_day: evening,
        },
        MiningPolicy::Ban {
            hours: ban_from..ban_to,
        },
        MiningPolicy::Interruptible {
            hours: interruptible.clone(),
        },
        MiningPolicy::SelfLimit {
            region: 0,
            reduction_w: 44 * MW,
            from_h: limit_from,
        },
        MiningPolicy::SelfLimit {
            region: 4,
            reduction_w: 91 * MW,
            from_h: limit_from,
        },
        MiningPolicy::SelfLimit {
            region: 4,
            reduction_w: 50 * MW,
            from_h: limit_from + 5,
        },
    ];
    let sampler = MiningSampler::new(&m, 6, &cal).unwrap();
    let mut draw = sampler.draw();
    sampler.sample(SampleKey::new(1, 0), &mut draw);
    for h in 0..cal.hours() {
        let off = (ban_from..ban_to).contains(&h)
            || (h < curtail_to && (17..21).contains(&cal.hour_of_day(h)));
        let load = [
            if h >= limit_from { 386 * MW } else { 430 * MW },
            0,
            0,
            0,
            if h >= limit_from { 0 } else { 91 * MW },
            0,
        ];
        for (r, &l) in load.iter().enumerate() {
            let (firm, int) = (
                draw.registered_firm_w(r, h),
                draw.registered_interruptible_w(r, h),
            );
            let want = if off { 0 } else { l };
            if interruptible.contains(&h) {
                assert_eq!((firm, int), (0, want), "hour {h} region {r}");
            } else {
                assert_eq!((firm, int), (want, 0), "hour {h} region {r}");
            }
            assert_eq!(draw.illegal_w(r, h), 0);
        }
    }
    assert_eq!(draw.farms(), 0);
    assert_region_hours(&draw, 6, cal.hours());
}

#[test]
fn a_campaign_after_the_window_changes_nothing() {
    let cal = window(120);
    let base = MiningSampler::new(&mining(vec![]), 6, &cal).unwrap();
    let late = MiningSampler::new(
        &mining(vec![
            campaign(120..200, 0.5, 5),
            campaign(40..40, 0.5, 5),
            campaign(300..310, 0.5, 5),
            Enforcement {
                amnesty_day: Some(120),
                ..campaign(125..130, 0.5, 5)
            },
        ]),
        6,
        &cal,
    )
    .unwrap();
    let real = campaign(60..120, 0.05, 3);
    let one = MiningSampler::new(&mining(vec![real.clone()]), 6, &cal).unwrap();
    let one_and_late = MiningSampler::new(
        &mining(vec![
            campaign(130..140, 0.5, 5),
            real,
            campaign(50..50, 1.0, 9),
        ]),
        6,
        &cal,
    )
    .unwrap();
    let (mut a, mut b) = (base.draw(), base.draw());
    let mut caught = 0;
    for s in 0..100 {
        let key = SampleKey::new(9, s);
        base.sample(key, &mut a);
        late.sample(key, &mut b);
        assert_eq!(outputs(&a, 6, 2880), outputs(&b, 6, 2880));
        one.sample(key, &mut a);
        one_and_late.sample(key, &mut b);
        assert_eq!(outputs(&a, 6, 2880), outputs(&b, 6, 2880));
        caught += a.disconnections();
    }
    assert!(caught > 100 * 60, "the real campaign caught {caught} farms");
}

#[test]
fn reconnection_does_not_change_the_population() {
    let cal = window(120);
    let mut with = campaign(30..120, 0.1, u32::MAX);
    with.reconnect_probability = 0.3;
    with.relocate_probability = 0.5;
    let without =
        MiningSampler::new(&mining(vec![campaign(30..120, 0.1, u32::MAX)]), 6, &cal).unwrap();
    let with = MiningSampler::new(&mining(vec![with]), 6, &cal).unwrap();
    let (mut a, mut b) = (without.draw(), with.draw());
    let mut more = 0;
    for s in 0..200 {
        let key = SampleKey::new(4, s);
        without.sample(key, &mut a);
        with.sample(key, &mut b);
        assert_eq!(a.illegal_total_w(), b.illegal_total_w());
        assert_eq!(a.farm_sizes_w(), b.farm_sizes_w());
        assert_eq!(a.farm_regions(), b.farm_regions());
        assert_eq!(a.farm_priorities(), b.farm_priorities());
        // Until the first reconnection (>= 14 days after the start) the paths agree.
        assert_eq!(a.illegal_by_day_w()[..44], b.illegal_by_day_w()[..44]);
        // With unlimited inspections a farm's first detection day is common to both, so
        // reconnection can only add illegal load nationally.
        for d in 0..120 {
            assert!(b.illegal_by_day_w()[d] >= a.illegal_by_day_w()[d]);
        }
        more += usize::from(b.illegal_by_day_w()[119] > a.illegal_by_day_w()[119]);
        assert!(b.disconnections() >= a.disconnections());
    }
    assert!(
        more > 100,
        "reconnection raised the end-of-window load in {more} of 200"
    );
}

#[test]
fn amnesty_moves_illegal_load_to_registered_exactly() {
    let cal = window(120);
    for reconnect in [0.0, 0.5] {
        let mut raids = campaign(20..120, 0.05, u32::MAX);
        raids.reconnect_probability = reconnect;
        raids.reconnect_delay_days = (3, 10);
        let mut amnesty = campaign(0..0, 0.0, 0);
        amnesty.amnesty_day = Some(50);
        let mut with = mining(vec![raids.clone(), amnesty]);
        with.policies = vec![MiningPolicy::Interruptible {
            hours: 24 * 60..24 * 120,
        }];
        let mut without = mining(vec![raids]);
        without.policies = with.policies.clone();
        let with = MiningSampler::new(&with, 6, &cal).unwrap();
        let without = MiningSampler::new(&without, 6, &cal).unwrap();
        let (mut a, mut b) = (without.draw(), with.draw());
        for s in 0..100 {
            let key = SampleKey::new(8, s);
            without.sample(key, &mut a);
            with.sample(key, &mut b);
            if s < 3 {
                assert_region_hours(&a, 6, cal.hours());
                assert_region_hours(&b, 6, cal.hours());
            }
            // Identical before the amnesty day.
            for h in 0..24 * 50 {
                for r in 0..6 {
                    assert_eq!(a.illegal_w(r, h), b.illegal_w(r, h));
                    assert_eq!(a.registered_firm_w(r, h), b.registered_firm_w(r, h));
                    assert_eq!(b.registered_interruptible_w(r, h), 0);
                }
            }
            // From the amnesty day on, region by region, registered mining is higher by a
            // constant: the illegal load connected at the start of the day. It is served as
            // registered mining, so interruptible from day 60.
            let mut moved_total = 0;
            for r in 0..6 {
                let moved = b.registered_firm_w(r, 24 * 50) - a.registered_firm_w(r, 24 * 50);
                if reconnect == 0.0 {
                    assert_eq!(moved, a.illegal_w(r, 24 * 49), "region {r}");
                }
                moved_total += moved;
                for h in 24 * 50..24 * 120 {
                    let reg_a = a.registered_firm_w(r, h) + a.registered_interruptible_w(r, h);
                    let reg_b = b.registered_firm_w(r, h) + b.registered_interruptible_w(r, h);
                    assert_eq!(reg_b - reg_a, moved, "region {r} hour {h}");
                    if h >= 24 * 60 {
                        assert_eq!(b.registered_firm_w(r, h), 0);
                    }
                }
                // No illegal farm is connected on the amnesty day.
                assert_eq!(b.illegal_w(r, 24 * 50), 0);
            }
            assert_eq!(b.illegal_by_day_w()[50], 0);
            assert!(moved_total >= a.illegal_by_day_w()[49]);
            if reconnect == 0.0 {
                // The amnestied farms leave the illegal load for good.
                assert!(b.illegal_by_day_w()[50..].iter().all(|&w| w == 0));
                assert_eq!(moved_total, a.illegal_by_day_w()[49]);
            }
        }
    }
}

#[test]
fn draws_are_reproducible_and_reusable() {
    let mut e = campaign(10..100, 0.1, 4);
    e.reconnect_probability = 0.3;
    e.relocate_probability = 0.5;
    let sampler = MiningSampler::new(&mining(vec![e]), 6, &window(100)).unwrap();
    let mut reused = sampler.draw();
    for s in [3u64, 1, 3, 2] {
        let key = SampleKey::new(2, s);
        sampler.sample(key, &mut reused);
        let mut fresh = MiningDraw::new(1, 1);
        sampler.sample(key, &mut fresh);
        assert_eq!(outputs(&reused, 6, 2400), outputs(&fresh, 6, 2400));
    }
}

#[test]
fn parameters_are_checked() {
    let cal = window(10);
    let bad = |f: &dyn Fn(&mut Mining)| {
        let mut m = mining(vec![campaign(0..5, 0.1, 3)]);
        f(&mut m);
        MiningSampler::new(&m, 6, &cal).unwrap_err()
    };
    assert!(matches!(
        bad(&|m| m.illegal.as_mut().unwrap().shares[0].1 = 0.4),
        MiningError::Shares { .. }
    ));
    assert!(matches!(
        bad(&|m| m.illegal.as_mut().unwrap().mode_w = 100),
        MiningError::Triangular { .. }
    ));
    assert!(matches!(
        bad(&|m| m.illegal.as_mut().unwrap().shares[0].0 = 6),
        MiningError::UnknownRegion { .. }
    ));
    assert!(matches!(
        bad(&|m| m.illegal.as_mut().unwrap().farm_cv = -1.0),
        MiningError::FarmSize { .. }
    ));
    assert!(matches!(
        bad(&|m| m.enforcement[0].reconnect_probability = 1.5),
        MiningError::Probability { .. }
    ));
    assert!(matches!(
        bad(&|m| m.enforcement[0].hazard_per_day = -0.1),
        MiningError::Hazard { .. }
    ));
    assert!(matches!(
        bad(&|m| m.enforcement[0].reconnect_delay_days = (5, 4)),
        MiningError::Delay { .. }
    ));
    assert!(matches!(
        bad(&|m| m.registered[0].region = 9),
        MiningError::UnknownRegion { .. }
    ));
}

/// Rough timing (run with `--release -- --ignored --nocapture`).
#[test]
#[ignore]
fn time_per_sample() {
    let mut raids = campaign(107..120, 0.25, 4);
    raids.reconnect_probability = 0.3;
    raids.relocate_probability = 0.5;
    let mut whole = raids.clone();
    whole.days = 0..120;
    for (label, e) in [
        ("none", vec![]),
        ("16 Feb", vec![raids]),
        ("whole window", vec![whole]),
    ] {
        let sampler = MiningSampler::new(&mining(e), 6, &window(120)).unwrap();
        let mut draw = sampler.draw();
        let n = 20_000u64;
        let (mut farms, mut left) = (0usize, 0i64);
        let t0 = std::time::Instant::now();
        for s in 0..n {
            sampler.sample(SampleKey::new(1, s), &mut draw);
            farms += draw.farms();
            left += draw.illegal_by_day_w()[119] / 1000;
        }
        let dt = t0.elapsed().as_secs_f64() / n as f64;
        println!(
            "campaign {label}: {:.1} us per sample, {:.1} farms, {:.1} MW left at the end",
            dt * 1e6,
            farms as f64 / n as f64,
            left as f64 / n as f64 / 1e3
        );
    }
}
