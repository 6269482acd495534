//! `cargo xtask release <version> [--dry-run]`: everything up to, not including, publishing.
//!
//! 1. The tag `v<version>` does not exist, the working tree is clean (`git status --porcelain`
//!    prints nothing; untracked files count) and `cargo xtask ci` passes.
//! 2. Lockstep version bump: `[workspace.package] version`, and every version requirement on
//!    a workspace member (in `[workspace.dependencies]` and in any member's dependency
//!    tables). Every published crate must inherit its version (`version.workspace = true`).
//! 3. `CHANGELOG.md`: the Unreleased entries become the `## [<version>] - <today>` section
//!    ([`crate::changelog::release`]).
//! 4. Metadata of every published crate is complete ([`metadata_problems`]), then all of them
//!    are packaged in dependency order in one `cargo package -p ... -p ...`: cargo (1.90 or
//!    newer) packages them into a temporary local registry that overlays crates.io, so a
//!    crate depending on a sibling that is not on crates.io yet is still built and verified
//!    from its `.crate` file. What this cannot check: that the names are free (or ours) on
//!    crates.io, and that crates.io accepts the dev-dependencies (they must be published
//!    first, which the printed order does). Each package's file list is checked too: no
//!    tests, snapshots or fixtures ship, and the README does ([`listing_problems`]).
//! 5. The exact commit, tag, publish and push commands are printed. Nothing is published.
//!
//! With `--dry-run`, steps 2 to 4 run on a copy of the working tree in the system temporary
//! directory, so no file of the checkout changes; a dirty tree is reported (and fails the
//! run at the end) instead of stopping it.

use std::cmp::Ordering;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::manifest::{self, DepKind, Workspace};
use crate::{cargo, changelog, exec};

/// A semantic version `MAJOR.MINOR.PATCH[-PRE][+BUILD]`. Pre-releases order before the
/// release and, among themselves, by plain string comparison (enough for `-rc.1` < `-rc.2`;
/// not for `-rc.10`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    core: (u64, u64, u64),
    pre: Option<String>,
    text: String,
}

impl Version {
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("'{text}' is not a version like 1.2.3 or 1.2.3-rc.1");
        let without_build = text.split_once('+').map_or(text, |(v, _)| v);
        let (core, pre) = match without_build.split_once('-') {
            Some((core, pre)) if !pre.is_empty() => (core, Some(pre.to_string())),
            Some(_) => return Err(bad()),
            None => (without_build, None),
        };
        let numbers: Vec<u64> = core
            .split('.')
            .map(|n| {
                let leading_zero = n.len() > 1 && n.starts_with('0');
                if leading_zero { None } else { n.parse().ok() }
            })
            .collect::<Option<_>>()
            .ok_or_else(bad)?;
        let [major, minor, patch] = numbers[..] else {
            return Err(bad());
        };
        Ok(Version {
            core: (major, minor, patch),
            pre,
            text: text.to_string(),
        })
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.core
            .cmp(&other.core)
            .then_with(|| match (&self.pre, &other.pre) {
                (None, None) => Ordering::Equal,
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(a), Some(b)) => a.cmp(b),
            })
    }
}

/// `YYYY-MM-DD` of a Unix time, in UTC (Howard Hinnant's `civil_from_days`).
pub fn date_of(unix_seconds: u64) -> String {
    let days = (unix_seconds / 86_400) as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The `[package]` fields every published crate needs, whether written in the crate or
/// inherited from `[workspace.package]`.
const REQUIRED: &[&str] = &[
    "description",
    "license",
    "repository",
    "readme",
    "keywords",
    "categories",
    "rust-version",
    "include",
];

/// What keeps the workspace's published crates from a clean publish: missing metadata, a
/// version not inherited from the workspace, a README that is not there, a dependency on a
/// member that is not published.
pub fn metadata_problems(ws: &Workspace) -> Vec<String> {
    let mut problems = Vec::new();
    for p in ws.published() {
        let mut problem = |what: String| problems.push(format!("{}: {what}", p.name));
        for key in REQUIRED {
            match ws.package_value(&p.manifest, key) {
                None => problem(format!("[package] has no `{key}`")),
                Some(v) if v.starts_with('[') && manifest::string_array(&v).is_empty() => {
                    problem(format!("[package] `{key}` is empty"))
                }
                Some(_) => {}
            }
        }
        if p.manifest.get("package", "version").is_some() {
            problem("set `version.workspace = true`: releases bump every crate in lockstep".into());
        }
        if let Some(readme) = ws
            .package_value(&p.manifest, "readme")
            .and_then(|v| manifest::string(&v))
            && !p.dir.join(&readme).is_file()
        {
            problem(format!("readme `{readme}` does not exist"));
        }
        for d in &p.deps {
            let shipped = d.kind != DepKind::Dev || d.has_version;
            let unpublished = ws.package(&d.package).is_some_and(|m| !m.publish);
            if shipped && unpublished && d.package != p.name {
                problem(format!(
                    "depends on `{}`, which is publish = false",
                    d.package
                ));
            }
        }
    }
    problems
}

/// What is wrong with the file list `cargo package --list` printed for `crate_name`: test
/// sources, snapshots or fixtures that would ship, or a README that would not.
pub fn listing_problems(crate_name: &str, readme: &str, listing: &str) -> Vec<String> {
    let files: Vec<&str> = listing.lines().map(str::trim).collect();
    let mut problems: Vec<String> = files
        .iter()
        .filter(|f| {
            f.starts_with("tests/")
                || f.contains("/tests/")
                || f.contains("snapshots/")
                || f.contains("fixtures/")
                || f.ends_with(".snap")
                || f.ends_with(".snap.new")
        })
        .map(|f| format!("{crate_name}: `{f}` would be published (add an `include` list)"))
        .collect();
    if !files.contains(&readme) {
        problems.push(format!("{crate_name}: `{readme}` would not be published"));
    }
    problems
}

/// Lists each published crate's files with `cargo package --list` and checks them.
pub fn check_listings(ws: &Workspace) -> Result<(), String> {
    let mut problems = Vec::new();
    for p in ws.published() {
        let output = cargo(&ws.root)
            .args(["package", "--list", "--allow-dirty", "-p", &p.name])
            .output()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "cargo package --list -p {} failed:\n{}",
                p.name,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let readme = ws
            .package_value(&p.manifest, "readme")
            .and_then(|v| manifest::string(&v))
            .unwrap_or_else(|| "README.md".into());
        problems.extend(listing_problems(
            &p.name,
            &readme,
            &String::from_utf8_lossy(&output.stdout),
        ));
    }
    problems_to_result(problems)
}

/// Checks metadata and file lists: the `package` step of `cargo xtask ci`.
pub fn check_packages(root: &Path) -> Result<(), String> {
    let ws = Workspace::load(root)?;
    problems_to_result(metadata_problems(&ws))?;
    check_listings(&ws)
}

fn problems_to_result(problems: Vec<String>) -> Result<(), String> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// The files a release changes, with their new contents.
#[derive(Debug)]
pub struct Edits {
    pub files: Vec<(PathBuf, String)>,
}

/// Bumps the workspace to `version` and moves the changelog's Unreleased entries, in memory.
pub fn prepare(ws: &Workspace, version: &Version, date: &str) -> Result<Edits, String> {
    let current = Version::parse(&ws.version()?)?;
    if *version <= current {
        return Err(format!(
            "{version} is not newer than the current version {current}"
        ));
    }
    let members = ws.member_names();
    let mut files = Vec::new();
    for m in std::iter::once(&ws.manifest).chain(ws.packages.iter().map(|p| &p.manifest)) {
        let text = manifest::replace_versions(m, &members, &version.to_string());
        if text != m.text {
            files.push((m.path.clone(), text));
        }
    }
    let path = ws.root.join("CHANGELOG.md");
    let text = fs::read_to_string(&path).map_err(|e| format!("CHANGELOG.md: {e}"))?;
    let repository = ws
        .manifest
        .get("workspace.package", "repository")
        .and_then(|e| manifest::string(&e.value))
        .ok_or("Cargo.toml: no [workspace.package] repository")?;
    let text = changelog::release(&text, &version.to_string(), date, &repository)?;
    files.push((path, text));
    Ok(Edits { files })
}

/// `cargo --version` is at least 1.90 (multi-package `cargo package`).
fn check_cargo_version(root: &Path) -> Result<(), String> {
    let output = cargo(root)
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let minor = text
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.split('.').nth(1))
        .and_then(|m| m.parse::<u32>().ok());
    match minor {
        Some(m) if m >= 90 => Ok(()),
        _ => Err(format!(
            "`{}` is too old: packaging crates that depend on unpublished siblings needs \
             cargo 1.90 or newer",
            text.trim()
        )),
    }
}

fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Copies the files git would see (tracked and untracked, not ignored) into `to`.
fn copy_tree(root: &Path, to: &Path) -> Result<(), String> {
    let listing = git(
        root,
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    )?;
    for file in listing.split('\0').filter(|f| !f.is_empty()) {
        let from = root.join(file);
        if !from.is_file() {
            continue; // deleted but still tracked
        }
        let dest = to.join(file);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        fs::copy(&from, &dest).map_err(|e| format!("{}: {e}", from.display()))?;
    }
    Ok(())
}

pub fn release(root: &Path, args: &[String]) -> Result<(), String> {
    let mut version = None;
    let mut dry_run = false;
    for a in args {
        match a.as_str() {
            "--dry-run" => dry_run = true,
            flag if flag.starts_with('-') => return Err(format!("unknown option '{flag}'")),
            v if version.is_none() => version = Some(Version::parse(v)?),
            extra => return Err(format!("unexpected argument '{extra}'")),
        }
    }
    let version = version.ok_or("usage: cargo xtask release <version> [--dry-run]")?;
    let tag = format!("v{version}");
    let mut deferred = Vec::new();

    // Everything that fails fast comes before the slow `ci`.
    let current = Version::parse(&Workspace::load(root)?.version()?)?;
    if version <= current {
        return Err(format!(
            "{version} is not newer than the current version {current}"
        ));
    }
    check_cargo_version(root)?;
    if !git(root, &["tag", "--list", &tag])?.trim().is_empty() {
        return Err(format!("the tag {tag} exists already"));
    }
    let status = git(root, &["status", "--porcelain"])?;
    if !status.trim().is_empty() {
        let problem = format!("the working tree is not clean:\n{status}");
        if !dry_run {
            return Err(format!("{problem}commit or stash first"));
        }
        eprintln!("xtask release: {problem}(dry run: going on; a real release stops here)");
        deferred.push(problem);
    }
    crate::ci::run(root)?;

    let work = if dry_run {
        let copy =
            std::env::temp_dir().join(format!("xtask-release-{version}-{}", std::process::id()));
        eprintln!(
            "==> xtask release: dry run in a copy of the tree: {}",
            copy.display()
        );
        let _ = fs::remove_dir_all(&copy);
        copy_tree(root, &copy)?;
        copy
    } else {
        root.to_path_buf()
    };
    let (order, changed) = match bump_and_package(root, &work, &version) {
        Ok(done) => done,
        Err(e) if dry_run => {
            return Err(format!(
                "{e}\n(the copy is kept for a look: {})",
                work.display()
            ));
        }
        Err(e) => {
            return Err(format!(
                "{e}\nthe version bump and changelog edits are left in the working tree; \
                 `git checkout -- .` undoes them"
            ));
        }
    };
    if dry_run {
        let _ = fs::remove_dir_all(&work);
    }

    println!(
        "\nPackaged {} crates for {version}, in this order: {}.",
        order.len(),
        order.join(", ")
    );
    println!("Now run, in {}:\n", root.display());
    if dry_run {
        println!("  cargo xtask release {version}   # this was a dry run: nothing changed");
    }
    println!("  git add {}", changed.join(" "));
    println!("  git commit -m \"Release {version}\"");
    println!("  git tag -a {tag} -m \"Release {version}\"");
    for name in &order {
        println!("  cargo publish -p {name}");
    }
    println!("  git push origin HEAD {tag}");
    println!("\n(xtask never publishes by itself.)");

    if deferred.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "dry run: a real release would stop on:\n{}",
            deferred.join("\n")
        ))
    }
}

/// Steps 2 to 4 in `work` (the checkout, or the dry run's copy of it): returns the publishing
/// order and the files to commit.
fn bump_and_package(
    root: &Path,
    work: &Path,
    version: &Version,
) -> Result<(Vec<String>, Vec<String>), String> {
    let unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let ws = Workspace::load(work)?;
    let edits = prepare(&ws, version, &date_of(unix))?;
    let mut changed = Vec::new();
    for (path, text) in &edits.files {
        fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        let relative = path.strip_prefix(work).unwrap_or(path);
        eprintln!("    updated {}", relative.display());
        changed.push(relative.display().to_string());
    }
    exec(
        cargo(work).args(["update", "--workspace"]),
        "cargo update --workspace",
    )?;
    changed.push("Cargo.lock".into());

    let ws = Workspace::load(work)?;
    problems_to_result(metadata_problems(&ws))?;
    let order = ws.publish_order()?;
    // The checkout's target directory, also for the dry run's copy: its builds are reused.
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let mut package = cargo(work);
    package
        .args(["package", "--allow-dirty"])
        .env("CARGO_TARGET_DIR", target);
    for name in &order {
        package.args(["-p", name]);
    }
    exec(&mut package, "cargo package (every published crate)")?;
    check_listings(&ws)?;
    Ok((order, changed))
}
