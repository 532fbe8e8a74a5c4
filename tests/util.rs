//! Helpers for running the binary from the project root.

use assert_cmd::Command;
use serde_json::Value;

/// The `gridrisk` binary, run from the project root.
pub fn gridrisk() -> Command {
    let mut cmd = Command::cargo_bin("gridrisk").expect("the gridrisk binary is built");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Run with `args`, expect success, parse standard output as JSON.
pub fn json(args: &[&str]) -> Value {
    let out = gridrisk().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "gridrisk {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A result document without its run-dependent `"run"` key.
pub fn without_run(mut doc: Value) -> Value {
    if let Some(map) = doc.as_object_mut() {
        map.remove("run");
    }
    doc
}

pub const RTS79: &str = "scenarios/benchmarks/ieee-rts79.toml";
