//! The `gridrisk` command line: parse arguments, run a command, turn errors into readable
//! diagnostics and exit statuses (0 success, 2 bad input, 1 any other failure, 3 a required
//! convergence target not met).

/// `eprintln!` that ignores a failed write: a closed or broken standard error must not turn
/// a finished run into a panic.
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod cli;
mod commands;
mod embedded;
mod output;
mod progress;
mod tables;

use clap::Parser;
use cli::args::{Cli, Command};
use std::process::ExitCode;

/// An error caused by the user's input (a bad scenario or option value): exit status 2.
#[derive(Debug)]
pub struct BadInput(anyhow::Error);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for BadInput {}

/// `run --require-target` ran but did not meet its convergence target: exit status 3.
#[derive(Debug)]
pub struct TargetNotMet(pub String);

impl std::fmt::Display for TargetNotMet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TargetNotMet {}

/// Mark an error as caused by bad input.
pub fn bad(e: impl Into<anyhow::Error>) -> anyhow::Error {
    BadInput(e.into()).into()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => commands::compare::default_run(&cli.default),
        Some(Command::Compare(args)) => commands::compare::run(&args),
        Some(Command::Study(args)) => commands::compare::study(&args),
        Some(Command::Run(args)) => commands::run::run(&args),
        Some(Command::Report(args)) => commands::report::run(&args),
        Some(Command::Sweep(args)) => commands::sweep::run(&args),
        Some(Command::Merge(args)) => commands::merge::run(&args),
        Some(Command::Analytic(args)) => commands::analytic::run(&args),
        Some(Command::Worth(args)) => commands::worth::run(&args),
        Some(Command::Validate(args)) => commands::validate::run(&args),
        Some(Command::Convert(args)) => commands::convert::run(&args),
        Some(Command::Scenarios) => output::print(
            &embedded::list()
                .into_iter()
                .map(|(name, description)| format!("{name:<46} {description}\n"))
                .collect::<String>(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that stopped reading (`| head`) is not an error.
        Err(e) if e.is::<output::OutputClosed>() => ExitCode::SUCCESS,
        Err(e) => {
            note!("error: {e:#}");
            if e.is::<BadInput>() {
                ExitCode::from(2)
            } else if e.is::<TargetNotMet>() {
                ExitCode::from(3)
            } else {
                ExitCode::from(1)
            }
        }
    }
}
