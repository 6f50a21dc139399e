//! field_error: a field became invalid on the visitor's action. Seen through the `invalid` event
//! (capture phase), which browsers fire for each invalid control when a form is submitted or
//! checked, never while the visitor types. Field descriptor and form; never a value.
//! (Not seen yet: `aria-invalid` set by a script's own validation, alert texts appearing.)

use super::{finding, Findings, Signal, Target};

#[derive(Debug, Default)]
pub struct FieldError;

impl FieldError {
    pub fn invalid(&mut self, field: &Target, form: &str, out: &mut Findings) {
        if field.allows(Signal::FieldError) {
            let props = finding(Some(&field.descriptor)).str("reason", "invalid").str("form", form).finish();
            out.push((Signal::FieldError, props));
        }
    }
}
