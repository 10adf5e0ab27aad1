//! The page shell (head, header navigation, footer with the disclaimer), who is viewing, the HTML error page, and small helpers every page handler shares.

use axum::extract::FromRequestParts;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, extract::Query};
use evident_core::answer::DISCLAIMER;
use evident_core::article::{Actor, Slug, format_utc};
use maud::{DOCTYPE, Markup, html};

use super::assets;
use crate::AppState;
use crate::auth::Caller;
use crate::error::WebError;

/// Who is looking at a page. A token that no longer authenticates (a revoked session)
/// counts as nobody, so that pages still render and offer to sign in again.
pub struct Viewer(pub Caller);

impl FromRequestParts<AppState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        match Caller::from_request_parts(parts, state).await {
            Ok(caller) => Ok(Viewer(caller)),
            Err(WebError::Unauthenticated) => Ok(Viewer(Caller(None))),
            Err(e) => Err(PageError::new(e, None)),
        }
    }
}

impl Viewer {
    pub fn user(&self) -> Option<&Actor> {
        self.0.0.as_ref()
    }

    /// The error page for `error`, with this viewer in the header.
    pub fn error(&self, error: WebError) -> PageError {
        PageError::new(error, self.user().cloned())
    }
}

/// An error shown as an HTML page with the error's status (and `Retry-After` for 429).
pub struct PageError {
    pub error: WebError,
    pub user: Option<Actor>,
    /// Send unauthenticated visitors to the sign-in page (GET pages of the reviewer area).
    pub login_redirect: Option<String>,
}

impl PageError {
    pub fn new(error: WebError, user: Option<Actor>) -> PageError {
        PageError {
            error,
            user,
            login_redirect: None,
        }
    }

    /// Unauthenticated visitors are redirected to `/login?next=PATH` instead.
    pub fn or_login(mut self, path: &str) -> PageError {
        self.login_redirect = Some(path.to_string());
        self
    }
}

impl From<WebError> for PageError {
    fn from(error: WebError) -> Self {
        PageError::new(error, None)
    }
}

fn error_title(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 => "Please sign in",
        403 => "Not allowed",
        404 => "Not found",
        409 => "Conflict",
        422 => "Please check your input",
        429 => "Too many requests",
        _ => "Something went wrong",
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let (WebError::Unauthenticated, Some(path)) = (&self.error, &self.login_redirect) {
            return Redirect::to(&login_href(path)).into_response();
        }
        if let WebError::Internal(detail) = &self.error {
            tracing::error!("internal error: {detail}");
        }
        let status = self.error.status();
        let title = error_title(status);
        let body = html! {
            h1 { (title) }
            p.error-message role="alert" { (self.error.to_string()) }
            @match &self.error {
                WebError::Unauthenticated => {
                    p { a href="/login" { "Sign in" } " with your API token to continue." }
                }
                WebError::RateLimited(_) => {
                    p { "Please wait a moment and try again." }
                }
                _ => {}
            }
            p { a href="/" { "Back to the ask page" } }
        };
        let mut response = (
            status,
            Html(page(self.user.as_ref(), title, body).into_string()),
        )
            .into_response();
        if let Some(v) = self.error.retry_after() {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

/// `/login`, with `next` when it is a path on this site.
pub fn login_href(next: &str) -> String {
    if safe_next(next) {
        format!("/login?next={}", encode_component(next))
    } else {
        "/login".into()
    }
}

/// A path on this site (not `//host` or `/\host`, which browsers treat as another site).
pub fn safe_next(next: &str) -> bool {
    next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && next
            .chars()
            .all(|c| c.is_ascii_graphic() && c != '\\' && c != '"' && c != '<' && c != '>')
}

/// Percent-encodes a query component.
pub fn encode_component(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An HTML page with status 200.
pub fn html_page(user: Option<&Actor>, title: &str, body: Markup) -> Response {
    Html(page(user, title, body).into_string()).into_response()
}

/// An HTML page with another status.
pub fn html_page_status(
    status: StatusCode,
    user: Option<&Actor>,
    title: &str,
    body: Markup,
) -> Response {
    (status, Html(page(user, title, body).into_string())).into_response()
}

/// The whole document around `body`.
pub fn page(user: Option<&Actor>, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Evident" }
                // No favicon: an empty one, so that browsers do not ask for /favicon.ico.
                link rel="icon" href="data:,";
                link rel="stylesheet" href=(assets::css_href());
                script src=(assets::js_href()) defer {}
            }
            body {
                a.skip-link href="#main" { "Skip to main content" }
                header.site-header {
                    div.wrap.header-row {
                        a.site-name href="/" { "Evident" }
                        nav aria-label="Site" {
                            ul.nav-links {
                                @if user.is_some_and(|u| u.role.can_review()) {
                                    li { a href="/review" { "Review" } }
                                }
                                li { a href="/editorial-policy" { "Editorial policy" } }
                                li { a href="/about" { "About" } }
                                @match user {
                                    Some(u) => {
                                        li.signed-in {
                                            span.user-name { (u.name) " " span.role { "(" (u.role.as_str()) ")" } }
                                            form.inline method="post" action="/logout" {
                                                button.link-button type="submit" { "Sign out" }
                                            }
                                        }
                                    }
                                    None => {
                                        li { a href="/login" { "Sign in" } }
                                    }
                                }
                            }
                        }
                    }
                }
                main #main tabindex="-1" {
                    div.wrap { (body) }
                }
                footer.site-footer {
                    div.wrap {
                        p.disclaimer-footer { (DISCLAIMER) }
                        p {
                            a href="/editorial-policy" { "Editorial policy" }
                            " · "
                            a href="/about" { "About Evident" }
                        }
                    }
                }
            }
        }
    }
}

/// A `<time>` element for Unix milliseconds.
pub fn time_el(ms: i64) -> Markup {
    let shown = format_utc(ms);
    let machine = shown
        .strip_suffix(" UTC")
        .map(|d| format!("{}Z", d.replacen(' ', "T", 1)))
        .unwrap_or_default();
    html! { time datetime=(machine) { (shown) } }
}

/// A slug from a path segment; anything that is not a slug cannot name an article.
pub fn parse_slug(s: &str) -> Result<Slug, WebError> {
    s.parse()
        .map_err(|_| WebError::NotFound(format!("no article '{s}'")))
}

/// A form body, or a 422 page when it cannot be read.
pub fn form<T>(f: Result<Form<T>, FormRejection>) -> Result<T, WebError> {
    f.map(|Form(t)| t)
        .map_err(|e| WebError::Invalid(format!("the form could not be read: {}", e.body_text())))
}

/// Query parameters, or a 422 page when they cannot be read.
pub fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, WebError> {
    q.map(|Query(t)| t)
        .map_err(|e| WebError::Invalid(format!("the address could not be read: {}", e.body_text())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert!(safe_next("/review/some-slug"));
        assert!(!safe_next("//evil.example/"));
        assert!(!safe_next("/\\evil.example"));
        assert!(!safe_next("https://evil.example/"));
        assert_eq!(login_href("https://evil.example"), "/login");
        assert_eq!(login_href("/review/a b"), "/login");
        assert_eq!(login_href("/review/x"), "/login?next=/review/x");
    }
}
