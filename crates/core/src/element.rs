//! The element descriptor `{selector, tag, id?, text?}` that click events (and later friction
//! events) carry. The loader's sensor reads raw DOM facts at click time (`RawElement`); every
//! decision about what may leave the page is taken here, in the pure core: which label to use,
//! what a sensitive field hides, how the selector is shortened, what is scrubbed.

use super::json::{cat, Obj};
use super::scrub::{clean_label, is_sensitive_field, scrub_text};

const MAX_TEXT: usize = 64;
/// Levels of the CSS path: enough to tell two buttons of a card apart, short enough to group.
pub const MAX_DEPTH: usize = 4;

/// Raw facts about the clicked element, as the loader's sensor read them. None of these has been
/// scrubbed yet. A form field's value is never among them: `value` is the `value` attribute of a
/// button-like `<input>` only (its printed label).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawElement {
    /// Lower-case tag name.
    pub tag: String,
    pub id: String,
    /// `type`, `autocomplete` and `name` attributes (inputs), for the sensitive-field test.
    pub input_type: String,
    pub autocomplete: String,
    pub name: String,
    /// Inside `data-tp-mask`: keep the event, drop the text.
    pub masked: bool,
    pub aria_label: String,
    /// The `value` attribute of `<input type=submit|button|reset>`; empty otherwise.
    pub value: String,
    /// `textContent`, possibly cut by the loader (it only needs the first few hundred chars).
    pub text: String,
    /// The element and up to `MAX_DEPTH - 1` ancestors below `<body>`: (tag, id, class attribute).
    pub path: Vec<(String, String, String)>,
}

impl RawElement {
    /// `{selector, tag, id?, text?}` as JSON text. Text is the visible label, trimmed to 64
    /// characters and scrubbed; it is dropped under `data-tp-mask` and for sensitive fields.
    pub fn describe(&self) -> String {
        let tag = self.tag.as_str();
        let mut out = Obj::new().str("selector", &self.selector()).str("tag", tag);
        let sensitive = tag == "input"
            && is_sensitive_field(&self.input_type.to_ascii_lowercase(), &self.autocomplete, &self.name, &self.id);
        if sensitive {
            return out.finish(); // tag and selector only
        }
        if !self.id.is_empty() {
            out = out.str("id", &scrub_text(&self.id));
        }
        if let Some(text) = self.label() {
            out = out.str("text", &text);
        }
        out.finish()
    }

    fn label(&self) -> Option<String> {
        // (Nor the page's body or root, whose text is the page's: a document's keyboard shortcut
        // found slow sent the first 64 characters of a back office's screen, a customer's name
        // and address: an admin's QA.)
        if self.masked || matches!(self.tag.as_str(), "body" | "html") {
            return None;
        }
        // A button-like input's `value` is its printed label, not something the visitor typed.
        // (Another input's text is its label's, from the loader: a radio's, a checkbox's.)
        let button = self.tag == "input"
            && matches!(self.input_type.to_ascii_lowercase().as_str(), "submit" | "button" | "reset");
        let raw = if button {
            &self.value
        } else if self.aria_label.is_empty() {
            &self.text
        } else {
            &self.aria_label
        };
        let text = clean_label(raw, MAX_TEXT);
        (!text.is_empty()).then_some(text)
    }

    /// A short CSS path: up to four levels of `tag.class.class`, stopping at the nearest id.
    pub fn selector(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for (tag, id, class) in self.path.iter().take(MAX_DEPTH) {
            if tag == "body" || tag == "html" {
                break;
            }
            if is_ident(id) {
                parts.push(cat(&["#", id]));
                break;
            }
            let mut part = tag.clone();
            for class in class.split_ascii_whitespace().filter(|c| is_ident(c) && !is_state(c)).take(2) {
                part.push('.');
                part.push_str(class);
            }
            // A form field without an id, by its name: `label > input` told no field of a form
            // apart from another (a booking wizard's QA), and `field_ms` is keyed by name.
            if parts.is_empty() && matches!(tag.as_str(), "input" | "select" | "textarea") && is_ident(&self.name) {
                part.push_str("[name=");
                part.push_str(&self.name);
                part.push(']');
            }
            parts.push(part);
        }
        let mut selector = String::new();
        for part in parts.iter().rev() {
            if !selector.is_empty() {
                selector.push_str(" > ");
            }
            selector.push_str(part);
        }
        selector
    }
}

/// A class that says the element's state, not which element it is: a quantity stepper's "−"
/// marked `disabled` at 1 (Shopify's Dawn theme) was a second leaderboard row beside the same
/// button's `button.qty__btn` (a theme developer's QA), and a tab `active` another.
/// Also as the last word of a class (after `-` or `_`): a data grid's rows, `Mui-selected`,
/// `ag-row-focus` and `ag-row-no-focus`, `ag-row-even` and `-odd`, made one broken row action
/// four leaderboard rows (an admin's QA); a BEM modifier, `btn--active`.
fn is_state(c: &str) -> bool {
    let last = c.bytes().rposition(|b| b == b'-' || b == b'_').map_or(c, |i| &c[i + 1..]);
    // (A comma-ended word list: see json::words.)
    const STATES: &str =
        "active,disabled,selected,open,show,current,focus,focused,hover,checked,expanded,pressed,even,odd,loading";
    super::json::words(STATES).any(|s| s == last.as_bytes()) || c.starts_with("is-") || c.starts_with("has-")
}

/// Only plain identifiers go into selectors, so they never need CSS escaping and generated
/// ids full of digits (often per-user) stay out. Letters of other scripts need no escaping
/// (every character past ASCII is an identifier's in CSS): `#お届け先`, `.größe` (left out,
/// two forms of a page named so were one `form` of the leaderboard: QA).
///
/// Read with the digits of other scripts and fullwidth forms as the ASCII they stand for, as the
/// scrubber reads text: `#هاتف-٠٥٠١٢٣٤٥٦٧` has ten digits and `.ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ` an
/// `@` (both were kept in the selector while the `id` beside it was masked: QA).
pub(crate) fn is_ident(s: &str) -> bool {
    let s = super::scrub::fold(s);
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 48
        && (b[0].is_ascii_alphabetic() || b[0] >= 0x80)
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_' || *c >= 0x80)
        && b.iter().filter(|c| c.is_ascii_digit()).count() < 4
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(tag: &str, id: &str, class: &str) -> (String, String, String) {
        (tag.into(), id.into(), class.into())
    }

    fn button() -> RawElement {
        RawElement {
            tag: "button".into(),
            text: "  Add Stoneware Mug\n to cart ".into(),
            path: vec![
                level("button", "", "btn btn-primary extra"),
                level("div", "", "buy"),
                level("li", "", "product-card"),
                level("ul", "product-grid", ""),
                level("main", "", ""),
            ],
            ..RawElement::default()
        }
    }

    #[test]
    fn describes_a_button_with_a_short_path() {
        assert_eq!(
            button().describe(),
            r##"{"selector":"#product-grid > li.product-card > div.buy > button.btn.btn-primary","tag":"button","text":"Add Stoneware Mug to cart"}"##
        );
    }

    #[test]
    fn path_stops_at_four_levels_and_at_body() {
        let mut e = button();
        e.path[3] = level("ul", "", "grid");
        assert_eq!(e.selector(), "ul.grid > li.product-card > div.buy > button.btn.btn-primary");
        e.path.truncate(2);
        e.path.push(level("body", "", "x"));
        assert_eq!(e.selector(), "div.buy > button.btn.btn-primary");
    }

    /// A field without an id is told apart by its name (a plain one only); with an id, the id.
    #[test]
    fn a_form_field_without_an_id_is_named_by_its_name() {
        let field = |tag: &str, id: &str, name: &str| RawElement {
            tag: tag.into(),
            name: name.into(),
            path: vec![level(tag, id, ""), level("label", "", ""), level("form", "trip", "")],
            ..RawElement::default()
        };
        assert_eq!(field("input", "", "email").selector(), "#trip > label > input[name=email]");
        assert_eq!(field("select", "", "nationality").selector(), "#trip > label > select[name=nationality]");
        assert_eq!(field("input", "mail", "email").selector(), "#mail");
        assert_eq!(field("input", "", "pax[0][first]").selector(), "#trip > label > input", "a name needing escapes");
        assert_eq!(field("button", "", "go").selector(), "#trip > label > button", "not a field");
    }

    #[test]
    fn generated_ids_and_odd_classes_stay_out_of_selectors() {
        let e = RawElement { tag: "a".into(), path: vec![level("a", "u-123456", "x:y ok")], ..RawElement::default() };
        assert_eq!(e.selector(), "a.ok");
        // Letters of other scripts need no escaping: kept (two forms or buttons named so were
        // one row of the leaderboard).
        let e = RawElement {
            tag: "button".into(),
            path: vec![level("button", "カート-ボタン", "")],
            ..RawElement::default()
        };
        assert_eq!(e.selector(), "#カート-ボタン");
        let e = RawElement {
            tag: "button".into(),
            path: vec![level("button", "", "btn größe 購入")],
            ..RawElement::default()
        };
        assert_eq!(e.selector(), "button.btn.größe");
        let e = RawElement { tag: "button".into(), path: vec![level("button", "a.b:c", "")], ..RawElement::default() };
        assert_eq!(e.selector(), "button", "what needs escaping stays out");
        // Digits of other scripts and fullwidth forms count as the ASCII they stand for: a
        // phone number, a card or an email address in them stays out (QA: they were kept).
        for (id, class) in
            [("هاتف-٠٥٠١٢٣٤٥٦٧", ""), ("会員-０９０１２３４５６７８", ""), ("", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ")]
        {
            let e =
                RawElement { tag: "button".into(), path: vec![level("button", id, class)], ..RawElement::default() };
            assert_eq!(e.selector(), "button", "{id}{class}");
        }
        let e =
            RawElement {
                tag: "button".into(), path: vec![level("button", "ｃａｒｔ-٣", "")], ..RawElement::default()
            };
        assert_eq!(e.selector(), "#ｃａｒｔ-٣", "a few such digits are kept, as ASCII ones");
    }

    #[test]
    fn state_classes_stay_out_of_selectors() {
        let at_one = RawElement {
            tag: "button".into(),
            path: vec![level("button", "", "qty__btn disabled"), level("div", "", "qty is-open")],
            ..RawElement::default()
        };
        let other =
            RawElement { path: vec![level("button", "", "qty__btn"), level("div", "", "qty")], ..at_one.clone() };
        assert_eq!(at_one.selector(), "div.qty > button.qty__btn");
        assert_eq!(at_one.selector(), other.selector());
        let tab = RawElement { path: vec![level("a", "", "active tab-link has-badge")], ..RawElement::default() };
        assert_eq!(tab.selector(), "a.tab-link");
        // A data grid's rows, as MUI X and AG Grid mark them: one row action, one selector.
        let flag = |row: &str| {
            RawElement {
                path: vec![level("button", "", "flag"), level("div", "", "cell"), level("div", "", row)],
                ..RawElement::default()
            }
            .selector()
        };
        for row in
            ["MuiDataGrid-row Mui-selected", "ag-row ag-row-focus ag-row-even", "ag-row ag-row-no-focus ag-row-odd"]
        {
            assert_eq!(flag(row), flag(row.split(' ').next().unwrap()), "{row}");
        }
        assert_eq!(flag("ag-row ag-row-no-focus"), "div.ag-row > div.cell > button.flag");
    }

    #[test]
    fn the_page_body_has_no_text() {
        let body = RawElement {
            tag: "body".into(),
            text: "Maria Gonzalez · 12 Rue de la Paix".into(),
            ..RawElement::default()
        };
        assert!(!body.describe().contains("Maria"), "{}", body.describe());
    }

    #[test]
    fn sensitive_fields_keep_tag_and_selector_only() {
        let e = RawElement {
            tag: "input".into(),
            input_type: "submit".into(),
            name: "card".into(),
            value: "4111 1111 1111 1111".into(),
            id: "cc".into(),
            path: vec![level("input", "cc", "")],
            ..RawElement::default()
        };
        assert_eq!(e.describe(), r##"{"selector":"#cc","tag":"input"}"##);
    }

    #[test]
    fn labels_come_from_value_for_button_inputs_and_never_from_a_fields_value() {
        let mut e = RawElement {
            tag: "input".into(),
            input_type: "Submit".into(),
            value: "Pay now".into(),
            ..RawElement::default()
        };
        assert!(e.describe().contains(r#""text":"Pay now""#));
        e.input_type = "text".into();
        assert!(!e.describe().contains("Pay now"), "a text field's value is never a label");
        // A radio's or checkbox's text is its label's, which the loader gives (never a field's
        // value: it gives none for a text field).
        e.input_type = "radio".into();
        e.text = "Size M".into();
        assert!(e.describe().contains(r#""text":"Size M""#), "{}", e.describe());
    }

    #[test]
    fn masked_and_scrubbed_text() {
        let mut e = button();
        e.text = "Mail jane@example.org".into();
        assert!(e.describe().contains(r#""text":"Mail ***""#));
        e.masked = true;
        assert!(!e.describe().contains("text"));
        e.masked = false;
        e.aria_label = "Close dialog".into();
        assert!(e.describe().contains(r#""text":"Close dialog""#), "aria-label wins over text");
    }
}
