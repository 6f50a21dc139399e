//! `--trusted-proxy ADDR` (repeatable): the reverse proxies in front of the collector whose
//! `X-Forwarded-For` is believed. Behind a proxy every request comes from the proxy's address,
//! so `--rate-limit` and `--read-rate-limit` counted all clients as one. For a request whose peer
//! is a trusted proxy, the client is the rightmost address of `X-Forwarded-For` that is not a
//! trusted proxy itself (what each proxy appended, read from the nearest; the left part is what
//! the client wrote, and a client can write anything there). A connection carries no such
//! header, so `--max-connections-per-ip` cannot tell clients apart on one from a proxy: a
//! trusted proxy's connections are left out of that cap (the proxy's own limits apply there).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};

/// An address or a network (`10.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    pub fn parse(s: &str) -> Result<Net, String> {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = a
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .map_err(|_| format!("{s:?} is not an IP address or a network like 10.0.0.0/8"))?;
        let addr = addr.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            None => max,
            Some(p) => p.parse::<u8>().ok().filter(|n| *n <= max).ok_or_else(|| format!("{s:?}: bad prefix length"))?,
        };
        Ok(Net { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(n), IpAddr::V4(i)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(n) & mask == u32::from(i) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(i)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(n) & mask == u128::from(i) & mask
            }
            _ => false,
        }
    }
}

/// The trusted proxies (none: `X-Forwarded-For` is never read).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<[Net]>);

impl TrustedProxies {
    pub fn new(nets: Vec<Net>) -> Self {
        TrustedProxies(nets.into())
    }

    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client's address for a request from `peer` with `headers`: `peer` itself unless it
    /// is a trusted proxy; then the rightmost address of `X-Forwarded-For` (all its lines, in
    /// order) that is not trusted; all of them trusted, the leftmost. An entry that is no
    /// address (`unknown`, garbage) ends the walk: the address that reported it is taken.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let mut client = peer;
        let lines: Vec<&[u8]> = headers.get_all("x-forwarded-for").iter().map(|v| v.as_bytes()).collect();
        for entry in lines.iter().rev().flat_map(|l| l.rsplit(|&b| b == b',')) {
            let Some(ip) = std::str::from_utf8(entry).ok().and_then(|e| parse_entry(e.trim())) else {
                return client;
            };
            client = ip;
            if !self.trusts(ip) {
                return ip;
            }
        }
        client
    }

    /// [`Self::client`] for a request as axum has it (its `ConnectInfo`; without one, a router
    /// used in-process, all callers are `0.0.0.0`).
    pub fn client_of(&self, ext: &Extensions, headers: &HeaderMap) -> IpAddr {
        let peer = ext.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        if self.0.is_empty() {
            return peer;
        }
        self.client(peer, headers)
    }
}

/// `1.2.3.4`, `1.2.3.4:5678`, `::1`, `[::1]:80`.
fn parse_entry(e: &str) -> Option<IpAddr> {
    let ip = e
        .parse::<IpAddr>()
        .ok()
        .or_else(|| e.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| e.strip_prefix('[').and_then(|r| r.strip_suffix(']')).and_then(|a| a.parse::<IpAddr>().ok()))?;
    Some(ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_parse_and_match() {
        let n = Net::parse("10.0.0.0/8").unwrap();
        assert!(n.contains(ip("10.1.2.3")) && !n.contains(ip("11.0.0.1")));
        assert!(n.contains(ip("::ffff:10.9.9.9")), "a v4-mapped peer (listening on [::])");
        assert!(Net::parse("192.0.2.7").unwrap().contains(ip("192.0.2.7")));
        assert!(!Net::parse("192.0.2.7").unwrap().contains(ip("192.0.2.8")));
        assert!(Net::parse("fd00::/8").unwrap().contains(ip("fd12::1")));
        assert!(Net::parse("0.0.0.0/0").unwrap().contains(ip("203.0.113.1")));
        assert!(Net::parse("[::1]").unwrap().contains(ip("::1")));
        for bad in ["", "proxy.local", "10.0.0.0/33", "::/129", "10.0.0.0/x"] {
            assert!(Net::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_client_is_the_rightmost_untrusted_forwarded_address() {
        let t = TrustedProxies::new(vec![Net::parse("10.0.0.0/8").unwrap(), Net::parse("::1").unwrap()]);
        let headers = |lines: &[&str]| {
            let mut h = HeaderMap::new();
            for l in lines {
                h.append("x-forwarded-for", HeaderValue::from_str(l).unwrap());
            }
            h
        };
        let proxy = ip("10.0.0.2");
        // From a trusted proxy: the address it appended.
        assert_eq!(t.client(proxy, &headers(&["203.0.113.9"])), ip("203.0.113.9"));
        // What the client wrote itself (left) is not believed; proxies of ours (right) skipped.
        assert_eq!(t.client(proxy, &headers(&["1.1.1.1, 203.0.113.9, 10.0.0.7"])), ip("203.0.113.9"));
        assert_eq!(t.client(proxy, &headers(&["1.1.1.1", "203.0.113.9:4431, 10.0.0.7"])), ip("203.0.113.9"));
        assert_eq!(t.client(ip("::1"), &headers(&["[2001:db8::5]:443"])), ip("2001:db8::5"));
        // No header: the proxy. All trusted: the leftmost. Garbage: the hop that reported it.
        assert_eq!(t.client(proxy, &HeaderMap::new()), proxy);
        assert_eq!(t.client(proxy, &headers(&["10.0.0.9, 10.0.0.8"])), ip("10.0.0.9"));
        assert_eq!(t.client(proxy, &headers(&["203.0.113.9, unknown, 10.0.0.8"])), ip("10.0.0.8"));
        assert_eq!(t.client(proxy, &headers(&["unknown"])), proxy);
        // From anyone else the header is ignored.
        assert_eq!(t.client(ip("198.51.100.1"), &headers(&["203.0.113.9"])), ip("198.51.100.1"));
        assert_eq!(TrustedProxies::default().client(proxy, &headers(&["203.0.113.9"])), proxy);
    }
}
