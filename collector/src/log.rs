//! The lines the collector writes to stderr while it runs (storage failing and recovering, an
//! origin refused, an erasure, retention, the database shared with another process), each
//! prefixed with the UTC time it was written: an operator reading a plain log file, or
//! `docker logs` without `-t`, can tell when storage failed. Lines written at start (a bad
//! flag, a database that cannot be opened) are not: they are read at once.

/// `2026-12-05T11:57:18.123Z touchpoint-collector: <message>` on stderr, the message passed
/// through [`escape`] whole: a line may carry what a client sent (an `Origin` header), and no
/// part of it, quoted or not, may reach the operator's terminal raw.
macro_rules! log_line {
    ($($arg:tt)*) => {
        eprintln!("{} touchpoint-collector: {}", $crate::log::now(), $crate::log::escape(&format!($($arg)*)))
    };
}
pub(crate) use log_line;

/// The wall clock as ISO 8601 UTC with milliseconds (the SDK's own format, `core::time`).
pub fn now() -> String {
    touchpoint_core::time::iso8601(crate::facts::now_ms().max(0) as u64)
}

/// `line` with every character Rust's `{:?}` escapes in a string (control characters, bidi
/// controls U+202A-202E and U+2066-2069 and other format characters, combining marks) escaped
/// the same way (`\u{202e}`, `\n`), and backticks too (`\u{60}`): a bidi control shows a line
/// other than the one written, and a backtick, pasted into a shell, runs what it quotes. Quotes
/// and backslashes are left as they are: a client's text in a line is quoted with `{:?}`, which
/// has escaped its own already.
pub fn escape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        match c {
            '"' | '\'' | '\\' => out.push(c),
            '`' => out.push_str("\\u{60}"),
            c => out.extend(c.escape_debug()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn a_line_has_no_control_bidi_or_backtick_raw() {
        assert_eq!(escape("plain \"quoted\" it's C:\\ é 日本"), "plain \"quoted\" it's C:\\ é 日本");
        assert_eq!(escape("a`id`b"), "a\\u{60}id\\u{60}b");
        assert_eq!(escape("x\u{202e}y\u{2066}z\u{2069}\u{202a}"), "x\\u{202e}y\\u{2066}z\\u{2069}\\u{202a}");
        assert_eq!(escape("1\n2\r\t\u{1b}[31m\u{85}"), "1\\n2\\r\\t\\u{1b}[31m\\u{85}");
        for bad in [
            '`', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}',
            '\u{2069}',
        ] {
            assert!(!escape(&format!("a{bad}b")).contains(bad), "{bad:?}");
        }
    }
}
