//! The `gridrisk` command line: parse arguments, run a command, turn errors into readable
//! diagnostics and exit statuses (0 success, 2 bad input, 1 any other failure).

mod cli;
mod commands;
mod embedded;
mod output;
mod progress;

use clap::Parser;
use cli::args::{Cli, Command, StudyArgs};
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

/// Mark an error as caused by bad input.
pub fn bad(e: impl Into<anyhow::Error>) -> anyhow::Error {
    BadInput(e.into()).into()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => commands::compare::study(&StudyArgs {
            study: None,
            samples: None,
            seed: None,
            threads: 0,
            block_size: 100,
            out_dir: "gridrisk-out".into(),
        }),
        Some(Command::Compare(args)) => commands::compare::run(&args),
        Some(Command::Study(args)) => commands::compare::study(&args),
        Some(Command::Run(args)) => commands::run::run(&args),
        Some(Command::Report(args)) => commands::report::run(&args),
        Some(Command::Sweep(args)) => commands::sweep::run(&args),
        Some(Command::Merge(args)) => commands::merge::run(&args),
        Some(Command::Analytic(args)) => commands::analytic::run(&args),
        Some(Command::Validate(args)) => commands::validate::run(&args),
        Some(Command::Scenarios) => {
            for (name, description) in embedded::list() {
                println!("{name:<46} {description}");
            }
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            if e.downcast_ref::<BadInput>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}
