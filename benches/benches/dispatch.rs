//! Dispatch of one deficit hour on 3, 10 and 50 regions (ring + chords, one import), both
//! sharing rules, and the fast path `total_firm_shortfall_w`.
//!
//! `cargo bench -p gridrisk-benches --bench dispatch`; the inputs are fixed.

use criterion::{criterion_group, criterion_main, Criterion};
use gridrisk_core::dispatch::HourState;
use gridrisk_core::dispatch::{Arc, Dispatch, Dispatcher, SharingRule, Topology};
use std::hint::black_box;

const MW: i64 = 1_000_000;

struct Hour {
    topology: Topology,
    supply: Vec<i64>,
    firm: Vec<i64>,
    intr: Vec<i64>,
    limit: Vec<i64>,
}

/// A ring of `regions` with chords and one import into region 0, short by a few percent.
fn ring(regions: usize) -> Hour {
    let mut arcs = Vec::new();
    let mut limit = Vec::new();
    for r in 0..regions {
        let s = (r + 1) % regions;
        arcs.push(Arc { from: r, to: s });
        arcs.push(Arc { from: s, to: r });
        limit.push(300 * MW);
        limit.push(200 * MW);
        if regions > 4 && r % 3 == 0 {
            arcs.push(Arc {
                from: r,
                to: (r + regions / 2) % regions,
            });
            limit.push(100 * MW);
        }
    }
    arcs.push(Arc {
        from: regions,
        to: 0,
    });
    limit.push(150 * MW);
    Hour {
        topology: Topology::new(regions, 1, arcs).expect("valid ring"),
        supply: (0..regions)
            .map(|r| if r % 2 == 0 { 1100 * MW } else { 700 * MW })
            .chain([100 * MW])
            .collect(),
        firm: (0..regions)
            .map(|r| 1000 * MW + r as i64 * 7 * MW)
            .collect(),
        intr: (0..regions)
            .map(|r| if r % 3 == 0 { 50 * MW } else { 0 })
            .collect(),
        limit,
    }
}

fn dispatch(c: &mut Criterion) {
    let mut group = c.benchmark_group("dispatch");
    for regions in [3usize, 10, 50] {
        let h = ring(regions);
        let st = HourState {
            supply_w: &h.supply,
            firm_w: &h.firm,
            interruptible_w: &h.intr,
            arc_limit_w: &h.limit,
        };
        for rule in [SharingRule::Local, SharingRule::Shared] {
            let mut d = Dispatcher::new(h.topology.clone(), rule);
            let mut out = Dispatch::new(&h.topology);
            group.bench_function(format!("{regions}_regions_{rule:?}"), |b| {
                b.iter(|| d.dispatch(black_box(&st), &mut out))
            });
        }
        let mut d = Dispatcher::new(h.topology.clone(), SharingRule::Local);
        group.bench_function(format!("{regions}_regions_total_firm_shortfall"), |b| {
            b.iter(|| d.total_firm_shortfall_w(black_box(&st)))
        });
    }
    group.finish();
}

criterion_group!(benches, dispatch);
criterion_main!(benches);
