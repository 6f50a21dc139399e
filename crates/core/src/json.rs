//! A tiny JSON writer.
//!
//! Why not serde_json: measured on a prototype, serde_json + `format!` cost about 17 KB gzip in
//! the wasm, most of the 20 KB budget. The SDK only ever *writes* JSON of a few known shapes
//! (user-supplied properties arrive already stringified by the browser's `JSON.stringify`), so
//! escaping strings and printing integers is all it needs.

/// Builds a JSON object straight into its text: every event would otherwise build and drop a
/// value tree (the tree version measured 350 B more wasm, 140 B more gzip).
#[derive(Clone, Debug, PartialEq)]
pub struct Obj(String);

impl Default for Obj {
    fn default() -> Self {
        Obj::new()
    }
}

impl Obj {
    pub fn new() -> Obj {
        Obj(String::from("{"))
    }

    fn key(mut self, key: &str) -> Obj {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        push_str(&mut self.0, key);
        self.0.push(':');
        self
    }

    pub fn str(self, key: &str, value: &str) -> Obj {
        let mut o = self.key(key);
        push_str(&mut o.0, value);
        o
    }

    pub fn int(self, key: &str, value: i64) -> Obj {
        let mut o = self.key(key);
        push_i64(&mut o.0, value);
        o
    }

    /// `value` must already be valid JSON (another object's text, `JSON.stringify` output).
    pub fn raw(self, key: &str, value: &str) -> Obj {
        let mut o = self.key(key);
        o.0.push_str(value);
        o
    }

    /// No member yet.
    pub fn is_empty(&self) -> bool {
        self.0.len() == 1
    }

    pub fn finish(mut self) -> String {
        self.0.push('}');
        self.0
    }
}

/// Appends `s` as a JSON string literal (quotes included).
pub fn push_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // U+2028/2029 are valid JSON but break some JS parsers; escape them with the rest.
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str("\\u");
                let n = c as u32;
                for shift in [12, 8, 4, 0] {
                    out.push(hex_digit((n >> shift) & 0xf));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The words of a list written as one string, each ended by a comma (`"tel,cell,fax,"`): one
/// string in the wasm, not a slice of pointers to many (scrub's word lists cost 402 B gzip -9
/// more as slices, attribution's host lists 61 B).
pub fn words(list: &'static str) -> impl Iterator<Item = &'static [u8]> {
    split_byte(list, b',').filter(|w| !w.is_empty()).map(str::as_bytes)
}

/// `s.split(sep as char)` for an ASCII separator, by hand: `str::split` with a `char` pattern
/// brings a memchr searcher into the wasm (size).
pub fn split_byte(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    core::iter::from_fn(move || {
        let r = rest?;
        match r.bytes().position(|b| b == sep) {
            // Splitting at an ASCII byte always lands on a char boundary.
            Some(i) => {
                rest = Some(&r[i + 1..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// `haystack.find(needle)` by a byte scan: `str::find` brings a two-way searcher (size).
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    haystack.as_bytes().windows(needle.len().max(1)).position(|w| w == needle.as_bytes())
}

/// `parts.concat()` without std's generic join (it measured larger in the wasm).
pub fn cat(parts: &[&str]) -> String {
    let mut out = String::new();
    for p in parts {
        out.push_str(p);
    }
    out
}

pub fn hex_digit(n: u32) -> char {
    b"0123456789abcdef"[(n & 0xf) as usize] as char
}

/// Appends a decimal integer without `core::fmt` (which drags in formatting machinery).
pub fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(b as char);
    }
}

pub fn push_i64(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_u64(out, n.unsigned_abs());
}

/// Appends `n` zero-padded to `width` digits.
pub fn push_padded(out: &mut String, n: u64, width: usize) {
    let mut digits = String::new();
    push_u64(&mut digits, n);
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(&digits);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_byte_matches_str_split() {
        for s in ["", "a", "a,b", ",a,,b,", ",,"] {
            assert_eq!(split_byte(s, b',').collect::<Vec<_>>(), s.split(',').collect::<Vec<_>>(), "{s:?}");
        }
    }

    #[test]
    fn escapes_strings() {
        let mut s = String::new();
        push_str(&mut s, "a\"b\\c\nd\u{1}e\u{2028}ü");
        assert_eq!(s, "\"a\\\"b\\\\c\\nd\\u0001e\\u2028ü\"");
    }

    #[test]
    fn prints_integers() {
        for n in [0i64, 7, -7, 10, 1234567890123, i64::MIN, i64::MAX] {
            let mut s = String::new();
            push_i64(&mut s, n);
            assert_eq!(s, n.to_string());
        }
    }

    #[test]
    fn writes_objects() {
        let inner = Obj::new().str("k", "v\"").finish();
        let v = Obj::new().int("a", -1).str("b", "x").raw("c", &inner).raw("d", "[1,2]").finish();
        assert_eq!(v, r#"{"a":-1,"b":"x","c":{"k":"v\""},"d":[1,2]}"#);
        assert_eq!(Obj::new().finish(), "{}");
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            // Whatever the string, the literal we write must be a JSON string that decodes back
            // to the same text. Checked with a tiny independent decoder below.
            #[test]
            fn string_literals_round_trip(s in any::<String>()) {
                let mut out = String::new();
                push_str(&mut out, &s);
                prop_assert_eq!(decode(&out), s);
            }
        }

        fn decode(lit: &str) -> String {
            let inner = &lit[1..lit.len() - 1];
            let mut out = String::new();
            let mut chars = inner.chars();
            while let Some(c) = chars.next() {
                if c != '\\' {
                    assert!(c as u32 >= 0x20, "raw control character in output");
                    assert!(c != '"', "unescaped quote");
                    out.push(c);
                    continue;
                }
                match chars.next().unwrap() {
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    'u' => {
                        let hex: String = chars.by_ref().take(4).collect();
                        out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
                    }
                    other => panic!("bad escape {other}"),
                }
            }
            out
        }
    }
}
