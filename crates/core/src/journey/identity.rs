//! The signed-in customer: `touchpoint('identify', userId, traits)` gives the page's own id for
//! them (its database's customer id), which every event of the session then carries as
//! `userId`, so that a product team can find "what did customer c-1042 go through" and a
//! support agent can look a complaint up. `touchpoint('reset')` (sign-out) drops it.
//!
//! The id is kept with the session (`session::Session::user_id`), under the session's storage
//! rule: for the next pages of the visit while analytics consent allows storage. Across visits
//! only with marketing consent, beside the anonymous id (`storage::CUSTOMER`, the engine's
//! `remember_customer`), removed by `reset`. It is a pseudonymous id the site already has, sent
//! like the session id, with analytics consent; what a visitor typed is never taken for it, so
//! an id that is personal data in itself (an email address, a card number, an IBAN:
//! `scrub::scrub_pii`) is refused.

/// The longest id taken, in characters (the collector's bound too).
pub const MAX_CHARS: usize = 128;

/// A user id as the wire contract has it, the one rule of the SDK and the collector (which
/// refuses an event whose `userId` breaks it): 1 to 128 characters, not only spaces, and no
/// control character (C0, DEL, C1; the separators of stored values among them).
pub fn is_user_id(id: &str) -> bool {
    // Characters counted by their first bytes, controls by their bytes (a C1 control,
    // U+0080-U+009F, is 0xC2 0x80-0x9F in UTF-8): `chars().count()`, `char::is_control` and
    // `trim()` cost ~1 KB of wasm for the same answers.
    let b = id.as_bytes();
    let chars = b.iter().filter(|&&c| c & 0xc0 != 0x80).count();
    let control = |i: usize, c: u8| c < 0x20 || c == 0x7f || (c == 0xc2 && b.get(i + 1).is_some_and(|&n| n < 0xa0));
    !id.trim_ascii().is_empty() && chars <= MAX_CHARS && !b.iter().enumerate().any(|(i, &c)| control(i, c))
}

/// Why a user id is refused: the console warning, or Ok.
pub fn check(id: &str, scrub: bool) -> Result<(), &'static str> {
    if !is_user_id(id) {
        return Err("touchpoint: identify: a user id is 1-128 characters, no control characters");
    }
    // (Not with data-scrub-properties="false": the site then vouches for what it sends.)
    // Also a phone number in international form (+44 20 7946 0958: a sign-in by phone), which a
    // shop's own id never starts with.
    // (A byte loop: `all()` over the bytes was a function of its own, +116 B of wasm.)
    let mut phone = false;
    if let Some(rest) = id.trim_ascii().strip_prefix('+') {
        let mut digits = 0;
        phone = true;
        for c in rest.bytes() {
            digits += c.is_ascii_digit() as u32;
            phone &= matches!(c, b'0'..=b'9' | b' ' | b'-' | b'.' | b'(' | b')');
        }
        phone &= (7..=15).contains(&digits);
    }
    // A card number is one of 15 to 19 digits here, as in a URL: a shop's numeric id of 13 or
    // 14 digits (Shopify's), or one ending in a timestamp in milliseconds, passes Luhn's check
    // one time in ten, and those customers could not be found by an export or erasure (a DPO's
    // audit refused 4 of 40 consecutive Shopify-style ids).
    if scrub && (phone || super::super::scrub::value_has_pii(id, false)) {
        return Err("touchpoint: identify: not sent, the user id looks like an email, phone, card or IBAN: give your own customer id");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_id_is_taken() {
        // (A shop's numeric id, even a long one, is no phone: only the international + form is.)
        for id in [
            "c-1042",
            "1042",
            "447700900123",
            "+1042",
            "+44 is my code",
            "8f14e45f-ceea-467f-a0e6-7a3c1b2d4e5f",
            "kunde_ä",
            // (Luhn-valid, 13 digits: a Shopify-style id and one ending in a time in ms.)
            "7073340432558",
            "cust-E1-1796511348948",
            &"x".repeat(128),
            &"ä".repeat(128),
        ] {
            assert_eq!(check(id, true), Ok(()), "{id}");
        }
    }

    #[test]
    fn the_rule_is_chars_count_and_char_is_control() {
        // The byte-level rule against std's: every character near the boundaries.
        for c in ('\0'..='\u{3ff}').chain(['\u{2028}', '\u{feff}', '😀']) {
            let id = ["a", &c.to_string(), "b"].concat();
            assert_eq!(is_user_id(&id), !c.is_control(), "{:?}", c);
        }
    }

    #[test]
    fn junk_and_personal_data_are_refused() {
        for id in ["", "  ", "a\u{1f}b", "a\nb", "a\u{7f}", "a\u{85}b", "\u{9f}", &"x".repeat(129), &"ä".repeat(129)] {
            assert!(check(id, true).is_err(), "{id:?}");
            assert!(check(id, false).is_err(), "{id:?} (the shape is checked without scrubbing too)");
        }
        let phones = ["+447700900123", "+44 20 7946 0958", " +1 (415) 555-0100", "+33.6.12.34.56.78"];
        for id in [
            "jane@example.org",
            "jane%40example.org",
            "用户@例子.中国",
            "4111 1111 1111 1111",
            "4111111111111111",
            "card-378282246310005",
            "DE89370400440532013000",
        ]
        .iter()
        .chain(&phones)
        {
            assert!(check(id, true).unwrap_err().contains("email"), "{id}");
            assert_eq!(check(id, false), Ok(()), "{id}: data-scrub-properties=false");
        }
    }
}
