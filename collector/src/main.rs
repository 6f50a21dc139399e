//! Binary entry point: parse args, bind, open the store, announce, serve.

use std::io::Write;
use std::process::ExitCode;

use touchpoint_collector::config::{parse_args, Command, USAGE};
use touchpoint_collector::limits::{connection_cap, tune_allocator};
use touchpoint_collector::{build_app, serve_trusting};

fn main() -> ExitCode {
    tune_allocator();
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt.block_on(run()),
        Err(e) => {
            eprintln!("touchpoint-collector: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    let mut cfg = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Run(cfg)) => cfg,
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("touchpoint-collector {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("touchpoint-collector: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (cap, soft_limit) = connection_cap(cfg.http.max_connections);
    if let Some(soft) = soft_limit {
        eprintln!(
            "touchpoint-collector: --max-connections {} lowered to {cap} to fit the open file limit ({soft})",
            cfg.http.max_connections
        );
    }
    cfg.http.max_connections = cap;
    if cfg.admin_token.is_none() {
        cfg.admin_token = std::env::var(touchpoint_collector::config::ADMIN_TOKEN_ENV).ok().filter(|t| !t.is_empty());
        if let Some(Err(e)) = cfg.admin_token.as_deref().map(touchpoint_collector::config::check_admin_token) {
            eprintln!("touchpoint-collector: {}: {e}", touchpoint_collector::config::ADMIN_TOKEN_ENV);
            return ExitCode::from(2);
        }
    }
    // Served directories that are not there: said at start (the defaults are relative to the
    // current directory: started from elsewhere, the SDK and the inspector were silent 404s).
    for (flag, dir, what) in [
        ("--www", &cfg.www, "the demo shop"),
        ("--sdk", &cfg.sdk, "the SDK (/touchpoint/)"),
        ("--inspector", &cfg.inspector, "the inspector"),
        ("--uplot", &cfg.uplot, "the inspector's charts"),
    ] {
        if !dir.is_dir() {
            eprintln!("touchpoint-collector: {flag} {}: no such directory; {what} will answer 404", dir.display());
        }
    }
    // An empty token variable is taken as unset, and said: a deployment's
    // `TOUCHPOINT_READ_TOKEN=$SECRET` with the secret missing left reads open on a loopback
    // address (where `--read-token ''` is refused) without a word.
    for var in [touchpoint_collector::config::READ_TOKEN_ENV, touchpoint_collector::config::ADMIN_TOKEN_ENV] {
        if std::env::var_os(var).is_some_and(|v| v.is_empty()) {
            eprintln!("touchpoint-collector: {var} is set but empty: taken as unset");
        }
    }
    let env_token = std::env::var(touchpoint_collector::config::READ_TOKEN_ENV).ok().filter(|t| !t.is_empty());
    // (The variable is checked as the option is, `generate` aside: a token with a ';' was taken,
    // and its cookie never let the inspector in.)
    if cfg.read_token.is_none() {
        if let Some(Err(e)) =
            env_token.as_deref().filter(|t| *t != "generate").map(touchpoint_collector::config::check_read_token)
        {
            eprintln!("touchpoint-collector: {}: {e}", touchpoint_collector::config::READ_TOKEN_ENV);
            return ExitCode::from(2);
        }
    }
    let (read_token, generated) = cfg.resolve_read_token(env_token);
    // One token for both would let everyone who reads the inspector erase and export people's
    // data: the admin token is the operator's alone.
    if cfg.admin_token.is_some() && cfg.admin_token == read_token {
        eprintln!(
            "touchpoint-collector: --admin-token: must differ from the read token (every reader could erase data)"
        );
        return ExitCode::from(2);
    }
    // The port first: a port in use must not leave a database created, migrated or locked
    // behind. It is only bound here (taken, so a second collector stops at once); it listens once
    // the database is open: a migration can take minutes, and a connection made meanwhile was
    // left waiting in the backlog (a health check hung) where it is now refused.
    let socket = match reserve(cfg.bind_host(), cfg.port).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("touchpoint-collector: cannot listen on --host {} --port {}: {e}", cfg.host, cfg.port);
            return ExitCode::FAILURE;
        }
    };
    let app = match build_app(&cfg, read_token.clone()) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("touchpoint-collector: --db {}: {}", cfg.db, e.opening(&cfg.db));
            return ExitCode::FAILURE;
        }
    };
    let listener = match socket.listen(1024) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("touchpoint-collector: cannot listen on --host {} --port {}: {e}", cfg.host, cfg.port);
            return ExitCode::FAILURE;
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("touchpoint-collector: {e}");
            return ExitCode::FAILURE;
        }
    };
    let shutdown = shutdown_signal();
    // Tests and scripts parse this exact line to learn the port: keep it stable.
    println!("touchpoint-collector listening on http://{addr}");
    // The log's (stderr's) own, with the time, the version and the schema.
    eprintln!(
        "{} touchpoint-collector: touchpoint-collector {}, schema {}, listening on http://{addr}",
        touchpoint_collector::log::now(),
        env!("CARGO_PKG_VERSION"),
        touchpoint_collector::store::SCHEMA_VERSION
    );
    // Like Jupyter: the address to open, with the token when there is one to type.
    let shown = if addr.ip().is_unspecified() { format!("127.0.0.1:{}", addr.port()) } else { addr.to_string() };
    // (Written without println!: a caller that read only the first line may have closed the pipe.)
    let inspector = match (&read_token, generated) {
        (Some(t), true) => format!("http://{shown}/inspector?token={t}"),
        (Some(_), false) => format!("http://{shown}/inspector?token=<your read token>"),
        (None, _) => format!("http://{shown}/inspector (reads open: loopback address, no read token)"),
    };
    let _ = writeln!(std::io::stdout(), "touchpoint-collector inspector: {inspector}");
    let _ = std::io::stdout().flush();

    if let Err(e) = serve_trusting(
        listener,
        app,
        cfg.http,
        touchpoint_collector::proxy::TrustedProxies::new(cfg.trusted_proxies.clone()),
        shutdown,
    )
    .await
    {
        eprintln!("{} touchpoint-collector: server error: {e}", touchpoint_collector::log::now());
        return ExitCode::FAILURE;
    }
    eprintln!("{} touchpoint-collector: stopped", touchpoint_collector::log::now());
    ExitCode::SUCCESS
}

/// A socket bound to `host`:`port` (the first of its addresses that binds), not yet listening.
/// (`SO_REUSEADDR` as tokio's `TcpListener::bind` sets it: a restart is not refused for the
/// previous run's connections in TIME_WAIT; a port another process listens on still is.)
async fn reserve(host: &str, port: u16) -> std::io::Result<tokio::net::TcpSocket> {
    let mut last = None;
    for addr in tokio::net::lookup_host((host, port)).await? {
        let socket = if addr.is_ipv4() { tokio::net::TcpSocket::new_v4() } else { tokio::net::TcpSocket::new_v6() }?;
        #[cfg(unix)]
        socket.set_reuseaddr(true)?;
        match socket.bind(addr) {
            Ok(()) => return Ok(socket),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "no address to listen on")))
}

/// Ctrl-C, SIGTERM or SIGHUP: stop accepting, let in-flight batches finish (they are only
/// acknowledged after commit), then exit. SIGHUP (the terminal or the SSH session that started
/// the collector gone, or a `kill -HUP` meant as a reload) is a graceful stop too: it ended the
/// process at once (code 129). There is nothing to reload: restart the collector instead.
///
/// The handlers are installed when this is called (before the address is announced, so that a
/// signal sent by whoever read it is not the default's sudden end), not when it is first polled;
/// after the database is opened, so that a signal during a migration still ends it at once.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let streams = {
        use tokio::signal::unix::{signal, SignalKind};
        [("SIGINT", SignalKind::interrupt()), ("SIGTERM", SignalKind::terminate()), ("SIGHUP", SignalKind::hangup())]
            .map(|(name, kind)| (name, signal(kind).ok()))
    };
    async move {
        #[cfg(unix)]
        let which = {
            let [(a, mut sa), (b, mut sb), (c, mut sc)] = streams;
            async fn recv(s: &mut Option<tokio::signal::unix::Signal>) {
                match s {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                _ = recv(&mut sa) => a,
                _ = recv(&mut sb) => b,
                _ = recv(&mut sc) => c,
            }
        };
        #[cfg(not(unix))]
        let which = {
            let _ = tokio::signal::ctrl_c().await;
            "Ctrl-C"
        };
        eprintln!(
            "{} touchpoint-collector: stopping ({which}): no new connections, requests under way get up to 10 s",
            touchpoint_collector::log::now()
        );
    }
}
