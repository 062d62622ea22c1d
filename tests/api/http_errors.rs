//! The error contract: every failure is problem+json with the right status, and changes nothing.

use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn malformed_json_is_400_and_wrong_content_type_is_415() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let r = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .header("content-type", "text/plain")
        .body("hi")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 415);
    assert_eq!(app.count("SELECT count(*) AS n FROM users").await, 0);
}

#[tokio::test]
async fn unknown_fields_are_422_naming_the_field() {
    let app = TestApp::spawn().await;
    let r = app
        .post("/api/v1/auth/register", None, json!({"email": "a@example.org", "password": "long enough pw", "display_name": "A", "role": "seeker", "is_admin": true}))
        .await;
    assert_eq!(r.invalid_fields(), vec!["is_admin"]);
    assert_eq!(app.count("SELECT count(*) AS n FROM users").await, 0);
}

#[tokio::test]
async fn bodies_over_one_mebibyte_are_413() {
    let app = TestApp::spawn().await;
    let big = "x".repeat(1024 * 1024 + 10);
    let r = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "a@example.org", "password": "long enough pw", "display_name": big, "role": "seeker"}),
        )
        .await;
    r.problem(413);
    assert_eq!(app.count("SELECT count(*) AS n FROM users").await, 0);
}

#[tokio::test]
async fn unknown_routes_are_404_problems_and_health_answers() {
    let app = TestApp::spawn().await;
    app.get("/api/v1/nothing-here", None).await.problem(404);
    assert_eq!(app.get("/healthz", None).await.status, 200);
    assert_eq!(app.get("/readyz", None).await.status, 200);
}

#[tokio::test]
async fn openapi_document_lists_the_endpoints_and_docs_are_served() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api-docs/openapi.json", None).await;
    assert_eq!(doc.status, 200);
    for path in
        ["/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout", "/api/v1/me"]
    {
        assert!(doc.body["paths"][path].is_object(), "{path} missing from the OpenAPI document");
    }
    let docs = app.get("/docs/", None).await;
    assert_eq!(docs.status, 200);
    assert!(docs.text.contains("swagger"), "the docs page is Swagger UI");
}
