//! Criterion benchmarks of gridrisk live in `benches/`; this library is empty.
