//! The OpenAPI document tells the truth: every error answer is documented as problem+json, and the answers the
//! server really gives to bad requests are the ones the document lists for that operation.

use serde_json::Value;

use crate::helpers::TestApp;

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Every operation in the document: (method, path, operation object).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let paths = doc["paths"].as_object().expect("paths");
    let mut ops = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                ops.push((method.to_owned(), path.clone(), op.clone()));
            }
        }
    }
    assert!(ops.len() > 40, "the document lists only {} operations", ops.len());
    ops
}

async fn document(app: &TestApp) -> Value {
    let r = app.get("/api-docs/openapi.json", None).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

fn signed_in(op: &Value) -> bool {
    op["security"].as_array().is_some_and(|reqs| reqs.iter().any(|r| r.get("bearer").is_some()))
}

fn has_body(op: &Value) -> bool {
    op["requestBody"]["content"].get("application/json").is_some()
}

fn documented(op: &Value, status: u16) -> Option<&Value> {
    op["responses"].get(status.to_string())
}

#[tokio::test]
async fn every_operation_documents_its_error_answers_as_problem_json() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let mut wrong = Vec::new();
    for (method, path, op) in operations(&doc) {
        let name = format!("{} {path}", method.to_uppercase());
        let mut expected = vec![503];
        if signed_in(&op) {
            expected.push(401);
        }
        if has_body(&op) {
            expected.extend([400, 413, 415, 422]);
        }
        if path.contains('{') {
            expected.push(404);
        }
        if method == "post" && ["/api/v1/auth/login", "/api/v1/auth/register"].contains(&path.as_str()) {
            expected.push(429);
        }
        for status in expected {
            if documented(&op, status).is_none() {
                wrong.push(format!("{name}: {status} not documented"));
            }
        }
        for status in [429, 503] {
            if documented(&op, status).is_some_and(|r| r["headers"].get("Retry-After").is_none()) {
                wrong.push(format!("{name}: {status} without Retry-After"));
            }
        }
        for (status, response) in op["responses"].as_object().expect("responses") {
            if !(status.starts_with('4') || status.starts_with('5')) {
                continue;
            }
            let content = response["content"].as_object().cloned().unwrap_or_default();
            if content.contains_key("application/json") {
                wrong.push(format!("{name}: {status} documented as application/json"));
            }
            match content.get("application/problem+json") {
                Some(media) if media["schema"]["$ref"] == "#/components/schemas/Problem" => {}
                _ => wrong.push(format!("{name}: {status} is not a Problem in application/problem+json")),
            }
        }
    }
    assert!(wrong.is_empty(), "{} faults in the document:\n{}", wrong.len(), wrong.join("\n"));
}

/// Sends each operation a request the server must refuse: no token, the wrong content type, broken JSON, a body
/// over 1 MiB. Whatever comes back must be listed for that operation, with the media type the server sent.
#[tokio::test]
async fn refusals_the_server_sends_are_the_ones_documented() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let employer = app.employer("Doc Reader").await;
    let too_large = format!("{{\"x\":\"{}\"}}", "a".repeat(1_100_000));
    let mut wrong = Vec::new();
    for (method, path, op) in operations(&doc) {
        let url = app.url(&fill_path(&path));
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
        let mut attempts = vec![("no token", app.client.request(method.clone(), &url))];
        if has_body(&op) {
            let signed = || app.client.request(method.clone(), &url).bearer_auth(&employer.token);
            attempts.push(("text/plain", signed().header("content-type", "text/plain").body("hello")));
            attempts.push(("broken JSON", signed().header("content-type", "application/json").body("{\"a\":")));
            attempts.push(("over 1 MiB", signed().header("content-type", "application/json").body(too_large.clone())));
        }
        for (what, request) in attempts {
            let response = request.send().await.expect("send");
            let status = response.status().as_u16();
            let media = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            let media = media.split(';').next().unwrap_or("").trim().to_owned();
            let name = format!("{method} {path} ({what})");
            match documented(&op, status) {
                None => wrong.push(format!("{name}: answered {status}, not documented")),
                Some(response) if !media.is_empty() && response["content"].get(&media).is_none() => {
                    wrong.push(format!("{name}: answered {status} as {media}, documented as {}", response["content"]))
                }
                Some(_) => {}
            }
        }
    }
    assert!(wrong.is_empty(), "{} answers the document does not list:\n{}", wrong.len(), wrong.join("\n"));
}

/// A path with each `{parameter}` replaced by a fresh id that names nothing.
fn fill_path(path: &str) -> String {
    let mut filled = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map_or(rest.len(), |i| open + i + 1);
        filled.push_str(&rest[..open]);
        filled.push_str(&uuid::Uuid::new_v4().to_string());
        rest = &rest[close..];
    }
    filled.push_str(rest);
    filled
}
