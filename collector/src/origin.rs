//! Which browser origins may write events for which site.
//!
//! CORS alone cannot protect the collector: `navigator.sendBeacon` and
//! `fetch(..., {mode: "no-cors"})` deliver the POST anyway and only hide the
//! answer. So the origin check happens on the server, per event (`ingest::prepare`),
//! and CORS headers are merely reflected for origins that pass it.

use std::collections::BTreeMap;

/// Outcome of checking a request's `Origin` header against an event's site.
#[derive(Debug, PartialEq, Eq)]
pub enum OriginDecision {
    /// No `Origin` header: not a browser (curl, a server-side SDK, a test).
    NoOrigin,
    /// A browser origin that may write events of the site; reflect it in CORS.
    Allowed(String),
    /// This origin may not write events of the site.
    Denied,
}

#[derive(Debug, Clone, Default)]
pub struct OriginPolicy {
    /// site -> normalized origins, from `--allow`.
    allow: BTreeMap<String, Vec<String>>,
}

impl OriginPolicy {
    /// `allow` must hold normalized origins (the config parser normalizes them).
    pub fn new(allow: BTreeMap<String, Vec<String>>) -> Self {
        OriginPolicy { allow }
    }

    /// Decides whether events of `site` may be written by a request with this `origin`.
    /// `host` is the request's Host header: the collector's own pages (the demo
    /// page, same-origin sites) are always allowed.
    pub fn decide(&self, origin: Option<&str>, host: Option<&str>, site: &str) -> OriginDecision {
        let Some(raw) = origin else {
            return OriginDecision::NoOrigin;
        };
        // An origin we cannot parse (e.g. the opaque "null" of sandboxed
        // frames) matches nothing but is still a browser: it gets denied.
        let norm = normalize_origin(raw);
        if let Some(o) = &norm {
            if is_own_origin(o, host) {
                return OriginDecision::Allowed(raw.to_string());
            }
        }
        match (&norm, self.allow.get(site)) {
            (Some(o), Some(list)) if list.iter().any(|a| a == o) => OriginDecision::Allowed(raw.to_string()),
            _ => OriginDecision::Denied,
        }
    }

    /// True if the origin could write for at least one site. Used where the
    /// sites are not known yet (preflight, answers to unparsable bodies).
    pub fn is_known(&self, origin: &str, host: Option<&str>) -> bool {
        let Some(o) = normalize_origin(origin) else {
            return false;
        };
        is_own_origin(&o, host) || self.allow.values().any(|list| list.contains(&o))
    }
}

/// The collector's own origin, as a browser would send it for a page it served.
/// We do not terminate TLS ourselves, but a TLS proxy in front keeps the Host
/// header, so `https://` + Host is the same server.
fn is_own_origin(norm_origin: &str, host: Option<&str>) -> bool {
    let Some(host) = host else { return false };
    ["http://", "https://"]
        .iter()
        .filter_map(|scheme| normalize_origin(&format!("{scheme}{host}")))
        .any(|own| own == norm_origin)
}

/// Whether `s` is an origin written as a browser writes one in its `Origin` header: `http` or
/// `https`, `://`, a host of ASCII letters, digits, `-` and `.` or an IPv6 address in brackets,
/// an optional `:port` (0-65535), and nothing else (no path, no `/`, no space, no `;`, quote or
/// backtick). Only such an origin is named in the log's `--allow` hint (which an operator pastes
/// into a shell) and accepted by `--allow`: a browser never sends another.
pub fn is_web_origin(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else { return false };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return false;
    }
    let (host_ok, port) = match rest.strip_prefix('[') {
        Some(r) => match r.split_once(']') {
            Some((v6, after)) => (v6.parse::<std::net::Ipv6Addr>().is_ok(), after),
            None => return false,
        },
        None => {
            let end = rest.find(':').unwrap_or(rest.len());
            let host = &rest[..end];
            (
                !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'),
                &rest[end..],
            )
        }
    };
    host_ok
        && (port.is_empty()
            || port
                .strip_prefix(':')
                .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<u16>().is_ok()))
}

/// Canonical form of an origin: lowercase `scheme://host[:port]`, no trailing
/// slash, default port dropped (browsers never send `:443` for https).
/// Returns None for anything that is not an http(s) origin.
pub fn normalize_origin(s: &str) -> Option<String> {
    let s = s.trim().strip_suffix('/').unwrap_or(s.trim());
    let lower = s.to_ascii_lowercase();
    let (scheme, rest) = lower.split_once("://")?;
    let default_port: u16 = match scheme {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    if rest.is_empty()
        || rest.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '/' | '?' | '#' | '@' | '\\'))
    {
        return None;
    }
    // Split off a port, minding IPv6 literals like [::1]:8080.
    let (host, port) = match rest.rfind(':') {
        Some(i) if !rest[i..].contains(']') => (&rest[..i], Some(&rest[i + 1..])),
        _ => (rest, None),
    };
    if host.is_empty() {
        return None;
    }
    // A port is 0-65535 (`:99999` was taken by `--allow`, and matched no browser's origin).
    // Digits only: `u16`'s parser would also take a leading `+`.
    let port = match port {
        None => None,
        Some(p) if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) => return None,
        Some(p) => Some(p.parse::<u16>().ok()?),
    };
    match port {
        Some(p) if p != default_port => Some(format!("{scheme}://{host}:{p}")),
        _ => Some(format!("{scheme}://{host}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> OriginPolicy {
        let mut m = BTreeMap::new();
        m.insert("shop".to_string(), vec!["https://shop.example".to_string()]);
        m.insert("blog".to_string(), vec!["https://blog.example".to_string()]);
        OriginPolicy::new(m)
    }

    #[test]
    fn normalize() {
        assert_eq!(normalize_origin("HTTPS://Shop.Example/").as_deref(), Some("https://shop.example"));
        assert_eq!(normalize_origin("https://a.example:443").as_deref(), Some("https://a.example"));
        assert_eq!(normalize_origin("http://a:8080").as_deref(), Some("http://a:8080"));
        assert_eq!(normalize_origin("http://[::1]:8080").as_deref(), Some("http://[::1]:8080"));
        assert_eq!(normalize_origin("http://[::1]").as_deref(), Some("http://[::1]"));
        // (Leading zeros are the same port, as a browser writes it.)
        assert_eq!(normalize_origin("http://a:08080").as_deref(), Some("http://a:8080"));
        assert_eq!(normalize_origin("https://a:65535").as_deref(), Some("https://a:65535"));
        for bad in [
            "null",
            "",
            "ftp://a",
            "https://",
            "https://a/b",
            "https://u@a",
            "http://a:x",
            "http://:80",
            "https://shop.example:99999",
            "https://a:65536",
            "https://a:+80",
            "https://a:",
        ] {
            assert_eq!(normalize_origin(bad), None, "{bad}");
        }
    }

    #[test]
    fn web_origins() {
        for good in [
            "https://shop.example",
            "http://localhost:3000",
            "HTTPS://Shop.Example",
            "http://127.0.0.1:8080",
            "http://[::1]:8080",
            "http://[::ffff:127.0.0.1]",
            "https://xn--bcher-kva.example",
            "https://a:08080",
        ] {
            assert!(is_web_origin(good), "{good}");
        }
        for bad in [
            "https://x.example;id>pwned;",
            "https://x`id`.example",
            "https://$(id).example",
            "https://x.example'",
            "https://x\u{202e}elpmaxe.example",
            "https://bücher.example",
            "https://a_b.example",
            "https://shop.example/",
            "https://shop.example/path",
            " https://shop.example",
            "https://shop.example ",
            "https://",
            "https://:80",
            "https://a:",
            "https://a:+80",
            "https://a:65536",
            "https://a:80:80",
            "https://u@a",
            "http://[::1",
            "http://[nope]",
            "http://[::1]x",
            "http://[::1%eth0]",
            "ftp://a",
            "null",
            "",
        ] {
            assert!(!is_web_origin(bad), "{bad}");
        }
    }

    #[test]
    fn decisions() {
        let p = policy();
        let host = Some("127.0.0.1:8080");
        assert_eq!(p.decide(None, host, "shop"), OriginDecision::NoOrigin);
        assert_eq!(
            p.decide(Some("http://127.0.0.1:8080"), host, "anything"),
            OriginDecision::Allowed("http://127.0.0.1:8080".into())
        );
        assert_eq!(
            p.decide(Some("https://shop.example"), host, "shop"),
            OriginDecision::Allowed("https://shop.example".into())
        );
        // Allowed for one site is not allowed for another.
        assert_eq!(p.decide(Some("https://shop.example"), host, "blog"), OriginDecision::Denied);
        assert_eq!(p.decide(Some("https://evil.example"), host, "shop"), OriginDecision::Denied);
        assert_eq!(p.decide(Some("null"), host, "shop"), OriginDecision::Denied);
        // Without a Host header there is no "own" origin.
        assert_eq!(p.decide(Some("http://127.0.0.1:8080"), None, "shop"), OriginDecision::Denied);
    }

    #[test]
    fn known() {
        let p = policy();
        assert!(p.is_known("https://blog.example", None));
        assert!(p.is_known("http://localhost:1", Some("LOCALHOST:1")));
        assert!(!p.is_known("https://evil.example", Some("localhost:1")));
        assert!(!p.is_known("null", Some("localhost:1")));
    }
}
