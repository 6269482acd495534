//! Just enough TOML to read and edit this workspace's Cargo manifests, without a TOML crate.
//!
//! What is understood: `[section]` and `[[array]]` headers, `key = value` lines (dotted keys
//! such as `version.workspace` kept as written), values spanning several lines while a `[` or
//! `{` is open, `#` comments, basic and literal strings, inline tables and arrays of strings.
//! Multi-line strings (`"""`) are not: no manifest here uses them, and `xtask ci` would fail on
//! one (a key would go missing) rather than misread it silently.
//!
//! Edits are line edits that keep everything else byte for byte ([`replace_versions`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One `key = value` of a manifest.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The header it sits under, as written between the brackets (`package`,
    /// `workspace.dependencies`, `dependencies.foo`); empty before any header.
    pub section: String,
    /// The key as written (`version`, `version.workspace`, `cloud-sign`).
    pub key: String,
    /// The value's text, comments removed, lines joined with `\n`.
    pub value: String,
    /// The lines (0-based) the entry occupies.
    pub lines: Range<usize>,
}

/// Splits a manifest into its entries.
pub fn parse(text: &str) -> Vec<Entry> {
    let lines: Vec<&str> = text.lines().collect();
    let mut entries = Vec::new();
    let mut section = String::new();
    let mut i = 0;
    while i < lines.len() {
        let line = strip_comment(lines[i]).trim();
        let start = i;
        i += 1;
        if line.is_empty() {
            continue;
        }
        if let Some(header) = line.strip_prefix('[') {
            let header = header.trim_start_matches('[');
            section = header.trim_end_matches(']').trim().to_string();
            continue;
        }
        let Some(eq) = find_outside_strings(line, '=') else {
            continue;
        };
        let key = line[..eq].trim().trim_matches('"').to_string();
        let mut value = line[eq + 1..].trim().to_string();
        while depth(&value) > 0 && i < lines.len() {
            value.push('\n');
            value.push_str(strip_comment(lines[i]).trim());
            i += 1;
        }
        entries.push(Entry {
            section: section.clone(),
            key,
            value,
            lines: start..i,
        });
    }
    entries
}

/// `line` without its `#` comment (a `#` inside a string stays).
fn strip_comment(line: &str) -> &str {
    match find_outside_strings(line, '#') {
        Some(at) => &line[..at],
        None => line,
    }
}

/// Byte offsets of the characters of `text` that are outside strings, with the character.
fn outside_strings(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    text.char_indices().filter(move |&(_, c)| match quote {
        Some(q) => {
            if escaped {
                escaped = false;
            } else if c == '\\' && q == '"' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            false
        }
        None => {
            if c == '"' || c == '\'' {
                quote = Some(c);
                false
            } else {
                true
            }
        }
    })
}

fn find_outside_strings(text: &str, wanted: char) -> Option<usize> {
    outside_strings(text)
        .find(|&(_, c)| c == wanted)
        .map(|(at, _)| at)
}

/// How many `[`/`{` are still open at the end of `text`.
fn depth(text: &str) -> i32 {
    outside_strings(text).fold(0, |d, (_, c)| match c {
        '[' | '{' => d + 1,
        ']' | '}' => d - 1,
        _ => d,
    })
}

/// The text of a string value (`"x"` or `'x'`; `\"` and `\\` unescaped), else `None`.
pub fn string(value: &str) -> Option<String> {
    let value = value.trim();
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let end = outside_strings(value)
        .next()
        .map_or(value.len(), |(at, _)| at);
    let inner = value[1..end].trim_end().strip_suffix(quote)?;
    Some(if quote == '"' {
        inner.replace("\\\"", "\"").replace("\\\\", "\\")
    } else {
        inner.to_string()
    })
}

/// Splits the inside of `{ ... }` or `[ ... ]` at its top-level commas.
fn items(value: &str, open: char, close: char) -> Vec<&str> {
    let value = value.trim();
    let Some(inner) = value.strip_prefix(open).and_then(|v| v.strip_suffix(close)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut level = 0;
    let mut from = 0;
    for (at, c) in outside_strings(inner) {
        match c {
            '[' | '{' => level += 1,
            ']' | '}' => level -= 1,
            ',' if level == 0 => {
                out.push(inner[from..at].trim());
                from = at + 1;
            }
            _ => {}
        }
    }
    out.push(inner[from..].trim());
    out.retain(|s| !s.is_empty());
    out
}

/// The `key = value` pairs of an inline table (`{ path = "x", version = "1" }`).
pub fn inline_table(value: &str) -> Vec<(String, String)> {
    items(value, '{', '}')
        .into_iter()
        .filter_map(|item| {
            let eq = find_outside_strings(item, '=')?;
            Some((
                item[..eq].trim().trim_matches('"').to_string(),
                item[eq + 1..].trim().to_string(),
            ))
        })
        .collect()
}

/// The strings of an array of strings (`["a", "b"]`).
pub fn string_array(value: &str) -> Vec<String> {
    items(value, '[', ']')
        .into_iter()
        .filter_map(string)
        .collect()
}

/// A manifest file and its entries.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub path: PathBuf,
    pub text: String,
    pub entries: Vec<Entry>,
}

impl Manifest {
    pub fn read(path: &Path) -> Result<Self, String> {
        let text =
            fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Ok(Manifest {
            path: path.to_path_buf(),
            entries: parse(&text),
            text,
        })
    }

    /// The value of `key` in `section`, if written there.
    pub fn get(&self, section: &str, key: &str) -> Option<&Entry> {
        self.entries
            .iter()
            .find(|e| e.section == section && e.key == key)
    }
}

/// What kind of dependency table an entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DepKind {
    Normal,
    Build,
    Dev,
}

/// One dependency of a package, resolved through `[workspace.dependencies]` when inherited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dep {
    /// The package depended on (after `package = "..."` renames).
    pub package: String,
    pub kind: DepKind,
    /// Whether a version requirement is given (cargo strips path-only dev-dependencies from
    /// the published manifest, so only these matter for publishing order).
    pub has_version: bool,
}

/// A workspace member.
#[derive(Debug, Clone)]
pub struct Package {
    pub name: String,
    pub dir: PathBuf,
    pub manifest: Manifest,
    pub publish: bool,
    pub deps: Vec<Dep>,
}

/// The workspace: its root manifest and members.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
    pub manifest: Manifest,
    pub packages: Vec<Package>,
}

/// The dependency kind of a section name and, for `[dependencies.foo]` tables, the name.
fn dep_section(section: &str) -> Option<(DepKind, Option<&str>)> {
    // `target.'cfg(unix)'.dependencies` is a dependency table too.
    let tail = match section.rfind("'.") {
        Some(at) if section.starts_with("target.") => &section[at + 2..],
        _ => section,
    };
    let (table, name) = match tail.split_once('.') {
        Some((table, name)) => (table, Some(name)),
        None => (tail, None),
    };
    let kind = match table {
        "dependencies" => DepKind::Normal,
        "build-dependencies" => DepKind::Build,
        "dev-dependencies" => DepKind::Dev,
        _ => return None,
    };
    Some((kind, name))
}

/// Every dependency declared in `manifest`'s tables matching `kind_of`, as
/// `(kind, key, [(field, value)])`, whatever the spelling: `foo = "1"`,
/// `foo = { ... }`, `foo.workspace = true` or a `[dependencies.foo]` table.
fn dependency_fields(
    manifest: &Manifest,
    kind_of: impl Fn(&str) -> Option<(DepKind, Option<&str>)>,
) -> BTreeMap<(DepKind, String), Vec<(String, String)>> {
    let mut deps: BTreeMap<(DepKind, String), Vec<(String, String)>> = BTreeMap::new();
    for e in &manifest.entries {
        let Some((kind, table_name)) = kind_of(&e.section) else {
            continue;
        };
        let (name, fields) = match table_name {
            Some(name) => (name.to_string(), vec![(e.key.clone(), e.value.clone())]),
            None => match e.key.split_once('.') {
                Some((name, field)) => (name.to_string(), vec![(field.into(), e.value.clone())]),
                None if e.value.starts_with('{') => (e.key.clone(), inline_table(&e.value)),
                None => (e.key.clone(), vec![("version".into(), e.value.clone())]),
            },
        };
        deps.entry((kind, name)).or_default().extend(fields);
    }
    deps
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

impl Workspace {
    /// Reads the workspace rooted at `root` (members: literal paths and `dir/*` patterns).
    pub fn load(root: &Path) -> Result<Self, String> {
        let manifest = Manifest::read(&root.join("Cargo.toml"))?;
        let members = manifest
            .get("workspace", "members")
            .map(|e| string_array(&e.value))
            .unwrap_or_default();
        let excluded: BTreeSet<PathBuf> = manifest
            .get("workspace", "exclude")
            .map(|e| string_array(&e.value))
            .unwrap_or_default()
            .into_iter()
            .map(|p| root.join(p))
            .collect();
        let mut dirs = Vec::new();
        for member in members {
            if let Some(parent) = member.strip_suffix("/*") {
                let parent = root.join(parent);
                let listing = fs::read_dir(&parent)
                    .map_err(|e| format!("cannot list {}: {e}", parent.display()))?;
                let mut found: Vec<PathBuf> = listing
                    .filter_map(|d| d.ok().map(|d| d.path()))
                    .filter(|d| d.join("Cargo.toml").is_file())
                    .collect();
                found.sort();
                dirs.extend(found);
            } else if member.contains(['*', '?', '[']) {
                return Err(format!(
                    "workspace member pattern '{member}': only 'dir/*' is supported"
                ));
            } else {
                dirs.push(root.join(member));
            }
        }
        dirs.retain(|d| !excluded.contains(d));

        let mut ws = Workspace {
            root: root.to_path_buf(),
            manifest,
            packages: Vec::new(),
        };
        for dir in dirs {
            let manifest = Manifest::read(&dir.join("Cargo.toml"))?;
            let name = manifest
                .get("package", "name")
                .and_then(|e| string(&e.value))
                .ok_or_else(|| format!("{}: no package name", manifest.path.display()))?;
            let publish = !matches!(
                ws.package_value(&manifest, "publish").as_deref(),
                Some("false" | "[]")
            );
            let deps = ws.deps_of(&manifest);
            ws.packages.push(Package {
                name,
                dir,
                manifest,
                publish,
                deps,
            });
        }
        Ok(ws)
    }

    /// The raw value of `[package] key` in `manifest`, following `key.workspace = true` to
    /// `[workspace.package]`.
    pub fn package_value(&self, manifest: &Manifest, key: &str) -> Option<String> {
        if let Some(e) = manifest.get("package", key) {
            let inherits = e.value.starts_with('{')
                && field(&inline_table(&e.value), "workspace") == Some("true");
            if !inherits {
                return Some(e.value.clone());
            }
        } else if manifest
            .get("package", &format!("{key}.workspace"))
            .is_none_or(|e| e.value != "true")
        {
            return None;
        }
        self.manifest
            .get("workspace.package", key)
            .map(|e| e.value.clone())
    }

    fn deps_of(&self, manifest: &Manifest) -> Vec<Dep> {
        let inherited = dependency_fields(&self.manifest, |s| {
            let name = s.strip_prefix("workspace.dependencies")?;
            Some((DepKind::Normal, name.strip_prefix('.')))
        });
        dependency_fields(manifest, dep_section)
            .into_iter()
            .map(|((kind, key), mut fields)| {
                if field(&fields, "workspace") == Some("true")
                    && let Some(base) = inherited.get(&(DepKind::Normal, key.clone()))
                {
                    fields.extend(base.iter().cloned());
                }
                Dep {
                    package: field(&fields, "package").and_then(string).unwrap_or(key),
                    kind,
                    has_version: field(&fields, "version").is_some(),
                }
            })
            .collect()
    }

    pub fn package(&self, name: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.name == name)
    }

    pub fn published(&self) -> impl Iterator<Item = &Package> {
        self.packages.iter().filter(|p| p.publish)
    }

    /// The version in `[workspace.package]`.
    pub fn version(&self) -> Result<String, String> {
        self.manifest
            .get("workspace.package", "version")
            .and_then(|e| string(&e.value))
            .ok_or_else(|| "Cargo.toml: no [workspace.package] version".to_string())
    }

    /// The published packages, each after every member it depends on (normal, build, and
    /// dev-dependencies that carry a version: crates.io wants those to exist too). Ties are
    /// broken by name, so the order is stable. Fails on a cycle.
    pub fn publish_order(&self) -> Result<Vec<String>, String> {
        let published: BTreeSet<&str> = self.published().map(|p| p.name.as_str()).collect();
        let mut waiting_on: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for p in self.published() {
            let before: BTreeSet<&str> = p
                .deps
                .iter()
                .filter(|d| d.kind != DepKind::Dev || d.has_version)
                .map(|d| d.package.as_str())
                .filter(|d| published.contains(d) && *d != p.name)
                .collect();
            waiting_on.insert(&p.name, before);
        }
        let mut order = Vec::new();
        while !waiting_on.is_empty() {
            let Some(next) = waiting_on
                .iter()
                .find(|(_, before)| before.is_empty())
                .map(|(name, _)| *name)
            else {
                let stuck: Vec<&str> = waiting_on.keys().copied().collect();
                return Err(format!(
                    "dependency cycle among {}: a dev-dependency in a cycle must be path-only \
                     (no version) so cargo strips it on publish",
                    stuck.join(", ")
                ));
            };
            waiting_on.remove(next);
            for before in waiting_on.values_mut() {
                before.remove(next);
            }
            order.push(next.to_string());
        }
        Ok(order)
    }

    /// Every member's name (published or not).
    pub fn member_names(&self) -> BTreeSet<&str> {
        self.packages.iter().map(|p| p.name.as_str()).collect()
    }
}

/// Rewrites every `version = "<req>"` requirement on a workspace member found in dependency
/// tables of `manifest` (including `[workspace.dependencies]`), and `[workspace.package]`'s
/// `version`, to `new`, keeping any operator (`=`, `^`, `~`, `>=`) in front. Everything else
/// stays byte for byte. Returns the new text.
pub fn replace_versions(manifest: &Manifest, members: &BTreeSet<&str>, new: &str) -> String {
    let mut lines: Vec<String> = manifest.text.lines().map(str::to_string).collect();
    for e in &manifest.entries {
        let is_package_version = e.section == "workspace.package" && e.key == "version";
        let dep = dep_section(&e.section).or_else(|| {
            let name = e.section.strip_prefix("workspace.dependencies")?;
            Some((DepKind::Normal, name.strip_prefix('.')))
        });
        let on_member = match dep {
            Some((_, Some(table))) => e.key == "version" && members.contains(table),
            Some((_, None)) => match e.key.split_once('.') {
                Some((name, "version")) => members.contains(name),
                Some(_) => false,
                None => {
                    let fields = inline_table(&e.value);
                    let name = field(&fields, "package")
                        .and_then(string)
                        .unwrap_or_else(|| e.key.clone());
                    members.contains(name.as_str())
                }
            },
            None => false,
        };
        if !(is_package_version || on_member) {
            continue;
        }
        for line in &mut lines[e.lines.clone()] {
            if let Some(edited) = replace_version_in_line(line, new) {
                *line = edited;
                break;
            }
        }
    }
    let mut out = lines.join("\n");
    if manifest.text.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Replaces the string after the first `version =` key of `line` (outside strings), keeping a
/// leading requirement operator.
fn replace_version_in_line(line: &str, new: &str) -> Option<String> {
    let bytes = line.as_bytes();
    let mut candidates = outside_strings(line).filter(|&(at, _)| {
        line[at..].starts_with("version")
            && (at == 0 || matches!(bytes[at - 1], b' ' | b'{' | b',' | b'\t'))
    });
    candidates.find_map(|(at, _)| {
        let rest = &line[at + "version".len()..];
        let after_eq = rest.trim_start().strip_prefix('=')?.trim_start();
        let quote = after_eq
            .chars()
            .next()
            .filter(|c| *c == '"' || *c == '\'')?;
        let value_start = line.len() - after_eq.len() + 1;
        let value_len = after_eq[1..].find(quote)?;
        let old = &line[value_start..value_start + value_len];
        let operator: String = old
            .chars()
            .take_while(|c| matches!(c, '=' | '^' | '~' | '>' | '<' | ' '))
            .collect();
        Some(format!(
            "{}{operator}{new}{}",
            &line[..value_start],
            &line[value_start + value_len..]
        ))
    })
}
