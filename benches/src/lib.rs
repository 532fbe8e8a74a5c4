//! Criterion benchmarks of gridrisk live in `benches/`; this library holds what they share
//! with the scripts: the generator of synthetic systems of R RTS-79 areas ([`synth`]).

pub mod synth;
