//! Small validation helpers shared by the features' request types: lengths, blanks and web addresses.

use super::FieldError;

/// Pushes an error unless `value` has between `min` and `max` characters.
pub fn check_length(field: &str, value: &str, min: usize, max: usize, errors: &mut Vec<FieldError>) {
    let n = value.chars().count();
    if n < min || n > max {
        let message = if min == 0 {
            format!("must be at most {max} characters")
        } else {
            format!("must be {min} to {max} characters")
        };
        errors.push(FieldError::new(field, message));
    }
}

/// Trims an optional text; blank counts as not given.
pub fn trimmed(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Whether `url` is an absolute http(s) URL with a plausible host and no whitespace.
pub fn is_web_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    url.len() <= 2048
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
        && !host.is_empty()
        && !host.starts_with(['.', '-'])
        && host.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.')
}

/// Checks an optional web address; `None` (not given or blank) is fine.
pub fn check_url(field: &str, url: Option<&str>, errors: &mut Vec<FieldError>) {
    if url.is_some_and(|u| !is_web_url(u)) {
        errors.push(FieldError::new(field, "must be an http or https URL such as https://example.org"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_urls_need_a_scheme_and_a_host() {
        assert!(is_web_url("https://astrazeneca.se"));
        assert!(is_web_url("http://localhost:8080/careers?x=1"));
        for bad in ["astrazeneca.se", "ftp://x.se", "https://", "https:///path", "https://a b.se", "javascript:x"] {
            assert!(!is_web_url(bad), "{bad} should be refused");
        }
    }
}
