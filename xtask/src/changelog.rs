//! `CHANGELOG.md` in the Keep a Changelog format (<https://keepachangelog.com/en/1.1.0/>):
//! `## [Unreleased]` on top, then `## [x.y.z] - YYYY-MM-DD` sections, newest first, and link
//! definitions (`[Unreleased]: <repository>/compare/vx.y.z...HEAD`) at the bottom.

/// The title of a `## ` heading: `[0.2.0] - 2026-01-01` → `0.2.0`, `[Unreleased]` →
/// `Unreleased`.
fn heading_title(line: &str) -> Option<&str> {
    let title = line.strip_prefix("## ")?.trim();
    let title = match title.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(rest),
        None => title.split_whitespace().next().unwrap_or(title),
    };
    Some(title.trim())
}

/// A link definition line: `[label]: url`.
fn is_link_definition(line: &str) -> bool {
    line.starts_with('[') && line.contains("]: ")
}

/// Moves the entries of `## [Unreleased]` into a new `## [version] - date` section under it,
/// leaving Unreleased empty, and updates the `[Unreleased]:` link (if any) to compare from the
/// new tag `v<version>`, adding a link for the new section.
///
/// Fails when there is no Unreleased section, when it is empty and no section for `version`
/// exists (nothing would describe the release), or when both have entries (merge by hand).
/// When the section for `version` already exists and Unreleased is empty, the text is
/// returned unchanged: the section was written by hand.
pub fn release(text: &str, version: &str, date: &str, repository: &str) -> Result<String, String> {
    let lines: Vec<&str> = text.lines().collect();
    let unreleased = lines
        .iter()
        .position(|l| heading_title(l).is_some_and(|t| t.eq_ignore_ascii_case("unreleased")))
        .ok_or("CHANGELOG.md has no `## [Unreleased]` section")?;
    let end = lines[unreleased + 1..]
        .iter()
        .position(|l| l.starts_with("## ") || is_link_definition(l))
        .map_or(lines.len(), |at| unreleased + 1 + at);
    let entries: Vec<&str> = trim_blank(&lines[unreleased + 1..end]).to_vec();
    let has_section = lines.iter().any(|l| heading_title(l) == Some(version));
    match (has_section, entries.is_empty()) {
        (true, true) => return Ok(text.to_string()),
        (true, false) => {
            return Err(format!(
                "CHANGELOG.md has entries both under Unreleased and under [{version}]: \
                 merge them into one section by hand"
            ));
        }
        (false, true) => {
            return Err(format!(
                "CHANGELOG.md: the Unreleased section is empty; describe what {version} \
                 changes there first"
            ));
        }
        (false, false) => {}
    }

    let mut out: Vec<String> = lines[..unreleased].iter().map(|l| l.to_string()).collect();
    out.push("## [Unreleased]".into());
    out.push(String::new());
    out.push(format!("## [{version}] - {date}"));
    out.push(String::new());
    out.extend(entries.iter().map(|l| l.to_string()));
    let rest = trim_blank(&lines[end..]);
    if !rest.is_empty() {
        out.push(String::new());
    }
    for line in rest {
        let is_unreleased_link = line
            .get(.."[unreleased]: ".len())
            .is_some_and(|p| p.eq_ignore_ascii_case("[unreleased]: "));
        if !is_unreleased_link {
            out.push(line.to_string());
            continue;
        }
        let previous = line
            .split_once("/compare/")
            .and_then(|(_, range)| range.strip_suffix("...HEAD"));
        out.push(format!(
            "[Unreleased]: {repository}/compare/v{version}...HEAD"
        ));
        out.push(match previous {
            Some(previous) => format!("[{version}]: {repository}/compare/{previous}...v{version}"),
            None => format!("[{version}]: {repository}/releases/tag/v{version}"),
        });
    }
    Ok(out.join("\n") + "\n")
}

fn trim_blank<'a>(lines: &'a [&'a str]) -> &'a [&'a str] {
    let start = lines
        .iter()
        .position(|l| !l.trim().is_empty())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(start, |at| at + 1);
    &lines[start..end]
}
