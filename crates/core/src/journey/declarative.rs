//! Declarative events for marketers, no JavaScript: `data-tp-event="add_to_cart"` on an element
//! fires on click (on submit for a form), with properties from `data-tp-props` (a JSON object)
//! and `data-tp-prop-<name>` attributes (a value that reads as a JSON number is sent as a number,
//! anything else as a string). A malformed `data-tp-props` does not lose the event: it is sent
//! without those properties, and the engine warns once.

use super::super::json::push_str;
// The JSON grammar is the property cleaner's (one parser for both).
use super::super::properties::{is_number, is_object as is_json_object};

/// Nesting allowed in `data-tp-props` (and the collector's own limit is higher).
const MAX_DEPTH: usize = 16;

/// The event's properties text and whether `data-tp-props` had to be dropped.
// Generic over the string type so that the engine passes its `(String, String)` pairs as they
// are (collecting them into `(&str, &str)` was its own specialised collect in the wasm).
pub fn properties<K: AsRef<str>, V: AsRef<str>>(json: &str, attrs: &[(K, V)]) -> (String, bool) {
    let json = json.trim_ascii();
    let valid = is_json_object(json, MAX_DEPTH);
    // The attributes first, then `data-tp-props`, then the category: a key given twice keeps its
    // first value when cleaned (`properties::clean`), so an attribute wins over the JSON's key
    // and the page's `category` over the engine's, as when they were written the other way
    // round and read by the last (a warehouse refused the key twice: a data engineer's QA).
    let mut out = String::from("{");
    for (name, value) in attrs {
        let (name, value) = (name.as_ref(), value.as_ref());
        // (The loader gives the attribute's name after `data-tp-prop-` with `-` as `_`.)
        if name.is_empty() {
            continue;
        }
        push_str(&mut out, name);
        out.push(':');
        // A decimal number; not one with an exponent, which is rather a SKU (`1e3` was 1000).
        if is_number(value) && !value.bytes().any(|b| b | 32 == b'e') {
            out.push_str(value);
        } else {
            push_str(&mut out, value);
        }
        out.push(',');
    }
    if valid {
        let inner = json[1..json.len() - 1].trim_ascii();
        if !inner.is_empty() {
            out.push_str(inner);
            out.push(',');
        }
    }
    out.push_str("\"category\":\"touchpoint\"}");
    (out, !valid && !json.is_empty())
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
            r#"{"qty":2,"sku":"A1","price":19.99,"currency":"EUR","tags":["x",{"y":null}],"category":"touchpoint"}"#
        );
        let (p, bad) =
            properties("", &[("item_id", "00123"), ("price", "-1.5"), ("sku", "1E3"), ("name", "Red \"Shoe\"")]);
        assert!(!bad);
        assert_eq!(p, r#"{"item_id":"00123","price":-1.5,"sku":"1E3","name":"Red \"Shoe\"","category":"touchpoint"}"#);
        assert_eq!(properties("{ }", &[] as &[(&str, &str)]), (r#"{"category":"touchpoint"}"#.into(), false));
    }

    #[test]
    fn attribute_names_in_other_scripts_keep_their_letters() {
        let (p, _) = properties("", &[("größe", "M"), ("色", "赤"), ("цвет_основной", "red"), ("", "x")]);
        assert_eq!(p, r#"{"größe":"M","色":"赤","цвет_основной":"red","category":"touchpoint"}"#);
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
            assert_eq!(p, r#"{"sku":"A1","category":"touchpoint"}"#, "{j}");
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
