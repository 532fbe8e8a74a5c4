//! `synth`: write synthetic systems of R IEEE RTS-79 areas as scenario files (the
//! construction is documented in `gridrisk_benches::synth`).
//!
//! `cargo run --release -p gridrisk-benches --bin synth -- --regions 24 --variant tight
//! --rule local --out DIR` writes `DIR/synth-r0024-tight-local.toml` (and the RTS-79 load
//! tables under `DIR/ieee-rts79/`) and prints the scenario's path.

use clap::{Parser, ValueEnum};
use gridrisk_benches::synth::{Rule, Synth, Variant};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    about = "Write synthetic systems of R IEEE RTS-79 areas (ring plus chords) as scenario files"
)]
struct Args {
    /// Numbers of areas, one scenario each (comma-separated, each 1 to 100,000).
    #[arg(long, value_name = "R", required = true, value_delimiter = ',',
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    regions: Vec<u32>,
    /// Load level: the RTS-79 load (`loose`) or x 1.1 (`tight`).
    #[arg(long, value_enum, default_value_t = VariantArg::Loose)]
    variant: VariantArg,
    /// Sharing rule of the scenario.
    #[arg(long, value_enum, default_value_t = RuleArg::Local)]
    rule: RuleArg,
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum VariantArg {
    Loose,
    Tight,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum RuleArg {
    Local,
    Shared,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let variant = match args.variant {
        VariantArg::Loose => Variant::Loose,
        VariantArg::Tight => Variant::Tight,
    };
    let rule = match args.rule {
        RuleArg::Local => Rule::Local,
        RuleArg::Shared => Rule::Shared,
    };
    for &r in &args.regions {
        match Synth::new(r as usize, variant, rule).write(&args.out) {
            Ok(path) => println!("{}", path.display()),
            Err(e) => {
                eprintln!("error: cannot write into {}: {e}", args.out.display());
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
