//! The client core: one connection pool per org, signed calls, retries, the shared token
//! refresh, the circuit breaker and API usage tracking.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Response, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::{Host, Url};

use super::auth::{Credentials, Secret, TokenRefresher};
use super::error::{Result, SalesforceError};
use super::resilience::{BreakerConfig, BreakerState, CircuitBreaker, RetryPolicy};
use super::rest::DescribeCache;
use super::usage::{ApiUsage, UsageTracker};
use super::wire::ApiVersion;

const LIMIT_INFO: &str = "sforce-limit-info";

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub retry: RetryPolicy,
    pub breaker: BreakerConfig,
    /// Per request, from connecting to the last byte of a buffered answer.
    pub timeout: Duration,
    /// Pin an API version such as `"60.0"`; `None` uses the newest the org offers.
    pub api_version: Option<String>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::default(),
            breaker: BreakerConfig::default(),
            timeout: Duration::from_secs(120),
            api_version: None,
        }
    }
}

/// A typed client for one org. Cheap to clone: clones share the pool, token and breaker.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    instance_url: String,
    version: String,
    token: tokio::sync::RwLock<(u64, Secret)>,
    refresh_gate: tokio::sync::Mutex<()>,
    refresher: Option<Arc<dyn TokenRefresher>>,
    usage: UsageTracker,
    breaker: CircuitBreaker,
    retry: RetryPolicy,
    describes: DescribeCache,
    requests: std::sync::atomic::AtomicU64,
    /// The quickest answer seen, in microseconds: the link's latency, for choosing paths.
    fastest_micros: std::sync::atomic::AtomicU64,
}

/// One request, kept whole so that it can be sent again.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    method: Method,
    url: String,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    body: Option<(Bytes, &'static str)>,
}

impl Call {
    pub(crate) fn new(method: Method, url: String) -> Self {
        Self {
            method,
            url,
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: None,
        }
    }

    pub(crate) fn query(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.push((key.to_string(), value.into()));
        self
    }

    pub(crate) fn header(mut self, name: &'static str, value: &str) -> Result<Self> {
        let value = HeaderValue::from_str(value)
            .map_err(|e| SalesforceError::decode(format!("header {name}"), e))?;
        self.headers.insert(HeaderName::from_static(name), value);
        Ok(self)
    }

    pub(crate) fn json(mut self, body: &impl Serialize) -> Result<Self> {
        let bytes =
            serde_json::to_vec(body).map_err(|e| SalesforceError::decode("request body", e))?;
        self.body = Some((bytes.into(), "application/json"));
        Ok(self)
    }

    pub(crate) fn bytes(mut self, body: Bytes, content_type: &'static str) -> Self {
        self.body = Some((body, content_type));
        self
    }

    /// Sending again after a lost answer must not repeat a write: POST creates, the rest
    /// (GET, PATCH by id or external id, PUT, DELETE) land in the same state twice.
    fn is_idempotent(&self) -> bool {
        self.method != Method::POST
    }
}

/// Refuses plain HTTP except to this machine, where the sandbox org runs.
pub fn check_url(url: &str) -> Result<Url> {
    let parsed = Url::parse(url).map_err(|_| SalesforceError::InvalidUrl(url.to_string()))?;
    let loopback = match parsed.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(SalesforceError::InvalidUrl(url.to_string())),
    };
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if loopback => Ok(parsed),
        _ => Err(SalesforceError::InsecureUrl(url.to_string())),
    }
}

/// The HTTP client every org shares the settings of: rustls, gzip, no redirects (a redirect
/// from an API endpoint means a wrong host, and following it would resend the token).
pub fn http_client(timeout: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .gzip(true)
        .timeout(timeout)
        .user_agent(concat!("tether/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(SalesforceError::Transport)
}

impl Client {
    /// Checks the URL, then discovers the API version unless the config pins one.
    pub async fn connect(
        instance_url: &str,
        credentials: Credentials,
        config: ClientConfig,
    ) -> Result<Self> {
        let http = http_client(config.timeout)?;
        Self::connect_with(http, instance_url, credentials, config).await
    }

    pub async fn connect_with(
        http: reqwest::Client,
        instance_url: &str,
        credentials: Credentials,
        config: ClientConfig,
    ) -> Result<Self> {
        let instance_url = check_url(instance_url)?
            .as_str()
            .trim_end_matches('/')
            .to_string();
        let build = |version: String, credentials: Credentials| Self {
            inner: Arc::new(Inner {
                http: http.clone(),
                instance_url: instance_url.clone(),
                version,
                token: tokio::sync::RwLock::new((0, credentials.access_token)),
                refresh_gate: tokio::sync::Mutex::new(()),
                refresher: credentials.refresher,
                usage: UsageTracker::default(),
                breaker: CircuitBreaker::new(config.breaker.clone()),
                retry: config.retry.clone(),
                describes: DescribeCache::default(),
                requests: Default::default(),
                fastest_micros: std::sync::atomic::AtomicU64::new(u64::MAX),
            }),
        };
        if let Some(version) = &config.api_version {
            return Ok(build(version.clone(), credentials));
        }
        // The discovery call may renew the token: the client built for it hands its
        // token on to the one that is kept.
        let probe = build(String::new(), credentials.clone());
        let newest = probe
            .versions()
            .await?
            .into_iter()
            .max_by(|a, b| a.number().total_cmp(&b.number()))
            .ok_or_else(|| SalesforceError::decode("/services/data/", "no API version"))?;
        let access_token = probe.inner.token.read().await.1.clone();
        let client = build(
            newest.version,
            Credentials {
                access_token,
                refresher: credentials.refresher,
            },
        );
        client.inner.usage.observe_usage(probe.api_usage());
        Ok(client)
    }

    /// Requests this client has had answered, failures and retries included: what the org
    /// counts against the daily API limit.
    pub fn requests_answered(&self) -> u64 {
        self.inner
            .requests
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// `GET /services/data/`: every API version the org serves.
    pub async fn versions(&self) -> Result<Vec<ApiVersion>> {
        let url = format!("{}/services/data/", self.inner.instance_url);
        self.json(Call::new(Method::GET, url)).await
    }

    pub fn instance_url(&self) -> &str {
        &self.inner.instance_url
    }

    /// The API version in use, such as `"60.0"`.
    pub fn api_version(&self) -> &str {
        &self.inner.version
    }

    /// The quickest round trip an answer took so far: about the link's latency.
    pub fn round_trip(&self) -> Option<Duration> {
        match self
            .inner
            .fastest_micros
            .load(std::sync::atomic::Ordering::Relaxed)
        {
            u64::MAX => None,
            micros => Some(Duration::from_micros(micros)),
        }
    }

    /// The org's API usage as of the latest answer.
    pub fn api_usage(&self) -> Option<ApiUsage> {
        self.inner.usage.latest()
    }

    pub fn breaker_state(&self) -> BreakerState {
        self.inner.breaker.state(Instant::now())
    }

    /// How many times the access token was renewed.
    pub async fn token_generation(&self) -> u64 {
        self.inner.token.read().await.0
    }

    /// `{instance}/services/data/v{version}{path}`.
    pub(crate) fn data_url(&self, path: &str) -> String {
        format!(
            "{}/services/data/v{}{}",
            self.inner.instance_url, self.inner.version, path
        )
    }

    /// A URL the org handed out (such as `nextRecordsUrl`): a path on this instance, never
    /// another host, so that the token goes nowhere else.
    pub(crate) fn instance_path(&self, path: &str) -> Result<String> {
        if !path.starts_with('/') || path.starts_with("//") {
            return Err(SalesforceError::decode(
                "next page URL",
                format!("{path} is not a path on this org"),
            ));
        }
        Ok(format!("{}{}", self.inner.instance_url, path))
    }

    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    pub(crate) fn inner_describes(&self) -> &DescribeCache {
        &self.inner.describes
    }

    pub(crate) async fn json<T: DeserializeOwned>(&self, call: Call) -> Result<T> {
        let context = call.url.clone();
        let body = self.execute(call).await?.bytes().await;
        let body = body.map_err(SalesforceError::Transport)?;
        serde_json::from_slice(&body).map_err(|e| SalesforceError::decode(context, e))
    }

    /// Sends a call until it succeeds, fails for good or runs out of attempts.
    pub(crate) async fn execute(&self, call: Call) -> Result<Response> {
        let inner = &self.inner;
        let mut attempt = 0;
        let mut refreshed = false;
        loop {
            attempt += 1;
            inner
                .breaker
                .admit(Instant::now())
                .map_err(|failures| SalesforceError::CircuitOpen { failures })?;
            let (generation, token) = inner.token.read().await.clone();
            let err = match self.send_once(&call, &token).await {
                Ok(response) => {
                    inner.breaker.record_success();
                    return Ok(response);
                }
                Err(err) => err,
            };
            if err.is_invalid_session() {
                inner.breaker.record_success();
                if refreshed {
                    return Err(SalesforceError::SessionExpired(err.to_string()));
                }
                self.refresh(generation, &err).await?;
                refreshed = true;
                attempt -= 1;
                continue;
            }
            if !err.is_transient() {
                inner.breaker.record_success();
                return Err(err);
            }
            inner.breaker.record_failure(Instant::now());
            let answer_lost = matches!(&err, SalesforceError::Transport(e) if !e.is_connect());
            if (answer_lost && !call.is_idempotent()) || attempt >= inner.retry.max_attempts {
                return Err(err);
            }
            let delay = inner.retry.delay(attempt);
            tracing::debug!(url = %call.url, attempt, ?delay, error = %err, "retrying");
            tokio::time::sleep(delay).await;
        }
    }

    /// One attempt with a body that cannot be sent twice: no retries, no refresh.
    pub(crate) async fn execute_streamed(
        &self,
        method: Method,
        url: String,
        body: reqwest::Body,
        content_type: &'static str,
    ) -> Result<Response> {
        let inner = &self.inner;
        inner
            .breaker
            .admit(Instant::now())
            .map_err(|failures| SalesforceError::CircuitOpen { failures })?;
        let token = inner.token.read().await.1.clone();
        let sent = inner
            .http
            .request(method, &url)
            .bearer_auth(token.expose())
            .header(CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .map_err(SalesforceError::Transport);
        let outcome = match sent {
            Ok(response) => self.check(response).await,
            Err(e) => Err(e),
        };
        match &outcome {
            Err(e) if e.is_transient() => inner.breaker.record_failure(Instant::now()),
            _ => inner.breaker.record_success(),
        }
        outcome
    }

    async fn send_once(&self, call: &Call, token: &Secret) -> Result<Response> {
        let mut request = self
            .inner
            .http
            .request(call.method.clone(), &call.url)
            .headers(call.headers.clone())
            .bearer_auth(token.expose());
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        if let Some((bytes, content_type)) = &call.body {
            request = request
                .header(CONTENT_TYPE, *content_type)
                .body(bytes.clone());
        }
        let started = Instant::now();
        let response = request.send().await.map_err(SalesforceError::Transport)?;
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX - 1);
        self.inner
            .fastest_micros
            .fetch_min(micros, std::sync::atomic::Ordering::Relaxed);
        self.check(response).await
    }

    /// Notes the API usage, and turns an unsuccessful answer into its error.
    async fn check(&self, response: Response) -> Result<Response> {
        self.inner
            .requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.inner.usage.observe(
            response
                .headers()
                .get(LIMIT_INFO)
                .and_then(|v| v.to_str().ok()),
        );
        let status = response.status();
        if status.is_success() || status == StatusCode::NOT_MODIFIED {
            return Ok(response);
        }
        let body = response.bytes().await.map_err(SalesforceError::Transport)?;
        Err(SalesforceError::from_response(status, &body))
    }

    /// Renews the token once for every call that saw generation `seen` refused: the first
    /// caller refreshes, the others wait on the gate and then find a newer generation.
    async fn refresh(&self, seen: u64, refused: &SalesforceError) -> Result<()> {
        let inner = &self.inner;
        let _gate = inner.refresh_gate.lock().await;
        if inner.token.read().await.0 != seen {
            return Ok(());
        }
        let Some(refresher) = &inner.refresher else {
            return Err(SalesforceError::SessionExpired(refused.to_string()));
        };
        let fresh = refresher.refresh().await.map_err(|e| match e {
            SalesforceError::SessionExpired(_) => e,
            other => SalesforceError::SessionExpired(other.to_string()),
        })?;
        let mut token = inner.token.write().await;
        *token = (token.0 + 1, fresh);
        Ok(())
    }
}
