//! Invitation tokens: 32 random bytes in the link; only their HMAC under the deployment's invitation key is stored,
//! so neither a database leak nor a guess yields a usable link. Expiry, revocation and single use are kept in the
//! invitation's row.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// How long an invitation can be accepted.
pub const INVITATION_TTL_DAYS: i64 = 14;

/// A new token: what goes in the link, and the hash the database keeps.
pub fn new_token(key: &[u8]) -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash(key, &token);
    (token, hash)
}

/// What the database keeps for `token`.
pub fn hash(key: &[u8], token: &str) -> Vec<u8> {
    // HMAC takes keys of any length, so this cannot fail; the fallback only satisfies the type.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| Hmac::<Sha256>::new(&Default::default()));
    mac.update(token.trim().as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// The hashes a stored invitation may carry for `token`: the keyed one, and the plain SHA-256 that invitations
/// sent before keys were derived carry (they expire within `INVITATION_TTL_DAYS`).
pub fn lookup_hashes(key: &[u8], token: &str) -> [Vec<u8>; 2] {
    [hash(key, token), Sha256::digest(token.trim().as_bytes()).to_vec()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_url_safe_distinct_and_hash_to_what_is_stored() {
        let (a, hash_a) = new_token(b"key");
        let (b, _) = new_token(b"key");
        assert_ne!(a, b);
        assert_eq!(hash(b"key", &a), hash_a);
        assert_ne!(hash(b"other key", &a), hash_a, "the stored hash depends on the key");
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{a}");
    }
}
