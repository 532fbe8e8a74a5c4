//! The command line as clap parses it. Values are checked here (ranges, formats) so that a
//! bad option exits with status 2 and a clear message before any work starts.

use clap::{Args, Parser, Subcommand, ValueEnum};
use gridrisk_montecarlo::stopping::Target;
use std::path::PathBuf;

/// Winter blackout risk of multi-region power grids, by sequential Monte Carlo simulation.
///
/// With no command, the default run: the embedded Kazakhstan winter 2021/22 policy study
/// (the no-policy base, the calibrated winter and every policy and assumption variant on the
/// same random streams, 2,000 winters each) and then its uncertain-parameter design (the
/// base, "as it happened" and two policies at 64 scrambled Sobol points of the unknowns x 250
/// winters, and at their central values); it prints a summary of each, and writes
/// ./gridrisk-out/study.json and study.csv (the policy study), ./gridrisk-out/uncertain/
/// (study.json, study.csv and points.csv of the design) and one ./gridrisk-out/report.html
/// of both.
///
/// Exit status: 0 success (also when standard output is closed early, as by `| head`),
/// 1 failure of the environment (a full disk, an unwritable standard output), 2 bad input
/// (scenario, option or path), 3 `run` or `compare --require-target` ran but did not meet
/// its target.
#[derive(Parser, Debug)]
#[command(name = "gridrisk", version, about, long_about)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// What to do (default: the embedded Kazakhstan study and its spread over the unknowns).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of the default run (no command).
    #[command(flatten)]
    pub default: DefaultArgs,
}

/// The default run's options (with no command).
#[derive(Args, Debug)]
pub struct DefaultArgs {
    /// Winters per scenario of both studies: of the policy study, and of each design point
    /// of the uncertain-parameter design, at least 2 (default: the studies' own, 2,000 and
    /// 250).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(2..))]
    pub samples: Option<u64>,
    /// Seed of both studies' winters (default: the studies' own; the design's scrambling
    /// seed is the study file's).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads (0 = one per core; at most 4 per core).
    #[arg(long, value_name = "T", default_value_t = 0, value_parser = parse_threads)]
    pub threads: usize,
    /// Directory for the policy study's study.json and study.csv, the design's files (in
    /// its `uncertain/` directory) and the one report.html of both.
    #[arg(long, value_name = "DIR", default_value = "gridrisk-out")]
    pub out_dir: std::path::PathBuf,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate one scenario and report LOLE, LOLF, LOLD, EUE, NEUE and P(shortfall).
    Run(RunArgs),
    /// Paired differences of variants from a base, on the same random streams.
    Compare(CompareArgs),
    /// Run a study file (a base and variants, or an uncertain-parameter design) and write its
    /// results; with no file, the embedded Kazakhstan winter 2021/22 policy study (the
    /// default run is `gridrisk` with no command: that study, then its uncertain design).
    Study(StudyArgs),
    /// A self-contained HTML report (inline SVG charts) of run, compare or study results.
    Report(ReportArgs),
    /// A parameter sweep: a base scenario and axes of key paths with values; resumable.
    Sweep(SweepArgs),
    /// Merge the shard files of one run into its result, equal to the unsharded run.
    Merge(MergeArgs),
    /// Exact indices of a single-region scenario by convolution (no sampling). Models units,
    /// deterministic renewables, dated outages and capped blocks; refuses (exit 2, naming it)
    /// any other feature, and systems whose convolutions would exceed its work budget.
    Analytic(AnalyticArgs),
    /// What a variant is worth in MW: its equivalent firm capacity (EFC, a never-failing
    /// unit added to the base) and its ELCC (the constant load it carries), each at the
    /// base's metric, by bisection on the same samples.
    Worth(WorthArgs),
    /// Check a scenario and print what it contains and the warnings a run would print; exit 0 if valid, 2 if not.
    Validate(ValidateArgs),
    /// Convert a PRAS system file (.pras) into a gridrisk scenario (a TOML file and its CSV
    /// files in a directory, to read, diff and extend), or a scenario into a .pras file
    /// (docs/pras.md has the mapping). Every command also reads a .pras file directly, as
    /// the scenario it converts to.
    Convert(ConvertArgs),
    /// List the scenarios embedded in the binary.
    Scenarios,
}

/// Output formats.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A readable table.
    Table,
    /// The result document: schema gridrisk.result/1 from `run` and `merge`,
    /// gridrisk.shard/7 from `run --shard`, gridrisk.compare/1 from `compare` and `study`
    /// (gridrisk.uncertain/1 from a study with uncertain parameters),
    /// gridrisk.analytic/1 from `analytic`.
    Json,
    /// One row per (scenario, area, index), an area being the system, a region, an import
    /// source or a line: scenario,area,index,mean,se,ci95_lo,ci95_hi,unit; `compare` and
    /// `study` add label after scenario and diff_mean,diff_se,diff_ci95_lo,diff_ci95_hi
    /// before unit.
    Csv,
}

/// Where output goes.
#[derive(Args, Debug)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the output to FILE (atomically: a temporary file renamed into place) instead of
    /// standard output. FILE must be a regular file or not exist (a symbolic link, FIFO or
    /// device is refused), in an existing directory; it is checked before any work.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Row files a run streams out, opt-in (see the README's "Event catalogue and per-sample
/// output").
#[derive(Args, Debug, Default, Clone)]
pub struct RowArgs {
    /// Write the event catalogue to FILE (.parquet or .csv): one row per shortfall event
    /// of each region and of the system, with the state at its peak hour; the output then
    /// also summarises the events (frequency-duration table, worst events, peak histogram).
    /// For `compare` and `study`, one file for every scenario (its `scenario` column holds
    /// the label); with `run --shard K/N`, the shard's events, and the shards' files
    /// concatenated in shard order are the unsharded run's.
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// Write one row per sample and area with the sample's additive totals (lole_h,
    /// lolf, eue_mwh, ...) to FILE (.parquet or .csv); for a comparison, the paired
    /// differences (variant - base) too. With `run --shard K/N`, the shard's samples.
    #[arg(long, value_name = "FILE")]
    pub per_sample: Option<PathBuf>,
}

/// Thresholds of the regional event tails: which probabilities the results show (they do
/// not change what is simulated, nor shard files).
#[derive(Args, Debug, Default, Clone)]
pub struct TailArgs {
    /// Show, per area, P(at least one event above MW) (the sample's largest hourly
    /// shortfall, exact for a whole MW) with its Wilson interval; repeatable or
    /// comma-separated (`--event-mw 500,1000`), whole MW >= 0.
    #[arg(long, value_name = "MW", value_delimiter = ',', allow_negative_numbers = true,
          value_parser = parse_event_mw)]
    pub event_mw: Vec<u64>,
    /// Show, per area, P(at least one event longer than H hours) with its Wilson interval;
    /// repeatable or comma-separated, whole hours >= 1.
    #[arg(long, value_name = "H", value_delimiter = ',', allow_negative_numbers = true,
          value_parser = parse_event_hours)]
    pub event_hours: Vec<u64>,
}

impl TailArgs {
    /// The thresholds as the results take them, sorted and without repeats.
    pub fn query(&self) -> gridrisk_montecarlo::result::TailQuery {
        let sorted = |v: &[u64]| {
            let mut v = v.to_vec();
            v.sort_unstable();
            v.dedup();
            v
        };
        gridrisk_montecarlo::result::TailQuery {
            event_mw: sorted(&self.event_mw),
            event_hours: sorted(&self.event_hours),
        }
    }
}

/// The syntax of `--target`, shared by `run` and `compare` help texts.
const TARGET_HELP: &str = "TARGET is [diff:]INDEX[@AREA]:RULE: INDEX an additive index (lole_h, \
lole_d, lolf, eue_mwh, p_shortfall, or with mining eue_household_mwh, eue_illegal_mwh, \
eue_registered_mwh, mining_curtailed_mwh), AREA a region or system (the default), RULE rel=X \
(half-width at most X times the mean, 0 < X < 1), width=W (full width at most W, in the \
index's unit) or, for a paired difference (diff:, compare only), excludes-zero. Judged after \
each block on an anytime-valid 95% confidence sequence (docs/stopping.md), never before 30 \
samples with a non-zero value; the run stops when every target is met, or at --max-samples. \
Repeatable.";

/// `gridrisk run`.
#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("stopping").multiple(true).args(["targets", "target_rel_ci"])))]
pub struct RunArgs {
    /// Scenario TOML file, PRAS system file (.pras), or the name of an embedded scenario
    /// (see `gridrisk scenarios`).
    pub scenario: String,
    /// Number of samples, each one simulated study window (a year for a year-long window such
    /// as RTS-79's, the dated window otherwise, e.g. one Nov-Feb winter); a whole number or
    /// a power of ten such as 1e6; at most 10^12, and beyond 10^14 sample-hours (samples
    /// times the window's hours: days of computing) only with --force.
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = parse_samples,
          conflicts_with = "stopping")]
    pub samples: u64,
    /// Run a --samples count whose work exceeds 10^14 sample-hours (refused without it).
    #[arg(long)]
    pub force: bool,
    /// Instead of a fixed count, sample until a target is met (e.g. eue_mwh@SOUTH:rel=0.05).
    #[arg(long = "target", value_name = "TARGET", value_parser = parse_target,
          long_help = TARGET_HELP)]
    pub targets: Vec<Target>,
    /// The same as --target lole_h:rel=X: sample until the 95% half-width of system LOLE
    /// (of its anytime-valid confidence sequence) is at most X times its mean.
    #[arg(long, value_name = "X", value_parser = parse_fraction)]
    pub target_rel_ci: Option<f64>,
    /// Sample cap for --target and --target-rel-ci.
    #[arg(long, value_name = "N", default_value_t = 1_000_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_samples: u64,
    /// With --target or --target-rel-ci: exit with status 3 if a target is not met within
    /// --max-samples (the result is still written, with "stop": {"met": false}).
    #[arg(long, requires = "stopping", conflicts_with = "samples")]
    pub require_target: bool,
    /// Seed of every random stream (any unsigned 64-bit integer). The same seed gives
    /// bit-identical results for any thread count.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (0 = one per core; at most 4 per core).
    #[arg(long, value_name = "T", default_value_t = 0, value_parser = parse_threads)]
    pub threads: usize,
    /// Samples per block (the unit of parallel work and of the convergence check).
    #[arg(long, value_name = "N", default_value_t = gridrisk_montecarlo::spec::DEFAULT_BLOCK_SIZE,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub block_size: u64,
    /// Run only shard K of N (1 <= K <= N <= 1000000): a contiguous, disjoint part of the
    /// sample blocks (possibly none). The output is then a shard file (JSON,
    /// "gridrisk.shard/7") for `gridrisk merge`, written to --out FILE (required); with
    /// --events, it holds the shard's event summary too. Not combinable with --target or
    /// --target-rel-ci (a target stops at the first blocks that meet it, which a shard
    /// cannot see).
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
    /// Attribute unserved energy to its causes (forced outages, imports, corridors,
    /// weather, illegal mining: those in the scenario): every sample with a shortfall (every
    /// sample, where weather at normal, storage or demand response can make one) is
    /// simulated again with each subset of causes removed, on the same draws, and its
    /// energy split by exact Shapley values plus a residual; per region, each cause's share
    /// of EUE and the split into national deficit and corridor-limited shortfall
    /// (docs/report.md); with --events, each event's too (columns attributed_mwh.CAUSE,
    /// national_deficit_mwh, corridor_limited_mwh). Costs up to 2^causes times a plain run;
    /// not with --shard.
    #[arg(long)]
    pub attribute: bool,
    /// Re-simulate the run's worst system event (the one with the most unserved energy) on
    /// the same draws and write every hour of the calendar days it touches to FILE (.csv:
    /// one row per hour; .json): per region firm and interruptible demand, illegal mining,
    /// available generation, curtailment, shortfall and stored energy, per import source
    /// its import. The result then carries it as "worst_event_day" (drawn by `report`) and
    /// the event summary, as with --events. Not with --shard.
    #[arg(long, value_name = "FILE")]
    pub worst_day: Option<PathBuf>,
    #[command(flatten)]
    pub tails: TailArgs,
    #[command(flatten)]
    pub rows: RowArgs,
    #[command(flatten)]
    pub pras: PrasArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `gridrisk compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// The base scenario (file or embedded name).
    pub base: String,
    /// Variant scenarios, each compared with the base.
    #[arg(required = true)]
    pub variants: Vec<String>,
    /// Samples per scenario (the same sample indices for every scenario); a whole number or
    /// a power of ten such as 1e4; beyond 10^14 sample-hours over every scenario only with
    /// --force.
    #[arg(long, value_name = "N", default_value_t = 2_000, value_parser = parse_samples,
          conflicts_with = "targets")]
    pub samples: u64,
    /// Run a --samples count whose work exceeds 10^14 sample-hours (refused without it).
    #[arg(long)]
    pub force: bool,
    /// Instead of a fixed count, sample until a paired difference's target is met for every
    /// variant (e.g. diff:eue_mwh@SOUTH:excludes-zero).
    #[arg(long = "target", value_name = "TARGET", value_parser = parse_target,
          long_help = TARGET_HELP)]
    pub targets: Vec<Target>,
    /// Sample cap for --target.
    #[arg(long, value_name = "N", default_value_t = 1_000_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_samples: u64,
    /// With --target: exit with status 3 if a target is not met within --max-samples (the
    /// result is still written, with "stop": {"met": false}).
    #[arg(long, requires = "targets", conflicts_with = "samples")]
    pub require_target: bool,
    /// Seed of every random stream.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (0 = one per core; at most 4 per core).
    #[arg(long, value_name = "T", default_value_t = 0, value_parser = parse_threads)]
    pub threads: usize,
    /// Samples per block (the unit of parallel work; results do not depend on it).
    #[arg(long, value_name = "N", default_value_t = gridrisk_montecarlo::spec::DEFAULT_BLOCK_SIZE,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub block_size: u64,
    #[command(flatten)]
    pub tails: TailArgs,
    #[command(flatten)]
    pub pras: PrasArgs,
    #[command(flatten)]
    pub rows: RowArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `gridrisk worth`.
#[derive(Args, Debug)]
pub struct WorthArgs {
    /// The base scenario (file or embedded name).
    pub base: String,
    /// The variant to value against the base (same window and regions).
    pub variant: String,
    /// Region that gets the firm capacity (EFC) or the added load (ELCC); required if the
    /// base has more than one region.
    #[arg(long, value_name = "R")]
    pub region: Option<String>,
    /// The system index to equate.
    #[arg(long, value_enum, default_value_t = WorthMetric::Eue)]
    pub metric: WorthMetric,
    /// Only the EFC (default: EFC and ELCC).
    #[arg(long, conflicts_with = "elcc")]
    pub efc: bool,
    /// Only the ELCC (default: EFC and ELCC).
    #[arg(long)]
    pub elcc: bool,
    /// Samples of every evaluation (the same sample indices each time).
    #[arg(long, value_name = "N", default_value_t = 2_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub samples: u64,
    /// Seed of every random stream.
    #[arg(long, value_name = "S", default_value_t = 1)]
    pub seed: u64,
    /// Worker threads (0 = one per core; at most 4 per core).
    #[arg(long, value_name = "T", default_value_t = 0, value_parser = parse_threads)]
    pub threads: usize,
    /// Output format (table or json).
    #[arg(long, value_enum, default_value_t = WorthFormat::Table)]
    pub format: WorthFormat,
}

/// The metric of `worth`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorthMetric {
    /// System expected unserved energy, MWh.
    Eue,
    /// System loss-of-load expectation, hours.
    Lole,
}

/// Output formats of `worth`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorthFormat {
    /// A readable table.
    Table,
    /// The document: schema gridrisk.worth/1 from `worth`.
    Json,
}

/// `gridrisk study`.
#[derive(Args, Debug)]
pub struct StudyArgs {
    /// Study TOML file (default: the embedded kazakhstan/study.toml). A study with
    /// [[uncertain]] parameters runs its outer design (docs/uncertainty.md): --samples and
    /// --seed are then the inner winters and seed of every design point.
    pub study: Option<String>,
    /// Samples per scenario (default: the study's).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..),
          conflicts_with = "targets")]
    pub samples: Option<u64>,
    /// Instead of the study's sample count, sample until every variant's paired difference
    /// from the base meets the target (as `compare --target`, e.g.
    /// diff:eue_mwh@SOUTH:width=50); the base and every variant stop together, on the same
    /// samples. Not for studies with [[uncertain]] parameters.
    #[arg(long = "target", value_name = "TARGET", value_parser = parse_target,
          long_help = TARGET_HELP)]
    pub targets: Vec<Target>,
    /// Sample cap for --target.
    #[arg(long, value_name = "N", default_value_t = 1_000_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_samples: u64,
    /// With --target: exit with status 3 if a target is not met within --max-samples (the
    /// results are still written, with "stop": {"met": false}).
    #[arg(long, requires = "targets")]
    pub require_target: bool,
    /// Seed (default: the study's).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Worker threads (0 = one per core; at most 4 per core).
    #[arg(long, value_name = "T", default_value_t = 0, value_parser = parse_threads)]
    pub threads: usize,
    /// Samples per block (the unit of parallel work; results do not depend on it).
    #[arg(long, value_name = "N", default_value_t = gridrisk_montecarlo::spec::DEFAULT_BLOCK_SIZE,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub block_size: u64,
    /// Directory for study.json (the study document), study.csv (one row per scenario, area
    /// and index, as `compare --format csv`) and report.html (created if missing; each file
    /// checked writable before the study runs); for a study with [[uncertain]] parameters,
    /// study.json (gridrisk.uncertain/1), study.csv (label,index,statistic,value) and
    /// points.csv (every design point's values and estimates).
    #[arg(long, value_name = "DIR", default_value = "gridrisk-out")]
    pub out_dir: std::path::PathBuf,
    /// What to print on standard output (the files in --out-dir are written in any case):
    /// the table, the study document (as study.json) or its CSV (as study.csv, the layout
    /// of `compare --format csv`). With json or csv the names of the files written go to standard error.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub tails: TailArgs,
    #[command(flatten)]
    pub pras: PrasArgs,
    /// Also value each variant in MW of firm capacity in this region of the base: its EFC by
    /// system EUE, with its 95% interval (as `gridrisk worth BASE VARIANT --region R --efc
    /// --metric eue` on the study's samples and seed; not for studies with [[uncertain]]
    /// parameters). Off by default: it costs about 2.5 plain runs per variant.
    #[arg(long, value_name = "REGION")]
    pub worth_region: Option<String>,
    // --events and --per-sample: one file each for every scenario of the study, as
    // `compare` writes them (their `scenario` column holds the study's labels).
    #[command(flatten)]
    pub rows: RowArgs,
}

/// `gridrisk report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Result files (JSON) of `run`, `compare` or `study`.
    #[arg(required = true)]
    pub results: Vec<PathBuf>,
    /// The HTML file to write (atomically; a regular file or a new one, checked first).
    #[arg(long, value_name = "FILE", default_value = "report.html")]
    pub out: PathBuf,
}

/// `gridrisk sweep`.
#[derive(Args, Debug)]
pub struct SweepArgs {
    /// Sweep TOML file: a base scenario, axes (key paths and values), samples and seed.
    pub sweep: PathBuf,
    /// Output directory: one result file per cell under `cells/`, and `summary.csv`.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Samples per cell, instead of the sweep file's `samples` (part of each cell's
    /// identity: cells run with another count are run again, not reused).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub samples: Option<u64>,
    /// Regions to summarise beside the system, comma-separated (`--regions SOUTH,WEST`):
    /// summary.csv gets `<REGION>.<index>_mean`, `_lower` and `_upper` columns for each.
    /// Replaces the sweep file's `regions`; each must be a region of the base with demand or
    /// units. Not part of a cell's identity: changing it re-runs no cell.
    #[arg(long, value_name = "A,B", value_delimiter = ',')]
    pub regions: Option<Vec<String>>,
    /// Worker threads (0 = one per core; at most 4 per core).
    #[arg(long, value_name = "T", default_value_t = 0, value_parser = parse_threads)]
    pub threads: usize,
    /// Run only the cells of shard K of N (cells i with i mod N = K - 1, N <= 1000000) and write no
    /// summary; a final run without --shard finds every cell done and writes it.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
}

/// `gridrisk merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Shard files (`gridrisk run ... --shard K/N --out FILE`), every shard of one run. Each
    /// is checked (digest, counts and array lengths against the scenario, its first block
    /// simulated again) and refused, naming the file and JSON path, if anything disagrees.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// The `--omit` the shards were run with, when their scenario is a .pras file.
    #[command(flatten)]
    pub pras: PrasArgs,
    #[command(flatten)]
    pub tails: TailArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `gridrisk analytic`.
#[derive(Args, Debug)]
pub struct AnalyticArgs {
    /// Scenario TOML file (one region), or the name of an embedded scenario.
    pub scenario: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `gridrisk validate`.
#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Scenario TOML file, PRAS system file (.pras), or the name of an embedded scenario.
    pub scenario: String,
    #[command(flatten)]
    pub pras: PrasArgs,
}

/// `gridrisk convert`.
#[derive(Args, Debug)]
pub struct ConvertArgs {
    /// A PRAS system file (.pras, HDF5; file format v0.5 to v0.8, hourly steps), converted
    /// into a scenario; or a scenario (TOML file or embedded name), converted into a PRAS
    /// system file (format v0.8.0) for the features PRAS has: hourly load, generators with
    /// per-step outage probabilities, storages, generator-storages, demand responses, lines
    /// and interfaces, in whole MW and MWh (anything else is refused, naming the key).
    pub input: String,
    /// For a .pras input: the directory to write NAME.toml and its CSV files into (created
    /// if absent; files of the same names are replaced), NAME being the .pras file's stem.
    /// For a scenario: the .pras file to write (atomically: a temporary file renamed into
    /// place).
    #[arg(long, value_name = "DIR|FILE")]
    pub out: PathBuf,
    #[command(flatten)]
    pub pras: PrasArgs,
}

/// Options for reading a PRAS system file.
#[derive(Args, Debug, Default)]
pub struct PrasArgs {
    /// With a .pras file (every .pras file given, or named by the study): leave out these
    /// asset tables (comma-separated), e.g. to measure what its storage adds.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "ASSETS")]
    pub omit: Vec<PrasAsset>,
}

/// The asset tables of a PRAS system that `--omit` can leave out.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrasAsset {
    /// The storages.
    Storages,
    /// The generator-storages.
    GeneratorStorages,
    /// The demand responses.
    DemandResponses,
}

impl PrasArgs {
    /// The tables to leave out.
    pub fn omit(&self) -> gridrisk_pras::Omit {
        let has = |a| self.omit.contains(&a);
        gridrisk_pras::Omit {
            storages: has(PrasAsset::Storages),
            generator_storages: has(PrasAsset::GeneratorStorages),
            demand_responses: has(PrasAsset::DemandResponses),
        }
    }
}

fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    use gridrisk_montecarlo::spec::MAX_SHARDS;
    let bad = || format!("expected K/N with 1 <= K <= N <= {MAX_SHARDS} (e.g. 2/8), got '{s}'");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (u64, u64) = (k.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if k >= 1 && k <= n && n <= MAX_SHARDS {
        Ok((k, n))
    } else {
        Err(bad())
    }
}

/// Most worker threads per core that `--threads` accepts: more only adds memory (one
/// sampler and a wave of block accumulators per thread) and time.
pub const MAX_THREADS_PER_CORE: usize = 4;

fn parse_threads(s: &str) -> Result<usize, String> {
    let t: usize = s
        .parse()
        .map_err(|_| format!("expected a number of threads (0 = one per core), got '{s}'"))?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let max = MAX_THREADS_PER_CORE * cores;
    if t <= max {
        Ok(t)
    } else {
        Err(format!(
            "at most {max} threads ({MAX_THREADS_PER_CORE} per core, {cores} cores here), got {t}"
        ))
    }
}

fn parse_event_mw(s: &str) -> Result<u64, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("expected a whole number of MW >= 0 (e.g. 1000), got '{s}'"))
}

fn parse_event_hours(s: &str) -> Result<u64, String> {
    match s.trim().parse::<u64>() {
        Ok(h) if h >= 1 => Ok(h),
        _ => Err(format!(
            "expected a whole number of hours >= 1 (P(an event longer than H hours)), got '{s}'"
        )),
    }
}

fn parse_target(s: &str) -> Result<Target, String> {
    s.parse()
        .map_err(|e: gridrisk_montecarlo::stopping::TargetError| e.to_string())
}

/// A sample count: a whole number >= 1, also in exponent form (`1e6`, `2.5e5`) when that
/// is a whole number.
fn parse_samples(s: &str) -> Result<u64, String> {
    let bad = || format!("expected a whole number of samples >= 1 (e.g. 10000 or 1e4), got '{s}'");
    let n = match s.parse::<u64>() {
        Ok(n) => n,
        Err(_) => match s.parse::<f64>() {
            // Below 2^64 (the next f64 up is 2^64 itself).
            Ok(x) if x.fract() == 0.0 && (1.0..18_446_744_073_709_551_616.0).contains(&x) => {
                x as u64
            }
            _ => return Err(bad()),
        },
    };
    if n == 0 {
        return Err(bad());
    }
    Ok(n)
}

fn parse_fraction(s: &str) -> Result<f64, String> {
    let x: f64 = s
        .parse()
        .map_err(|_| format!("expected a number in (0, 1), got '{s}'"))?;
    if x > 0.0 && x < 1.0 {
        Ok(x)
    } else {
        Err(format!("expected a number in (0, 1), got {x}"))
    }
}
