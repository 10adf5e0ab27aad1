//! The stylesheet and the progressive-enhancement script, compiled into the binary and served from memory with a long cache lifetime (their addresses carry a hash of their content, so a new build is fetched at once).

use std::sync::LazyLock;

use axum::http::header;
use axum::response::{IntoResponse, Response};

pub const CSS: &str = include_str!("../../assets/app.css");
pub const JS: &str = include_str!("../../assets/app.js");

const CACHE: &str = "public, max-age=31536000, immutable";

/// FNV-1a: a short fingerprint of an asset for its address (not for security).
fn fingerprint(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:012x}", h & 0xffff_ffff_ffff)
}

static CSS_HREF: LazyLock<String> =
    LazyLock::new(|| format!("/assets/app.css?v={}", fingerprint(CSS)));
static JS_HREF: LazyLock<String> =
    LazyLock::new(|| format!("/assets/app.js?v={}", fingerprint(JS)));

pub fn css_href() -> &'static str {
    &CSS_HREF
}

pub fn js_href() -> &'static str {
    &JS_HREF
}

pub async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        CSS,
    )
        .into_response()
}

pub async fn js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        JS,
    )
        .into_response()
}
