//! Notify API keys: `{key_name}-{service_id}-{secret_key}`.
//!
//! Notify's own clients cut the key from the right: the secret is the last 36
//! characters and the service id the 36 before the separating hyphen
//! (`api_key[-73:-37]` in `notifications-python-client`). The key name is
//! whatever is left and may itself contain hyphens. We do the same, and also
//! check both parts are UUID-shaped so a truncated or mangled key is refused
//! at start-up rather than as a 403 on the first send.
//!
//! The secret never appears in an error message or in `Debug` output: keys
//! come from configuration and configuration errors get logged.

use std::fmt;

use crate::error::NotifyError;

/// Length of a textual UUID, `8-4-4-4-12`.
pub(crate) const UUID_LEN: usize = 36;

/// Whether `s` is a textual UUID (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`,
/// hex digits in either case). Version and variant bits are not checked:
/// Notify's schema (`^[a-fA-F0-9]{8}-...$`) does not check them either.
pub fn is_uuid(s: &str) -> bool {
    is_uuid_bytes(s.as_bytes())
}

fn is_uuid_bytes(b: &[u8]) -> bool {
    b.len() == UUID_LEN
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// A parsed Notify API key. `Debug` redacts the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey {
    key_name: String,
    service_id: String,
    secret: String,
}

impl ApiKey {
    /// Parse a key as Notify issues it. Surrounding whitespace (a trailing
    /// newline from a secrets file, say) is ignored. The error says what is
    /// wrong with the shape without repeating any of the key.
    pub fn parse(raw: &str) -> Result<ApiKey, NotifyError> {
        let key = raw.trim();
        let b = key.as_bytes();
        let needed = UUID_LEN * 2 + 1;
        if b.len() < needed {
            return Err(NotifyError::InvalidKey(format!(
                "an API key is at least {needed} characters (a service id and a secret, both UUIDs, \
                 joined by a hyphen, usually after a key name); this one has {}",
                b.len()
            )));
        }
        let secret = &b[b.len() - UUID_LEN..];
        let separator = b[b.len() - UUID_LEN - 1];
        let service_id = &b[b.len() - needed..b.len() - UUID_LEN - 1];
        if separator != b'-' {
            return Err(NotifyError::InvalidKey(
                "the service id and the secret (the last 36 characters) must be separated by a hyphen"
                    .into(),
            ));
        }
        if !is_uuid_bytes(service_id) {
            return Err(NotifyError::InvalidKey(
                "the service id (the 36 characters before the secret) is not a UUID".into(),
            ));
        }
        if !is_uuid_bytes(secret) {
            return Err(NotifyError::InvalidKey(
                "the secret (the last 36 characters) is not a UUID".into(),
            ));
        }
        let key_name = if b.len() == needed {
            String::new()
        } else {
            // The byte before the service id must be the hyphen that ends the
            // key name. It is ASCII, so slicing the &str there is on a char
            // boundary.
            if b[b.len() - needed - 1] != b'-' {
                return Err(NotifyError::InvalidKey(
                    "the key name must be separated from the service id by a hyphen".into(),
                ));
            }
            key[..b.len() - needed - 1].to_string()
        };
        // Both UUID parts are ASCII hex and hyphens, so these are exact.
        Ok(ApiKey {
            key_name,
            service_id: String::from_utf8_lossy(service_id).into_owned(),
            secret: String::from_utf8_lossy(secret).into_owned(),
        })
    }

    /// Build a key from its parts (for the stand-in, which issues keys).
    /// The parts are checked as [`ApiKey::parse`] checks them.
    pub fn from_parts(
        key_name: &str,
        service_id: &str,
        secret: &str,
    ) -> Result<ApiKey, NotifyError> {
        if key_name.is_empty() {
            ApiKey::parse(&format!("{service_id}-{secret}"))
        } else {
            ApiKey::parse(&format!("{key_name}-{service_id}-{secret}"))
        }
    }

    /// The name given to the key when it was created in Notify.
    pub fn key_name(&self) -> &str {
        &self.key_name
    }

    /// The service the key belongs to: the JWT's `iss`.
    pub fn service_id(&self) -> &str {
        &self.service_id
    }

    /// The signing secret. Deliberately not `Display`ed anywhere.
    pub fn secret(&self) -> &str {
        &self.secret
    }

    /// The whole key, as Notify shows it once when it is created. Only the
    /// stand-in needs this, to hand a key to the client under test.
    pub fn expose(&self) -> String {
        if self.key_name.is_empty() {
            format!("{}-{}", self.service_id, self.secret)
        } else {
            format!("{}-{}-{}", self.key_name, self.service_id, self.secret)
        }
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiKey")
            .field("key_name", &self.key_name)
            .field("service_id", &self.service_id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVICE: &str = "26785a09-ab16-4eb0-8407-a37497a57506";
    const SECRET: &str = "3d844edf-8d35-48ac-975b-e847b4f122b0";

    #[test]
    fn parses_name_service_and_secret_from_the_right() {
        let key = ApiKey::parse(&format!("my-test-key-{SERVICE}-{SECRET}")).unwrap();
        assert_eq!(key.key_name(), "my-test-key");
        assert_eq!(key.service_id(), SERVICE);
        assert_eq!(key.secret(), SECRET);
        assert_eq!(key.expose(), format!("my-test-key-{SERVICE}-{SECRET}"));
    }

    #[test]
    fn a_key_without_a_name_and_with_whitespace_is_accepted() {
        let key = ApiKey::parse(&format!("  {SERVICE}-{SECRET}\n")).unwrap();
        assert_eq!(key.key_name(), "");
        assert_eq!(key.service_id(), SERVICE);
    }

    #[test]
    fn wrongly_shaped_keys_are_refused_without_leaking_the_secret() {
        let cases = [
            (format!("name-{SECRET}"), "at least 73"),
            (format!("name-{SERVICE}x{SECRET}"), "separated by a hyphen"),
            (
                format!("name-{}-{SECRET}", SERVICE.replace('a', "g")),
                "service id",
            ),
            (
                format!("name-{SERVICE}-{}", SECRET.replace('d', "z")),
                "secret (the last 36 characters) is not a UUID",
            ),
            (
                format!("name_{SERVICE}-{SECRET}"),
                "key name must be separated",
            ),
        ];
        for (raw, expected) in cases {
            let err = ApiKey::parse(&raw).unwrap_err();
            let shown = format!("{err} {err:?}");
            assert!(
                shown.contains(expected),
                "{shown:?} should mention {expected:?}"
            );
            assert!(!shown.contains(SECRET), "error leaks the secret: {shown}");
            assert!(
                !shown.contains(&SECRET[..8]),
                "error leaks part of the secret: {shown}"
            );
        }
    }

    #[test]
    fn non_ascii_keys_are_refused_not_panicked_on() {
        let raw = format!("ключ-{SERVICE}-{}é", &SECRET[..35]);
        assert!(ApiKey::parse(&raw).is_err());
        assert!(ApiKey::parse("é".repeat(80).as_str()).is_err());
    }

    #[test]
    fn debug_redacts_the_secret() {
        let key = ApiKey::parse(&format!("live-{SERVICE}-{SECRET}")).unwrap();
        let shown = format!("{key:?}");
        assert!(shown.contains(SERVICE));
        assert!(shown.contains("<redacted>"));
        assert!(!shown.contains(SECRET));
    }

    #[test]
    fn uuid_shape() {
        assert!(is_uuid(SERVICE));
        assert!(is_uuid(&SERVICE.to_uppercase()));
        assert!(!is_uuid(&SERVICE[1..]));
        assert!(!is_uuid(&SERVICE.replace('-', "0")));
    }
}
