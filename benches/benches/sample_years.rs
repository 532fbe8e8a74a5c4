//! Whole sample-years of IEEE RTS-79 (every index on), and the outage sampling alone.
//!
//! `cargo bench -p gridrisk-benches` ; fixed seeds, so every run measures the same work.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gridrisk_montecarlo::accumulators::Indices;
use gridrisk_montecarlo::Sampler;
use std::hint::black_box;
use std::path::Path;

fn rts79() -> gridrisk_core::SystemModel {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/benchmarks/ieee-rts79.toml");
    gridrisk_core::scenario::load(&path)
        .expect("the shipped RTS-79 scenario loads")
        .model
}

fn sample_years(c: &mut Criterion) {
    let model = rts79();
    let mut group = c.benchmark_group("rts79");
    const YEARS: u64 = 1000;
    group.throughput(Throughput::Elements(YEARS));
    group.bench_function("sample_years_all_indices", |b| {
        let mut sampler = Sampler::new(&model);
        let mut first = 0;
        b.iter(|| {
            let mut acc = Indices::new(&model);
            for s in first..first + YEARS {
                sampler.sample(1, s, &mut acc);
            }
            first += YEARS;
            black_box(acc.samples())
        })
    });
    group.finish();
}

criterion_group!(benches, sample_years);
criterion_main!(benches);
