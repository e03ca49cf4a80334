//! The JSON Web Token every Notify request carries, and the stand-in's check
//! of it.
//!
//! Notify authenticates each request with `Authorization: Bearer <jwt>`: a
//! token signed HS256 with the key's secret, header `{"typ":"JWT","alg":"HS256"}`,
//! claims `{"iss": <service id>, "iat": <unix seconds>}`, and accepted only
//! when `iat` is within 30 seconds of Notify's clock either way. A fresh token
//! is made for every request.
//!
//! Why not a JWT crate: the client signs with exactly one algorithm and never
//! parses a token it did not make, so the whole job is base64url, one HMAC and
//! two small JSON objects, which `hmac` + `sha2` + `base64` already do. A general
//! JWT library would add algorithm negotiation we must then switch off. The
//! verifier below exists only for the stand-in (which must refuse what Notify
//! refuses); it checks the algorithm explicitly and compares MACs in constant
//! time via [`Mac::verify_slice`].
//!
//! The verifier follows `notifications-api`'s `app/authentication/auth.py` and
//! `notifications-python-client`'s `authentication.py`, including their
//! messages and the order of the checks.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use sha2::Sha256;

use crate::key::{is_uuid, ApiKey};

type HmacSha256 = Hmac<Sha256>;

/// How far `iat` may be from the server's clock, either way, in seconds.
pub const CLOCK_SKEW_SECONDS: i64 = 30;

/// Make the token for one request: HS256 over `{"typ":"JWT","alg":"HS256"}`
/// and `{"iss": service_id, "iat": iat}`.
pub fn create_token(service_id: &str, secret: &str, iat: i64) -> String {
    let header = json!({"typ": "JWT", "alg": "HS256"}).to_string();
    let claims = json!({"iss": service_id, "iat": iat}).to_string();
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let signature =
        URL_SAFE_NO_PAD.encode(hmac_sha256(secret.as_bytes(), signing_input.as_bytes()));
    format!("{signing_input}.{signature}")
}

fn mac_for(secret: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this cannot fail; the fallback keeps
    // the code free of `expect` all the same (an empty key signs nothing useful
    // and will never verify against a real secret).
    match HmacSha256::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => <HmacSha256 as hmac::digest::KeyInit>::new(&Default::default()),
    }
}

fn hmac_sha256(secret: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = mac_for(secret);
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Why Notify refused a request's credentials. `Display` is Notify's own
/// message; [`TokenError::status_code`] is the status it answers with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No `Authorization` header at all (401).
    #[error("Unauthorized: authentication token must be provided")]
    MissingToken,
    /// An `Authorization` header that is not `Bearer ...` (401).
    #[error("Unauthorized: authentication bearer scheme must be used")]
    NotBearer,
    /// Not three base64url parts of JSON objects (403).
    #[error("Invalid token: make sure your API token matches the example at https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header")]
    Malformed,
    /// No `iss` claim (403).
    #[error("Invalid token: iss field not provided")]
    IssuerMissing,
    /// `iss` is not a UUID (403).
    #[error("Invalid token: service id is not the right data type")]
    IssuerNotUuid,
    /// No service with that id has keys here (403).
    #[error("Invalid token: service not found")]
    ServiceNotFound,
    /// The header names an algorithm other than HS256 (403).
    #[error("Invalid token: algorithm used is not HS256")]
    Algorithm,
    /// Signed correctly, but `iat` is more than 30 s from now (403).
    #[error("Error: Your system clock must be accurate to within 30 seconds")]
    ClockSkew,
    /// The signature matches none of the service's keys (403).
    #[error("Invalid token: API key not found")]
    KeyNotFound,
}

impl TokenError {
    /// The HTTP status Notify answers with: 401 when there is no bearer token
    /// at all, 403 for everything wrong with the token itself.
    pub fn status_code(&self) -> u16 {
        match self {
            TokenError::MissingToken | TokenError::NotBearer => 401,
            _ => 403,
        }
    }
}

fn decode_json_object(part: &str) -> Result<Map<String, Value>, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| TokenError::Malformed)?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(TokenError::Malformed),
    }
}

/// Check a token (without the `Bearer ` prefix) against the keys the server
/// knows, at server time `now` (unix seconds). Returns the key that signed it.
///
/// The order is Notify's: decode and find `iss` without trusting anything;
/// find the service's keys; refuse a non-HS256 algorithm; then try each of
/// the service's keys, skipping those whose signature does not match; the
/// first that matches must have `iat` within 30 s of `now`.
///
/// One quirk is kept on purpose: a correctly signed token with no `iat` is
/// answered "API key not found", because `notifications-api` treats a missing
/// `iat` like a signature mismatch and moves on to the next key (see the TODO
/// in its `_decode_jwt_token`).
pub fn verify_token<'k>(
    token: &str,
    keys: &'k [ApiKey],
    now: i64,
) -> Result<&'k ApiKey, TokenError> {
    let mut parts = token.trim().split('.');
    let (Some(header_b64), Some(claims_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let header = decode_json_object(header_b64)?;
    let claims = decode_json_object(claims_b64)?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature_b64.trim_end_matches('='))
        .map_err(|_| TokenError::Malformed)?;

    let issuer = match claims.get("iss") {
        None | Some(Value::Null) => return Err(TokenError::IssuerMissing),
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(TokenError::IssuerNotUuid),
    };
    if !is_uuid(issuer) {
        return Err(TokenError::IssuerNotUuid);
    }
    let candidates: Vec<&ApiKey> = keys
        .iter()
        .filter(|k| k.service_id().eq_ignore_ascii_case(issuer))
        .collect();
    if candidates.is_empty() {
        return Err(TokenError::ServiceNotFound);
    }
    if header.get("alg").and_then(Value::as_str) != Some("HS256") {
        return Err(TokenError::Algorithm);
    }

    let signing_input = &token.trim()[..header_b64.len() + 1 + claims_b64.len()];
    for key in candidates {
        let mut mac = mac_for(key.secret().as_bytes());
        mac.update(signing_input.as_bytes());
        if mac.verify_slice(&signature).is_err() {
            continue;
        }
        let iat = match claims.get("iat") {
            None | Some(Value::Null) => continue,
            Some(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => i,
                (None, Some(f)) if f.is_finite() => f as i64,
                _ => return Err(TokenError::ClockSkew),
            },
            // pyjwt refuses a non-numeric iat as an invalid issued-at, which
            // Notify reports as a clock problem.
            Some(_) => return Err(TokenError::ClockSkew),
        };
        if now > iat.saturating_add(CLOCK_SKEW_SECONDS)
            || iat > now.saturating_add(CLOCK_SKEW_SECONDS)
        {
            return Err(TokenError::ClockSkew);
        }
        return Ok(key);
    }
    Err(TokenError::KeyNotFound)
}

/// Check an `Authorization` header value as Notify does: present, `Bearer `
/// (any case), then [`verify_token`].
pub fn authenticate<'k>(
    authorization: Option<&str>,
    keys: &'k [ApiKey],
    now: i64,
) -> Result<&'k ApiKey, TokenError> {
    let header = match authorization {
        None => return Err(TokenError::MissingToken),
        Some("") => return Err(TokenError::MissingToken),
        Some(h) => h,
    };
    match header.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("bearer ") => {}
        _ => return Err(TokenError::NotBearer),
    }
    verify_token(&header[7..], keys, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVICE: &str = "26785a09-ab16-4eb0-8407-a37497a57506";
    const SECRET: &str = "3d844edf-8d35-48ac-975b-e847b4f122b0";
    const OTHER_SECRET: &str = "0d844edf-8d35-48ac-975b-e847b4f122b9";
    const NOW: i64 = 1_700_000_000;

    fn key(secret: &str) -> ApiKey {
        ApiKey::from_parts("test", SERVICE, secret).unwrap()
    }

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    fn sign(header: &str, claims: &str, secret: &str) -> String {
        let input = format!("{}.{}", b64(header), b64(claims));
        let sig = URL_SAFE_NO_PAD.encode(hmac_sha256(secret.as_bytes(), input.as_bytes()));
        format!("{input}.{sig}")
    }

    #[test]
    fn token_has_notifys_header_and_claims() {
        let token = create_token(SERVICE, SECRET, NOW);
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header = decode_json_object(parts[0]).unwrap();
        let claims = decode_json_object(parts[1]).unwrap();
        assert_eq!(header.get("typ"), Some(&json!("JWT")));
        assert_eq!(header.get("alg"), Some(&json!("HS256")));
        assert_eq!(claims.get("iss"), Some(&json!(SERVICE)));
        assert_eq!(claims.get("iat"), Some(&json!(NOW)));
        assert!(!token.contains('='), "base64url without padding");
    }

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        // Key "Jefe", data "what do ya want for nothing?".
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn round_trip_accepts_the_signing_key() {
        let keys = [key(OTHER_SECRET), key(SECRET)];
        let token = create_token(SERVICE, SECRET, NOW);
        let found = verify_token(&token, &keys, NOW).unwrap();
        assert_eq!(
            found.secret(),
            SECRET,
            "the second of the service's keys signed it"
        );
        let header = format!("Bearer {token}");
        assert!(authenticate(Some(&header), &keys, NOW + 30).is_ok());
        assert!(authenticate(Some(&format!("bearer {token}")), &keys, NOW - 30).is_ok());
    }

    #[test]
    fn wrong_secret_is_refused() {
        let token = create_token(SERVICE, OTHER_SECRET, NOW);
        assert_eq!(
            verify_token(&token, &[key(SECRET)], NOW),
            Err(TokenError::KeyNotFound)
        );
        assert_eq!(
            TokenError::KeyNotFound.to_string(),
            "Invalid token: API key not found"
        );
    }

    #[test]
    fn tampered_signature_or_claims_are_refused() {
        let keys = [key(SECRET)];
        let token = create_token(SERVICE, SECRET, NOW);
        let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
        // Flip one character of the signature.
        let mut sig: Vec<char> = parts[2].chars().collect();
        sig[5] = if sig[5] == 'A' { 'B' } else { 'A' };
        parts[2] = sig.into_iter().collect();
        assert_eq!(
            verify_token(&parts.join("."), &keys, NOW),
            Err(TokenError::KeyNotFound)
        );
        // Re-issue the claims for a later iat but keep the old signature.
        let original: Vec<&str> = token.split('.').collect();
        let forged = format!(
            "{}.{}.{}",
            original[0],
            b64(&json!({"iss": SERVICE, "iat": NOW + 1000}).to_string()),
            original[2]
        );
        assert_eq!(
            verify_token(&forged, &keys, NOW + 1000),
            Err(TokenError::KeyNotFound)
        );
    }

    #[test]
    fn iat_31_seconds_either_way_is_refused_30_accepted() {
        let keys = [key(SECRET)];
        let old = create_token(SERVICE, SECRET, NOW - 31);
        assert_eq!(verify_token(&old, &keys, NOW), Err(TokenError::ClockSkew));
        let future = create_token(SERVICE, SECRET, NOW + 31);
        assert_eq!(
            verify_token(&future, &keys, NOW),
            Err(TokenError::ClockSkew)
        );
        assert!(verify_token(&create_token(SERVICE, SECRET, NOW - 30), &keys, NOW).is_ok());
        assert!(verify_token(&create_token(SERVICE, SECRET, NOW + 30), &keys, NOW).is_ok());
        assert_eq!(
            TokenError::ClockSkew.to_string(),
            "Error: Your system clock must be accurate to within 30 seconds"
        );
    }

    #[test]
    fn skew_is_only_reported_for_a_correctly_signed_token() {
        // A stale token signed with the wrong secret is "not found", not "clock".
        let token = create_token(SERVICE, OTHER_SECRET, NOW - 300);
        assert_eq!(
            verify_token(&token, &[key(SECRET)], NOW),
            Err(TokenError::KeyNotFound)
        );
    }

    #[test]
    fn header_and_claim_problems_get_notifys_messages() {
        let keys = [key(SECRET)];
        assert_eq!(
            authenticate(None, &keys, NOW),
            Err(TokenError::MissingToken)
        );
        assert_eq!(
            authenticate(Some("Basic abc"), &keys, NOW),
            Err(TokenError::NotBearer)
        );
        assert_eq!(
            authenticate(Some("Bearer"), &keys, NOW),
            Err(TokenError::NotBearer)
        );
        assert_eq!(
            authenticate(Some("Bearer not-a-jwt"), &keys, NOW),
            Err(TokenError::Malformed)
        );
        let hs = r#"{"typ":"JWT","alg":"HS256"}"#;
        let no_iss = sign(hs, &json!({"iat": NOW}).to_string(), SECRET);
        assert_eq!(
            verify_token(&no_iss, &keys, NOW),
            Err(TokenError::IssuerMissing)
        );
        let bad_iss = sign(
            hs,
            &json!({"iss": "council", "iat": NOW}).to_string(),
            SECRET,
        );
        assert_eq!(
            verify_token(&bad_iss, &keys, NOW),
            Err(TokenError::IssuerNotUuid)
        );
        let other_service = create_token("11111111-2222-3333-4444-555555555555", SECRET, NOW);
        assert_eq!(
            verify_token(&other_service, &keys, NOW),
            Err(TokenError::ServiceNotFound)
        );
        let none_alg = sign(
            r#"{"typ":"JWT","alg":"none"}"#,
            &json!({"iss": SERVICE, "iat": NOW}).to_string(),
            SECRET,
        );
        assert_eq!(
            verify_token(&none_alg, &keys, NOW),
            Err(TokenError::Algorithm)
        );
        let no_iat = sign(hs, &json!({"iss": SERVICE}).to_string(), SECRET);
        assert_eq!(
            verify_token(&no_iat, &keys, NOW),
            Err(TokenError::KeyNotFound)
        );
        let text_iat = sign(
            hs,
            &json!({"iss": SERVICE, "iat": "now"}).to_string(),
            SECRET,
        );
        assert_eq!(
            verify_token(&text_iat, &keys, NOW),
            Err(TokenError::ClockSkew)
        );
        assert_eq!(TokenError::MissingToken.status_code(), 401);
        assert_eq!(TokenError::ClockSkew.status_code(), 403);
    }
}
