//! Whole sample-years of synthetic systems of R = 3, 24 and 96 RTS-79 areas (ring plus
//! chords, `gridrisk_benches::synth`), loose and tight, `local` rule, every index on.
//!
//! `cargo bench -p gridrisk-benches --bench scale`; fixed seeds, so every run measures the
//! same work. Throughput is in sample-years; divide by R for region-sample-years
//! (`scripts/scale.sh` prints both, and instruction counts, for R = 1 to 384).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use gridrisk_benches::synth::{Rule, Synth, Variant};
use gridrisk_montecarlo::accumulators::Indices;
use gridrisk_montecarlo::Sampler;
use std::hint::black_box;

fn scale(c: &mut Criterion) {
    let mut group = c.benchmark_group("scale");
    // Few, long iterations: a sample-year of 96 areas takes tens of milliseconds.
    group.sample_size(10);
    for regions in [3usize, 24, 96] {
        for variant in [Variant::Loose, Variant::Tight] {
            let synth = Synth::new(regions, variant, Rule::Local);
            let model = synth.load().expect("a generated scenario loads").model;
            let years: u64 = if regions >= 96 {
                2
            } else {
                96 / regions as u64
            };
            group.throughput(Throughput::Elements(years));
            group.bench_function(synth.name(), |b| {
                let mut sampler = Sampler::new(&model).unwrap();
                let mut first = 0;
                b.iter(|| {
                    let mut acc = Indices::new(&model);
                    for s in first..first + years {
                        sampler.sample(1, s, &mut acc);
                    }
                    first += years;
                    black_box(acc.samples())
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, scale);
criterion_main!(benches);
