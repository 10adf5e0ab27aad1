//! Errors no handler wrote, in the documented shape: a panic anywhere in a route becomes a logged 500, and any other error response from outside the handlers (request-body limit, JSON and query rejections, timeouts, unknown routes and methods) becomes `{"error": {"code", "message"}}` (an HTML error page for a browser off the API).

use std::any::Any;

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;

use crate::error::WebError;
use crate::pages::layout::PageError;

/// What a panic's payload says, for the log.
fn panic_message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message")
}

/// The response to a panic: a 500 in the JSON error shape; the panic is logged, never sent.
fn response_for_panic(payload: Box<dyn Any + Send + 'static>) -> Response {
    WebError::Internal(format!("panic: {}", panic_message(payload.as_ref()))).into_response()
}

/// Catches a panic in a route (handler, extractor or route layer) and answers a logged 500.
pub fn catch_panic() -> CatchPanicLayer<fn(Box<dyn Any + Send + 'static>) -> Response> {
    CatchPanicLayer::custom(response_for_panic as fn(_) -> Response)
}

/// Whether a response's body was written by our handlers (JSON errors, HTML pages).
fn is_shaped(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json") || t.starts_with("text/html"))
}

/// Whether the client is a browser on a page: it accepts HTML and is not calling the API.
fn wants_page(request: &Request) -> bool {
    !request.uri().path().starts_with("/api/")
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"))
}

/// Rewrites an error response from outside the handlers into the documented shape, keeping
/// its status and headers (security headers, `Allow`, `Retry-After`) and its message.
pub async fn error_shape(request: Request, next: Next) -> Response {
    let page = wants_page(&request);
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || is_shaped(response.headers()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    // Rejections carry a one-line reason; anything longer is not ours to repeat.
    let message = axum::body::to_bytes(body, 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let error = WebError::Rejected { status, message };
    let mut shaped = if page {
        PageError::new(error, None).into_response()
    } else {
        error.into_response()
    };
    let mut headers = parts.headers;
    headers.remove(header::CONTENT_TYPE);
    headers.remove(header::CONTENT_LENGTH);
    for (name, value) in shaped.headers() {
        headers.insert(name.clone(), value.clone());
    }
    *shaped.headers_mut() = headers;
    shaped
}

/// The message of an error response that came without one.
pub(crate) fn default_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "the request could not be read",
        404 => "no such page",
        405 => "this method is not allowed here",
        408 => "the request took too long",
        413 => "the request body is too large",
        415 => "the request body has an unsupported content type",
        503 => "the service is not ready",
        _ if status.is_server_error() => "internal error",
        _ => "the request was refused",
    }
}
