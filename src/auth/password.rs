//! Argon2id password hashing, run on blocking threads so that it never stalls an async worker, and at most one
//! hash per core at a time, so that a burst of sign-ins cannot take every core and all memory.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

/// How long a hash may wait for a free core before the request is turned away (503, Retry-After).
const HASH_WAIT: Duration = Duration::from_secs(3);

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("hashing failed: {0}")]
    Hash(String),
    #[error("the hashing thread stopped: {0}")]
    Join(String),
    #[error("every core is busy hashing passwords")]
    Busy,
}

/// The cores are the process's, not one server's: the permits are shared by everything in the process.
fn hashing_permits() -> Arc<Semaphore> {
    static PERMITS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    PERMITS
        .get_or_init(|| Arc::new(Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))))
        .clone()
}

/// Runs `work` on a blocking thread once a permit is free. The permit moves into the thread, so that a client that
/// hangs up does not free it while the hash still runs.
async fn with_permit<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, PasswordError> + Send + 'static,
) -> Result<T, PasswordError> {
    let permit = tokio::time::timeout(HASH_WAIT, hashing_permits().acquire_owned())
        .await
        .map_err(|_| PasswordError::Busy)?
        .map_err(|_| PasswordError::Busy)?;
    tokio::task::spawn_blocking(move || {
        let result = work();
        drop(permit);
        result
    })
    .await
    .map_err(|e| PasswordError::Join(e.to_string()))?
}

/// OWASP's minimum for Argon2id: 19 MiB of memory, 2 iterations, 1 lane.
fn hasher() -> Result<Argon2<'static>, PasswordError> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| PasswordError::Hash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

pub async fn hash(password: String) -> Result<String, PasswordError> {
    with_permit(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher()?
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| PasswordError::Hash(e.to_string()))
    })
    .await
}

/// Checks a password against a stored hash. With no stored hash (unknown email) it still does the same work,
/// so that the answer takes as long for an unknown email as for a wrong password.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, PasswordError> {
    with_permit(move || {
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
