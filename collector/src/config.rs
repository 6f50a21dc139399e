//! Command-line options, parsed by hand: the handful of flags does not justify
//! compiling clap on a 2-core machine.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use std::time::Duration;

use crate::limits::HttpLimits;
use crate::origin::{is_web_origin, normalize_origin};
use crate::store::Sync;
use crate::validate::is_site_id;

pub const USAGE: &str = "\
usage: touchpoint-collector [options]

  --host H              address to listen on (default 127.0.0.1)
  --port P              port to listen on, 0 = any free port (default 8080)
  --db PATH             SQLite database file, or :memory: (default .tp-data/touchpoint.sqlite)
  --www DIR             static files served at / (default www)
  --sdk DIR             built SDK served at /touchpoint/ (default dist)
  --allow SITE=ORIGIN   also accept batches for SITE posted from ORIGIN (repeatable)
  --rate-limit N        at most N batch requests per client IP per second (default: off)
  --max-connections N   open connections at most, lowered to fit `ulimit -n` (default 1024)
  --header-timeout S    seconds to send a request head, counted from the connection's start
                        or its previous answer: also the idle keep-alive timeout (default 10)
  --body-timeout S      seconds to wait for the next piece of a request body (default 10)
  --request-timeout S   seconds for a whole batch request, body included, else 408 (default 30)
  --write-timeout S     seconds an answer may wait for the client to read on, else the
                        connection is closed (default 30)
  --max-connections-per-ip N
                        open connections from one client address at most, more are closed
                        at once (default 0: no cap; behind a proxy all clients share one)
  --merge-at N          new message ids kept in memory before they are merged into the
                        deduplication table (default 100000, about 80 bytes each)
  --sync full|normal    full: every commit is fsynced, an acknowledged batch survives a power
                        cut (default); normal: it survives the collector crashing, not the machine
  --read-token T        token required for reads (/api/*, /inspector); `generate` makes one
                        at start. Also TOUCHPOINT_READ_TOKEN. Without one, reads are open on a
                        loopback --host without --public-name, and a token is generated
                        otherwise; without a token, reads through a proxy are refused
  --public-name NAME    a host name readers use to reach this collector (repeatable); loopback
                        names are always accepted
  --read-rate-limit N   at most N reads per client IP per second (default 50)
  --trusted-proxy ADDR  a reverse proxy (address or network, repeatable) whose X-Forwarded-For
                        names the client for the rate limits; its connections are not counted
                        by --max-connections-per-ip
  --admin-token T       token that POST /admin/export and /admin/erase need (Authorization:
                        Bearer T); also TOUCHPOINT_ADMIN_TOKEN. Without one, they are off
  --retention-days N    erase sessions whose last event is older than N days, at start and
                        every hour (default 0: keep everything)
  --inspector DIR       the inspector's files (default collector/inspector)
  --uplot DIR           uPlot's dist directory (default node_modules/uplot/dist)
  -h, --help            print this help
  -V, --version         print the version
";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub host: String,
    pub port: u16,
    pub db: String,
    pub www: PathBuf,
    pub sdk: PathBuf,
    /// site -> origins (normalized, see `origin::normalize_origin`) allowed to post for it.
    pub allow: BTreeMap<String, Vec<String>>,
    pub rate_limit: Option<u32>,
    pub http: HttpLimits,
    pub merge_at: usize,
    pub sync: Sync,
    /// `--read-token` as given (`generate` included); see [`Config::resolve_read_token`].
    pub read_token: Option<String>,
    pub public_names: Vec<String>,
    pub read_rate_limit: u32,
    /// `--admin-token` (else `TOUCHPOINT_ADMIN_TOKEN`, read by the caller): erasure over HTTP.
    pub admin_token: Option<String>,
    /// `--retention-days` (0: off).
    pub retention_days: u32,
    pub inspector: PathBuf,
    pub uplot: PathBuf,
    /// `--trusted-proxy` (repeatable): see `proxy.rs`.
    pub trusted_proxies: Vec<crate::proxy::Net>,
}

pub const DEFAULT_INSPECTOR_DIR: &str = "collector/inspector";
pub const DEFAULT_UPLOT_DIR: &str = "node_modules/uplot/dist";
/// Environment variable for the read token.
pub const READ_TOKEN_ENV: &str = "TOUCHPOINT_READ_TOKEN";
/// Environment variable for the admin token.
pub const ADMIN_TOKEN_ENV: &str = "TOUCHPOINT_ADMIN_TOKEN";

impl Config {
    /// `host` as the socket is bound to it: an IPv6 address written as in a URL, `[::1]`, without
    /// its brackets (with them it was taken for a host name to resolve, and the bind failed).
    pub fn bind_host(&self) -> &str {
        self.host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(&self.host)
    }

    /// The read token in force: `--read-token` (`generate`: a new random one), else `env`
    /// (`TOUCHPOINT_READ_TOKEN`), else none when listening on a loopback address with no
    /// `--public-name`, else a new random one. Returns (token, whether it was generated).
    pub fn resolve_read_token(&self, env: Option<String>) -> (Option<String>, bool) {
        match self.read_token.clone().or(env.filter(|t| !t.is_empty())) {
            Some(t) if t == "generate" => (Some(random_token()), true),
            Some(t) => (Some(t), false),
            // (A public name is for readers on other machines, through a proxy to the loopback
            // address: without a token every event would be theirs to read, anyone's.)
            None if is_loopback_host(&self.host) && self.public_names.is_empty() => (None, false),
            None => (Some(random_token()), true),
        }
    }
}

/// `localhost` or a loopback IP address.
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost") || h.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// 128 random bits as 32 hex digits, from the kernel.
pub fn random_token() -> String {
    let mut buf = [0u8; 16];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        let _ = std::io::Read::read_exact(&mut f, &mut buf);
    }
    if buf == [0u8; 16] {
        // No /dev/urandom: the hasher's per-process random keys, and the time.
        use std::hash::{BuildHasher, Hasher};
        for (i, chunk) in buf.chunks_mut(8).enumerate() {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_usize(i);
            h.write_u128(
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()),
            );
            chunk.copy_from_slice(&h.finish().to_le_bytes());
        }
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: "127.0.0.1".into(),
            port: 8080,
            db: ".tp-data/touchpoint.sqlite".into(),
            www: PathBuf::from("www"),
            sdk: PathBuf::from("dist"),
            allow: BTreeMap::new(),
            rate_limit: None,
            http: HttpLimits::default(),
            merge_at: crate::store::Tuning::default().merge_at,
            sync: Sync::Full,
            read_token: None,
            public_names: Vec::new(),
            read_rate_limit: crate::api::DEFAULT_READ_RATE,
            admin_token: None,
            retention_days: 0,
            inspector: PathBuf::from(DEFAULT_INSPECTOR_DIR),
            uplot: PathBuf::from(DEFAULT_UPLOT_DIR),
            trusted_proxies: Vec::new(),
        }
    }
}

/// What the command line asked for: run, or just print the help.
// Made once at start: the size of `Run` does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Run(Config),
    Help,
    /// `--version`: the collector's name and version (which schema it writes is in the README's
    /// upgrade notes), for an operator's inventory and bug reports.
    Version,
}

/// A bad command line. The message always names the offending option so the
/// user can fix it without reading the source.
#[derive(Debug, PartialEq, Eq)]
pub struct ArgError(pub String);

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ArgError {}

/// An admin token must be long enough not to be guessed by trying (it can delete data).
pub fn check_admin_token(t: &str) -> Result<(), ArgError> {
    if t.len() < 16 || !t.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ArgError("--admin-token: at least 16 printable characters, no spaces".into()));
    }
    Ok(())
}

/// A read token travels in a cookie (`tp_read=<token>`, set from `?token=`): no `;` or space,
/// which would end or split it there, and long enough not to be guessed.
pub fn check_read_token(t: &str) -> Result<(), ArgError> {
    if t.len() < 8 || t.len() > 256 || !t.bytes().all(|b| b.is_ascii_graphic() && b != b';') {
        return Err(ArgError(
            "--read-token: expected 8-256 printable characters without spaces or ';' (or `generate`)".into(),
        ));
    }
    Ok(())
}

/// Parses the arguments after the program name. Accepts `--opt value` and `--opt=value`.
pub fn parse_args<I, S>(args: I) -> Result<Command, ArgError>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut cfg = Config::default();
    let mut it = args.into_iter().map(Into::into);
    while let Some(arg) = it.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(Command::Help);
        }
        if arg == "-V" || arg == "--version" {
            return Ok(Command::Version);
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if !matches!(
            name.as_str(),
            "--host"
                | "--port"
                | "--db"
                | "--www"
                | "--sdk"
                | "--allow"
                | "--rate-limit"
                | "--max-connections"
                | "--header-timeout"
                | "--body-timeout"
                | "--request-timeout"
                | "--write-timeout"
                | "--max-connections-per-ip"
                | "--merge-at"
                | "--sync"
                | "--read-token"
                | "--public-name"
                | "--read-rate-limit"
                | "--inspector"
                | "--uplot"
                | "--admin-token"
                | "--retention-days"
                | "--trusted-proxy"
        ) {
            return Err(ArgError(format!("unknown option {arg:?} (try --help)")));
        }
        // The next argument is the value, unless it is an option itself (`--db --help` made a
        // database named `--help` and started serving); `--db=--odd` still gives such a value.
        let value = match inline {
            Some(v) => v,
            None => match it.next() {
                Some(v) if v.starts_with("--") => {
                    return Err(ArgError(format!("{name} needs a value, not the option {v} (or write {name}={v})")))
                }
                Some(v) => v,
                None => return Err(ArgError(format!("{name} needs a value"))),
            },
        };
        match name.as_str() {
            "--host" => {
                if value.is_empty() {
                    return Err(ArgError("--host must not be empty".into()));
                }
                // Brackets only around an IPv6 address (see `Config::bind_host`): said now, not
                // as a failed name lookup at the bind.
                if value.contains(['[', ']']) {
                    let inner = value.strip_prefix('[').and_then(|h| h.strip_suffix(']'));
                    // (A zone, `[fe80::1%eth0]`, is left to the bind to resolve.)
                    let addr = inner.map(|h| h.split_once('%').map_or(h, |(a, _)| a));
                    if addr.is_none_or(|a| a.parse::<std::net::Ipv6Addr>().is_err()) {
                        return Err(ArgError(format!(
                            "--host: {value:?}: brackets go around an IPv6 address only, like [::1] (the port is --port)"
                        )));
                    }
                }
                cfg.host = value;
            }
            "--port" => {
                cfg.port =
                    value.parse().map_err(|_| ArgError(format!("--port: {value:?} is not a port number (0-65535)")))?;
            }
            "--db" => {
                if value.is_empty() {
                    return Err(ArgError("--db must not be empty".into()));
                }
                cfg.db = value;
            }
            "--www" => cfg.www = PathBuf::from(value),
            "--admin-token" => {
                check_admin_token(&value)?;
                cfg.admin_token = Some(value);
            }
            "--retention-days" => {
                cfg.retention_days =
                    value.parse().ok().filter(|n| *n <= 100_000).ok_or_else(|| {
                        ArgError(format!("--retention-days: {value:?} is not a number of days (0: off)"))
                    })?;
            }
            "--sdk" => cfg.sdk = PathBuf::from(value),
            "--allow" => {
                let (site, origin) = parse_allow(&value)?;
                let origins = cfg.allow.entry(site).or_default();
                if !origins.contains(&origin) {
                    origins.push(origin);
                }
            }
            "--rate-limit" => {
                let n: u32 = value
                    .parse()
                    .map_err(|_| ArgError(format!("--rate-limit: {value:?} is not a positive integer")))?;
                if n == 0 {
                    return Err(ArgError("--rate-limit must be at least 1 (omit it to disable)".into()));
                }
                cfg.rate_limit = Some(n);
            }
            "--max-connections" => {
                cfg.http.max_connections = value
                    .parse()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| ArgError(format!("--max-connections: {value:?} is not a positive integer")))?;
            }
            "--header-timeout" => cfg.http.header_timeout = parse_secs(&name, &value)?,
            "--body-timeout" => cfg.http.body_timeout = parse_secs(&name, &value)?,
            "--request-timeout" => cfg.http.request_timeout = parse_secs(&name, &value)?,
            "--write-timeout" => cfg.http.write_timeout = parse_secs(&name, &value)?,
            "--max-connections-per-ip" => {
                cfg.http.max_per_ip = value.parse().map_err(|_| {
                    ArgError(format!("--max-connections-per-ip: {value:?} is not a non-negative integer"))
                })?;
            }
            "--sync" => {
                cfg.sync = match value.to_ascii_lowercase().as_str() {
                    "full" => Sync::Full,
                    "normal" => Sync::Normal,
                    _ => return Err(ArgError(format!("--sync: {value:?} is not full or normal"))),
                }
            }
            "--merge-at" => {
                cfg.merge_at = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=10_000_000).contains(n))
                    .ok_or_else(|| ArgError(format!("--merge-at: {value:?} is not an integer 1..=10000000")))?;
            }
            "--read-token" => {
                check_read_token(&value)?;
                cfg.read_token = Some(value);
            }
            "--trusted-proxy" => {
                cfg.trusted_proxies
                    .push(crate::proxy::Net::parse(&value).map_err(|e| ArgError(format!("--trusted-proxy: {e}")))?);
            }
            "--public-name" => {
                let ok = !value.is_empty()
                    && value.len() <= 253
                    && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
                if !ok {
                    return Err(ArgError(format!("--public-name: {value:?} is not a host name like shop.example")));
                }
                cfg.public_names.push(value.to_ascii_lowercase());
            }
            "--read-rate-limit" => {
                cfg.read_rate_limit = value
                    .parse()
                    .ok()
                    .filter(|n| *n >= 1)
                    .ok_or_else(|| ArgError(format!("--read-rate-limit: {value:?} is not a positive integer")))?;
            }
            "--inspector" => cfg.inspector = PathBuf::from(value),
            "--uplot" => cfg.uplot = PathBuf::from(value),
            _ => unreachable!("option names were checked above"),
        }
    }
    Ok(Command::Run(cfg))
}

/// Seconds, fractions allowed (`0.5`), from 1 ms to one hour.
fn parse_secs(name: &str, value: &str) -> Result<Duration, ArgError> {
    value
        .parse::<f64>()
        .ok()
        .filter(|s| (0.001..=3600.0).contains(s))
        .map(Duration::from_secs_f64)
        .ok_or_else(|| ArgError(format!("{name}: {value:?} is not a number of seconds between 0.001 and 3600")))
}

fn parse_allow(value: &str) -> Result<(String, String), ArgError> {
    let Some((site, origin)) = value.split_once('=') else {
        return Err(ArgError(format!("--allow: expected SITE=ORIGIN, got {value:?}")));
    };
    if !is_site_id(site) {
        return Err(ArgError(format!("--allow: site {site:?} must be 1..=64 characters of A-Za-z0-9._-")));
    }
    // A browser sends a host name in another script in its ASCII form (bücher.example is
    // xn--bcher-kva.example): as written it would never match, and the collector would start
    // without a word (the operator's QA). Said at start, with the form to write.
    if !origin.is_ascii() {
        return Err(ArgError(format!(
            "--allow: {origin:?}: write a host name in another script in its ASCII form (xn--...), as browsers send it"
        )));
    }
    // Only an origin as a browser writes it (a trailing `/`, as a URL copied from the address
    // bar has it, is let go: it is not part of the origin): anything else could never match a
    // request, and the hint in the log, which names origins an operator may pass here, names
    // no other.
    let origin = normalize_origin(origin)
        .filter(|_| is_web_origin(origin.strip_suffix('/').unwrap_or(origin)))
        .ok_or_else(|| {
            ArgError(format!(
                "--allow: {origin:?} is not an origin like https://shop.example or http://localhost:3000 \
                 (http or https, ://, a host of letters, digits, - and . or an IPv6 address in brackets, \
                 an optional :port, and nothing else)"
            ))
        })?;
    Ok((site.to_string(), origin))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Config, ArgError> {
        match parse_args(args.iter().copied())? {
            Command::Run(c) => Ok(c),
            Command::Help | Command::Version => panic!("unexpected help or version"),
        }
    }

    #[test]
    fn defaults() {
        let c = run(&[]).unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.port, 8080);
        assert_eq!(c.db, ".tp-data/touchpoint.sqlite");
        assert_eq!(c.rate_limit, None);
    }

    /// `--db --help` made a database named `--help` and started serving.
    #[test]
    fn an_option_is_not_taken_for_the_value_of_the_one_before() {
        let e = run(&["--db", "--help"]).unwrap_err().to_string();
        assert!(e.contains("--db needs a value, not the option --help"), "{e}");
        assert_eq!(run(&["--db=--odd"]).unwrap().db, "--odd");
        assert!(check_read_token("a;bcdefgh").is_err() && check_read_token("short").is_err());
        assert!(check_read_token("long-enough-token").is_ok());
        let mut c = Config::default();
        assert_eq!(c.resolve_read_token(None), (None, false), "loopback: open reads");
        c.public_names.push("insights.shop.example".into());
        let (token, generated) = c.resolve_read_token(None);
        assert!(token.is_some() && generated, "a public name: readers elsewhere, a token made");
    }

    #[test]
    fn trusted_proxies_are_repeatable_addresses_or_networks() {
        let c = run(&["--trusted-proxy", "10.0.0.0/8", "--trusted-proxy=::1"]).unwrap();
        assert_eq!(
            c.trusted_proxies,
            [crate::proxy::Net::parse("10.0.0.0/8").unwrap(), crate::proxy::Net::parse("::1").unwrap()]
        );
        let e = run(&["--trusted-proxy", "proxy.local"]).unwrap_err().to_string();
        assert!(e.starts_with("--trusted-proxy: \"proxy.local\" is not an IP address"), "{e}");
    }

    #[test]
    fn all_options_both_spellings() {
        let c = run(&[
            "--host",
            "0.0.0.0",
            "--port=0",
            "--db",
            ":memory:",
            "--www",
            "w",
            "--sdk=d",
            "--allow",
            "shop=https://Shop.Example/",
            "--allow=shop=http://localhost:3000",
            "--rate-limit",
            "5",
            "--max-connections=7",
            "--header-timeout",
            "0.5",
            "--body-timeout=2",
            "--request-timeout",
            "3",
            "--write-timeout=4",
            "--max-connections-per-ip=3",
            "--merge-at=50",
            "--sync",
            "normal",
            "--admin-token",
            "0123456789abcdef",
            "--retention-days=395",
        ])
        .unwrap();
        assert_eq!(c.admin_token.as_deref(), Some("0123456789abcdef"));
        assert_eq!(c.retention_days, 395);
        assert_eq!(c.merge_at, 50);
        assert_eq!(c.sync, Sync::Normal);
        assert_eq!(
            c.http,
            HttpLimits {
                header_timeout: Duration::from_millis(500),
                body_timeout: Duration::from_secs(2),
                request_timeout: Duration::from_secs(3),
                max_connections: 7,
                write_timeout: Duration::from_secs(4),
                max_per_ip: 3,
            }
        );
        assert_eq!(c.host, "0.0.0.0");
        assert_eq!(c.port, 0);
        assert_eq!(c.db, ":memory:");
        assert_eq!(c.www, PathBuf::from("w"));
        assert_eq!(c.sdk, PathBuf::from("d"));
        assert_eq!(c.allow["shop"], vec!["https://shop.example".to_string(), "http://localhost:3000".to_string()]);
        assert_eq!(c.rate_limit, Some(5));
    }

    #[test]
    fn errors_name_the_option() {
        for (args, needle) in [
            (&["--port", "x"][..], "--port"),
            (&["--port", "70000"][..], "--port"),
            (&["--port"][..], "--port"),
            (&["--rate-limit", "0"][..], "--rate-limit"),
            (&["--rate-limit", "-3"][..], "--rate-limit"),
            (&["--allow", "shop"][..], "--allow"),
            (&["--allow", "shop=not an origin"][..], "--allow"),
            (&["--allow", "=https://a.example"][..], "--allow"),
            (&["--bogus"][..], "--bogus"),
            (&["--db", ""][..], "--db"),
            (&["--allow", "sh op=https://a.example"][..], "--allow"),
            (&["--allow", "shop=https://bücher.example"][..], "xn--"),
            (&["--allow", "<b>=https://a.example"][..], "--allow"),
            (&["--allow", "shop=https://shop.example:99999"][..], "--allow"),
            // (Origins a browser never sends: a shell's metacharacters, a path, a space.)
            (&["--allow", "shop=https://x.example;id>pwned;"][..], "--allow"),
            (&["--allow", "shop=https://x`id`.example"][..], "--allow"),
            (&["--allow", "shop=https://a.example/shop"][..], "--allow"),
            (&["--allow", "shop= https://a.example"][..], "--allow"),
            (&["--allow", "shop=https://a_b.example"][..], "--allow"),
            (&["--allow", "shop=https://[nothost]"][..], "--allow"),
            (&["--max-connections", "0"][..], "--max-connections"),
            (&["--header-timeout", "0"][..], "--header-timeout"),
            (&["--body-timeout", "soon"][..], "--body-timeout"),
            (&["--request-timeout", "1e9"][..], "--request-timeout"),
            (&["--merge-at", "0"][..], "--merge-at"),
            (&["--admin-token", "short"][..], "--admin-token"),
            (&["--admin-token", "0123456789 abcdef"][..], "--admin-token"),
            (&["--retention-days", "-1"][..], "--retention-days"),
            (&["--retention-days", "a year"][..], "--retention-days"),
            (&["--sync", "off"][..], "--sync"),
        ] {
            let err = run(args).unwrap_err();
            assert!(err.0.contains(needle), "{args:?}: {err}");
        }
    }

    /// An IPv6 address as in a URL, `[::1]`, is listened on without its brackets; a bracket
    /// that is not around an IPv6 address is refused at once, not at the bind.
    #[test]
    fn a_bracketed_ipv6_host() {
        let c = run(&["--host", "[::1]"]).unwrap();
        assert_eq!((c.host.as_str(), c.bind_host()), ("[::1]", "::1"));
        assert!(is_loopback_host(&c.host));
        assert_eq!(run(&["--host=::1"]).unwrap().bind_host(), "::1");
        assert_eq!(run(&["--host", "localhost"]).unwrap().bind_host(), "localhost");
        for bad in ["[::1", "::1]", "[nothost]", "[127.0.0.1]", "[::1]:8080", "[]"] {
            let err = run(&["--host", bad]).unwrap_err().0;
            assert!(err.contains("--host") && err.contains("IPv6"), "{bad}: {err}");
        }
    }

    #[test]
    fn help() {
        assert_eq!(parse_args(["--help"]).unwrap(), Command::Help);
        assert_eq!(parse_args(["--port", "1", "-h"]).unwrap(), Command::Help);
        assert_eq!(parse_args(["--version"]).unwrap(), Command::Version);
        assert_eq!(parse_args(["--db", "x", "-V"]).unwrap(), Command::Version);
    }
}
