//! Unsubscribe tokens: the alert id and an HMAC-SHA256 over "alert-unsubscribe:{id}", so a token can stop one
//! alert and nothing else, and cannot be made for another alert without the deployment's unsubscribe key (derived
//! from the root secret, see `crate::secrets`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], alert_id: Uuid) -> HmacSha256 {
    // HMAC takes keys of any length, so this cannot fail; the fallback only satisfies the type.
    let mut mac = HmacSha256::new_from_slice(secret).unwrap_or_else(|_| HmacSha256::new(&Default::default()));
    mac.update(format!("alert-unsubscribe:{alert_id}").as_bytes());
    mac
}

/// The token that unsubscribes from `alert_id`.
pub fn sign(secret: &[u8], alert_id: Uuid) -> String {
    let mut bytes = alert_id.as_bytes().to_vec();
    bytes.extend_from_slice(&mac(secret, alert_id).finalize().into_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The alert a token was made for, if it is genuine.
pub fn verify(secret: &[u8], token: &str) -> Option<Uuid> {
    let bytes = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
    if bytes.len() != 16 + 32 {
        return None;
    }
    let (id, tag) = bytes.split_at(16);
    let alert_id = Uuid::from_slice(id).ok()?;
    mac(secret, alert_id).verify_slice(tag).ok()?;
    Some(alert_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_its_alert_and_only_with_the_right_key() {
        let id = Uuid::new_v4();
        let token = sign(b"key one", id);
        assert_eq!(verify(b"key one", &token), Some(id));
        assert_eq!(verify(b"key two", &token), None);
    }

    #[test]
    fn tampered_tokens_are_refused() {
        let token = sign(b"key", Uuid::new_v4());
        let mut bytes = URL_SAFE_NO_PAD.decode(&token).expect("base64");
        bytes[3] ^= 1; // another alert id under the same tag
        assert_eq!(verify(b"key", &URL_SAFE_NO_PAD.encode(&bytes)), None);
        assert_eq!(verify(b"key", &token[..token.len() - 2]), None);
        assert_eq!(verify(b"key", "not a token"), None);
    }
}
