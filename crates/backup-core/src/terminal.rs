//! Text from an API (names, messages, table cells) shown on a terminal: control characters are
//! escaped, so a hostile string cannot move the cursor, retitle the window or hide output.

/// `text` with every control character (C0, DEL, C1) and the Unicode bidirectional overrides
/// written as `\u{..}` escapes (`\n` and `\t` as `\n` and `\t`); everything else unchanged.
///
/// ```
/// assert_eq!(backup_core::terminal::escape("a\x1b[2Jb\n"), "a\\u{1b}[2Jb\\n");
/// ```
pub fn escape(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `bytes` in binary units, for people: `512 B`, `1.5 KiB`, `2.0 GiB`.
///
/// ```
/// assert_eq!(backup_core::terminal::bytes_text(1536), "1.5 KiB");
/// ```
pub fn bytes_text(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn control_and_bidi_characters_are_escaped() {
        assert_eq!(escape("plain é"), "plain é");
        assert_eq!(escape("\x1b]0;pwned\x07"), "\\u{1b}]0;pwned\\u{7}");
        assert_eq!(escape("a\rb\u{9b}c\u{202e}"), "a\\u{d}b\\u{9b}c\\u{202e}");
    }
}
