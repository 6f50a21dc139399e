//! A tiny JSON writer.
//!
//! Why not serde_json: measured on a prototype, serde_json + `format!` cost about 17 KB gzip in
//! the wasm, most of the 20 KB budget. The SDK only ever *writes* JSON of a few known shapes
//! (user-supplied properties arrive already stringified by the browser's `JSON.stringify`), so
//! escaping strings and printing integers is all it needs.

/// A JSON value built by the SDK itself (element descriptions, consent states, counters).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    /// Already-encoded JSON, e.g. the output of the browser's `JSON.stringify`.
    Raw(String),
    Obj(Vec<(&'static str, Value)>),
}

impl Value {
    pub fn obj() -> Self {
        Value::Obj(Vec::new())
    }

    /// Builder-style field insertion; ignored on non-objects.
    pub fn with(mut self, key: &'static str, value: Value) -> Self {
        if let Value::Obj(fields) = &mut self {
            fields.push((key, value));
        }
        self
    }

    pub fn str(s: &str) -> Self {
        Value::Str(s.into())
    }

    pub fn write(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(n) => push_i64(out, *n),
            Value::Str(s) => push_str(out, s),
            Value::Raw(raw) => out.push_str(raw),
            Value::Obj(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_str(out, k);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
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
        let v = Value::obj()
            .with("a", Value::Int(1))
            .with("b", Value::str("x"))
            .with("c", Value::Raw("{\"k\":[1,2]}".into()))
            .with("d", Value::Null)
            .with("e", Value::Bool(false));
        assert_eq!(v.encode(), r#"{"a":1,"b":"x","c":{"k":[1,2]},"d":null,"e":false}"#);
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
