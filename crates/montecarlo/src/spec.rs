//! How to sample: the number of samples or a convergence target, the seed and the block size.
//!
//! A `SimulationSpec` is checked when it is built, so the runner never sees an invalid one.

/// When to stop sampling.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StopRule {
    /// Exactly this many samples.
    Samples(u64),
    /// Stop after the first block at which every convergence target is met
    /// ([`crate::stopping`]); never run more than `max_samples`. Decided on the ordered
    /// prefix of completed blocks, so the sample count does not depend on threads.
    Targets {
        /// Sample cap.
        max_samples: u64,
    },
}

/// Most samples a spec may ask for (a count, or the cap of a convergence target): 10¹².
///
/// The engine's pace is of the order of 10⁵ samples of a year per second and core, so this
/// is months of a thousand cores: anything above it is a typing error, and refused with a
/// clear message rather than run "forever". It also bounds every count of samples, blocks
/// and events that the accumulators sum, with head-room below 2⁶³.
pub const MAX_SAMPLES: u64 = 1_000_000_000_000;

/// Default number of samples per block, for every command (`run`, `compare`, `study`,
/// `sweep`). Small enough that a study of 2,000 winters still has 20 blocks to spread over
/// the cores; the per-block cost (fresh accumulators, one merge) is about 2% of an RTS-79
/// run. Results with a fixed sample count do not depend on it; a convergence target
/// (`--target`) decides after each block.
pub const DEFAULT_BLOCK_SIZE: u64 = 100;

/// Most shards a run may be split into. A shard's work and memory do not depend on the
/// number of shards (a shard without blocks is valid and empty), but `merge` needs every
/// shard file at once, so a larger count could never be merged.
pub const MAX_SHARDS: u64 = 1_000_000;

/// A checked simulation specification.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SimulationSpec {
    stop: StopRule,
    seed: u64,
    block_size: u64,
    shard: Option<Shard>,
}

/// Shard `k` of `n` (1-based): a contiguous, disjoint range of the sample blocks, so `n`
/// machines can each run one and `merge` their results into exactly the unsharded run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard, 1..=n.
    pub k: u64,
    /// Number of shards.
    pub n: u64,
}

/// An invalid simulation specification.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum SpecError {
    /// Zero samples requested.
    #[error("the number of samples must be at least 1")]
    NoSamples,
    /// Zero block size.
    #[error("the block size must be at least 1")]
    NoBlockSize,
    /// More than [`MAX_SAMPLES`] samples requested.
    #[error("at most {MAX_SAMPLES} samples (10^12) can be run, got {0}")]
    TooManySamples(u64),
    /// A shard outside 1..=n.
    #[error("shard {k}/{n}: expected K/N with 1 <= K <= N")]
    BadShard {
        /// Shard.
        k: u64,
        /// Shards.
        n: u64,
    },
    /// More shards than [`MAX_SHARDS`].
    #[error("shard {k}/{n}: at most {MAX_SHARDS} shards (merge reads every shard file at once)")]
    TooManyShards {
        /// Shard.
        k: u64,
        /// Shards.
        n: u64,
    },
    /// A convergence target with shards.
    #[error("a convergence target (--target, --target-rel-ci) cannot be split into shards: its decision needs the ordered prefix of every block (run the sample count it stopped at with --samples N --shard K/N instead)")]
    ShardedTarget,
}

impl SimulationSpec {
    /// A spec, checked.
    pub fn new(stop: StopRule, seed: u64, block_size: u64) -> Result<SimulationSpec, SpecError> {
        match stop {
            StopRule::Samples(0) | StopRule::Targets { max_samples: 0 } => {
                return Err(SpecError::NoSamples)
            }
            StopRule::Samples(n) | StopRule::Targets { max_samples: n } if n > MAX_SAMPLES => {
                return Err(SpecError::TooManySamples(n))
            }
            _ => {}
        }
        if block_size == 0 {
            return Err(SpecError::NoBlockSize);
        }
        Ok(SimulationSpec {
            stop,
            seed,
            block_size,
            shard: None,
        })
    }

    /// The same spec restricted to shard `k` of `n`.
    pub fn sharded(self, k: u64, n: u64) -> Result<SimulationSpec, SpecError> {
        if !(1..=n).contains(&k) {
            return Err(SpecError::BadShard { k, n });
        }
        if n > MAX_SHARDS {
            return Err(SpecError::TooManyShards { k, n });
        }
        if let StopRule::Targets { .. } = self.stop {
            return Err(SpecError::ShardedTarget);
        }
        Ok(SimulationSpec {
            shard: Some(Shard { k, n }),
            ..self
        })
    }

    /// The shard, if any.
    pub fn shard(&self) -> Option<Shard> {
        self.shard
    }

    /// The blocks this spec runs: all of them, or its shard's contiguous part
    /// (`floor((k - 1) B / n) .. floor(k B / n)` of `B` blocks; possibly empty).
    pub fn block_range(&self) -> std::ops::Range<u64> {
        let blocks = self.blocks();
        match self.shard {
            None => 0..blocks,
            Some(Shard { k, n }) => {
                let at = |i: u64| (u128::from(i) * u128::from(blocks) / u128::from(n)) as u64;
                at(k - 1)..at(k)
            }
        }
    }

    /// The stopping rule.
    pub fn stop(&self) -> StopRule {
        self.stop
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Samples per block.
    pub fn block_size(&self) -> u64 {
        self.block_size
    }

    /// Most samples this spec may run.
    pub fn max_samples(&self) -> u64 {
        match self.stop {
            StopRule::Samples(n) => n,
            StopRule::Targets { max_samples } => max_samples,
        }
    }

    /// Number of blocks covering `max_samples`.
    pub fn blocks(&self) -> u64 {
        self.max_samples().div_ceil(self.block_size)
    }

    /// The sample range of block `b`.
    pub fn block_samples(&self, b: u64) -> std::ops::Range<u64> {
        let start = b.saturating_mul(self.block_size).min(self.max_samples());
        start
            ..start
                .saturating_add(self.block_size)
                .min(self.max_samples())
    }

    /// The samples of [`SimulationSpec::block_range`]: those this spec runs if it does not
    /// stop early.
    pub fn sample_range(&self) -> std::ops::Range<u64> {
        let blocks = self.block_range();
        self.block_samples(blocks.start).start..self.block_samples(blocks.end).start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_specs_are_refused() {
        assert_eq!(
            SimulationSpec::new(StopRule::Samples(0), 1, 10),
            Err(SpecError::NoSamples)
        );
        let t = StopRule::Targets { max_samples: 0 };
        assert_eq!(SimulationSpec::new(t, 1, 10), Err(SpecError::NoSamples));
        assert!(SimulationSpec::new(StopRule::Samples(5), 1, 0).is_err());
        assert!(SimulationSpec::new(StopRule::Samples(MAX_SAMPLES), 1, 500).is_ok());
        assert_eq!(
            SimulationSpec::new(StopRule::Samples(MAX_SAMPLES + 1), 1, 500),
            Err(SpecError::TooManySamples(MAX_SAMPLES + 1))
        );
        let cap = StopRule::Targets {
            max_samples: MAX_SAMPLES + 1,
        };
        assert!(SimulationSpec::new(cap, 1, 500).is_err());
    }

    #[test]
    fn shards_partition_the_blocks() {
        let s = SimulationSpec::new(StopRule::Samples(7_000), 1, 500).unwrap();
        for n in [1, 3, 7, 20] {
            let ranges: Vec<_> = (1..=n)
                .map(|k| s.sharded(k, n).unwrap().block_range())
                .collect();
            assert_eq!(ranges[0].start, 0);
            assert_eq!(ranges[n as usize - 1].end, 14);
            assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
        }
        assert!(s.sharded(0, 3).is_err());
        assert!(s.sharded(4, 3).is_err());
        assert_eq!(s.sharded(2, 3).unwrap().sample_range(), 2_000..4_500);
        let last = s.sharded(MAX_SHARDS, MAX_SHARDS).unwrap();
        assert_eq!(
            (last.block_range(), last.sample_range()),
            (13..14, 6_500..7_000)
        );
        assert_eq!(
            s.sharded(1, MAX_SHARDS + 1),
            Err(SpecError::TooManyShards {
                k: 1,
                n: MAX_SHARDS + 1
            })
        );
    }

    #[test]
    fn blocks_cover_the_samples() {
        let s = SimulationSpec::new(StopRule::Samples(1001), 1, 500).unwrap();
        assert_eq!(s.blocks(), 3);
        assert_eq!(s.block_samples(2), 1000..1001);
    }
}
