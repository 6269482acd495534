//! xtask's own logic, on a temporary copy of `xtask/fixtures/mini` (never the real
//! workspace): dependency order, version bump, changelog edit, metadata and snapshot checks.

use std::fs;
use std::path::{Path, PathBuf};

use crate::manifest::{self, DepKind, Workspace};
use crate::release::{self, Version};
use crate::{changelog, snapshots};

/// A fresh copy of the fixture workspace; the directory lives as long as the guard.
fn fixture() -> (tempfile::TempDir, PathBuf) {
    fn copy(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let dest = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &dest);
            } else {
                fs::copy(entry.path(), dest).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("mini");
    copy(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/mini"),
        &root,
    );
    (dir, root)
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap()
}

/// The lines that differ between two texts of the same length in lines.
fn changed_lines(before: &str, after: &str) -> Vec<String> {
    assert_eq!(before.lines().count(), after.lines().count());
    before
        .lines()
        .zip(after.lines())
        .filter(|(a, b)| a != b)
        .map(|(_, b)| b.to_string())
        .collect()
}

fn apply(edits: &release::Edits) {
    for (path, text) in &edits.files {
        fs::write(path, text).unwrap();
    }
}

#[test]
fn workspace_members_and_dependencies_are_read_from_the_manifests() {
    let (_guard, root) = fixture();
    let ws = Workspace::load(&root).unwrap();
    let names: Vec<&str> = ws.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["alpha", "beta", "gamma", "internal"]);
    let published: Vec<&str> = ws.published().map(|p| p.name.as_str()).collect();
    assert_eq!(published, ["alpha", "beta", "gamma"]);
    assert_eq!(ws.version().unwrap(), "0.3.1");

    let beta = ws.package("beta").unwrap();
    let dev: Vec<(&str, bool)> = beta
        .deps
        .iter()
        .filter(|d| d.kind == DepKind::Dev)
        .map(|d| (d.package.as_str(), d.has_version))
        .collect();
    // gamma's version comes from [workspace.dependencies]; internal is path-only.
    assert_eq!(dev, [("gamma", true), ("internal", false)]);
    let gamma = ws.package("gamma").unwrap();
    assert!(
        gamma
            .deps
            .iter()
            .any(|d| d.package == "alpha" && d.kind == DepKind::Normal && d.has_version),
        "the [dependencies.alpha] table form is a dependency: {:?}",
        gamma.deps
    );
}

#[test]
fn publish_order_puts_every_crate_after_what_it_needs_on_crates_io() {
    let (_guard, root) = fixture();
    let ws = Workspace::load(&root).unwrap();
    // beta needs gamma only for its tests, but with a version: gamma must be published first,
    // even though "beta" sorts before "gamma".
    assert_eq!(ws.publish_order().unwrap(), ["alpha", "gamma", "beta"]);
}

#[test]
fn publish_order_reports_a_cycle() {
    let (_guard, root) = fixture();
    let alpha = root.join("crates/alpha/Cargo.toml");
    let text = read(&alpha).replace(
        "[dependencies]\n",
        "[dependencies]\nbeta = { path = \"../beta\", version = \"0.3.1\" }\n",
    );
    fs::write(&alpha, text).unwrap();
    let err = Workspace::load(&root).unwrap().publish_order().unwrap_err();
    assert!(err.contains("cycle among alpha, beta, gamma"), "{err}");
}

#[test]
fn version_bump_edits_only_the_version_and_member_requirement_lines() {
    let (_guard, root) = fixture();
    let before_root = read(&root.join("Cargo.toml"));
    let before_gamma = read(&root.join("crates/gamma/Cargo.toml"));
    let ws = Workspace::load(&root).unwrap();
    let edits = release::prepare(&ws, &Version::parse("0.4.0").unwrap(), "2026-02-01").unwrap();
    apply(&edits);

    assert_eq!(
        changed_lines(&before_root, &read(&root.join("Cargo.toml"))),
        [
            "version = \"0.4.0\" # bumped by `xtask release`",
            "alpha = { path = \"crates/alpha\", version = \"0.4.0\" }",
            "beta = { path = \"crates/beta\", version = \"=0.4.0\", default-features = false }",
            "gamma = { version = \"0.4.0\", path = \"crates/gamma\" }",
        ]
    );
    assert_eq!(
        changed_lines(&before_gamma, &read(&root.join("crates/gamma/Cargo.toml"))),
        ["version = \"0.4.0\""]
    );
    let changed: Vec<String> = edits
        .files
        .iter()
        .map(|(p, _)| p.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    // alpha, beta and internal inherit everything: their manifests do not change.
    assert_eq!(
        changed,
        ["Cargo.toml", "crates/gamma/Cargo.toml", "CHANGELOG.md"]
    );
    let ws = Workspace::load(&root).unwrap();
    assert_eq!(ws.version().unwrap(), "0.4.0");
}

#[test]
fn a_release_must_be_newer_than_the_current_version() {
    let (_guard, root) = fixture();
    let ws = Workspace::load(&root).unwrap();
    for older in ["0.3.1", "0.3.0", "0.3.1-rc.1"] {
        let err = release::prepare(&ws, &Version::parse(older).unwrap(), "2026-02-01").unwrap_err();
        assert!(
            err.contains("is not newer than the current version 0.3.1"),
            "{err}"
        );
    }
    assert!(release::prepare(&ws, &Version::parse("0.3.2-rc.1").unwrap(), "d").is_ok());
}

#[test]
fn versions_parse_and_order() {
    let v = |s| Version::parse(s).unwrap();
    assert!(v("1.0.0") > v("1.0.0-rc.2"));
    assert!(v("1.0.0-rc.2") > v("1.0.0-rc.1"));
    assert!(v("0.10.0") > v("0.9.9"));
    assert_eq!(v("1.2.3+build.5").to_string(), "1.2.3+build.5");
    for bad in ["1.2", "1.2.3.4", "v1.2.3", "1.02.3", "1.2.3-", "", "x.y.z"] {
        assert!(Version::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn dates_are_utc_calendar_days() {
    assert_eq!(release::date_of(0), "1970-01-01");
    assert_eq!(release::date_of(951_782_400), "2000-02-29");
    assert_eq!(release::date_of(1_767_225_599), "2025-12-31");
    assert_eq!(release::date_of(1_767_225_600), "2026-01-01");
}

#[test]
fn changelog_release_moves_unreleased_into_a_dated_section_and_updates_links() {
    let (_guard, root) = fixture();
    let ws = Workspace::load(&root).unwrap();
    apply(&release::prepare(&ws, &Version::parse("0.4.0").unwrap(), "2026-02-01").unwrap());
    let text = read(&root.join("CHANGELOG.md"));
    let from_unreleased = &text[text.find("## [Unreleased]").unwrap()..];
    assert_eq!(
        from_unreleased,
        "## [Unreleased]

## [0.4.0] - 2026-02-01

### Added

- `beta::frobnicate`.

### Fixed

- `alpha` no longer panics on empty input.

## [0.3.1] - 2026-01-15

### Fixed

- A typo.

[Unreleased]: https://example.invalid/mini/compare/v0.4.0...HEAD
[0.4.0]: https://example.invalid/mini/compare/v0.3.1...v0.4.0
[0.3.1]: https://example.invalid/mini/compare/v0.3.0...v0.3.1
"
    );
    // The header above Unreleased is untouched.
    assert!(text.starts_with("# Changelog\n\nAll notable changes"));
}

#[test]
fn changelog_first_release_links_to_its_tag() {
    let text = "# Changelog\n\n## [Unreleased]\n\n- Everything.\n\n[Unreleased]: https://x.invalid/r/commits/main\n";
    let out = changelog::release(text, "0.1.0", "2026-03-04", "https://x.invalid/r").unwrap();
    assert_eq!(
        out,
        "# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-03-04\n\n- Everything.\n\n\
         [Unreleased]: https://x.invalid/r/compare/v0.1.0...HEAD\n\
         [0.1.0]: https://x.invalid/r/releases/tag/v0.1.0\n"
    );
}

#[test]
fn changelog_refuses_an_empty_or_ambiguous_release() {
    let repo = "https://x.invalid/r";
    let empty = "# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2026-01-01\n\n- First.\n";
    let err = changelog::release(empty, "0.2.0", "d", repo).unwrap_err();
    assert!(err.contains("the Unreleased section is empty"), "{err}");
    // A section written by hand, nothing left in Unreleased: accepted as is.
    let by_hand = "## [Unreleased]\n\n## [0.2.0] - 2026-02-02\n\n- Second.\n";
    assert_eq!(
        changelog::release(by_hand, "0.2.0", "d", repo).unwrap(),
        by_hand
    );
    let both = "## [Unreleased]\n\n- More.\n\n## [0.2.0]\n\n- Second.\n";
    let err = changelog::release(both, "0.2.0", "d", repo).unwrap_err();
    assert!(err.contains("merge them"), "{err}");
    let err = changelog::release("# Changelog\n", "0.2.0", "d", repo).unwrap_err();
    assert!(err.contains("no `## [Unreleased]` section"), "{err}");
}

#[test]
fn complete_metadata_passes_and_each_gap_is_named() {
    let (_guard, root) = fixture();
    assert_eq!(
        release::metadata_problems(&Workspace::load(&root).unwrap()),
        Vec::<String>::new()
    );

    let edit = |path: &str, from: &str, to: &str| {
        let path = root.join(path);
        let text = read(&path);
        assert!(text.contains(from), "{from}");
        fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    edit(
        "crates/alpha/Cargo.toml",
        "keywords = [\"fixture\"]\n",
        "keywords = []\n",
    );
    edit(
        "crates/alpha/Cargo.toml",
        "include = [\"src/**\", \"README.md\", \"Cargo.toml\"]\n",
        "",
    );
    fs::remove_file(root.join("crates/beta/README.md")).unwrap();
    edit(
        "crates/beta/Cargo.toml",
        "internal.workspace = true",
        "internal = { path = \"../../internal\", version = \"0.0.0\" }",
    );
    edit(
        "crates/gamma/Cargo.toml",
        "version.workspace = true",
        "version = \"0.3.1\"",
    );
    edit(
        "crates/gamma/Cargo.toml",
        "rust-version.workspace = true\n",
        "",
    );

    assert_eq!(
        release::metadata_problems(&Workspace::load(&root).unwrap()),
        [
            "alpha: [package] `keywords` is empty",
            "alpha: [package] has no `include`",
            "beta: readme `README.md` does not exist",
            "beta: depends on `internal`, which is publish = false",
            "gamma: [package] has no `rust-version`",
            "gamma: set `version.workspace = true`: releases bump every crate in lockstep",
        ]
    );
}

#[test]
fn package_listings_must_not_ship_tests_or_snapshots() {
    let clean = "Cargo.toml\nCargo.toml.orig\nREADME.md\nsrc/lib.rs\nbenches/sign.rs\n";
    assert!(release::listing_problems("a", "README.md", clean).is_empty());
    let leaky = "Cargo.toml\nsrc/lib.rs\ntests/api.rs\ntests/snapshots/api__x.snap\nsrc/snapshots/m__y.snap\n";
    assert_eq!(
        release::listing_problems("a", "README.md", leaky),
        [
            "a: `tests/api.rs` would be published (add an `include` list)",
            "a: `tests/snapshots/api__x.snap` would be published (add an `include` list)",
            "a: `src/snapshots/m__y.snap` would be published (add an `include` list)",
            "a: `README.md` would not be published",
        ]
    );
}

#[test]
fn unreferenced_snapshots_are_those_whose_test_is_gone() {
    let (_guard, root) = fixture();
    let alpha = root.join("crates/alpha");
    let names = |dir: &Path| -> Vec<String> {
        snapshots::unreferenced(dir)
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    };
    // greeting and greeting-2: `fn greeting`; named_one: the literal; parting: `fn test_parting`.
    assert_eq!(names(&alpha), ["render__farewell.snap"]);
    assert!(names(&root.join("crates/beta")).is_empty());

    // Renaming the test orphans both of its snapshots; a name that merely contains the old
    // one does not count.
    let source = alpha.join("tests/render.rs");
    fs::write(
        &source,
        read(&source).replace("fn greeting()", "fn greeting_twice()"),
    )
    .unwrap();
    assert_eq!(
        names(&alpha),
        [
            "render__farewell.snap",
            "render__greeting-2.snap",
            "render__greeting.snap",
        ]
    );
}

#[test]
fn snapshot_names_follow_insta_naming() {
    assert_eq!(
        snapshots::candidate_names("api__requests__dds_list-2.snap"),
        [
            "api__requests__dds_list-2",
            "requests__dds_list-2",
            "dds_list-2",
            "api__requests__dds_list",
            "requests__dds_list",
            "dds_list",
        ]
    );
    assert_eq!(
        snapshots::candidate_names("render__greeting@linux.snap"),
        ["render__greeting", "greeting"]
    );
}

#[test]
fn the_walk_skips_target_and_nested_packages() {
    let (_guard, root) = fixture();
    fs::create_dir_all(root.join("target/debug")).unwrap();
    fs::write(root.join("target/debug/x.snap.new"), "").unwrap();
    let files: Vec<String> = snapshots::files_under(&root)
        .iter()
        .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert_eq!(files, ["CHANGELOG.md", "Cargo.toml"]);
}

#[test]
fn pending_snapshots_are_listed_summarised_and_accepted() {
    let (_guard, root) = fixture();
    let beta = root.join("crates/beta");
    let dir = beta.join("tests/snapshots");
    let changed = dir.join("lines__listing.snap.new");
    fs::write(
        &changed,
        "---\nsource: crates/beta/tests/lines.rs\nassertion_line: 3\nexpression: x\n---\none\n2\nthree\nfour\n",
    )
    .unwrap();
    let fresh = dir.join("lines__other.snap.new");
    fs::write(&fresh, "---\nsource: s\nassertion_line: 9\n---\na\nb\n").unwrap();
    let inline = beta.join("tests/.lines.rs.pending-snap");
    fs::write(
        &inline,
        "{\"run_id\":\"1\",\"line\":3}\n{\"run_id\":\"1\",\"line\":7}\n",
    )
    .unwrap();

    let pending = snapshots::pending(std::slice::from_ref(&beta));
    assert_eq!(pending, [inline.clone(), changed.clone(), fresh.clone()]);
    assert_eq!(snapshots::describe(&changed), "+2 -1 lines");
    assert_eq!(snapshots::describe(&fresh), "new snapshot, 2 lines");
    assert_eq!(
        snapshots::describe(&inline),
        "inline snapshots of lines.rs: 2 pending"
    );

    let accepted = snapshots::accept(&changed).unwrap();
    assert_eq!(accepted, dir.join("lines__listing.snap"));
    assert!(!changed.exists());
    assert_eq!(
        read(&accepted),
        "---\nsource: crates/beta/tests/lines.rs\nexpression: x\n---\none\n2\nthree\nfour\n"
    );
    assert!(snapshots::accept(&inline).is_err());

    // What `cargo xtask ci` reports: the remaining pending ones.
    let err = crate::ci::check_snapshots(&root).unwrap_err();
    assert!(
        err.contains("pending snapshot crates/beta/tests/.lines.rs.pending-snap"),
        "{err}"
    );
    assert!(
        err.contains("pending snapshot crates/beta/tests/snapshots/lines__other.snap.new"),
        "{err}"
    );
    assert!(
        err.contains("unreferenced snapshot crates/alpha/tests/snapshots/render__farewell.snap"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 3, "{err}");
}

#[test]
fn line_changes_count_a_minimal_diff() {
    assert_eq!(snapshots::line_changes("a\nb\nc\n", "a\nb\nc\n"), (0, 0));
    assert_eq!(snapshots::line_changes("a\nb\nc\n", "a\nx\nc\nd\n"), (2, 1));
    assert_eq!(snapshots::line_changes("", "a\n"), (1, 0));
    assert_eq!(snapshots::line_changes("a\nb\n", "b\na\n"), (1, 1));
}

#[test]
fn the_manifest_reader_handles_comments_strings_and_multi_line_values() {
    let text = "[package]\nname = \"a#b\" # a comment\nkeywords = [\n  \"x\", # first\n  \"y\",\n]\n\
                [dependencies]\nfoo = { version = \"1\", features = [\"a\", \"b\"] }\n";
    let entries = manifest::parse(text);
    let keys: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.section.as_str(), e.key.as_str()))
        .collect();
    assert_eq!(
        keys,
        [
            ("package", "name"),
            ("package", "keywords"),
            ("dependencies", "foo")
        ]
    );
    assert_eq!(manifest::string(&entries[0].value).unwrap(), "a#b");
    assert_eq!(manifest::string_array(&entries[1].value), ["x", "y"]);
    assert_eq!(entries[1].lines, 2..6);
    assert_eq!(
        manifest::inline_table(&entries[2].value),
        [
            ("version".to_string(), "\"1\"".to_string()),
            ("features".to_string(), "[\"a\", \"b\"]".to_string()),
        ]
    );
}
