//! Helpers shared by the end-to-end tests: run the `evident` binary on a data directory and require success.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `evident --data-dir DATA ARGS...` without the caller's model or data directory.
pub fn evident(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evident"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env_remove("EVIDENT_MODEL_DIR")
        .env_remove("EVIDENT_DATA_DIR")
        .env_remove("EVIDENT_DATABASE_URL")
        .env_remove("EVIDENT_TOKEN")
        .env_remove("EVIDENT_NO_FOUR_EYES")
        .env_remove("EVIDENT_AUDIT_KEY")
        .output()
        .expect("run evident")
}

/// The standard error of a failed run; fails the test if it succeeded.
#[allow(dead_code)] // not every test binary uses it
pub fn fails(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "evident should have failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// The standard output of a successful run; fails the test with both streams otherwise.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "evident failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}
