//! A SQLite VFS for the writer's connection that hands a commit's WAL frames to the kernel in
//! one `pwrite` instead of two per frame.
//!
//! SQLite writes each WAL frame as two calls (its 24-byte header, then the page), so a group
//! commit of ~40 pages made ~80 `pwrite`s, each through ext4's buffered write path for a range
//! that straddles two page-cache pages: about a quarter of the writer thread's time, and the
//! writer is the serial stage of ingestion. This VFS is the platform's default one except for
//! WAL files, whose writes are gathered in memory while they run on from one another and written
//! out together:
//! - when the page of a commit frame (a frame header whose "database size" field is not zero,
//!   the WAL format's commit marker) has been written: SQLite writes a commit's frames, then
//!   makes them visible to other connections in the shared WAL index, so they are in the file
//!   (the kernel's page cache, as before) before any other connection can look for them, and
//!   before the commit returns and its batches are answered;
//! - before anything else is done with the file (read, sync, truncate, size, file control,
//!   close), so the file always looks to SQLite as if every write had gone straight through;
//! - when a write does not continue or overlap the gathered range, or the range reaches
//!   [`MAX_GATHERED`].
//!
//! A failed write-out is reported by the write or the operation that caused it, so a commit whose
//! frames could not be written fails as before. Other files (the database, its shared-memory
//! index, temporary files) are the default VFS's own, untouched.

use std::ffi::{c_int, c_void, CStr};
use std::mem::{align_of, size_of};
use std::ptr;
use std::sync::OnceLock;

use rusqlite::ffi;

/// The name the writer's connection opens its database with.
pub const VFS_NAME: &CStr = c"tp-walbuf";

/// Write out the gathered range once it holds this much (a large transaction: a migration, a
/// rebuild of the aggregates).
const MAX_GATHERED: usize = 4 << 20;

/// The most the default VFS writes in one call: its unix write masks the length to 17 bits
/// (`nBuf &= 0x1ffff` in `seekAndWriteFd`), so a longer one would be cut short.
const MAX_WRITE: usize = 0x1f000;

/// Size of a WAL frame header; bytes 4..8 of it are the database size after a commit, else 0.
const FRAME_HEADER: c_int = 24;

/// What this VFS adds after the default VFS's own file structure.
struct Gather {
    /// The default VFS's methods for this file.
    real: *const ffi::sqlite3_io_methods,
    buf: Vec<u8>,
    /// File offset of `buf[0]`.
    at: i64,
    /// The last write was the header of a commit frame: write out after its page.
    commit_next: bool,
}

struct Registered {
    /// The default VFS's methods for WAL files (their address), and a copy of them with this
    /// module's functions in the places that must see the gathered range first.
    methods: OnceLock<(usize, ffi::sqlite3_io_methods)>,
    real_vfs: *mut ffi::sqlite3_vfs,
    /// Offset of [`Gather`] in the file structure SQLite allocates.
    gather_at: usize,
}

// SAFETY: the pointers are to SQLite's default VFS and its static method tables, which live as
// long as the process and are themselves shared between threads by SQLite.
unsafe impl Send for Registered {}
unsafe impl Sync for Registered {}

static REGISTERED: OnceLock<Result<Registered, c_int>> = OnceLock::new();

/// Registers the VFS (once per process). Returns its name, or None if SQLite has no default VFS
/// or refused the registration (then the caller opens with the default VFS).
pub fn register() -> Option<&'static CStr> {
    // SAFETY: runs once; see `register_now`.
    REGISTERED.get_or_init(|| unsafe { register_now() }).as_ref().ok().map(|_| VFS_NAME)
}

/// SAFETY: SQLite's VFS functions are thread-safe; the VFS structure handed to it is leaked, so
/// it lives as long as SQLite may use it.
unsafe fn register_now() -> Result<Registered, c_int> {
    let real = ffi::sqlite3_vfs_find(ptr::null());
    if real.is_null() {
        return Err(ffi::SQLITE_ERROR);
    }
    let real_size = (*real).szOsFile as usize;
    let gather_at = real_size.div_ceil(align_of::<Gather>()) * align_of::<Gather>();
    let mut vfs = *real;
    vfs.szOsFile = (gather_at + size_of::<Gather>()) as c_int;
    vfs.zName = VFS_NAME.as_ptr();
    vfs.pNext = ptr::null_mut();
    vfs.xOpen = Some(open);
    let vfs: &'static mut ffi::sqlite3_vfs = Box::leak(Box::new(vfs));
    let reg = Registered { methods: OnceLock::new(), real_vfs: real, gather_at };
    let rc = ffi::sqlite3_vfs_register(vfs, 0);
    if rc != ffi::SQLITE_OK {
        return Err(rc);
    }
    Ok(reg)
}

fn registered() -> &'static Registered {
    match REGISTERED.get() {
        Some(Ok(r)) => r,
        // Connections name this VFS only with what `register` returned, i.e. once the
        // registration is stored.
        _ => unreachable!("tp-walbuf used before it was registered"),
    }
}

/// SAFETY: `file` is a WAL file opened by `open` and not yet closed (its methods are this
/// module's, which is the only way SQLite reaches the functions below); SQLite uses a file from
/// one thread at a time.
unsafe fn gather<'a>(file: *mut ffi::sqlite3_file) -> &'a mut Gather {
    &mut *((file as *mut u8).add(registered().gather_at) as *mut Gather)
}

unsafe extern "C" fn open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let reg = registered();
    let real_open = (*reg.real_vfs).xOpen.expect("a VFS has xOpen");
    let rc = real_open(reg.real_vfs, name, file, flags, out_flags);
    if rc != ffi::SQLITE_OK || flags & ffi::SQLITE_OPEN_WAL == 0 || (*file).pMethods.is_null() {
        return rc;
    }
    let real = (*file).pMethods;
    let (seen, methods) = reg.methods.get_or_init(|| {
        let mut m = *real;
        m.xClose = Some(close);
        m.xRead = Some(read);
        m.xWrite = Some(write);
        m.xTruncate = Some(truncate);
        m.xSync = Some(sync);
        m.xFileSize = Some(file_size);
        m.xFileControl = Some(file_control);
        (real as usize, m)
    });
    // Every WAL file of the default VFS has the same methods; should one not, it is left as is.
    if *seen != real as usize {
        return rc;
    }
    // SAFETY: SQLite allocated `szOsFile` bytes for `file`, room for a `Gather` at `gather_at`
    // (aligned: SQLite allocates file structures 8-aligned).
    ptr::write(
        (file as *mut u8).add(reg.gather_at) as *mut Gather,
        Gather { real, buf: Vec::new(), at: 0, commit_next: false },
    );
    (*file).pMethods = methods;
    rc
}

/// Writes the gathered range out (if any). The range is dropped either way: after a failure
/// SQLite abandons the transaction and writes its frames again.
unsafe fn flush(file: *mut ffi::sqlite3_file) -> c_int {
    let g = gather(file);
    g.commit_next = false;
    if g.buf.is_empty() {
        return ffi::SQLITE_OK;
    }
    let real_write = (*g.real).xWrite.expect("a file has xWrite");
    let mut rc = ffi::SQLITE_OK;
    for (i, piece) in g.buf.chunks(MAX_WRITE).enumerate() {
        rc = real_write(file, piece.as_ptr() as *const c_void, piece.len() as c_int, g.at + (i * MAX_WRITE) as i64);
        if rc != ffi::SQLITE_OK {
            break;
        }
    }
    gather(file).buf.clear();
    rc
}

unsafe extern "C" fn write(file: *mut ffi::sqlite3_file, data: *const c_void, amt: c_int, at: i64) -> c_int {
    let g = gather(file);
    let bytes = std::slice::from_raw_parts(data as *const u8, amt.max(0) as usize);
    let end = g.at + g.buf.len() as i64;
    if !g.buf.is_empty() && (at < g.at || at > end) {
        let rc = flush(file);
        if rc != ffi::SQLITE_OK {
            return rc;
        }
    }
    let g = gather(file);
    if g.buf.is_empty() {
        g.at = at;
    }
    let from = (at - g.at) as usize;
    let to = from + bytes.len();
    if to > g.buf.len() {
        g.buf.resize(to, 0);
    }
    g.buf[from..to].copy_from_slice(bytes);
    if amt == FRAME_HEADER {
        g.commit_next = bytes[4..8] != [0, 0, 0, 0];
        ffi::SQLITE_OK
    } else if g.commit_next || g.buf.len() >= MAX_GATHERED {
        flush(file)
    } else {
        ffi::SQLITE_OK
    }
}

unsafe extern "C" fn read(file: *mut ffi::sqlite3_file, out: *mut c_void, amt: c_int, at: i64) -> c_int {
    let rc = flush(file);
    if rc != ffi::SQLITE_OK {
        return rc;
    }
    (*gather(file).real).xRead.expect("a file has xRead")(file, out, amt, at)
}

unsafe extern "C" fn truncate(file: *mut ffi::sqlite3_file, size: i64) -> c_int {
    let rc = flush(file);
    if rc != ffi::SQLITE_OK {
        return rc;
    }
    (*gather(file).real).xTruncate.expect("a file has xTruncate")(file, size)
}

unsafe extern "C" fn sync(file: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    let rc = flush(file);
    if rc != ffi::SQLITE_OK {
        return rc;
    }
    (*gather(file).real).xSync.expect("a file has xSync")(file, flags)
}

unsafe extern "C" fn file_size(file: *mut ffi::sqlite3_file, size: *mut i64) -> c_int {
    let rc = flush(file);
    if rc != ffi::SQLITE_OK {
        return rc;
    }
    (*gather(file).real).xFileSize.expect("a file has xFileSize")(file, size)
}

unsafe extern "C" fn file_control(file: *mut ffi::sqlite3_file, op: c_int, arg: *mut c_void) -> c_int {
    let rc = flush(file);
    if rc != ffi::SQLITE_OK {
        return rc;
    }
    match (*gather(file).real).xFileControl {
        Some(f) => f(file, op, arg),
        None => ffi::SQLITE_NOTFOUND,
    }
}

unsafe extern "C" fn close(file: *mut ffi::sqlite3_file) -> c_int {
    let flushed = flush(file);
    let real = gather(file).real;
    ptr::drop_in_place(gather(file) as *mut Gather);
    // The default VFS's own close, on its own methods (it may look at them).
    (*file).pMethods = real;
    let rc = (*real).xClose.expect("a file has xClose")(file);
    if flushed != ffi::SQLITE_OK {
        flushed
    } else {
        rc
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::{Connection, OpenFlags};

    fn count(c: &Connection) -> i64 {
        c.query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0)).unwrap()
    }

    /// What a commit wrote is in the files when it returns: another connection sees it, and so
    /// does a copy of the files taken then (what a `kill -9` leaves), after WAL recovery.
    #[test]
    fn committed_frames_are_in_the_file_when_the_commit_returns() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let vfs = super::register().expect("registered");
        let w = Connection::open_with_flags_and_vfs(&path, OpenFlags::default(), vfs).unwrap();
        w.pragma_update(None, "journal_mode", "WAL").unwrap();
        w.pragma_update(None, "synchronous", "NORMAL").unwrap();
        w.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        w.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL); CREATE INDEX t_v ON t(v);").unwrap();
        let other = Connection::open(&path).unwrap();
        let mut expected = 0;
        // Small commits, one larger than a single write (MAX_WRITE) and one larger than the
        // gathered range may grow (MAX_GATHERED), and a rolled-back one in between.
        for (round, rows) in [1usize, 20, 200, 5_000, 3].into_iter().enumerate() {
            let mut w = Connection::open_with_flags_and_vfs(&path, OpenFlags::default(), vfs).unwrap();
            let tx = w.transaction().unwrap();
            for i in 0..rows {
                tx.execute("INSERT INTO t (v) VALUES (?1)", [format!("{round}-{i}-{}", "x".repeat(700))]).unwrap();
            }
            tx.commit().unwrap();
            expected += rows as i64;
            let tx = w.transaction().unwrap();
            tx.execute("INSERT INTO t (v) VALUES ('rolled back')", []).unwrap();
            tx.rollback().unwrap();
            assert_eq!(count(&other), expected);
            assert_eq!(count(&w), expected);
            // The files as they are now, while the writer still has them open.
            let copy = tempfile::tempdir().unwrap();
            for suffix in ["", "-wal"] {
                let from = format!("{}{suffix}", path.display());
                std::fs::copy(&from, copy.path().join(format!("w.sqlite{suffix}"))).unwrap();
            }
            let c = Connection::open(copy.path().join("w.sqlite")).unwrap();
            assert_eq!(count(&c), expected);
            let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
            assert_eq!(ok, "ok");
        }
        // A checkpoint and the WAL starting over go through the same file.
        w.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
        w.execute("INSERT INTO t (v) VALUES ('after')", []).unwrap();
        assert_eq!(count(&other), expected + 1);
    }
}
