//! Evidence uploaded to a case: a tenancy agreement, a notice to quit, proof
//! of income. Only PDF, PNG and JPEG, known by their first bytes (not the
//! name or the type the browser claims), at most 10 MB; kept as uploaded and
//! served back only as a download.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The largest document accepted, in bytes.
pub(crate) const UPLOAD_LIMIT: usize = 10 << 20;

/// What a document is, as staff choose it.
pub(crate) const KINDS: [&str; 6] = [
    "Tenancy agreement",
    "Notice from a landlord",
    "Proof of income",
    "Proof of identity",
    "Letter",
    "Other",
];

/// A stored file sent as a download: never shown in the page, whatever it
/// holds, under a plain ASCII name.
pub(crate) fn attachment(bytes: Vec<u8>, content_type: &str, name: &str) -> Response {
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// The file's type from its first bytes, or why it is refused.
pub(crate) fn content_type(bytes: &[u8]) -> Result<&'static str, String> {
    if bytes.is_empty() {
        return Err("Select a file to upload".into());
    }
    if bytes.len() > UPLOAD_LIMIT {
        return Err("The file must be smaller than 10 MB".into());
    }
    if bytes.starts_with(b"%PDF-") {
        Ok("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else {
        Err("The file must be a PDF, PNG or JPEG".into())
    }
}

/// A file name fit to keep and to send back: its last part only, no
/// control characters or quotes, at most 120 characters.
pub(crate) fn tidy_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '\\'))
        .take(120)
        .collect();
    let clean = clean.trim().to_string();
    if clean.is_empty() {
        "document".into()
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_known_by_their_first_bytes_not_their_names() {
        assert_eq!(content_type(b"%PDF-1.7 ..."), Ok("application/pdf"));
        assert_eq!(content_type(b"\x89PNG\r\n\x1a\n...."), Ok("image/png"));
        assert_eq!(content_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok("image/jpeg"));
        assert!(content_type(b"MZ\x90\x00 an exe called notice.pdf").is_err());
        assert!(content_type(b"").is_err());
        assert!(content_type(&vec![b'%'; UPLOAD_LIMIT + 1]).is_err());
    }

    #[test]
    fn names_keep_their_last_part_only() {
        assert_eq!(tidy_name("C:\\Users\\jo\\notice.pdf"), "notice.pdf");
        assert_eq!(tidy_name("../../etc/passwd"), "passwd");
        assert_eq!(tidy_name("a\"b\nc.png"), "abc.png");
        assert_eq!(tidy_name(""), "document");
    }
}
