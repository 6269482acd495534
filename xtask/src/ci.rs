//! `cargo xtask ci`: everything CI checks, in the order a contributor would want to see
//! failures: formatting, lints, tests (snapshots never updated), snapshot hygiene, docs,
//! packaging metadata.

use std::path::Path;

use crate::manifest::Workspace;
use crate::{cargo, exec, release, snapshots};

/// One CI step.
enum Step {
    /// A cargo invocation with extra environment.
    Cargo {
        name: &'static str,
        args: &'static [&'static str],
        env: &'static [(&'static str, &'static str)],
    },
    /// `backup-core` linted with its default features off and only `features` (a vendor, or
    /// none when empty) on.
    Facade { features: &'static str },
    /// A check xtask does itself.
    Check {
        name: &'static str,
        what: &'static str,
        check: fn(&Path) -> Result<(), String>,
    },
}

const STEPS: &[Step] = &[
    Step::Cargo {
        name: "format",
        args: &["fmt", "--all", "--check"],
        env: &[],
    },
    Step::Cargo {
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
    // The facade must build warning-free with any one vendor (or none): users pick features.
    Step::Facade { features: "" },
    Step::Facade { features: "aliyun" },
    Step::Facade {
        features: "tencent",
    },
    Step::Facade { features: "huawei" },
    Step::Cargo {
        name: "test",
        args: &["test", "--workspace"],
        env: &[("INSTA_UPDATE", "no"), ("CI", "true")],
    },
    Step::Check {
        name: "snapshots",
        what: "no pending snapshots, none unreferenced",
        check: check_snapshots,
    },
    Step::Cargo {
        name: "docs",
        args: &["doc", "--workspace", "--no-deps"],
        env: &[("RUSTDOCFLAGS", "-D warnings")],
    },
    Step::Check {
        name: "package",
        what: "metadata of published crates, cargo package --list",
        check: release::check_packages,
    },
];

/// Runs every step; stops at the first failure.
pub fn run(root: &Path) -> Result<(), String> {
    for step in STEPS {
        match step {
            Step::Cargo { name, args, env } => {
                let what = format!("{name} (cargo {})", args.join(" "));
                eprintln!("==> xtask ci: {what}");
                exec(cargo(root).args(*args).envs(env.iter().copied()), name)
                    .map_err(|e| format!("step '{name}' failed: {e}"))?;
            }
            Step::Facade { features } => {
                let mut args = vec!["clippy", "-p", "backup-core", "--no-default-features"];
                if !features.is_empty() {
                    args.extend(["--features", features]);
                }
                args.extend(["--", "-D", "warnings"]);
                let name = match *features {
                    "" => "features (no vendor)".to_owned(),
                    f => format!("features ({f} only)"),
                };
                eprintln!("==> xtask ci: {name} (cargo {})", args.join(" "));
                exec(cargo(root).args(&args), &name)
                    .map_err(|e| format!("step '{name}' failed: {e}"))?;
            }
            Step::Check { name, what, check } => {
                eprintln!("==> xtask ci: {name} ({what})");
                check(root).map_err(|e| format!("step '{name}' failed:\n{e}"))?;
            }
        }
    }
    eprintln!("==> xtask ci: all steps passed");
    Ok(())
}

/// Fails on pending snapshots (`.snap.new`, `.pending-snap`) anywhere in the workspace's
/// packages and on `.snap` files no test references (rule: [`crate::snapshots`]).
pub fn check_snapshots(root: &Path) -> Result<(), String> {
    let ws = Workspace::load(root)?;
    let dirs: Vec<_> = ws.packages.iter().map(|p| p.dir.clone()).collect();
    let relative = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    let mut problems = Vec::new();
    for p in snapshots::pending(&dirs) {
        problems.push(format!(
            "pending snapshot {} ({}): review with `cargo xtask snap`, accept with \
             `cargo xtask snap --accept` or delete it",
            relative(&p),
            snapshots::describe(&p)
        ));
    }
    for dir in &dirs {
        for p in snapshots::unreferenced(dir) {
            problems.push(format!(
                "unreferenced snapshot {}: no test function or literal snapshot name matches \
                 it any more; delete it (or restore its test)",
                relative(&p)
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}
