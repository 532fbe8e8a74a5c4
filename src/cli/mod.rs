//! Command-line arguments: the raw clap definitions ([`args`]) and what the commands share.

pub mod args;
