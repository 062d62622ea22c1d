//! Access tokens (JWT, HS256 pinned, 15 minutes) and opaque refresh tokens (random, stored as SHA-256).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::model::Role;

pub const ACCESS_TTL_SECS: i64 = 15 * 60;
pub const REFRESH_TTL_DAYS: i64 = 30;
const ISSUER: &str = "tandem";
const AUDIENCE: &str = "tandem-api";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    /// The session: the refresh-token family this access token was issued with. Tokens from before sessions were
    /// named have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<Uuid>,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the access token is invalid or expired")]
    Invalid,
    #[error("could not sign a token: {0}")]
    Sign(String),
}

/// The signing secret and what is derived from it; one per process.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    secret: Vec<u8>,
}

impl TokenKeys {
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 30;
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            secret: secret.to_vec(),
        }
    }

    /// A key for this process only: tokens die with it. Fine for development, warned about at start.
    pub fn random() -> Self {
        let mut secret = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut secret);
        Self::new(&secret)
    }

    pub fn issue_access(&self, user_id: Uuid, role: Role, session: Uuid) -> Result<String, TokenError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user_id,
            role,
            iat: now,
            exp: now + ACCESS_TTL_SECS,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            sid: Some(session),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| TokenError::Sign(e.to_string()))
    }

    pub fn verify_access(&self, token: &str) -> Result<Claims, TokenError> {
        decode::<Claims>(token, &self.decoding, &self.validation).map(|d| d.claims).map_err(|_| TokenError::Invalid)
    }

    /// The raw secret, for features that sign their own purpose-bound tokens (unsubscribe links, invitations).
    pub fn secret(&self) -> &[u8] {
        &self.secret
    }
}

/// A new refresh token: what the client gets, and the hash the database keeps.
pub fn new_refresh_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_refresh_token(&token);
    (token, hash)
}

pub fn hash_refresh_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_tokens_verify_with_their_key_only() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef");
        let id = Uuid::new_v4();
        let session = Uuid::new_v4();
        let token = keys.issue_access(id, Role::Seeker, session).expect("sign");
        let claims = keys.verify_access(&token).expect("valid");
        assert_eq!(claims.sub, id);
        assert_eq!(claims.sid, Some(session));
        assert_eq!(claims.role, Role::Seeker);
        assert!(TokenKeys::random().verify_access(&token).is_err());
    }

    #[test]
    fn other_algorithms_and_expired_tokens_are_refused() {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef");
        let now = Utc::now().timestamp();
        let claims = |exp| Claims {
            sub: Uuid::new_v4(),
            role: Role::Admin,
            iat: now,
            exp,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sid: None,
        };
        let secret = EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef");
        let hs512 = encode(&Header::new(Algorithm::HS512), &claims(now + 60), &secret).expect("sign");
        assert!(keys.verify_access(&hs512).is_err());
        let expired = encode(&Header::new(Algorithm::HS256), &claims(now - 120), &secret).expect("sign");
        assert!(keys.verify_access(&expired).is_err());
    }
}
