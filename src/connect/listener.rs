//! The loopback redirect listener of the web-server flow: it binds 127.0.0.1 only, on the
//! port of the registered callback URL, accepts exactly one callback whose `state` matches,
//! then closes. Anything else gets an error page and the listener keeps waiting, so a stray
//! or forged request can neither end nor hijack the sign-in.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use url::Url;

/// The callback URL the Salesforce CLI registers; Tether uses the same by default.
pub const DEFAULT_CALLBACK_PORT: u16 = 1717;
const CALLBACK_PATH: &str = "/OauthRedirect";
/// Longest request head read from a browser; a callback is far smaller.
const MAX_REQUEST_HEAD: usize = 16 * 1024;
/// How long one browser connection may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum ListenerError {
    #[error(
        "cannot listen on 127.0.0.1:{port} for the sign-in callback: {source}. Close the program using that port, or pick another with --port and register http://localhost:<port>/OauthRedirect as a callback URL of the connected app"
    )]
    Bind { port: u16, source: std::io::Error },
    #[error(
        "no sign-in callback arrived within {0:?}. Run the command again and finish signing in in the browser"
    )]
    TimedOut(Duration),
    #[error("the org refused the sign-in: {0}. Check the connected app's settings and retry")]
    Denied(String),
    #[error("the sign-in callback listener failed: {0}. Retry")]
    Io(#[from] std::io::Error),
}

/// A bound listener waiting for one callback.
#[derive(Debug)]
pub struct CallbackListener {
    listener: TcpListener,
    port: u16,
}

/// What the browser brought back.
enum Callback {
    Code(String),
    Denied(String),
}

impl CallbackListener {
    /// Binds 127.0.0.1 on `port` (0 picks a free port, for tests only).
    pub async fn bind(port: u16) -> Result<CallbackListener, ListenerError> {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let listener = TcpListener::bind(address)
            .await
            .map_err(|source| ListenerError::Bind { port, source })?;
        let port = listener.local_addr()?.port();
        Ok(CallbackListener { listener, port })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The callback URL to send in the authorize request and register in the org.
    pub fn redirect_uri(&self) -> String {
        format!("http://localhost:{}{CALLBACK_PATH}", self.port)
    }

    /// Waits for the callback carrying `expected_state` and returns its authorization code.
    /// The listener is closed when this returns, whatever the outcome.
    ///
    /// Connections are served concurrently: browsers open speculative connections that send
    /// nothing, and one of those must not hold up the real callback.
    pub async fn wait_for_code(
        self,
        expected_state: &str,
        timeout: Duration,
    ) -> Result<String, ListenerError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let claimed = Arc::new(AtomicBool::new(false));
        let mut serving = JoinSet::new();
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let (stream, _) = accepted?;
                    let state = expected_state.to_string();
                    serving.spawn(serve(stream, state, claimed.clone()));
                }
                Some(served) = serving.join_next() => match served {
                    Ok(Some(Callback::Code(code))) => return Ok(code),
                    Ok(Some(Callback::Denied(why))) => return Err(ListenerError::Denied(why)),
                    Ok(None) | Err(_) => {}
                },
                _ = tokio::time::sleep_until(deadline) => {
                    return Err(ListenerError::TimedOut(timeout));
                }
            }
        }
    }
}

/// Answers one browser connection; `None` when it was not the awaited callback. `claimed`
/// makes sure only one callback is ever accepted, even when two arrive together.
async fn serve(
    mut stream: TcpStream,
    expected_state: String,
    claimed: Arc<AtomicBool>,
) -> Option<Callback> {
    let target = match tokio::time::timeout(READ_TIMEOUT, read_target(&mut stream)).await {
        Ok(Some(target)) => target,
        _ => {
            respond(
                &mut stream,
                400,
                "Bad request",
                "Tether did not understand this request.",
            )
            .await;
            return None;
        }
    };
    let url = Url::parse(&format!("http://localhost{target}")).ok()?;
    if url.path() != CALLBACK_PATH {
        respond(
            &mut stream,
            404,
            "Not found",
            "This is Tether's sign-in callback; nothing else is served here.",
        )
        .await;
        return None;
    }
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let error = param("error");
    // An org refuses some sign-ins with `?error=access_denied` and no state: that is its
    // answer to this sign-in (no other is under way), and waiting on would only wait out the
    // timeout. A state that is not ours still marks a stray.
    let state_fits = match param("state") {
        Some(state) => state == expected_state,
        None => error.is_some(),
    };
    if !state_fits {
        respond(&mut stream, 400, "Sign-in refused", "This sign-in link does not belong to the sign-in Tether started. Start again from Tether.").await;
        return None;
    }
    let code = param("code").filter(|c| !c.is_empty());
    if code.is_none() && error.is_none() {
        respond(
            &mut stream,
            400,
            "Sign-in refused",
            "The callback carried no authorization code. Start again from Tether.",
        )
        .await;
        return None;
    }
    if claimed.swap(true, Ordering::SeqCst) {
        respond(
            &mut stream,
            400,
            "Already used",
            "This sign-in has already finished. Start again from Tether to sign in again.",
        )
        .await;
        return None;
    }
    if let Some(error) = error {
        let why = match param("error_description") {
            Some(description) => format!("{error}: {description}"),
            None => error,
        };
        respond(
            &mut stream,
            200,
            "Sign-in cancelled",
            "The org did not grant access. You can close this tab.",
        )
        .await;
        return Some(Callback::Denied(why));
    }
    respond(
        &mut stream,
        200,
        "Signed in",
        "Tether is connected. You can close this tab.",
    )
    .await;
    code.map(Callback::Code)
}

/// The request target of a `GET` request head.
async fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::with_capacity(1024);
    let mut buffer = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buffer).await.ok()?;
        if n == 0 || head.len() + n > MAX_REQUEST_HEAD {
            return None;
        }
        head.extend_from_slice(&buffer[..n]);
    }
    let line = head.split(|b| *b == b'\r').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split(' ');
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) if target.starts_with('/') => Some(target.to_string()),
        _ => None,
    }
}

async fn respond(stream: &mut TcpStream, status: u16, title: &str, message: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title} · Tether</title></head>\
         <body style=\"font-family:sans-serif;margin:3em\"><h1>{title}</h1><p>{message}</p></body></html>"
    );
    let answer = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    // The browser may already be gone; the outcome of the sign-in does not depend on it.
    let _ = stream.write_all(answer.as_bytes()).await;
    let _ = stream.shutdown().await;
}
