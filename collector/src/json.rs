//! A small JSON grammar checker that works on bytes and never recurses.
//!
//! `serde_json` refuses a whole document for things that concern one event only: a lone UTF-16
//! surrogate escape (`"\ud83d"`, which `JSON.stringify` produces for a string cut in the middle
//! of an emoji), nesting deeper than its recursion limit, invalid UTF-8 in one string. This
//! scanner checks the JSON grammar alone (RFC 8259), with an explicit stack instead of
//! recursion, and reports per value how deep it nests and whether it holds lone surrogates, so
//! the batch envelope can be split into events and each event judged on its own.

use std::ops::Range;

/// What a scan found out about one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scanned {
    /// Index just past the value.
    pub end: usize,
    /// Nesting depth: 0 for a scalar, 1 for `{}` or `[1]`, 2 for `{"a":[]}`...
    pub depth: usize,
    /// True if a string holds a `\uD800-\uDFFF` escape that is not part of a valid pair.
    pub lone_surrogates: bool,
}

/// Where the grammar broke (byte offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntaxError(pub usize);

pub fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

/// Scans the one value that starts at `b[start]` (no leading whitespace).
pub fn value(b: &[u8], start: usize) -> Result<Scanned, SyntaxError> {
    // The open containers, innermost last: b'{' or b'['.
    let mut stack: Vec<u8> = Vec::new();
    let mut depth = 0;
    let mut lone = false;
    let mut i = start;
    'next_value: loop {
        i = skip_ws(b, i);
        match b.get(i) {
            Some(&open @ (b'{' | b'[')) => {
                let close = if open == b'{' { b'}' } else { b']' };
                let j = skip_ws(b, i + 1);
                depth = depth.max(stack.len() + 1);
                if b.get(j) == Some(&close) {
                    i = j + 1;
                } else {
                    stack.push(open);
                    i = if open == b'{' { member_key(b, j, &mut lone)? } else { j };
                    continue 'next_value;
                }
            }
            Some(b'"') => i = string(b, i, &mut lone)?,
            Some(b't') => i = literal(b, i, b"true")?,
            Some(b'f') => i = literal(b, i, b"false")?,
            Some(b'n') => i = literal(b, i, b"null")?,
            Some(b'-' | b'0'..=b'9') => i = number(b, i)?,
            _ => return Err(SyntaxError(i)),
        }
        // A value ended at i: close containers, or go on to the next element or member.
        loop {
            let Some(&top) = stack.last() else {
                return Ok(Scanned { end: i, depth, lone_surrogates: lone });
            };
            i = skip_ws(b, i);
            match b.get(i) {
                Some(b',') => {
                    i = skip_ws(b, i + 1);
                    if top == b'{' {
                        i = member_key(b, i, &mut lone)?;
                    }
                    continue 'next_value;
                }
                Some(b'}') if top == b'{' => {
                    stack.pop();
                    i += 1;
                }
                Some(b']') if top == b'[' => {
                    stack.pop();
                    i += 1;
                }
                _ => return Err(SyntaxError(i)),
            }
        }
    }
}

/// `"key"` then `:`; returns the index after the colon.
fn member_key(b: &[u8], i: usize, lone: &mut bool) -> Result<usize, SyntaxError> {
    if b.get(i) != Some(&b'"') {
        return Err(SyntaxError(i));
    }
    let i = skip_ws(b, string(b, i, lone)?);
    if b.get(i) != Some(&b':') {
        return Err(SyntaxError(i));
    }
    Ok(i + 1)
}

fn literal(b: &[u8], i: usize, word: &[u8]) -> Result<usize, SyntaxError> {
    if b.get(i..i + word.len()) == Some(word) {
        Ok(i + word.len())
    } else {
        Err(SyntaxError(i))
    }
}

fn number(b: &[u8], mut i: usize) -> Result<usize, SyntaxError> {
    let digits = |b: &[u8], mut i: usize| -> usize {
        while let Some(b'0'..=b'9') = b.get(i) {
            i += 1;
        }
        i
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => i = digits(b, i + 1),
        _ => return Err(SyntaxError(i)),
    }
    if b.get(i) == Some(&b'.') {
        let j = digits(b, i + 1);
        if j == i + 1 {
            return Err(SyntaxError(j));
        }
        i = j;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        let j = digits(b, i);
        if j == i {
            return Err(SyntaxError(j));
        }
        i = j;
    }
    Ok(i)
}

fn hex4(b: &[u8], i: usize) -> Option<u16> {
    b.get(i..i + 4)?.iter().try_fold(0u16, |n, &c| Some(n << 4 | (c as char).to_digit(16)? as u16))
}

/// A string starting at the quote `b[i]`; returns the index after the closing quote. Bytes
/// above 0x7f are not checked here (UTF-8 is checked per event); control characters are refused.
/// Bytes that end a run of plain string content: the quote, the backslash, control characters.
static STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = true;
        c += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of every zero byte of `w` (exact for the lowest one).
fn zero_bytes(w: u64) -> u64 {
    w.wrapping_sub(ONES) & !w & HIGHS
}

/// The high bit of every byte of `w` below `n` (n <= 128; exact for the lowest one).
fn bytes_below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(ONES * n as u64) & !w & HIGHS
}

fn string(b: &[u8], i: usize, lone: &mut bool) -> Result<usize, SyntaxError> {
    let mut i = i + 1;
    loop {
        // Plain content, eight bytes at a time, then byte by byte up to the stop.
        while let Some(word) = b.get(i..i + 8) {
            let w = u64::from_le_bytes([word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7]]);
            let stops =
                zero_bytes(w ^ (ONES * b'"' as u64)) | zero_bytes(w ^ (ONES * b'\\' as u64)) | bytes_below(w, 0x20);
            if stops != 0 {
                // The lowest flagged byte is always a real stop (false flags only sit above one).
                i += (stops.trailing_zeros() / 8) as usize;
                break;
            }
            i += 8;
        }
        while i < b.len() && !STOP[b[i] as usize] {
            i += 1;
        }
        match b.get(i) {
            None => return Err(SyntaxError(i)),
            Some(b'"') => return Ok(i + 1),
            Some(b'\\') => {}
            Some(_) => return Err(SyntaxError(i)),
        }
        match b.get(i + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => i += 2,
            Some(b'u') => {
                let u = hex4(b, i + 2).ok_or(SyntaxError(i))?;
                i += 6;
                if (0xD800..0xDC00).contains(&u) {
                    if b.get(i..i + 2) == Some(b"\\u") && hex4(b, i + 2).is_some_and(|l| (0xDC00..0xE000).contains(&l))
                    {
                        i += 6;
                    } else {
                        *lone = true;
                    }
                } else if (0xDC00..0xE000).contains(&u) {
                    *lone = true;
                }
            }
            _ => return Err(SyntaxError(i)),
        }
    }
}

/// One member of an object: (key text including quotes, value range, scan).
pub type Member = (Range<usize>, Range<usize>, Scanned);

/// The members of the object at `b[start]`, and the scan of the object itself (its end, its
/// depth, lone surrogates in its keys or values). One pass over the object.
pub fn object_members(b: &[u8], start: usize) -> Result<(Vec<Member>, Scanned), SyntaxError> {
    let mut out = Vec::with_capacity(12);
    if b.get(start) != Some(&b'{') {
        return Err(SyntaxError(start));
    }
    let mut depth = 0;
    let mut lone = false;
    let mut i = skip_ws(b, start + 1);
    if b.get(i) == Some(&b'}') {
        return Ok((out, Scanned { end: i + 1, depth: 1, lone_surrogates: false }));
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return Err(SyntaxError(i));
        }
        let key_end = string(b, i, &mut lone)?;
        let key = i..key_end;
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return Err(SyntaxError(i));
        }
        i = skip_ws(b, i + 1);
        let v = value(b, i)?;
        depth = depth.max(v.depth);
        lone |= v.lone_surrogates;
        out.push((key, i..v.end, v));
        i = skip_ws(b, v.end);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return Ok((out, Scanned { end: i + 1, depth: depth + 1, lone_surrogates: lone })),
            _ => return Err(SyntaxError(i)),
        }
    }
}

/// One element of an array: its range, its scan, and its members if it is an object.
pub type Element = (Range<usize>, Scanned, Option<Vec<Member>>);

/// The elements of the array at `b[start]`, objects split into members on the way (one pass).
pub fn array_elements_split(b: &[u8], start: usize) -> Result<Vec<Element>, SyntaxError> {
    let mut out = Vec::new();
    if b.get(start) != Some(&b'[') {
        return Err(SyntaxError(start));
    }
    let mut i = skip_ws(b, start + 1);
    if b.get(i) == Some(&b']') {
        return Ok(out);
    }
    loop {
        let (scan, members) = if b.get(i) == Some(&b'{') {
            let (m, scan) = object_members(b, i)?;
            (scan, Some(m))
        } else {
            (value(b, i)?, None)
        };
        out.push((i..scan.end, scan, members));
        i = skip_ws(b, scan.end);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b']') => return Ok(out),
            _ => return Err(SyntaxError(i)),
        }
    }
}

/// Rewrites every lone surrogate escape of valid JSON text as `\ufffd`, as
/// `String.prototype.toWellFormed()` does in the browser. Everything else is kept byte for byte.
pub fn replace_lone_surrogates(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut in_string = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                in_string = !in_string;
                i += 1;
            }
            b'\\' if in_string => {
                if b.get(i + 1) != Some(&b'u') {
                    i += 2;
                    continue;
                }
                let u = hex4(b, i + 2).unwrap_or(0);
                if (0xD800..0xDC00).contains(&u)
                    && b.get(i + 6..i + 8) == Some(b"\\u")
                    && hex4(b, i + 8).is_some_and(|l| (0xDC00..0xE000).contains(&l))
                {
                    i += 12;
                } else if (0xD800..0xE000).contains(&u) {
                    out.push_str(&text[copied..i]);
                    out.push_str("\\ufffd");
                    i += 6;
                    copied = i;
                } else {
                    i += 6;
                }
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(s: &str) -> Result<Scanned, SyntaxError> {
        let b = s.as_bytes();
        let v = value(b, 0)?;
        if skip_ws(b, v.end) != b.len() {
            return Err(SyntaxError(v.end));
        }
        Ok(v)
    }

    #[test]
    fn agrees_with_serde_json_on_grammar() {
        for s in [
            "1",
            "-0.5e+3",
            "0",
            "true",
            "null",
            "\"a\\n\\u00e9\"",
            "{}",
            "[]",
            "[ ]",
            "{ }",
            "{\"a\":1}",
            "{\"a\" : [1, {\"b\": null}, \"x\"] , \"c\":{}}",
            "[[[]]]",
            "[1,[2,[3]],{\"k\":[{}]}]",
            "\"é😀\"",
            "01",
            "1.",
            "-",
            "1e",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\"}",
            "{1:2}",
            "[1 2]",
            "{\"a\":1 \"b\":2}",
            "\"\\x\"",
            "\"\\u12\"",
            "\"a",
            "\"\t\"",
            "tru",
            "nul",
            "[",
            "{",
            "]",
            "[}",
            "{]",
            "",
            "[1]]",
            "{\"a\":{\"b\":[1,2}}",
        ] {
            let ours = scan(s).is_ok();
            let theirs = serde_json::from_str::<serde_json::Value>(s).is_ok();
            assert_eq!(ours, theirs, "{s:?}");
        }
    }

    #[test]
    fn depth_and_surrogates() {
        assert_eq!(scan("1").unwrap().depth, 0);
        assert_eq!(scan("{}").unwrap().depth, 1);
        assert_eq!(scan("{\"a\":[[],{}]}").unwrap().depth, 3);
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(scan(&deep).unwrap().depth, 10_000);
        assert!(!scan("\"\\ud83d\\ude00\"").unwrap().lone_surrogates);
        assert!(scan("\"\\ud83d\"").unwrap().lone_surrogates);
        assert!(scan("\"\\ude00x\"").unwrap().lone_surrogates);
        assert!(scan("{\"\\ud83d\":1}").unwrap().lone_surrogates);
        assert!(scan("[\"\\ud83d\\u0041\"]").unwrap().lone_surrogates);
    }

    #[test]
    fn members_and_elements() {
        let b = br#" {"a" : 1, "b":[2,3] ,"c":{"d":"}"}} "#;
        let (m, scan) = object_members(b, 1).unwrap();
        assert_eq!((scan.end, scan.depth), (b.len() - 1, 2));
        let texts: Vec<(&[u8], &[u8])> = m.iter().map(|(k, v, _)| (&b[k.clone()], &b[v.clone()])).collect();
        assert_eq!(texts, [(&b"\"a\""[..], &b"1"[..]), (b"\"b\"", b"[2,3]"), (b"\"c\"", br#"{"d":"}"}"#)]);
        let e = array_elements_split(b"[ 1 , {} ,\"x\",{\"a\":[{}]}]", 0).unwrap();
        assert_eq!(e.iter().map(|(r, _, _)| r.clone()).collect::<Vec<_>>(), [2..3, 6..8, 10..13, 14..24]);
        assert_eq!(e.iter().map(|(_, s, _)| s.depth).collect::<Vec<_>>(), [0, 1, 0, 3]);
        assert_eq!(
            e.iter().map(|(_, _, m)| m.as_ref().map(Vec::len)).collect::<Vec<_>>(),
            [None, Some(0), None, Some(1)]
        );
        assert!(array_elements_split(b"[1,", 0).is_err());
        assert!(object_members(b"{\"\\ud800\":1}", 0).unwrap().1.lone_surrogates);
        assert!(object_members(b"[]", 0).is_err());
    }

    #[test]
    fn repairs_only_lone_surrogates() {
        let s = r#"{"a":"Buy now \ud83d","b":"\ud83d\ude00","c":"\\ud83d","d":"\udc00\ud800x"}"#;
        let fixed = replace_lone_surrogates(s);
        assert_eq!(fixed, r#"{"a":"Buy now \ufffd","b":"\ud83d\ude00","c":"\\ud83d","d":"\ufffd\ufffdx"}"#);
        let v: serde_json::Value = serde_json::from_str(&fixed).unwrap();
        assert_eq!(v["a"], "Buy now \u{fffd}");
        assert_eq!(v["b"], "😀");
        assert!(!scan(&fixed).unwrap().lone_surrogates);
    }
}
