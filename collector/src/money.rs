//! Money as the collector counts it (`/api/channels?revenue=1`): a purchase's or refund's
//! `value` read from its JSON number's own digits into millionths of a unit, exactly, summed in
//! 128 bits; its `currency` as ISO 4217 letters; and which order ids are no order key.
//!
//! A value is never taken from text (`"59.90"`, `"19,99"`: a page's own formatting, which the
//! SDK warns about): such a purchase is counted as a purchase without a usable value, and said
//! (`unvalued`), rather than read by guesswork or left out silently.

use std::collections::BTreeMap;

/// Millionths of a unit in a unit: values are counted in millionths, so that 0.1 + 0.2 is 0.3.
pub const MICROS: i128 = 1_000_000;

/// The largest magnitude of one value counted: 10^15 units (a quadrillion dong is some 40 billion
/// US dollars). A larger one, or one that is not a number, is a value not usable. (It was
/// clamped at 10^9 units, silently: an IDR 1,500,000,000 car counted 1,000,000,000.)
pub const MAX_UNITS: i128 = 1_000_000_000_000_000;

/// Most distinct currencies not ISO-shaped kept apart in one row's `unknownCurrency`; the rest
/// are summed under [`OTHER_CURRENCIES`].
pub const MAX_UNKNOWN_CURRENCIES: usize = 16;
/// The key of the currencies past [`MAX_UNKNOWN_CURRENCIES`].
pub const OTHER_CURRENCIES: &str = "(others)";
/// Longest currency kept as given (in characters; longer ones are cut).
pub const MAX_CURRENCY_CHARS: usize = 16;

/// A JSON number's text (`59.9`, `-1.5e3`, `1500000000`) as millionths, from its own digits
/// (no binary floating point): rounded half away from zero past the sixth decimal. `None` for
/// anything that is not a JSON number, or whose magnitude is over [`MAX_UNITS`].
pub fn micros_of(raw: &str) -> Option<i128> {
    let b = raw.as_bytes();
    let mut i = 0;
    let negative = b.first() == Some(&b'-');
    if negative {
        i += 1;
    }
    // The significant digits (integer part, then fraction), and how many of them are fraction.
    let mut digits: Vec<u8> = Vec::with_capacity(b.len());
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        digits.push(b[i] - b'0');
        i += 1;
    }
    let int_len = i - int_start;
    // JSON's grammar: at least one digit, and no leading zero before another digit.
    if int_len == 0 || (int_len > 1 && b[int_start] == b'0') {
        return None;
    }
    let mut frac_len = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            digits.push(b[i] - b'0');
            i += 1;
        }
        if i == start {
            return None;
        }
        frac_len = (i - start) as i64;
    }
    let mut exp = 0i64;
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        let minus = match b.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            // (Saturated: an exponent past a million gives zero or too large alike.)
            exp = (exp * 10 + i64::from(b[i] - b'0')).min(1_000_000);
            i += 1;
        }
        if i == start {
            return None;
        }
        if minus {
            exp = -exp;
        }
    }
    if i != b.len() {
        return None;
    }
    // The value is int(digits) × 10^scale millionths.
    let first = digits.iter().position(|&d| d != 0);
    let Some(first) = first else { return Some(0) };
    let digits = &digits[first..];
    let scale = exp + 6 - frac_len;
    // Digits of the whole millionths: over 22 is over 10^21 millionths, 10^15 units.
    let whole = digits.len() as i64 + scale;
    if whole > 22 {
        return None;
    }
    let mut n: i128 = 0;
    if scale >= 0 {
        for &d in digits {
            n = n * 10 + i128::from(d);
        }
        n *= 10i128.pow(scale as u32);
    } else {
        let keep = whole.max(0) as usize;
        for &d in &digits[..keep] {
            n = n * 10 + i128::from(d);
        }
        // Half away from zero: the first digit dropped (none when every digit is kept).
        if whole >= 0 && digits.get(keep).is_some_and(|&d| d >= 5) {
            n += 1;
        }
    }
    if n > MAX_UNITS * MICROS {
        return None;
    }
    Some(if negative { -n } else { n })
}

/// Millionths as a JSON number: whole units exactly up to 2^53 of them, and to the millionth up
/// to 2^53 millionths (9,007,199,254.740991); past that the nearest double (the sums themselves
/// are exact, in 128 bits).
pub fn json_number(micros: i128) -> f64 {
    if micros % MICROS == 0 {
        (micros / MICROS) as f64
    } else {
        micros as f64 / MICROS as f64
    }
}

/// A `currency` as counted: `Ok` its three ASCII letters, trimmed and upper-cased (`" eur "` is
/// `EUR`); `Err` anything else as given, trimmed and cut to [`MAX_CURRENCY_CHARS`] (`€`,
/// `EURO`; `""` for none), which is no ISO 4217 code and is summed apart (`unknownCurrency`).
/// `given`: a string's text, another JSON value's text (`978`), `None` for none (or `null`).
pub fn currency(given: Option<&str>) -> Result<String, String> {
    let c = given.unwrap_or("").trim();
    if c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(c.to_ascii_uppercase())
    } else {
        Err(c.chars().take(MAX_CURRENCY_CHARS).collect())
    }
}

/// Whether an order id is one the SDK's masking made (`***`, `ORD-***`: an order number that
/// looked like a card number, or held an email, to an SDK that masked it), which names no
/// order: every masked purchase would be one order, the first stored and the rest dropped as its
/// repeats. Such a purchase is stored each time, as one without a `transaction_id`.
pub fn is_masked(order: &str) -> bool {
    order.contains(touchpoint_core::scrub::MASK)
}

/// A stored purchase's or refund's money (see [`crate::validate::commerce_of_text`]): its
/// `value` in millionths in its currency as [`currency`] reads it, or none usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Amount {
    /// A usable value in an ISO-shaped currency.
    Counted(String, i128),
    /// A usable value in a currency that is not three letters (as given; `""`: none).
    UnknownCurrency(String, i128),
    /// No usable value.
    Unvalued,
}

impl Amount {
    /// `value` (its JSON text, `None`: absent or `null`) in `currency` (see [`currency`]).
    pub fn of(value: Option<&str>, currency: Option<&str>) -> Amount {
        match value.and_then(micros_of) {
            None => Amount::Unvalued,
            Some(v) => match self::currency(currency) {
                Ok(c) => Amount::Counted(c, v),
                Err(c) => Amount::UnknownCurrency(c, v),
            },
        }
    }
}

/// The purchases and refunds of some sessions in a range, as `/api/channels?revenue=1` gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Revenue {
    /// Stored purchases (one per order).
    pub purchases: i64,
    /// Their values per ISO-shaped currency, in millionths: the gross revenue.
    pub by_currency: BTreeMap<String, i128>,
    /// Purchases counted without a usable value (none, text such as `"59.90"`, too large).
    pub unvalued: i64,
    /// Purchases' values whose currency is not three letters, per currency as given.
    pub unknown_currency: BTreeMap<String, i128>,
    /// Refund events.
    pub refunds: i64,
    /// Their amounts per ISO-shaped currency, in millionths.
    pub refunded: BTreeMap<String, i128>,
    /// Refunds whose amount or currency is not known (see [`crate::window`]).
    pub refunds_unvalued: i64,
}

fn add_to(map: &mut BTreeMap<String, i128>, currency: &str, v: i128) {
    match map.get_mut(currency) {
        Some(sum) => *sum = sum.saturating_add(v),
        None => {
            map.insert(currency.to_string(), v);
        }
    }
}

impl Revenue {
    /// A purchase of `amount`.
    pub fn add_purchase(&mut self, amount: &Amount) {
        self.purchases += 1;
        match amount {
            Amount::Counted(c, v) => add_to(&mut self.by_currency, c, *v),
            Amount::UnknownCurrency(c, v) => {
                let key = if self.unknown_currency.len() >= MAX_UNKNOWN_CURRENCIES
                    && !self.unknown_currency.contains_key(c.as_str())
                {
                    OTHER_CURRENCIES
                } else {
                    c.as_str()
                };
                add_to(&mut self.unknown_currency, key, *v);
            }
            Amount::Unvalued => self.unvalued += 1,
        }
    }

    /// A refund of `amount` (one whose currency is not three letters is not known).
    pub fn add_refund(&mut self, amount: &Amount) {
        self.refunds += 1;
        match amount {
            Amount::Counted(c, v) => add_to(&mut self.refunded, c, *v),
            _ => self.refunds_unvalued += 1,
        }
    }

    /// Adds `other`'s figures to these.
    pub fn add(&mut self, other: &Revenue) {
        self.purchases += other.purchases;
        self.unvalued += other.unvalued;
        self.refunds += other.refunds;
        self.refunds_unvalued += other.refunds_unvalued;
        for (c, v) in &other.by_currency {
            add_to(&mut self.by_currency, c, *v);
        }
        for (c, v) in &other.refunded {
            add_to(&mut self.refunded, c, *v);
        }
        for (c, v) in &other.unknown_currency {
            let key = if self.unknown_currency.len() >= MAX_UNKNOWN_CURRENCIES && !self.unknown_currency.contains_key(c)
            {
                OTHER_CURRENCIES
            } else {
                c.as_str()
            };
            add_to(&mut self.unknown_currency, key, *v);
        }
    }

    /// The gross revenue less the refunds, per currency (every currency of either).
    pub fn net(&self) -> BTreeMap<String, i128> {
        let mut net = self.by_currency.clone();
        for (c, v) in &self.refunded {
            add_to(&mut net, c, v.saturating_neg());
        }
        net
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_read_from_their_digits() {
        for (raw, want) in [
            ("0", Some(0)),
            ("-0", Some(0)),
            ("59.9", Some(59_900_000)),
            ("1.299", Some(1_299_000)),
            ("0.1", Some(100_000)),
            ("30.299999999999997", Some(30_300_000)),
            ("0.0000005", Some(1)),
            ("0.0000004999", Some(0)),
            ("-0.0000005", Some(-1)),
            ("0.00000049", Some(0)),
            ("1500000000", Some(1_500_000_000 * MICROS)),
            ("1.5e9", Some(1_500_000_000 * MICROS)),
            ("15E8", Some(1_500_000_000 * MICROS)),
            ("2.5e-7", Some(0)),
            ("5e-7", Some(1)),
            ("1e15", Some(MAX_UNITS * MICROS)),
            ("1000000000000000.0000004", Some(MAX_UNITS * MICROS)),
            ("1000000000000000.000001", None),
            ("1e16", None),
            ("1e999999999999", None),
            ("1e-999999999999", Some(0)),
            ("123456789012345.678901", Some(123_456_789_012_345_678_901)),
            ("-42", Some(-42 * MICROS)),
            ("0.000000000000000000000000000009", Some(0)),
            ("\"59.90\"", None),
            ("null", None),
            ("true", None),
            ("01", None),
            ("1.", None),
            (".5", None),
            ("1e", None),
            ("+1", None),
            ("", None),
            ("-", None),
        ] {
            assert_eq!(micros_of(raw), want, "{raw}");
        }
    }

    #[test]
    fn sums_of_large_values_are_exact() {
        let mut r = Revenue::default();
        // An IDR car, a VND flat and a KRW payroll: past 2^53 millionths, and past i64 in all.
        for (value, currency) in
            [("1500000000", "IDR"), ("1500000000", "IDR"), ("999999999999999", "VND"), ("999999999999999", "VND")]
        {
            r.add_purchase(&Amount::of(Some(value), Some(currency)));
        }
        for _ in 0..10_000 {
            r.add_purchase(&Amount::of(Some("987654321987.654321"), Some("KRW")));
        }
        assert_eq!(r.by_currency["IDR"], 3_000_000_000 * MICROS);
        assert_eq!(json_number(r.by_currency["IDR"]), 3e9);
        assert_eq!(r.by_currency["VND"], 1_999_999_999_999_998 * MICROS);
        assert!(r.by_currency["VND"] > i128::from(i64::MAX));
        assert_eq!(r.by_currency["KRW"], 9_876_543_219_876_543_210_000);
        assert_eq!(json_number(r.by_currency["IDR"] + 500_000), 3_000_000_000.5);
    }

    #[test]
    fn currencies_and_masks() {
        assert_eq!(currency(Some(" eur ")), Ok("EUR".into()));
        assert_eq!(currency(Some("jpy")), Ok("JPY".into()));
        assert_eq!(currency(Some("€")), Err("€".into()));
        assert_eq!(currency(Some("EURO")), Err("EURO".into()));
        assert_eq!(currency(None), Err(String::new()));
        assert_eq!(currency(Some(&"x".repeat(40))), Err("x".repeat(16)));
        assert!(is_masked("***") && is_masked("ORD-***") && !is_masked("ORD-1") && !is_masked("**"));
        let mut r = Revenue::default();
        for i in 0..20 {
            r.add_purchase(&Amount::of(Some("1"), Some(&format!("C{i:02}x"))));
        }
        assert_eq!(r.unknown_currency.len(), MAX_UNKNOWN_CURRENCIES + 1);
        assert_eq!(r.unknown_currency[OTHER_CURRENCIES], 4 * MICROS);
        assert_eq!((r.purchases, r.unvalued), (20, 0));
    }
}
