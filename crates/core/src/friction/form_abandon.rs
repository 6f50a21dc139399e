//! form_abandon: a form with trusted input and no submit when the page view ends (pagehide or a
//! route change): fields completed, the last field touched, time spent. Only for a form the
//! visitor typed in: not for single-field or search forms, nor for choices only (a product's size
//! and quantity, a filter's boxes, a sort order: browsing, which the page applies as it goes).

use super::{finding, Findings, Signal, Target};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FormInput {
    /// Identity of the form element, and its descriptor.
    pub form: u32,
    pub form_descriptor: String,
    pub field: Target,
    /// Fields in the form (inputs other than hidden and buttons, selects, textareas).
    pub fields: u32,
    /// The visitor typed into this field (text, email, phone, URL, password, a text area) of a
    /// form with more than one field and no search field or role: data entry, which leaving
    /// unsent abandons.
    pub entry: bool,
}

/// How long after its last input a form is what a moment of truth was for (see `moment`).
const MOMENT_MS: u64 = 60_000;

#[derive(Debug, Default)]
pub struct FormAbandon {
    forms: Vec<Form>,
}

#[derive(Debug)]
struct Form {
    key: u32,
    descriptor: String,
    started: u64,
    last: u64,
    touched: Vec<u32>,
    last_field: String,
    fields: u32,
    entry: bool,
    submitted: bool,
    /// One of its buttons was pressed (or Enter in a field) since it was used anew.
    pressed: bool,
    silenced: bool,
}

impl FormAbandon {
    pub fn input(&mut self, at: u64, i: &FormInput) {
        let form = match self.forms.iter_mut().position(|f| f.key == i.form) {
            Some(n) => &mut self.forms[n],
            None => {
                self.forms.push(Form {
                    key: i.form,
                    descriptor: i.form_descriptor.clone(),
                    started: at,
                    last: at,
                    touched: Vec::new(),
                    last_field: String::new(),
                    fields: i.fields,
                    entry: false,
                    submitted: false,
                    pressed: false,
                    silenced: false,
                });
                self.forms.last_mut().unwrap_or_else(|| unreachable!())
            }
        };
        // Used again after it was sent (a newsletter modal opened again, its second use then
        // cancelled: no form_abandon was possible): a use of its own, from now.
        if form.submitted {
            (form.submitted, form.pressed, form.started, form.entry) = (false, false, at, false);
            form.touched.clear();
        }
        form.last = at;
        form.entry |= i.entry;
        // any(), not contains(): <[u32]>::contains is an unrolled 0.17 KB function in the wasm (size).
        if !form.touched.iter().any(|&k| k == i.field.key) {
            form.touched.push(i.field.key);
        }
        form.last_field.clone_from(&i.field.descriptor);
        form.silenced |= !i.field.allows(Signal::FormAbandon);
    }

    pub fn submit(&mut self, form: u32) {
        for f in self.forms.iter_mut().filter(|f| f.key == form) {
            f.submitted = true;
        }
    }

    pub fn press(&mut self, form: u32) {
        for f in self.forms.iter_mut().filter(|f| f.key == form) {
            f.pressed = true;
        }
    }

    /// A moment of truth (an add to cart, a checkout begun, a purchase) tracked: the forms used
    /// in the last [`MOMENT_MS`] and pressed (one of their buttons, or Enter in them) were what
    /// it was for, sent or not. A quick-order grid whose "Add lines to cart" adds them without
    /// sending it (B2B QA), a checkout whose Pay opens an upsell before the purchase (ticketing
    /// QA): each was a form_abandon of a completed order. (A form never pressed was not: a
    /// financing application given up, then Add to basket in the buy box, lost its form_abandon:
    /// an electronics store's QA.)
    pub fn moment(&mut self, at: u64) {
        for f in self.forms.iter_mut().filter(|f| f.pressed && at.saturating_sub(f.last) <= MOMENT_MS) {
            f.submitted = true;
        }
    }

    /// The view ends; the forms of `kept` go on in the next view (a wizard in one form whose
    /// steps each have an address: every step was a form_abandon, the customers who bought
    /// too, an insurance quote's QA), the others are left.
    pub fn leave(&mut self, at: u64, kept: &str, out: &mut Findings) {
        // (`retain`: the forms left are told in the order they were used.)
        self.forms.retain(|f| {
            if crate::input::is_kept(kept, f.key) {
                return true;
            }
            if !(f.submitted || !f.entry || f.silenced) {
                let props = finding(Some(&f.descriptor))
                    .int("fields_completed", f.touched.len() as i64)
                    .int("fields", i64::from(f.fields))
                    .raw("last_field", &f.last_field)
                    .int("time_ms", at.saturating_sub(f.started) as i64)
                    .finish();
                out.push((Signal::FormAbandon, props, 0));
            }
            false
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(form: u32, field: u32) -> FormInput {
        FormInput {
            form,
            fields: 4,
            entry: true,
            field: Target { key: field, ..Target::default() },
            ..FormInput::default()
        }
    }

    /// A wizard in one form with an address per step goes on in the next view (`kept`): given up
    /// at last, one form_abandon, timed from its start, with the fields of every step; another
    /// form of the view left is given up at the route.
    #[test]
    fn a_form_kept_by_a_route_goes_on() {
        let mut a = FormAbandon::default();
        a.input(1_000, &typed(7, 1));
        a.input(2_000, &typed(9, 5));
        let mut out = Findings::new();
        a.leave(3_000, "7", &mut out);
        assert_eq!(out.len(), 1, "form 9 left: {out:?}");
        a.input(4_000, &typed(7, 2));
        let mut out = Findings::new();
        a.leave(9_000, "", &mut out);
        assert_eq!(out.len(), 1);
        assert!(out[0].1.contains("\"fields_completed\":2") && out[0].1.contains("\"time_ms\":8000"), "{}", out[0].1);
        // Forms left together are reported in the order they were used.
        for form in [3, 4, 5] {
            a.input(10_000, &typed(form, 1));
        }
        let mut out = Findings::new();
        a.leave(11_000, "4", &mut out);
        let completed: Vec<bool> = out.iter().map(|(_, p, _)| p.contains("\"time_ms\":1000")).collect();
        assert_eq!(completed, [true, true]);
        a.input(12_000, &typed(6, 1));
        a.input(13_000, &typed(7, 1));
        let mut out = Findings::new();
        a.leave(14_000, "", &mut out);
        let times: Vec<&str> = out.iter().map(|(_, p, _)| &p[p.find("\"time_ms\"").unwrap()..]).collect();
        assert_eq!(times.len(), 3);
        for (t, want) in times.iter().zip(["\"time_ms\":4000", "\"time_ms\":2000", "\"time_ms\":1000"]) {
            assert!(t.starts_with(want), "forms 4, 6, 7 in the order used: {times:?}");
        }
    }
}
