//! The access log: one line a request, with every token, password and email address in the request target
//! replaced by `[redacted]`, since links in emails carry tokens in their query strings and paths.

use actix_web::dev::ServiceRequest;
use actix_web::middleware::Logger;

/// What stands in for a secret in the log.
pub const REDACTED: &str = "[redacted]";

/// Query parameters whose values are never logged.
const SECRET_PARAMS: [&str; 7] = ["token", "access_token", "refresh_token", "password", "email", "code", "key"];

/// Path segments after which the next segment is a token (`/api/v1/partner-invitations/{token}`).
const TOKEN_PARENTS: [&str; 1] = ["partner-invitations"];

/// The access-log middleware: client address, request line (redacted), status and time taken.
pub fn logger() -> Logger {
    Logger::new("%a \"%{request}xi\" %s %Dms").custom_request_replace("request", request_line).exclude("/healthz")
}

fn request_line(req: &ServiceRequest) -> String {
    format!("{} {} {:?}", req.method(), redact_target(req.path(), req.query_string()), req.version())
}

/// The request target with secrets replaced: token path segments, the values of secret parameters, and any value
/// that looks like an email address.
pub fn redact_target(path: &str, query: &str) -> String {
    let mut segments: Vec<&str> = path.split('/').collect();
    for i in 1..segments.len() {
        if TOKEN_PARENTS.contains(&segments[i - 1]) && !segments[i].is_empty() {
            segments[i] = REDACTED;
        }
    }
    let path = segments.join("/");
    if query.is_empty() {
        return path;
    }
    let params: Vec<String> = query.split('&').map(redact_param).collect();
    format!("{path}?{}", params.join("&"))
}

fn redact_param(param: &str) -> String {
    let (name, value) = param.split_once('=').unwrap_or((param, ""));
    let secret_name = SECRET_PARAMS.iter().any(|s| name.eq_ignore_ascii_case(s));
    let looks_like_email = value.contains('@') || value.to_ascii_lowercase().contains("%40");
    if (secret_name || looks_like_email) && !value.is_empty() {
        format!("{name}={REDACTED}")
    } else {
        param.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_in_queries_and_paths_are_redacted() {
        assert_eq!(
            redact_target("/api/v1/alerts/unsubscribe", "token=abc.DEF_123&x=1"),
            "/api/v1/alerts/unsubscribe?token=[redacted]&x=1"
        );
        assert_eq!(
            redact_target("/api/v1/partner-invitations/Zm9vYmFy/accept", ""),
            "/api/v1/partner-invitations/[redacted]/accept"
        );
        assert_eq!(redact_target("/api/v1/partner-invitations/Zm9vYmFy", ""), "/api/v1/partner-invitations/[redacted]");
        assert_eq!(redact_target("/api/v1/jobs", "q=a%40b.se&limit=5"), "/api/v1/jobs?q=[redacted]&limit=5");
        assert_eq!(redact_target("/api/v1/jobs", "q=cells&TOKEN=x"), "/api/v1/jobs?q=cells&TOKEN=[redacted]");
        assert_eq!(redact_target("/api/v1/me/partner/invitations", ""), "/api/v1/me/partner/invitations");
    }
}
