//! Whole sample-years, every index on: IEEE RTS-79 as one area, as three tied areas, and as
//! three tied areas with an import source.
//!
//! `cargo bench -p gridrisk-benches --bench sample_years`; fixed seeds, so every run
//! measures the same work.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gridrisk_montecarlo::accumulators::Indices;
use gridrisk_montecarlo::Sampler;
use std::hint::black_box;
use std::path::Path;

fn scenario(file: &str) -> gridrisk_core::SystemModel {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios/benchmarks")
        .join(file);
    gridrisk_core::scenario::load(&path)
        .expect("a shipped benchmark scenario loads")
        .model
}

fn sample_years(c: &mut Criterion) {
    let mut group = c.benchmark_group("sample_years");
    const YEARS: u64 = 200;
    group.throughput(Throughput::Elements(YEARS));
    for file in [
        "ieee-rts79.toml",
        "ieee-rts79-three-area.toml",
        "ieee-rts79-three-area-import.toml",
    ] {
        let model = scenario(file);
        group.bench_function(file.trim_end_matches(".toml"), |b| {
            let mut sampler = Sampler::new(&model).unwrap();
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
    }
    group.finish();
}

criterion_group!(benches, sample_years);
criterion_main!(benches);
