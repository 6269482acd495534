//! `cargo xtask snap [-p CRATE] [--accept]`: run the insta tests, list what they would change,
//! and accept it.
//!
//! With `cargo-insta` installed (`cargo insta --version` succeeds), the tests run under
//! `cargo insta test` and `--accept` is `cargo insta accept`, which also handles inline
//! snapshots. Without it, the tests run under `cargo test --no-fail-fast` with
//! `INSTA_UPDATE=new` (write a `.snap.new` next to each snapshot that differs or is new) and
//! `INSTA_FORCE_PASS=1` (do not stop a test at its first differing snapshot, so one run shows
//! them all), and `--accept` moves each `.snap.new` into place; inline snapshots
//! (`.pending-snap`) then need cargo-insta.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::manifest::Workspace;
use crate::{cargo, snapshots};

fn has_cargo_insta(root: &Path) -> bool {
    cargo(root)
        .args(["insta", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

pub fn snap(root: &Path, args: &[String]) -> Result<(), String> {
    let mut package: Option<String> = None;
    let mut accept = false;
    let mut args = args.iter();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--accept" => accept = true,
            "-p" | "--package" => {
                package = Some(args.next().ok_or("-p needs a crate name")?.clone());
            }
            other => return Err(format!("unexpected argument '{other}'")),
        }
    }

    let ws = Workspace::load(root)?;
    let dirs: Vec<PathBuf> = match &package {
        Some(name) => {
            let p = ws.package(name).ok_or_else(|| {
                let names: Vec<&str> = ws.member_names().into_iter().collect();
                format!("no crate '{name}' in the workspace ({})", names.join(", "))
            })?;
            vec![p.dir.clone()]
        }
        None => ws.packages.iter().map(|p| p.dir.clone()).collect(),
    };
    let selection: Vec<&str> = match &package {
        Some(name) => vec!["-p", name],
        None => vec!["--workspace"],
    };

    let insta = has_cargo_insta(root);
    let mut test = cargo(root);
    if insta {
        // `cargo insta test` goes into check-only mode when CI is set.
        test.args(["insta", "test"])
            .args(&selection)
            .env_remove("CI");
    } else {
        test.arg("test")
            .args(&selection)
            .arg("--no-fail-fast")
            .env("INSTA_UPDATE", "new")
            .env("INSTA_FORCE_PASS", "1");
    }
    eprintln!(
        "==> xtask snap: {} {}",
        if insta {
            "cargo insta test"
        } else {
            "cargo test (INSTA_UPDATE=new INSTA_FORCE_PASS=1)"
        },
        selection.join(" ")
    );
    let passed = test
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?
        .success();

    let pending = snapshots::pending(&dirs);
    let relative = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    if pending.is_empty() {
        eprintln!("==> xtask snap: no pending snapshots");
    } else {
        eprintln!("==> xtask snap: {} pending snapshot(s):", pending.len());
        for p in &pending {
            eprintln!("  {}  ({})", relative(p), snapshots::describe(p));
        }
    }

    if accept && !pending.is_empty() {
        if insta {
            let mut cmd = cargo(root);
            cmd.args(["insta", "accept"]);
            match &package {
                Some(name) => {
                    let dir = &ws.package(name).expect("checked above").dir;
                    cmd.arg("--manifest-path").arg(dir.join("Cargo.toml"));
                }
                None => {
                    cmd.arg("--workspace");
                }
            }
            crate::exec(&mut cmd, "cargo insta accept")?;
        } else {
            let mut inline = Vec::new();
            for p in &pending {
                if snapshots::name_of(p).ends_with(".snap.new") {
                    let accepted = snapshots::accept(p)?;
                    eprintln!("  accepted {}", relative(&accepted));
                } else {
                    inline.push(relative(p));
                }
            }
            if !inline.is_empty() {
                return Err(format!(
                    "inline snapshots are rewritten in the test source, which needs cargo-insta \
                     (`cargo install cargo-insta`, then `cargo xtask snap --accept` again): {}",
                    inline.join(", ")
                ));
            }
        }
    } else if !pending.is_empty() {
        eprintln!(
            "review the diffs (`git diff --no-index X.snap X.snap.new`), then accept them all with `cargo xtask snap --accept`"
        );
    }

    // `cargo insta test` also fails when it leaves snapshots to review; plain `cargo test`
    // under INSTA_FORCE_PASS fails only on other failures.
    if passed || (insta && !pending.is_empty()) {
        Ok(())
    } else {
        Err("tests failed (other than snapshot differences): see above".into())
    }
}
