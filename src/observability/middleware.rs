//! Counts and times every request by the route pattern it matched (`/api/v1/jobs/{id}`), never by its path, so
//! ids and tokens never become metric labels.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::Error;
use metrics::{counter, histogram};

use super::{HTTP_DURATION, HTTP_REQUESTS};

/// The route label of requests no route matched (the 404 fallback).
pub const UNMATCHED: &str = "unmatched";

/// Wrap the app with `actix_web::middleware::from_fn(observability::middleware::track_requests)`.
pub async fn track_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let answered = next.call(req).await;
    let (route, status) = match &answered {
        // The pattern is known only once routing has run, so it is read from the answered request.
        Ok(res) => (res.request().match_pattern().unwrap_or_else(|| UNMATCHED.to_owned()), res.status()),
        Err(e) => (UNMATCHED.to_owned(), e.as_response_error().status_code()),
    };
    record(&method, route, status, started);
    answered
}

fn record(method: &Method, route: String, status: StatusCode, started: Instant) {
    let labels =
        [("method", method_label(method)), ("route", route), ("status", format!("{}xx", status.as_u16() / 100))];
    counter!(HTTP_REQUESTS, &labels).increment(1);
    histogram!(HTTP_DURATION, &labels).record(started.elapsed().as_secs_f64());
}

/// Standard methods by name; anything else in one label, so a client cannot mint new series at will.
fn method_label(method: &Method) -> String {
    const KNOWN: [Method; 7] =
        [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE, Method::HEAD, Method::OPTIONS];
    if KNOWN.contains(method) {
        method.as_str().to_owned()
    } else {
        "other".to_owned()
    }
}
