//! Repository chores. `cargo xtask ci` runs everything CI checks, in the order a contributor
//! would want to see failures: formatting, lints, tests (snapshots never updated), docs.
//!
//! Dependency-free on purpose: it builds in a second on a fresh machine.

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some(other @ ("snap" | "release")) => {
            eprintln!("xtask {other}: not implemented yet (issue 9)");
            ExitCode::from(2)
        }
        Some("help" | "-h" | "--help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("xtask: unknown subcommand '{other}'\n\n{USAGE}");
            ExitCode::from(2)
        }
        None => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

const USAGE: &str = "\
usage: cargo xtask <subcommand>

subcommands:
  ci        everything CI checks: fmt --check, clippy -D warnings, tests (INSTA_UPDATE=no), docs
  snap      review insta snapshots (not implemented yet, issue 9)
  release   prepare a release (not implemented yet, issue 9)";

/// One CI step: a cargo invocation with extra environment.
struct Step {
    name: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
}

const STEPS: &[Step] = &[
    Step {
        name: "format",
        args: &["fmt", "--all", "--check"],
        env: &[],
    },
    Step {
        name: "lint",
        args: &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        env: &[],
    },
    Step {
        name: "test",
        args: &["test", "--workspace"],
        env: &[("INSTA_UPDATE", "no"), ("CI", "true")],
    },
    Step {
        name: "docs",
        args: &["doc", "--workspace", "--no-deps"],
        env: &[("RUSTDOCFLAGS", "-D warnings")],
    },
];

fn ci() -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for step in STEPS {
        eprintln!(
            "==> xtask ci: {} (cargo {})",
            step.name,
            step.args.join(" ")
        );
        let status = Command::new(&cargo)
            .args(step.args)
            .envs(step.env.iter().copied())
            .status();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => {
                eprintln!("xtask ci: step '{}' failed ({s})", step.name);
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("xtask ci: could not run cargo: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    eprintln!("==> xtask ci: all steps passed");
    ExitCode::SUCCESS
}
