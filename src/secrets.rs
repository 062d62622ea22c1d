//! The root secret and the keys derived from it: one key per purpose (HKDF-SHA256 with its own label), so a value
//! signed for one purpose is never good for another, and the root itself signs nothing.
//!
//! The root is `JWT_SECRET` when set. Unset, the server generates one the first time it starts and keeps it in
//! the database: every node and every restart reads the same root, so links already mailed keep working.

use diesel::sql_types::Bytea;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use hkdf::Hkdf;
use rand::RngCore;
use sha2::Sha256;

use crate::db::StoreError;

/// The length of the generated root and of every derived key.
const KEY_BYTES: usize = 32;

/// `info` labels: changing one invalidates everything signed with that key.
const TOKEN_LABEL: &[u8] = b"tandem/v1/access-tokens";
const UNSUBSCRIBE_LABEL: &[u8] = b"tandem/v1/alert-unsubscribe";
const INVITATION_LABEL: &[u8] = b"tandem/v1/partner-invitations";

/// The derived keys of one deployment.
pub struct Secrets {
    token: [u8; KEY_BYTES],
    unsubscribe: [u8; KEY_BYTES],
    invitation: [u8; KEY_BYTES],
    /// Before keys were derived, unsubscribe links were signed with `JWT_SECRET` itself; those already mailed are
    /// still accepted, never issued.
    legacy_unsubscribe: Option<Vec<u8>>,
}

impl Secrets {
    /// The keys derived from `root`.
    pub fn derive(root: &[u8]) -> Self {
        let hkdf = Hkdf::<Sha256>::new(None, root);
        let expand = |label: &[u8]| {
            let mut key = [0u8; KEY_BYTES];
            // 32 bytes is far below HKDF-SHA256's limit (255 × 32), so expansion cannot fail.
            if hkdf.expand(label, &mut key).is_err() {
                unreachable!("HKDF output of {KEY_BYTES} bytes is always valid");
            }
            key
        };
        Self {
            token: expand(TOKEN_LABEL),
            unsubscribe: expand(UNSUBSCRIBE_LABEL),
            invitation: expand(INVITATION_LABEL),
            legacy_unsubscribe: None,
        }
    }

    /// The keys of this deployment: from `JWT_SECRET` if set, else from the root kept in the database.
    pub async fn load(conn: &mut AsyncPgConnection, configured: Option<&str>) -> Result<Self, StoreError> {
        match configured {
            Some(root) => {
                let mut secrets = Self::derive(root.as_bytes());
                secrets.legacy_unsubscribe = Some(root.as_bytes().to_vec());
                Ok(secrets)
            }
            None => {
                tracing::warn!(
                    "JWT_SECRET is not set: using the root secret this deployment generated and keeps in its \
                     database; set JWT_SECRET (32 or more random characters) to keep it elsewhere"
                );
                Ok(Self::derive(&stored_root(conn).await?))
            }
        }
    }

    /// The key access tokens are signed with.
    pub fn token_key(&self) -> &[u8] {
        &self.token
    }

    /// The key alert unsubscribe links are signed with.
    pub fn unsubscribe_key(&self) -> &[u8] {
        &self.unsubscribe
    }

    /// The key partner-invitation tokens are hashed with before they are stored.
    pub fn invitation_key(&self) -> &[u8] {
        &self.invitation
    }

    /// Keys an unsubscribe token may have been signed with: the current one first.
    pub fn unsubscribe_keys(&self) -> impl Iterator<Item = &[u8]> {
        std::iter::once(&self.unsubscribe[..]).chain(self.legacy_unsubscribe.as_deref())
    }
}

#[derive(diesel::QueryableByName)]
struct RootRow {
    #[diesel(sql_type = Bytea)]
    secret: Vec<u8>,
}

/// The generated root: inserted if absent, then read, so nodes starting together all read the one that won.
async fn stored_root(conn: &mut AsyncPgConnection) -> Result<Vec<u8>, StoreError> {
    let mut candidate = vec![0u8; KEY_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut candidate);
    diesel::sql_query("INSERT INTO root_secret (secret) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind::<Bytea, _>(&candidate)
        .execute(conn)
        .await?;
    let row: RootRow = diesel::sql_query("SELECT secret FROM root_secret").get_result(conn).await?;
    Ok(row.secret)
}

/// Why a configured root secret is refused: too short, a known placeholder, or guessable.
pub fn weakness(secret: &str) -> Option<&'static str> {
    let lower = secret.to_ascii_lowercase();
    let placeholders = ["change-me", "changeme", "change_me", "replace-me", "replaceme", "placeholder"];
    if placeholders.iter().any(|p| lower.contains(p)) || lower.starts_with("secret") {
        return Some("it is a placeholder; generate one, e.g. `openssl rand -base64 48`");
    }
    if secret.len() < 32 {
        return Some("use at least 32 characters, e.g. from `openssl rand -base64 48`");
    }
    let mut distinct: Vec<char> = secret.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 6 {
        return Some("it repeats too few characters to be hard to guess; e.g. `openssl rand -base64 48`");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_purpose_has_its_own_key_and_none_is_the_root() {
        let root = b"0123456789abcdefghijklmnopqrstuvwxyz";
        let secrets = Secrets::derive(root);
        let keys = [secrets.token_key(), secrets.unsubscribe_key(), secrets.invitation_key()];
        assert_ne!(keys[0], keys[1]);
        assert_ne!(keys[1], keys[2]);
        assert_ne!(keys[0], keys[2]);
        assert!(keys.iter().all(|k| *k != &root[..KEY_BYTES]));
        assert_eq!(Secrets::derive(root).token_key(), secrets.token_key(), "derivation is stable");
    }

    #[test]
    fn placeholders_and_weak_values_are_refused() {
        for weak in [
            "change-me-change-me-change-me-change-me",
            "CHANGEME0123456789abcdefghijklmnopq",
            "secret-secret-secret-secret-secret-secret",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "abababababababababababababababab",
            "short",
        ] {
            assert!(weakness(weak).is_some(), "{weak}");
        }
        assert_eq!(weakness("q8Vd2mX0rLz7Tn4Kc1Yw9Hs6Pb3Jf5Ge"), None);
        assert_eq!(weakness("test-secret-test-secret-test-secret!"), None);
    }
}
