//! Just enough URL reading for the journey: the host, the path's file extension and query
//! parameters. URLs arrive absolute (`location.href`, `a.href`) from the browser, so no
//! resolution is needed. Hand-written rather than the `url` crate: that crate brings IDNA tables
//! (tens of KB of wasm) for the three questions asked here.

use super::super::json::split_byte;

/// The host of an absolute http(s) URL, lowercased, without port or credentials; "" otherwise.
pub fn host(url: &str) -> String {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return String::new();
    };
    let authority = &rest[..until(rest, |b| matches!(b, b'/' | b'?' | b'#'))];
    let host = authority.bytes().rposition(|b| b == b'@').map_or(authority, |at| &authority[at + 1..]);
    host[..until(host, |b| b == b':')].to_ascii_lowercase()
}

/// The index of the first byte matching `stop`, or the length. (Byte searches rather than
/// `str::split` and friends: their char and substring searchers cost wasm size.)
fn until(s: &str, stop: impl Fn(u8) -> bool) -> usize {
    s.bytes().position(stop).unwrap_or(s.len())
}

/// `www.shop.example` and `shop.example` are the same site for attribution and outbound links.
pub fn same_site(a: &str, b: &str) -> bool {
    !a.is_empty() && without_www(a) == without_www(b)
}

/// Whether `host` is one of `domains` (the shop's other domains, `data-cross-domain`) or below
/// one (checkout.shop.example under shop.example; never evilshop.example), as the loader's
/// `listed`. (A domain in another script is matched as written in the list, the loader's as
/// the browser writes it: such a domain is to be listed in its xn-- form here.)
#[inline(never)]
pub fn listed(host: &str, domains: &[String]) -> bool {
    let h = host.as_bytes();
    domains.iter().any(|c| {
        h.ends_with(c.as_bytes()) && (h.len() == c.len() || h.get(h.len().wrapping_sub(c.len() + 1)) == Some(&b'.'))
    })
}

pub fn without_www(host: &str) -> &str {
    host.strip_prefix("www.").unwrap_or(host)
}

/// The URL without its fragment.
pub fn without_hash(url: &str) -> &str {
    &url[..until(url, |b| b == b'#')]
}

/// The fragment of `url` when it is a hash router's route (`#/product/12`, `#!/cart`; up to
/// its own `?`), else "" (an anchor: `#reviews`).
pub fn hash_route(url: &str) -> &str {
    let frag = &url[until(url, |b| b == b'#')..];
    if frag.starts_with("#/") || frag.starts_with("#!/") {
        &frag[..until(frag, |b| b == b'?')]
    } else {
        ""
    }
}

/// The lowercased extension of the path's last segment (`pdf` for `/a/b.PDF?x=1`), if any.
pub fn extension(url: &str) -> Option<String> {
    let path = &url[..until(url, |b| b == b'?' || b == b'#')];
    let last = &path[path.bytes().rposition(|b| b == b'/').map_or(0, |i| i + 1)..];
    let ext = &last[last.bytes().rposition(|b| b == b'.')? + 1..];
    (!ext.is_empty() && ext.len() <= 8).then(|| ext.to_ascii_lowercase())
}

/// The first value of query parameter `name` (case-insensitive name), percent-decoded, `+` as
/// space. None when absent; Some("") when present and empty.
pub fn param(url: &str, name: &str) -> Option<String> {
    let url = without_hash(url);
    let query = &url[url.bytes().position(|b| b == b'?')? + 1..];
    split_byte(query, b'&').find_map(|pair| {
        let eq = until(pair, |b| b == b'=');
        let v = pair.get(eq + 1..).unwrap_or("");
        decode(&pair[..eq]).eq_ignore_ascii_case(name).then(|| decode(v))
    })
}

pub(crate) fn decode(s: &str) -> String {
    decode_as(s, true)
}

/// Percent-decoded; `form`: `+` as a space (a query's value), else as itself (a path's).
pub(crate) fn decode_as(s: &str, form: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' if form => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    // Not UTF-8 after decoding: a page in a legacy charset sends its forms' text in it, most
    // often Latin-1 / windows-1252 ("café" as caf%E9). Read byte by byte as Latin-1, its
    // letters come out right; another charset's text comes out garbled, but not empty: the
    // search is still counted, and what scrubbing looks for (digits, '@') is still there to
    // find (read as "", a phone number beside an accented word left in the page's URL).
    utf8(&out).unwrap_or_else(|| out.iter().map(|&b| char::from(b)).collect())
}

/// `String::from_utf8(b).ok()` in safe code without std's validator (its word-at-a-time ASCII
/// path is 0.6 KB of wasm; decoded parameters are short): each sequence is decoded and pushed
/// as a char, rejecting what `from_utf8` rejects (overlong forms, surrogates, > U+10FFFF).
fn utf8(b: &[u8]) -> Option<String> {
    let mut s = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as u32;
        // Continuation bytes after the lead byte, the lead's payload bits, the least code point
        // a sequence of that length may encode.
        let (n, mut cp, min) = match c {
            0..=0x7f => (0, c, 0),
            0xc0..=0xdf => (1, c & 0x1f, 0x80),
            0xe0..=0xef => (2, c & 0x0f, 0x800),
            0xf0..=0xf7 => (3, c & 0x07, 0x10000),
            _ => return None,
        };
        for k in 1..=n {
            let d = *b.get(i + k)? as u32;
            if d & 0xc0 != 0x80 {
                return None;
            }
            cp = cp << 6 | (d & 0x3f);
        }
        if cp < min {
            return None;
        }
        // Surrogates and values past U+10FFFF are not chars.
        s.push(char::from_u32(cp)?);
        i += n + 1;
    }
    Some(s)
}

pub(crate) fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hosts_extensions_and_params() {
        assert_eq!(host("https://User:pw@WWW.Shop.test:8443/a?b#c"), "www.shop.test");
        assert_eq!(host("http://x.test"), "x.test");
        assert_eq!(host("mailto:a@b.test"), "");
        assert!(same_site("www.shop.test", "shop.test"));
        assert!(!same_site("", ""));
        assert_eq!(extension("https://s.test/docs/Manual.PDF?x=1#p"), Some("pdf".into()));
        assert_eq!(extension("https://s.test/docs/"), None);
        assert_eq!(extension("https://s.test/a.b/c"), None);
        let u = "https://s.test/search?Q=red+shoes%20%C3%A9&utm_source=&x#q=no";
        assert_eq!(param(u, "q"), Some("red shoes é".into()));
        assert_eq!(param(u, "utm_source"), Some(String::new()));
        assert_eq!(param(u, "nope"), None);
        assert_eq!(param("https://s.test/?a=%zz%4", "a"), Some("%zz%4".into()));
        // Not UTF-8 (a Latin-1 page's form): each byte a char, as Latin-1 reads it.
        assert_eq!(param("https://s.test/?q=caf%E9+cr%E8me", "q"), Some("café crème".into()));
        assert_eq!(param("https://s.test/?q=%FF%C3", "q"), Some("ÿÃ".into()));
    }

    #[test]
    fn utf8_accepts_and_rejects_what_std_does() {
        let cases: &[&[u8]] = &[
            b"",
            b"abc",
            "é€😀".as_bytes(),
            b"\xc0\x80",
            b"\xc1\xbf",
            b"\xe0\x80\x80",
            b"\xe0\x9f\xbf",
            b"\xed\xa0\x80",
            b"\xed\x9f\xbf",
            b"\xf0\x8f\xbf\xbf",
            b"\xf4\x8f\xbf\xbf",
            b"\xf4\x90\x80\x80",
            b"\xf8\x88\x80\x80\x80",
            b"\xff",
            b"\x80",
            b"\xc3",
            b"\xe2\x82",
            b"a\xc3(",
            b"\xef\xbf\xbf",
        ];
        for b in cases {
            assert_eq!(utf8(b), String::from_utf8(b.to_vec()).ok(), "{b:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn utf8_is_from_utf8(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..12),
                             s in "\\PC{0,6}") {
            proptest::prop_assert_eq!(utf8(&b), String::from_utf8(b.clone()).ok());
            // Valid text, and valid text cut anywhere.
            let v = s.as_bytes();
            for cut in 0..=v.len() {
                proptest::prop_assert_eq!(utf8(&v[..cut]), String::from_utf8(v[..cut].to_vec()).ok());
            }
        }
    }
}
