//! Declarative events for marketers, no JavaScript: `data-tp-event="add_to_cart"` on an element
//! fires on click (on submit for a form), with properties from `data-tp-props` (a JSON object)
//! and `data-tp-prop-<name>` attributes (a value that reads as a JSON number is sent as a number,
//! anything else as a string). A malformed `data-tp-props` does not lose the event: it is sent
//! without those properties, and the engine warns once.

use super::super::json::push_str;
use super::super::name::snake_case;

/// Nesting allowed in `data-tp-props` (and the collector's own limit is higher).
const MAX_DEPTH: usize = 16;

/// The event's properties text and whether `data-tp-props` had to be dropped.
pub fn properties(json: &str, attrs: &[(&str, &str)]) -> (String, bool) {
    let json = json.trim_ascii();
    let valid = is_object(json);
    let mut out = String::from("{\"category\":\"touchpoint\"");
    if valid {
        let inner = json[1..json.len() - 1].trim_ascii();
        if !inner.is_empty() {
            out.push(',');
            out.push_str(inner);
        }
    }
    for (name, value) in attrs {
        let Some(key) = snake_case(name) else { continue };
        out.push(',');
        push_str(&mut out, &key);
        out.push(':');
        if is_number(value) {
            out.push_str(value);
        } else {
            push_str(&mut out, value);
        }
    }
    out.push('}');
    (out, !valid && !json.is_empty())
}

fn is_number(v: &str) -> bool {
    let mut p = Parser { b: v.as_bytes(), i: 0 };
    !v.is_empty() && v.len() <= 24 && p.number() && p.i == v.len()
}

/// Whether `s` is exactly one JSON object (RFC 8259), nested at most `MAX_DEPTH` deep.
pub fn is_object(s: &str) -> bool {
    let mut p = Parser { b: s.as_bytes(), i: 0 };
    s.starts_with('{') && p.value(0) && {
        p.ws();
        p.i == s.len()
    }
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        let hit = self.peek() == Some(c);
        self.i += usize::from(hit);
        hit
    }

    fn value(&mut self, depth: usize) -> bool {
        self.ws();
        match self.peek() {
            Some(open @ (b'{' | b'[')) => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.i += 1;
                if depth >= MAX_DEPTH {
                    return false;
                }
                if self.eat(close) {
                    return true;
                }
                loop {
                    if open == b'{' && !(self.eat_string() && self.eat(b':')) {
                        return false;
                    }
                    if !self.value(depth + 1) {
                        return false;
                    }
                    if !self.eat(b',') {
                        return self.eat(close);
                    }
                }
            }
            Some(b'"') => self.eat_string(),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            _ => self.number(),
        }
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        let hit = self.b[self.i..].starts_with(word);
        self.i += if hit { word.len() } else { 0 };
        hit
    }

    fn eat_string(&mut self) -> bool {
        self.ws();
        if self.peek() != Some(b'"') {
            return false;
        }
        self.i += 1;
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                b'"' => return true,
                b'\\' => match self.peek() {
                    Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.i += 1,
                    Some(b'u')
                        if self.b.get(self.i + 1..self.i + 5).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) =>
                    {
                        self.i += 5
                    }
                    _ => return false,
                },
                0..0x20 => return false,
                _ => {}
            }
        }
        false
    }

    fn digits(&mut self) -> bool {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.i > start
    }

    fn number(&mut self) -> bool {
        self.i += usize::from(self.peek() == Some(b'-'));
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return false,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if !self.digits() {
                return false;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            self.i += usize::from(matches!(self.peek(), Some(b'+' | b'-')));
            if !self.digits() {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn props_from_json_and_attributes() {
        let (p, bad) =
            properties(r#" {"sku":"A1","price":19.99,"currency":"EUR","tags":["x",{"y":null}]} "#, &[("qty", "2")]);
        assert!(!bad);
        assert_eq!(
            p,
            r#"{"category":"touchpoint","sku":"A1","price":19.99,"currency":"EUR","tags":["x",{"y":null}],"qty":2}"#
        );
        let (p, bad) = properties("", &[("item-id", "00123"), ("price", "-1.5e2"), ("name", "Red \"Shoe\"")]);
        assert!(!bad);
        assert_eq!(p, r#"{"category":"touchpoint","item_id":"00123","price":-1.5e2,"name":"Red \"Shoe\""}"#);
        assert_eq!(properties("{ }", &[]), (r#"{"category":"touchpoint"}"#.into(), false));
    }

    #[test]
    fn junk_props_are_dropped_and_flagged() {
        let junk = [
            "{sku:'A1'}",
            r#"{"a":1,}"#,
            r#"{"a":1} {"b":2}"#,
            r#"["a"]"#,
            r#""str""#,
            r#"{"a":01}"#,
            r#"{"a":"\x"}"#,
            "{\"a\":\"tab\there\"}",
            r#"{"a":tru}"#,
            r#"{"a":1"#,
            "}",
            &["{\"a\":", &"[".repeat(40), &"]".repeat(40), "}"].concat(),
        ];
        for j in junk {
            let (p, bad) = properties(j, &[("sku", "A1")]);
            assert!(bad, "{j}");
            assert_eq!(p, r#"{"category":"touchpoint","sku":"A1"}"#, "{j}");
        }
    }

    #[test]
    fn numbers_follow_json() {
        for ok in ["0", "-0", "19.99", "1e5", "2E-3"] {
            assert!(is_number(ok), "{ok}");
        }
        for no in ["", "-", "01", "1.", ".5", "1e", "0x10", "NaN", "1 "] {
            assert!(!is_number(no), "{no}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_always_gives_an_object(json in ".{0,60}", v in ".{0,20}") {
            let (p, _) = properties(&json, &[("k", &v)]);
            let object = p.starts_with('{') && p.ends_with('}');
            proptest::prop_assert!(object, "{}", p);
        }
    }
}
