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
#[cfg(test)]
pub type Member = (Range<usize>, Range<usize>, Scanned);

/// The members of the object at `b[start]`, and the scan of the object itself (its end, its
/// depth, lone surrogates in its keys or values). One pass over the object.
///
/// Tests only: the ingest path scans with [`envelope`] and [`object_tree`], which record nested
/// objects in the same pass; this plain version is the reference they are checked against.
#[cfg(test)]
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

/// No index: the end of a member chain, or a value that is not a non-empty object.
pub const NONE: u32 = u32::MAX;

/// One member of an object, recorded by [`object_tree`] with the members of the objects nested
/// in it (objects in objects; arrays and what they hold are scanned, not recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The key, quotes included.
    pub key: Range<usize>,
    /// The value.
    pub value: Range<usize>,
    /// The index of the next member of the same object, or [`NONE`].
    pub next: u32,
    /// If the value is an object with members: the index of its first member, else [`NONE`].
    pub first: u32,
}

/// Scans the object at `b[start]` in one pass, appending its members and those of the objects
/// nested in it to `out` (pre-order: a member's object's members follow it). The object's first
/// member, if it has one, is at the index `out.len()` had before the call. Returns the same scan
/// as [`value`]. Never recurses.
pub fn object_tree(b: &[u8], start: usize, out: &mut Vec<Node>) -> Result<Scanned, SyntaxError> {
    if b.get(start) != Some(&b'{') {
        return Err(SyntaxError(start));
    }
    let mut lone = false;
    // Open objects (the root is 1), and the deepest nesting seen.
    let mut level = 1;
    let mut depth = 1;
    // The member whose value is the innermost open object (NONE: the root). While its object is
    // open, its `next` holds the member owning the object around it.
    let mut owner = NONE;
    // The latest member of the innermost open object.
    let mut last = NONE;
    let mut i = skip_ws(b, start + 1);
    let mut after_open = true;
    loop {
        if after_open && b.get(i) == Some(&b'}') {
            i += 1;
        } else {
            after_open = false;
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
            let n = u32::try_from(out.len()).ok().filter(|&n| n < NONE - 1).ok_or(SyntaxError(i))?;
            if last != NONE {
                out[last as usize].next = n;
            }
            if b.get(i) == Some(&b'{') {
                out.push(Node { key, value: i..i, next: owner, first: n + 1 });
                owner = n;
                last = NONE;
                level += 1;
                depth = depth.max(level);
                i = skip_ws(b, i + 1);
                after_open = true;
                continue;
            }
            let v = value(b, i)?;
            depth = depth.max(level + v.depth);
            lone |= v.lone_surrogates;
            out.push(Node { key, value: i..v.end, next: NONE, first: NONE });
            last = n;
            i = v.end;
        }
        // A value ended at i (or an empty object was closed): close objects, or go on to the
        // next member.
        loop {
            if after_open {
                // `i` is just past the `}` of an empty object (or of the object closed below).
                after_open = false;
                if owner == NONE {
                    return Ok(Scanned { end: i, depth, lone_surrogates: lone });
                }
                let m = owner as usize;
                owner = out[m].next;
                out[m].next = NONE;
                out[m].value.end = i;
                if out.len() == m + 1 {
                    out[m].first = NONE;
                }
                last = m as u32;
                level -= 1;
            }
            i = skip_ws(b, i);
            match b.get(i) {
                Some(b',') => {
                    i = skip_ws(b, i + 1);
                    break;
                }
                Some(b'}') => {
                    i += 1;
                    after_open = true;
                }
                _ => return Err(SyntaxError(i)),
            }
        }
    }
}

/// One element of an array split by [`array_trees`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub range: Range<usize>,
    pub scan: Scanned,
    /// None if the element is not an object; else the index of its first member in the tree
    /// ([`NONE`] if it has none).
    pub first: Option<u32>,
}

/// The elements of the array at `b[start]`, objects recorded in `out` by [`object_tree`] on the
/// way (one pass), and the scan of the array itself.
pub fn array_trees(b: &[u8], start: usize, out: &mut Vec<Node>) -> Result<(Vec<Element>, Scanned), SyntaxError> {
    let mut elements = Vec::new();
    if b.get(start) != Some(&b'[') {
        return Err(SyntaxError(start));
    }
    let mut depth = 0;
    let mut lone = false;
    let mut i = skip_ws(b, start + 1);
    if b.get(i) == Some(&b']') {
        return Ok((elements, Scanned { end: i + 1, depth: 1, lone_surrogates: false }));
    }
    loop {
        let (scan, first) = if b.get(i) == Some(&b'{') {
            let before = out.len();
            let scan = object_tree(b, i, out)?;
            let first = if out.len() > before { before as u32 } else { NONE };
            (scan, Some(first))
        } else {
            (value(b, i)?, None)
        };
        depth = depth.max(scan.depth);
        lone |= scan.lone_surrogates;
        elements.push(Element { range: i..scan.end, scan, first });
        i = skip_ws(b, scan.end);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b']') => return Ok((elements, Scanned { end: i + 1, depth: depth + 1, lone_surrogates: lone })),
            _ => return Err(SyntaxError(i)),
        }
    }
}

/// A member of an envelope scanned by [`envelope`]: key (quotes included), value, and the
/// value's elements if it was split.
pub type EnvelopeMember = (Range<usize>, Range<usize>, Option<Vec<Element>>);

/// The members of the object at `b[start]` (one pass, as [`object_members`]); an array that is
/// the value of a member whose key text satisfies `split` is split by [`array_trees`] into `out`.
pub fn envelope(
    b: &[u8],
    start: usize,
    split: impl Fn(&[u8]) -> bool,
    out: &mut Vec<Node>,
) -> Result<(Vec<EnvelopeMember>, Scanned), SyntaxError> {
    let mut members = Vec::with_capacity(2);
    if b.get(start) != Some(&b'{') {
        return Err(SyntaxError(start));
    }
    let mut depth = 0;
    let mut lone = false;
    let mut i = skip_ws(b, start + 1);
    if b.get(i) == Some(&b'}') {
        return Ok((members, Scanned { end: i + 1, depth: 1, lone_surrogates: false }));
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
        let (v, elements) = if b.get(i) == Some(&b'[') && split(&b[key.clone()]) {
            let (e, v) = array_trees(b, i, out)?;
            (v, Some(e))
        } else {
            (value(b, i)?, None)
        };
        depth = depth.max(v.depth);
        lone |= v.lone_surrogates;
        members.push((key, i..v.end, elements));
        i = skip_ws(b, v.end);
        match b.get(i) {
            Some(b',') => i = skip_ws(b, i + 1),
            Some(b'}') => return Ok((members, Scanned { end: i + 1, depth: depth + 1, lone_surrogates: lone })),
            _ => return Err(SyntaxError(i)),
        }
    }
}

/// Checks that every reader reads the valid JSON value `b` alike: no number outside a double's
/// range (`1E400`: JavaScript and Python read it as Infinity, which they then cannot write back
/// as JSON), and no object, at any depth but inside `properties`, with a key twice
/// (`{"a":1,"a":"one"}`: Python and `JSON.parse` take the last, SQLite's `json_extract` the
/// first), keys compared unescaped (`"a"` and `"\u0061"` are one). The error names where:
/// `context.tags.a: given twice`.
/// Never recurses (the stack is explicit); one pass, keys sorted per object.
pub fn check_unambiguous(b: &[u8]) -> Result<(), String> {
    /// A step of the path to the value being read.
    #[derive(Clone)]
    enum Seg {
        Key(Range<usize>),
        Index(usize),
    }
    // Per open container: its keys (an array: none) and whether it is an object.
    let mut keys: Vec<(bool, Vec<Range<usize>>)> = Vec::new();
    let mut path: Vec<Seg> = Vec::new();
    let name = |path: &[Seg], last: Option<&Range<usize>>| -> String {
        let mut out = String::new();
        for seg in path.iter().cloned().chain(last.cloned().map(Seg::Key)) {
            match seg {
                Seg::Key(r) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(&key_text(b, r));
                }
                Seg::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    };
    let mut expect_key = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' => {
                keys.push((true, Vec::new()));
                path.push(Seg::Index(0));
                expect_key = true;
                i += 1;
            }
            b'[' => {
                keys.push((false, Vec::new()));
                path.push(Seg::Index(0));
                i += 1;
            }
            c @ (b'}' | b']') => {
                path.pop();
                if let Some((true, mut ks)) = keys.pop() {
                    debug_assert_eq!(c, b'}');
                    // Not inside `properties`: the SDK itself writes a key twice there, the one
                    // meant last (an attribute over the same key of `data-tp-props`, a page's own
                    // `category` before the SDK's), as JSON.parse and Python read it; refusing
                    // those lost the events. Stored as received (README).
                    // (Asked only of an object with two keys or more: one per object closed,
                    // every event's, was a key decoded for nothing.)
                    let in_properties =
                        || matches!(path.first(), Some(Seg::Key(r)) if key_text(b, r.clone()) == "properties");
                    if ks.len() > 1 && !in_properties() {
                        let mut decoded: Vec<(std::borrow::Cow<'_, str>, Range<usize>)> =
                            ks.drain(..).map(|r| (key_text(b, r.clone()), r)).collect();
                        decoded.sort_unstable_by(|x, y| x.0.cmp(&y.0));
                        if let Some(w) = decoded.windows(2).find(|w| w[0].0 == w[1].0) {
                            return Err(format!("{}: given twice", name(&path, Some(&w[1].1))));
                        }
                    }
                }
                expect_key = false;
                i += 1;
            }
            b',' => {
                match (keys.last(), path.last_mut()) {
                    (Some((true, _)), _) => expect_key = true,
                    (Some((false, _)), Some(Seg::Index(n))) => *n += 1,
                    _ => {}
                }
                i += 1;
            }
            b'"' => {
                let mut j = i + 1;
                while j < b.len() && b[j] != b'"' {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                let end = (j + 1).min(b.len());
                if expect_key {
                    if let (Some((_, ks)), Some(top)) = (keys.last_mut(), path.last_mut()) {
                        ks.push(i..end);
                        *top = Seg::Key(i..end);
                    }
                    expect_key = false;
                }
                i = end;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < b.len() && matches!(b[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                    i += 1;
                }
                let n = &b[start..i];
                // (Without an exponent, only more than 309 digits leave a double's range.)
                if n.len() > 300 || n.iter().any(|&c| c == b'e' || c == b'E') {
                    let finite =
                        std::str::from_utf8(n).ok().and_then(|t| t.parse::<f64>().ok()).is_some_and(f64::is_finite);
                    if !finite {
                        let shown = String::from_utf8_lossy(&n[..n.len().min(24)]);
                        let more = if n.len() > 24 { "..." } else { "" };
                        let at = name(&path, None);
                        let at = if at.is_empty() { "number".to_string() } else { at };
                        return Err(format!("{at}: {shown}{more} is not a finite number (outside a double's range)"));
                    }
                }
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// A key (`b[r]`, quotes included) unescaped; as written if it does not decode.
fn key_text(b: &[u8], r: Range<usize>) -> std::borrow::Cow<'_, str> {
    let raw = &b[r];
    if !raw.contains(&b'\\') {
        if let Ok(s) = std::str::from_utf8(&raw[1..raw.len().saturating_sub(1).max(1)]) {
            return std::borrow::Cow::Borrowed(s);
        }
    }
    match serde_json::from_slice::<String>(raw) {
        Ok(s) => std::borrow::Cow::Owned(s),
        Err(_) => String::from_utf8_lossy(raw),
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
        let mut nodes = Vec::new();
        let (e, scan) = array_trees(b"[ 1 , {} ,\"x\",{\"a\":[{}]}]", 0, &mut nodes).unwrap();
        assert_eq!((scan.end, scan.depth), (25, 4));
        assert_eq!(e.iter().map(|e| e.range.clone()).collect::<Vec<_>>(), [2..3, 6..8, 10..13, 14..24]);
        assert_eq!(e.iter().map(|e| e.scan.depth).collect::<Vec<_>>(), [0, 1, 0, 3]);
        assert_eq!(e.iter().map(|e| e.first).collect::<Vec<_>>(), [None, Some(NONE), None, Some(0)]);
        assert_eq!(nodes, [Node { key: 15..18, value: 19..23, next: NONE, first: NONE }]);
        assert!(array_trees(b"[1,", 0, &mut nodes).is_err());
        assert!(object_members(b"{\"\\ud800\":1}", 0).unwrap().1.lone_surrogates);
        assert!(object_members(b"[]", 0).is_err());
    }

    /// Checks the members recorded for the object at `b[start]` (first member at `first`)
    /// against `object_members`, and those of the objects in it, recursively.
    fn same_tree(b: &[u8], start: usize, nodes: &[Node], first: u32) {
        let (members, _) = object_members(b, start).unwrap();
        let chain: Vec<&Node> =
            std::iter::successors(nodes.get(first as usize), |n| nodes.get(n.next as usize)).collect();
        assert_eq!(first == NONE, members.is_empty());
        assert_eq!(chain.len(), members.len());
        for (n, (k, v, _)) in chain.into_iter().zip(members) {
            assert_eq!((&n.key, &n.value), (&k, &v));
            if b[v.start] == b'{' {
                same_tree(b, v.start, nodes, n.first);
            } else {
                assert_eq!(n.first, NONE);
            }
        }
    }

    /// `object_tree` on `s` (at its first non-blank byte): the same verdict and scan as
    /// `value`, and the same members as `object_members` at every level.
    fn tree_agrees(s: &[u8]) {
        let start = skip_ws(s, 0);
        let mut nodes = vec![Node { key: 0..0, value: 0..0, next: NONE, first: NONE }];
        let tree = object_tree(s, start, &mut nodes);
        let plain = value(s, start).ok().filter(|_| s.get(start) == Some(&b'{'));
        assert_eq!(tree.ok(), plain, "{:?}", String::from_utf8_lossy(s));
        if tree.is_ok() {
            // Appended after what `out` held.
            same_tree(s, start, &nodes, if nodes.len() > 1 { 1 } else { NONE });
        }
        let mut nodes = Vec::new();
        let split = array_trees(s, start, &mut nodes);
        let plain = value(s, start).ok().filter(|_| s.get(start) == Some(&b'['));
        assert_eq!(split.as_ref().ok().map(|(_, scan)| *scan), plain);
        if let Ok((elements, _)) = split {
            for e in elements {
                assert_eq!(Some(e.scan), value(s, e.range.start).ok());
                assert_eq!(e.scan.end, e.range.end);
                match e.first {
                    None => assert_ne!(s[e.range.start], b'{'),
                    Some(first) => same_tree(s, e.range.start, &nodes, first),
                }
            }
        }
        let mut nodes = Vec::new();
        let env = envelope(s, start, |k| k == b"\"b\"", &mut nodes);
        let plain = object_members(s, start);
        assert_eq!(env.as_ref().ok().map(|(_, scan)| *scan), plain.as_ref().ok().map(|(_, scan)| *scan));
        if let (Ok((env, _)), Ok((plain, _))) = (env, plain) {
            assert_eq!(env.len(), plain.len());
            for ((k, v, split), (pk, pv, _)) in env.into_iter().zip(plain) {
                assert_eq!((&k, &v), (&pk, &pv));
                assert_eq!(split.is_some(), &s[k] == b"\"b\"" && s[v.start] == b'[');
            }
        }
    }

    #[test]
    fn object_tree_records_nested_members() {
        let b = br#"{"a":{"b":1,"c":{},"d":{"e":[{"f":2}],"g":"}"}},"h" : { } ,"a":0}"#;
        let mut nodes = Vec::new();
        let scan = object_tree(b, 0, &mut nodes).unwrap();
        assert_eq!((scan.end, scan.depth), (b.len(), 5));
        let keys: Vec<&[u8]> = nodes.iter().map(|n| &b[n.key.clone()]).collect();
        // Pre-order; the array's object is scanned, not recorded.
        assert_eq!(keys, [&b"\"a\""[..], b"\"b\"", b"\"c\"", b"\"d\"", b"\"e\"", b"\"g\"", b"\"h\"", b"\"a\""]);
        let nexts: Vec<u32> = nodes.iter().map(|n| n.next).collect();
        assert_eq!(nexts, [6, 2, 3, NONE, 5, NONE, 7, NONE]);
        let firsts: Vec<u32> = nodes.iter().map(|n| n.first).collect();
        assert_eq!(firsts, [1, NONE, NONE, 4, NONE, NONE, NONE, NONE]);
        same_tree(b, 0, &nodes, 0);
        for s in [
            &b"{}"[..],
            b" { } ",
            b"{\"a\":{}}",
            b"{\"a\":{\"b\":{\"c\":{}}},\"d\":1}",
            b"{\"a\":{\"b\":{\"c\":{}}}}",
            b"{\"a\":[{\"b\":{}}],\"c\":{\"d\":[[]]}}",
            b"{\"\\ud800\":{\"x\":\"\\udc00\"}}",
            b"{\"a\":{\"b\":1}",
            b"{\"a\":{\"b\":1},}",
            b"{\"a\":{\"b\" 1}}",
            b"{\"a\":{,}}",
            b"{\"a\":{}}}",
            b"{\"a\"}",
            b"{\"a\":}",
            b"{1:2}",
            b"[{\"a\":{}},{}, 3 ,[{}]]",
            b"[{\"a\":{}},{]",
            b"[",
            b"{",
            b"",
        ] {
            tree_agrees(s);
        }
        assert!(object_tree(b"{\"a\":{\"b\":1}", 0, &mut nodes).is_err());
        assert!(object_tree(b"[]", 0, &mut nodes).is_err());
    }

    /// Small JSON texts, valid or not: nested objects, arrays, escapes, junk.
    fn jsonish() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let atom = prop_oneof![
            Just("{".to_string()),
            Just("}".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just(":".to_string()),
            Just(",".to_string()),
            Just(" ".to_string()),
            Just("\"k\"".to_string()),
            Just("\"b\"".to_string()),
            Just("\"\\ud83d\"".to_string()),
            Just("\"\\\"}\"".to_string()),
            Just("1".to_string()),
            Just("-0.5e3".to_string()),
            Just("null".to_string()),
            Just("{\"a\":".to_string()),
            Just("{\"b\":[".to_string()),
            Just("\"x\":{".to_string()),
            any::<u8>().prop_map(|c| char::from(c).to_string()),
        ];
        proptest::collection::vec(atom, 0..24).prop_map(|v| v.concat().into_bytes())
    }

    fn json_text() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<i32>().prop_map(serde_json::Value::from),
            "[a-z\"\\\\{}]{0,6}".prop_map(serde_json::Value::from),
        ];
        let value = leaf.prop_recursive(5, 48, 5, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                proptest::collection::btree_map("[ab\\\\]{0,2}", inner, 0..5)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        });
        (value, any::<bool>(), proptest::collection::vec((any::<usize>(), any::<u8>()), 0..2)).prop_map(
            |(v, pretty, damage)| {
                let mut b = if pretty { serde_json::to_vec_pretty(&v) } else { serde_json::to_vec(&v) }.unwrap();
                for (at, c) in damage {
                    if !b.is_empty() {
                        let at = at % b.len();
                        b[at] = c;
                    }
                }
                b
            },
        )
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 2000, failure_persistence: None, ..Default::default() })]
        #[test]
        fn object_tree_agrees_on_junk(s in jsonish()) {
            tree_agrees(&s);
        }

        #[test]
        fn object_tree_agrees_on_json(s in json_text()) {
            tree_agrees(&s);
        }
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
