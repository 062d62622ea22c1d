//! Argon2id password hashing, run on blocking threads so that it never stalls an async worker.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("hashing failed: {0}")]
    Hash(String),
    #[error("the hashing thread stopped: {0}")]
    Join(String),
}

/// OWASP's minimum for Argon2id: 19 MiB of memory, 2 iterations, 1 lane.
fn hasher() -> Result<Argon2<'static>, PasswordError> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| PasswordError::Hash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub async fn hash(password: String) -> Result<String, PasswordError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()?
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| PasswordError::Hash(e.to_string()))
    })
    .await
    .map_err(|e| PasswordError::Join(e.to_string()))?
}

/// Checks a password against a stored hash. With no stored hash (unknown email) it still does the same work,
/// so that the answer takes as long for an unknown email as for a wrong password.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, PasswordError> {
    tokio::task::spawn_blocking(move || {
        let argon = hasher()?;
        let dummy;
        let encoded = match &stored {
            Some(s) => s.as_str(),
            None => {
                dummy = argon
                    .hash_password(b"no such account", &SaltString::generate(&mut OsRng))
                    .map(|h| h.to_string())
                    .map_err(|e| PasswordError::Hash(e.to_string()))?;
                dummy.as_str()
            }
        };
        let parsed = PasswordHash::new(encoded).map_err(|e| PasswordError::Hash(e.to_string()))?;
        Ok(stored.is_some() && argon.verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .map_err(|e| PasswordError::Join(e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let h = hash("correct horse battery".into()).await.expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery".into(), Some(h.clone())).await.expect("verify"));
        assert!(!verify("wrong horse battery".into(), Some(h)).await.expect("verify"));
        assert!(!verify("anything at all".into(), None).await.expect("verify"));
    }
}
