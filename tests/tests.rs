//! End-to-end tests of the gridrisk command line (one binary, a module per area).

mod analytic;
mod bad_input;
mod bounds;
mod cli;
mod compare;
mod format_doc;
mod forms;
mod fuzz;
mod ladder;
mod network;
mod outputs;
mod pras;
mod readme;
mod report;
mod run;
mod schedule;
mod shard;
mod stopping;
mod sweep;
mod synth;
mod tails;
mod uncertain;
mod units;
mod util;
mod validate;
mod worth;
