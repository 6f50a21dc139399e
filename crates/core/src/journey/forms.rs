//! Form touchpoints: `form_start` at the visitor's first input into a form (once per form per
//! page view) and `form_submit`, with the time spent in each field. Never a value: fields are
//! named by their name, id or type.

use super::super::json::{split_byte, Obj};
use super::super::scrub::clean_label;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Forms {
    started: Vec<u32>,
}

impl Forms {
    /// Trusted input into form `key`: true the first time (a `form_start`).
    pub fn input(&mut self, key: u32) -> bool {
        // any(), not contains(): <[u32]>::contains is an unrolled 0.17 KB function in the wasm (size).
        let first = !self.started.iter().any(|&k| k == key);
        if first {
            self.started.push(key);
        }
        first
    }

    /// Form `key` was sent: the visitor's next input into it (a newsletter modal opened again, a
    /// comment form posted by script and used again) starts it again.
    pub fn submit(&mut self, key: u32) {
        self.started.retain(|&k| k != key);
    }
}

/// A form's id or name as every event that names it carries it (form_start and form_submit,
/// field_error, form_abandon): scrubbed (`<form id="jane@...">`), at most 64 characters.
pub fn form_label(form: &str) -> String {
    clean_label(form, 64)
}

/// `form_start`/`form_submit` properties. `focus` is the sensor's "name:ms,name:ms" list of
/// focus time per field; names are cut to 40 characters and at most 30 fields are kept. Payment
/// and credential fields (`scrub::is_secret_key`: card, cvc, expiry, password...) are left
/// out: like everywhere else, such a field is described by nothing beyond its tag and selector.
pub fn properties(form: &str, focus: &str) -> String {
    let mut o = Obj::new().str("category", "touchpoint").str("form", &form_label(form));
    if !focus.is_empty() {
        let mut fields = Obj::new();
        for item in split_byte(focus, b',').take(30) {
            // rsplit_once(':') by a byte scan: a char pattern brings memrchr (size).
            let Some(i) = item.bytes().rposition(|b| b == b':') else { continue };
            let (name, ms) = (&item[..i], &item[i + 1..]);
            let (Some(ms), false) = (super::super::config::parse_u64(ms), name.is_empty()) else { continue };
            if super::super::scrub::is_secret_key(name) {
                continue;
            }
            fields = fields.int(&clean_label(name, 40), ms.min(86_400_000) as i64);
        }
        o = o.raw("field_ms", &fields.finish());
    }
    o.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_once_per_form_and_focus_times_without_junk() {
        let mut f = Forms::default();
        assert!(f.input(3));
        assert!(!f.input(3));
        assert!(f.input(4));
        f.submit(3);
        assert!(f.input(3), "used again after it was sent: started again");
        assert!(!f.input(4));
        assert_eq!(
            properties("checkout", "email:1200,card:x,:5,zip:300,card-cvc:123,password:900,phone:40,fullname:50"),
            r#"{"category":"touchpoint","form":"checkout","field_ms":{"email":1200,"zip":300,"phone":40,"fullname":50}}"#
        );
        assert_eq!(properties("", ""), r#"{"category":"touchpoint","form":""}"#);
    }
}
