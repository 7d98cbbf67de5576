//! Security headers on every response: a Content-Security-Policy that allows only the portal's
//! own files and the local signing service, no framing, no MIME sniffing, no Referer off-site.

use axum::http::{header, HeaderValue};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

/// The CSP for pages whose scripts and styles are files of the portal and which talk to the
/// portal and to the signing service at `signer_url` only.
pub fn content_security_policy(signer_url: &str) -> String {
    let signer = signer_origin(signer_url).unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
connect-src 'self' {signer}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
}

/// `ws://host:port` of the signer URL, when it is a plain ws/wss URL (anything that could break
/// out of the policy is left out, so the page then cannot reach it).
fn signer_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "ws" && scheme != "wss" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    let clean = !authority.is_empty()
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c));
    clean.then(|| format!("{scheme}://{authority}"))
}

/// Adds the headers to every response of `router` (handlers that set their own keep them).
pub(crate) fn secure(router: Router, signer_url: &str) -> Router {
    let csp = HeaderValue::from_str(&content_security_policy(signer_url))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"));
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            csp,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
}
