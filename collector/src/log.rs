//! The lines the collector writes to stderr while it runs (storage failing and recovering, an
//! origin refused, an erasure, retention, the database shared with another process), each
//! prefixed with the UTC time it was written: an operator reading a plain log file, or
//! `docker logs` without `-t`, can tell when storage failed. Lines written at start (a bad
//! flag, a database that cannot be opened) are not: they are read at once.

/// `2026-12-05T11:57:18.123Z touchpoint-collector: <message>` on stderr.
macro_rules! log_line {
    ($($arg:tt)*) => {
        eprintln!("{} touchpoint-collector: {}", $crate::log::now(), format_args!($($arg)*))
    };
}
pub(crate) use log_line;

/// The wall clock as ISO 8601 UTC with milliseconds (the SDK's own format, `core::time`).
pub fn now() -> String {
    touchpoint_core::time::iso8601(crate::facts::now_ms().max(0) as u64)
}
