//! The parallel runner: the only code that knows about threads.
//!
//! Samples are cut into fixed blocks ([`SimulationSpec::block_samples`]). Blocks run on a
//! rayon pool in waves, each thread with its own worker (samplers) built once per run; each
//! block gets fresh accumulators, and finished blocks are merged into the total strictly in
//! block order. Because every sample's random streams depend only
//! on (seed, sample, component), and merging is exact integer addition, the result is
//! bit-identical for any number of threads. Memory holds one wave of block accumulators at a
//! time (two blocks per thread, one with rows to write), independent of the number of
//! samples.

use crate::accumulators::Accumulator;
use crate::inputs::InputError;
use crate::sampler::Sampler;
use crate::spec::{SimulationSpec, StopRule};
use gridrisk_core::bounds;
use gridrisk_core::SystemModel;
use rayon::prelude::*;
use std::sync::Mutex;

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

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The thread pool could not be built.
    #[error("cannot start {threads} worker threads: {source}")]
    Pool {
        /// Threads asked for.
        threads: usize,
        /// The pool's error.
        source: rayon::ThreadPoolBuildError,
    },
    /// The model's weather or mining is invalid.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The model exceeds a bound of [`gridrisk_core::bounds`] (a scenario read from files
    /// never does: the reader refuses it).
    #[error("model '{model}': {message}")]
    OutOfBounds {
        /// Model name.
        model: String,
        /// The bound exceeded.
        message: String,
    },
    /// More samples than the model's sums can hold ([`gridrisk_core::bounds::max_samples`]).
    #[error(
        "{samples} samples of '{model}' are more than its sums can hold exactly: at most \
         {max} for a window whose energy bound is {window_mwh} MWh (see the bounds in the \
         README's units of measure)"
    )]
    TooManySamples {
        /// Model name.
        model: String,
        /// Samples asked for.
        samples: u64,
        /// Most samples allowed.
        max: u64,
        /// The window energy bound, MWh (exact, for the message).
        window_mwh: String,
    },
}

/// Check that `model` is within its bounds and that `samples` fit its sums.
pub fn check_bounds(model: &SystemModel, samples: u64) -> Result<(), RunError> {
    if let Some(e) = bounds::check(model).into_iter().next() {
        return Err(RunError::OutOfBounds {
            model: model.name().to_string(),
            message: e.message,
        });
    }
    let max = bounds::max_samples(model);
    if samples > max {
        return Err(RunError::TooManySamples {
            model: model.name().to_string(),
            samples,
            max,
            window_mwh: bounds::mw_text(bounds::window_wh(model)),
        });
    }
    Ok(())
}

/// Run `spec` on `model` with `threads` workers (0 = one per core). `new_acc` makes an empty
/// accumulator; `progress` is told how many samples each finished block added; with a
/// convergence target, `converged` decides on the merged prefix of blocks.
pub fn run<A, F>(
    model: &SystemModel,
    spec: &SimulationSpec,
    threads: usize,
    new_acc: F,
    progress: &(dyn Fn(u64) + Sync),
    converged: impl Fn(&A) -> bool,
) -> Result<RunOutput<A>, RunError>
where
    A: Accumulator,
    F: Fn() -> A + Sync,
{
    run_observed(model, spec, threads, new_acc, progress, converged, &|_| {})
}

/// [`run`], showing `observe` every block's accumulator, in block order, before it is merged
/// (a shard keeps its first block's for `merge` to re-simulate).
pub fn run_observed<A, F>(
    model: &SystemModel,
    spec: &SimulationSpec,
    threads: usize,
    new_acc: F,
    progress: &(dyn Fn(u64) + Sync),
    converged: impl Fn(&A) -> bool,
    observe: &(dyn Fn(&A) + Sync),
) -> Result<RunOutput<A>, RunError>
where
    A: Accumulator,
    F: Fn() -> A + Sync,
{
    // Check the model once here, so that workers can build their samplers infallibly.
    check_bounds(model, spec.max_samples())?;
    Sampler::new(model)?;
    let streams_rows = new_acc().streams_rows();
    run_blocks(
        spec,
        threads,
        &Blocks {
            streams_rows,
            new_worker: || Sampler::new(model).expect("checked before the run"),
            new_acc,
            sample: |sampler: &mut Sampler, seed, s, acc: &mut A| sampler.sample(seed, s, acc),
            merge: |total: &mut A, later: &A| {
                observe(later);
                total.merge(later)
            },
        },
        progress,
        converged,
    )
}

/// What a run needs besides its spec: a per-thread worker (samplers), an empty block
/// accumulator, how to draw one sample into it, and how to merge a later block.
pub struct Blocks<NW, NA, S, M> {
    /// Makes a worker (built once per thread and reused).
    pub new_worker: NW,
    /// Makes an empty block accumulator.
    pub new_acc: NA,
    /// Draws sample `s` of `seed` into the accumulator.
    pub sample: S,
    /// Merges a later block's accumulator into the total.
    pub merge: M,
    /// Whether blocks carry rows that a writer takes ([`Accumulator::streams_rows`]): a wave
    /// is then one block per thread, so that memory holds as few rows as it can.
    pub streams_rows: bool,
}

/// Run fixed blocks of samples in parallel and merge them in block order (the engine of
/// [`run`] and of paired comparisons).
pub fn run_blocks<W, A, NW, NA, S, M>(
    spec: &SimulationSpec,
    threads: usize,
    blocks_of: &Blocks<NW, NA, S, M>,
    progress: &(dyn Fn(u64) + Sync),
    converged: impl Fn(&A) -> bool,
) -> Result<RunOutput<A>, RunError>
where
    A: Send,
    W: Send,
    NW: Fn() -> W + Sync,
    NA: Fn() -> A + Sync,
    S: Fn(&mut W, u64, u64, &mut A) + Sync,
    M: Fn(&mut A, &A) + Sync,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|source| RunError::Pool { threads, source })?;
    let threads = pool.current_num_threads();
    // A wave's block accumulators are the run's memory beyond one block (about 1.5 MB each
    // for the Kazakhstan base): two blocks per thread keep every thread busy to the end of
    // a wave while memory stops growing at two blocks per thread (a run of two blocks on
    // one thread already holds as much as one of any length).
    let wave = if blocks_of.streams_rows {
        threads as u64
    } else {
        threads as u64 * 2
    };
    // One worker per thread for the whole run, built on first use: samplers hold the hourly
    // arrays of a sample, so building them per block would cost time and memory.
    let workers: Vec<Mutex<Option<W>>> = (0..threads).map(|_| Mutex::new(None)).collect();
    let blocks = spec.block_range();
    let mut total = (blocks_of.new_acc)();
    let mut samples = 0;
    let mut next = blocks.start;
    while next < blocks.end {
        let end = (next + wave).min(blocks.end);
        // Thread t takes blocks next + t, next + t + threads, ...; the blocks are then put
        // back in order, so the result does not depend on who ran what.
        let mut wave_blocks: Vec<(u64, A)> = pool.install(|| {
            workers
                .par_iter()
                .enumerate()
                .flat_map_iter(|(t, slot)| {
                    let mut slot = slot.lock().unwrap_or_else(|e| e.into_inner());
                    let worker = slot.get_or_insert_with(&blocks_of.new_worker);
                    (next + t as u64..end)
                        .step_by(threads)
                        .map(|b| {
                            let mut acc = (blocks_of.new_acc)();
                            let range = spec.block_samples(b);
                            let n = range.end - range.start;
                            for s in range {
                                (blocks_of.sample)(worker, spec.seed(), s, &mut acc);
                            }
                            progress(n);
                            (b, acc)
                        })
                        .collect::<Vec<_>>()
                })
                .collect()
        });
        wave_blocks.sort_by_key(|(b, _)| *b);
        let wave_blocks = wave_blocks.into_iter().map(|(_, acc)| acc);
        for (b, acc) in (next..).zip(wave_blocks) {
            (blocks_of.merge)(&mut total, &acc);
            let range = spec.block_samples(b);
            samples += range.end - range.start;
            if let StopRule::Targets { .. } = spec.stop() {
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
    let target_met = matches!(spec.stop(), StopRule::Targets { .. }).then_some(false);
    Ok(RunOutput {
        acc: total,
        samples,
        target_met,
    })
}
