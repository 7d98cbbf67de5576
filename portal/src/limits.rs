//! Per-client rate limits on the API (GCRA by source address, `tower_governor`), and the 429
//! answer in the page's language.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::connect_info::{ConnectInfo, MockConnectInfo};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use governor::middleware::NoOpMiddleware;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::{GovernorError, GovernorLayer};

use crate::i18n::{Lang, Text};
use crate::Reply;

/// A burst of `burst` requests, then one more every `every`, per source address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub burst: u32,
    pub every: Duration,
}

/// The limits of each group of API routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// `/api/challenge`: a page asks one per EDS action.
    pub challenge: Limit,
    /// `/api/login/*`: room for the guide's 10 failures and a few retries, then one per 3 s.
    pub login: Limit,
    /// `/api/password/*`: recovery resets a password and sends mail, so it is the scarcest.
    pub password: Limit,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            challenge: Limit {
                burst: 30,
                every: Duration::from_secs(1),
            },
            login: Limit {
                burst: 20,
                every: Duration::from_secs(3),
            },
            password: Limit {
                burst: 5,
                every: Duration::from_secs(60),
            },
        }
    }
}

/// The client a limit counts: the peer's IPv4 address, or its IPv6 /64 (one subscriber's
/// network, which hands out addresses freely). Reads axum's `ConnectInfo`, or the mock one the
/// tests install.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PeerAddress;

impl KeyExtractor for PeerAddress {
    type Key = IpAddr;

    fn extract<T>(&self, request: &Request<T>) -> Result<IpAddr, GovernorError> {
        let extensions = request.extensions();
        let peer = extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0)
            .or_else(|| extensions.get::<MockConnectInfo<SocketAddr>>().map(|m| m.0))
            .ok_or(GovernorError::UnableToExtractKey)?;
        Ok(match peer.ip() {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
            },
            v4 => v4,
        })
    }
}

type Config = GovernorConfig<PeerAddress, NoOpMiddleware>;

/// One limiter per group, shared by the group's routes.
pub(crate) struct Limiters {
    challenge: Arc<Config>,
    login: Arc<Config>,
    password: Arc<Config>,
}

/// Which group a route belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Group {
    Challenge,
    Login,
    Password,
}

fn config(limit: Limit) -> Arc<Config> {
    let config = GovernorConfigBuilder::default()
        .key_extractor(PeerAddress)
        .period(limit.every.max(Duration::from_nanos(1)))
        .burst_size(limit.burst.max(1))
        .finish();
    // finish() refuses only a zero period or burst, which max() above rules out.
    Arc::new(config.expect("a non-zero period and burst"))
}

impl Limiters {
    pub(crate) fn new(limits: &RateLimits) -> Self {
        Limiters {
            challenge: config(limits.challenge),
            login: config(limits.login),
            password: config(limits.password),
        }
    }

    /// The layer that limits a route of `group`.
    pub(crate) fn layer(&self, group: Group) -> GovernorLayer<PeerAddress, NoOpMiddleware, Body> {
        let config = match group {
            Group::Challenge => &self.challenge,
            Group::Login => &self.login,
            Group::Password => &self.password,
        };
        GovernorLayer::new(config.clone())
    }

    /// Forgets clients whose limit has fully recovered, so the tables stay as small as the
    /// clients of the last minutes.
    pub(crate) fn prune(&self) {
        for config in [&self.challenge, &self.login, &self.password] {
            config.limiter().retain_recent();
        }
    }
}

/// Turns the limiter's plain-text 429 into the API's JSON reply in the page's language
/// (`?lang=`), keeping its Retry-After header.
pub(crate) async fn localize_too_many(request: Request, next: Next) -> Response {
    let lang = request
        .uri()
        .query()
        .and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("lang=")))
        .and_then(|code| serde_json::from_value::<Lang>(code.into()).ok())
        .unwrap_or_default();
    let response = next.run(request).await;
    if response.status() != StatusCode::TOO_MANY_REQUESTS {
        return response;
    }
    let (parts, _) = response.into_parts();
    let reply = Reply {
        ok: false,
        message: Text::TooManyRequests.in_lang(lang).to_string(),
        identity: None,
    };
    let mut answer = (StatusCode::TOO_MANY_REQUESTS, Json(reply)).into_response();
    if let Some(retry) = parts.headers.get(axum::http::header::RETRY_AFTER) {
        answer
            .headers_mut()
            .insert(axum::http::header::RETRY_AFTER, retry.clone());
    }
    answer
}
