//! Repository chores. `cargo xtask ci` runs everything CI checks, in the order a contributor
//! would want to see failures: formatting, lints, tests (snapshots never updated), snapshot
//! hygiene, docs, packaging. `cargo xtask snap` reviews insta snapshots; `cargo xtask release`
//! prepares a release.
//!
//! Dependency-free on purpose: it builds in a second on a fresh machine. The manifests are
//! read and edited by a small TOML-subset reader ([`manifest`]) instead of `toml_edit`.

mod changelog;
mod ci;
mod manifest;
mod release;
mod snap;
mod snapshots;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let rest = args.get(1..).unwrap_or_default();
    let result = match args.first().map(String::as_str) {
        Some("ci") if rest.is_empty() => ci::run(&root),
        Some("ci") => Err("`cargo xtask ci` takes no arguments".into()),
        Some("snap") => snap::snap(&root, rest),
        Some("release") => release::release(&root, rest),
        Some("man") if rest.is_empty() => man(&root),
        Some("man") => Err("`cargo xtask man` takes no arguments".into()),
        Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!(
            "unknown subcommand or arguments '{other}'\n\n{USAGE}"
        )),
        None => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "\
usage: cargo xtask <subcommand>

subcommands:
  ci                            everything CI checks: fmt --check, clippy -D warnings, tests
                                (INSTA_UPDATE=no), no pending or unreferenced snapshots, docs,
                                package metadata and file lists
  snap [-p CRATE] [--accept]    run the insta tests, list pending snapshots with a diff summary;
                                --accept moves them into place (uses cargo-insta if installed)
  release <version> [--dry-run] check, bump every published crate to <version>, date the
                                changelog, package in dependency order, print the publish and
                                tag commands (never publishes); --dry-run changes no file
  man                           write the manual page to target/man/cloud-backup.1 and the
                                completion scripts to target/completions/";

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

/// `cargo` (the one running us, if any) in `root`.
fn cargo(root: &Path) -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root);
    cmd
}

/// Writes the manual page and the completion scripts the `cloud-backup` binary generates.
fn man(root: &Path) -> Result<(), String> {
    let run = |args: &[&str]| -> Result<Vec<u8>, String> {
        let out = cargo(root)
            .args(["run", "-q", "-p", "backup-cli", "--"])
            .args(args)
            .output()
            .map_err(|e| format!("cloud-backup {}: could not run: {e}", args.join(" ")))?;
        if !out.status.success() {
            return Err(format!(
                "cloud-backup {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(out.stdout)
    };
    let write = |path: PathBuf, bytes: Vec<u8>| -> Result<(), String> {
        std::fs::create_dir_all(path.parent().expect("a directory"))
            .and_then(|()| std::fs::write(&path, bytes))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        println!("wrote {}", path.display());
        Ok(())
    };
    write(root.join("target/man/cloud-backup.1"), run(&["man"])?)?;
    for (shell, file) in [
        ("bash", "cloud-backup.bash"),
        ("zsh", "_cloud-backup"),
        ("fish", "cloud-backup.fish"),
        ("powershell", "_cloud-backup.ps1"),
    ] {
        write(
            root.join("target/completions").join(file),
            run(&["completions", shell])?,
        )?;
    }
    Ok(())
}

/// Runs `cmd`; an error names `what` and the exit status.
fn exec(cmd: &mut Command, what: &str) -> Result<(), String> {
    match cmd.status() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!("{what}: {s}")),
        Err(e) => Err(format!("{what}: could not run: {e}")),
    }
}
