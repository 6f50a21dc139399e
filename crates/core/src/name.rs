//! Event names and identifiers.

use super::json::hex_digit;

pub const MAX_NAME_LEN: usize = 64;

/// Normalises a caller-supplied event name to the wire's snake_case (`^[a-z][a-z0-9_]{0,63}$`).
/// "Add To Cart" and "addToCart" both become "add_to_cart". Returns None when nothing usable
/// is left, so the caller can warn instead of sending an event nobody can query.
pub fn snake_case(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len() + 4);
    let mut prev_lower = false;
    for b in raw.bytes() {
        if b.is_ascii_uppercase() && prev_lower {
            push_sep(&mut out);
        }
        if b.is_ascii_alphanumeric() {
            if out.is_empty() && b.is_ascii_digit() {
                continue; // names start with a letter
            }
            out.push(b.to_ascii_lowercase() as char);
            prev_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
        } else {
            push_sep(&mut out);
            prev_lower = false;
        }
        if out.len() >= MAX_NAME_LEN {
            break;
        }
    }
    out.truncate(MAX_NAME_LEN);
    while out.as_bytes().last() == Some(&b'_') {
        out.truncate(out.len() - 1);
    }
    if out.is_empty() {
        None
    } else {
        Some(out)
    }
}

fn push_sep(out: &mut String) {
    if !out.is_empty() && out.as_bytes().last() != Some(&b'_') {
        out.push('_');
    }
}

/// True if `name` is already a valid wire event name.
pub fn is_valid_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_NAME_LEN
        && b[0].is_ascii_lowercase()
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_')
}

/// A random (version 4) UUID from 16 random bytes supplied by the caller (in the browser:
/// `crypto.getRandomValues`). Used for messageIds and session ids.
pub fn uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(hex_digit(u32::from(*b >> 4)));
        out.push(hex_digit(u32::from(*b)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_names() {
        assert_eq!(snake_case("Add To Cart").as_deref(), Some("add_to_cart"));
        assert_eq!(snake_case("addToCart").as_deref(), Some("add_to_cart"));
        assert_eq!(snake_case("order_completed").as_deref(), Some("order_completed"));
        assert_eq!(snake_case("  --Checkout Step 2--").as_deref(), Some("checkout_step_2"));
        assert_eq!(snake_case("42 things").as_deref(), Some("things"));
        assert_eq!(snake_case("!!!"), None);
        assert_eq!(snake_case(""), None);
        assert_eq!(snake_case("買う"), None);
        assert_eq!(snake_case(&"a".repeat(200)).unwrap().len(), MAX_NAME_LEN);
    }

    #[test]
    fn uuid_shape() {
        let id = uuid_v4([0xff; 16]);
        assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::super::*;
        use proptest::prelude::*;
        proptest! {
            #[test]
            fn normalised_names_are_valid(s in any::<String>()) {
                if let Some(n) = snake_case(&s) {
                    prop_assert!(is_valid_name(&n), "{:?} -> {:?}", s, n);
                    prop_assert_eq!(snake_case(&n), Some(n.clone()));
                }
            }
        }
    }
}
