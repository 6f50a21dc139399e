//! Turns the bytes on the wire into JSON bytes: plain, or gzip.
//!
//! `navigator.sendBeacon` cannot set `Content-Encoding`, so gzip is recognised
//! by its magic bytes 1f 8b (JSON text never starts with 0x1f). The header is
//! honoured too, for fetch-based senders.

use std::borrow::Cow;
use std::io::Read;

use flate2::bufread::GzDecoder;

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
///
/// Exactly one gzip member is accepted: a second member or any byte after the first is refused
/// rather than silently dropped (the SDK's CompressionStream writes one member).
fn gunzip_capped(raw: &[u8], limit: usize) -> Result<Vec<u8>, IngestError> {
    let mut out = Vec::with_capacity(raw.len().saturating_mul(4).min(limit + 1));
    let mut reader = GzDecoder::new(raw).take(limit as u64 + 1);
    reader.read_to_end(&mut out).map_err(|e| IngestError::Invalid(format!("body: invalid gzip data: {e}")))?;
    if out.len() > limit {
        return Err(IngestError::TooLarge(format!("body: decompressed size exceeds the {limit} byte limit")));
    }
    // The bufread decoder consumed exactly the member (header, deflate data, trailer).
    let rest = reader.into_inner().into_inner();
    if !rest.is_empty() {
        let what = if rest.starts_with(&GZIP_MAGIC) { "a second gzip member" } else { "trailing bytes" };
        return Err(IngestError::Invalid(format!(
            "body: {what} after the gzip stream ({} bytes); send exactly one gzip member",
            rest.len()
        )));
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
    fn one_member_and_nothing_after_it() {
        let z = gz(b"{\"a\":1}");
        let mut two = z.clone();
        two.extend_from_slice(&gz(b"{\"b\":2}"));
        let err = decode_body(&two, None).unwrap_err();
        assert!(matches!(&err, IngestError::Invalid(r) if r.contains("second gzip member")), "{err:?}");
        let mut trailing = z.clone();
        trailing.extend_from_slice(b"garbage");
        let err = decode_body(&trailing, None).unwrap_err();
        assert!(matches!(&err, IngestError::Invalid(r) if r.contains("trailing bytes")), "{err:?}");
        let mut one_zero = z.clone();
        one_zero.push(0);
        assert!(decode_body(&one_zero, Some("gzip")).is_err());
        assert_eq!(&*decode_body(&z, None).unwrap(), b"{\"a\":1}");
    }

    #[test]
    fn unknown_encoding() {
        assert!(matches!(decode_body(b"{}", Some("br")), Err(IngestError::UnsupportedEncoding(_))));
    }
}
