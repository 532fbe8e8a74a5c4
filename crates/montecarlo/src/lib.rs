/*!
The sequential Monte Carlo engine of gridrisk, and its exact reference.

* [`SimulationSpec`] says how to sample (samples or a convergence target, seed, block size);
* [`Sampler`] draws one sample of a [`gridrisk_core::SystemModel`]: unit outage histories
  from counter-based random streams ([`rng`]), hour by hour only where a shortfall is
  possible;
* accumulators ([`accumulators`]) say what to measure, with `record_hour` / `end_sample` /
  `merge`, and exact integer sums ([`estimators`]);
* [`stopping`] stops a run on what is asked (any additive index of any area, or a paired
  difference) by an anytime-valid confidence sequence;
* [`table`] holds rows that a run streams out block by block (the event catalogue,
  per-sample totals);
* [`runner::run`] spreads fixed blocks of samples over threads and merges them in block
  order, so results are bit-identical for any thread count;
* [`result`] turns merged accumulators into the result file (`gridrisk.result/1`);
* [`shard`] writes a shard of a run (`gridrisk.shard/7`) and checks and merges shards;
* [`design`] places an uncertain-parameter study's outer points and summarises its
  per-point estimates (spread with the inner noise removed, probability of beating the
  base, sensitivity);
* [`attribution`] attributes each sample's unserved energy to its causes (Shapley values
  over re-simulations with causes removed, on common random numbers);
* [`worst_day`] re-simulates the worst event's sample and records every hour of its days;
* [`worth`] values a variant in MW of firm capacity (EFC) or carried load (ELCC);
* [`analytic`] is the exact convolution reference for single-region systems.
*/
#![deny(missing_docs)]

pub mod accumulators;
pub mod analytic;
pub mod attribution;
pub mod compare;
pub mod demand_response;
pub mod design;
pub mod estimators;
pub mod exchange;
pub mod inputs;
pub mod ladder;
pub mod mining;
pub mod network;
pub mod outage;
pub mod result;
pub mod rng;
pub mod runner;
pub mod sampler;
pub mod schedule;
pub mod shard;
pub mod spec;
pub mod stopping;
pub mod storage;
pub mod table;
pub mod weather;
pub mod worst_day;
pub mod worth;

pub use sampler::Sampler;
pub use spec::{SimulationSpec, StopRule};
