//! The parallel runner: the only code that knows about threads.
//!
//! Samples are cut into fixed blocks ([`SimulationSpec::block_samples`]). Blocks run on a
//! rayon pool in waves; each block gets fresh accumulators, and finished blocks are merged
//! into the total strictly in block order. Because every sample's random streams depend only
//! on (seed, sample, component), and merging is exact integer addition, the result is
//! bit-identical for any number of threads. Memory holds one wave of block accumulators at a
//! time, independent of the number of samples.

use crate::accumulators::Accumulator;
use crate::sampler::Sampler;
use crate::spec::{SimulationSpec, StopRule};
use gridrisk_core::SystemModel;
use rayon::prelude::*;

/// What a run produced.
#[derive(Clone, Debug)]
pub struct RunOutput<A> {
    /// Accumulators merged over every sample used.
    pub acc: A,
    /// Samples used.
    pub samples: u64,
    /// For a convergence target: whether it was met before the cap.
    pub target_met: Option<bool>,
}

/// An error building the thread pool.
#[derive(Debug, thiserror::Error)]
#[error("cannot start {threads} worker threads: {source}")]
pub struct PoolError {
    threads: usize,
    source: rayon::ThreadPoolBuildError,
}

/// Run `spec` on `model` with `threads` workers (0 = one per core). `new_acc` makes an empty
/// accumulator; `progress` is told how many samples each finished block added.
pub fn run<A, F>(
    model: &SystemModel,
    spec: &SimulationSpec,
    threads: usize,
    new_acc: F,
    progress: &(dyn Fn(u64) + Sync),
    converged: impl Fn(&A) -> bool,
) -> Result<RunOutput<A>, PoolError>
where
    A: Accumulator,
    F: Fn() -> A + Sync,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| PoolError { threads, source })?;
    let wave = (pool.current_num_threads() as u64 * 4).max(8);
    let blocks = spec.blocks();
    let mut total = new_acc();
    let mut samples = 0;
    let mut next = 0;
    while next < blocks {
        let wave_blocks: Vec<A> = pool.install(|| {
            (next..(next + wave).min(blocks))
                .into_par_iter()
                .map_init(
                    || Sampler::new(model),
                    |sampler, b| {
                        let mut acc = new_acc();
                        let range = spec.block_samples(b);
                        let n = range.end - range.start;
                        for s in range {
                            sampler.sample(spec.seed(), s, &mut acc);
                        }
                        progress(n);
                        acc
                    },
                )
                .collect()
        });
        for (b, acc) in (next..).zip(wave_blocks) {
            total.merge(&acc);
            let range = spec.block_samples(b);
            samples += range.end - range.start;
            if let StopRule::TargetRelCi { .. } = spec.stop() {
                if converged(&total) {
                    return Ok(RunOutput {
                        acc: total,
                        samples,
                        target_met: Some(true),
                    });
                }
            }
        }
        next += wave;
    }
    let target_met = matches!(spec.stop(), StopRule::TargetRelCi { .. }).then_some(false);
    Ok(RunOutput {
        acc: total,
        samples,
        target_met,
    })
}
