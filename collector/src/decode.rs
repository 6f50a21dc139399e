//! Turns the bytes on the wire into JSON bytes: plain, or gzip.
//!
//! `navigator.sendBeacon` cannot set `Content-Encoding`, so gzip is recognised
//! by its magic bytes 1f 8b (JSON text never starts with 0x1f). The header is
//! honoured too, for fetch-based senders.

use std::borrow::Cow;
use std::io::Read;

use flate2::read::GzDecoder;

use crate::error::IngestError;
use crate::limits::MAX_BATCH_BYTES;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Returns the JSON bytes of a body. `content_encoding` is the header value, if any.
pub fn decode_body<'a>(raw: &'a [u8], content_encoding: Option<&str>) -> Result<Cow<'a, [u8]>, IngestError> {
    let declared_gzip = match content_encoding.map(|v| v.trim().to_ascii_lowercase()) {
        None => false,
        Some(v) if v.is_empty() || v == "identity" => false,
        Some(v) if v == "gzip" || v == "x-gzip" => true,
        Some(v) => {
            return Err(IngestError::UnsupportedEncoding(format!(
                "Content-Encoding: {v:?} is not supported (use gzip or none)"
            )))
        }
    };
    if declared_gzip || raw.starts_with(&GZIP_MAGIC) {
        return gunzip_capped(raw, MAX_BATCH_BYTES).map(Cow::Owned);
    }
    if raw.len() > MAX_BATCH_BYTES {
        return Err(too_large(raw.len()));
    }
    Ok(Cow::Borrowed(raw))
}

/// Decompresses at most `limit` bytes. Reading through `take(limit + 1)` means
/// a gzip bomb costs us `limit + 1` bytes of memory and the time to inflate
/// them, never its full expansion.
fn gunzip_capped(raw: &[u8], limit: usize) -> Result<Vec<u8>, IngestError> {
    let mut out = Vec::with_capacity(raw.len().saturating_mul(4).min(limit + 1));
    GzDecoder::new(raw)
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| IngestError::Invalid(format!("body: invalid gzip data: {e}")))?;
    if out.len() > limit {
        return Err(IngestError::TooLarge(format!("body: decompressed size exceeds the {limit} byte limit")));
    }
    Ok(out)
}

fn too_large(n: usize) -> IngestError {
    IngestError::TooLarge(format!("body: {n} bytes exceeds the {MAX_BATCH_BYTES} byte limit"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn plain_passes_through() {
        assert_eq!(&*decode_body(b"{}", None).unwrap(), b"{}");
        assert_eq!(&*decode_body(b"{}", Some("identity")).unwrap(), b"{}");
    }

    #[test]
    fn gzip_by_magic_or_header() {
        let z = gz(b"{\"a\":1}");
        assert_eq!(&*decode_body(&z, None).unwrap(), b"{\"a\":1}");
        assert_eq!(&*decode_body(&z, Some("GZIP")).unwrap(), b"{\"a\":1}");
        // Declared gzip but not gzip.
        assert!(matches!(decode_body(b"{}", Some("gzip")), Err(IngestError::Invalid(_))));
        // Truncated gzip.
        assert!(matches!(decode_body(&z[..z.len() - 4], None), Err(IngestError::Invalid(_))));
    }

    #[test]
    fn limits() {
        let exact = vec![b' '; MAX_BATCH_BYTES];
        assert!(decode_body(&exact, None).is_ok());
        assert!(decode_body(&gz(&exact), None).is_ok());
        let over = vec![b' '; MAX_BATCH_BYTES + 1];
        assert!(matches!(decode_body(&over, None), Err(IngestError::TooLarge(_))));
        assert!(matches!(decode_body(&gz(&over), None), Err(IngestError::TooLarge(_))));
    }

    #[test]
    fn unknown_encoding() {
        assert!(matches!(decode_body(b"{}", Some("br")), Err(IngestError::UnsupportedEncoding(_))));
    }
}
