//! The loopback redirect listener, driven over real TCP as a browser would.

use std::net::SocketAddr;
use std::time::Duration;

use tether::connect::{CallbackListener, ListenerError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const STATE: &str = "state-4f1c";
const WAIT: Duration = Duration::from_secs(20);

/// Sends one GET and returns the status code of the answer; an error when nothing answers.
async fn get(address: SocketAddr, target: &str) -> std::io::Result<u16> {
    let mut stream = TcpStream::connect(address).await?;
    let request = format!("GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await?;
    if answer.is_empty() {
        // The listener closed this connection without answering: it is no longer serving.
        return Err(std::io::ErrorKind::ConnectionAborted.into());
    }
    let status = answer
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"));
    Ok(status)
}

#[tokio::test]
async fn binds_only_the_ipv4_loopback_address() {
    let listener = CallbackListener::bind(0).await.unwrap();
    let address = listener.local_addr().unwrap();
    assert_eq!(address.ip().to_string(), "127.0.0.1");
    assert_eq!(
        listener.redirect_uri(),
        format!("http://localhost:{}/OauthRedirect", address.port())
    );
    // Other loopback addresses reach other sockets: nothing listens there for us.
    for other in ["127.0.0.2", "[::1]"] {
        let elsewhere: SocketAddr = format!("{other}:{}", address.port()).parse().unwrap();
        assert!(
            TcpStream::connect(elsewhere).await.is_err(),
            "{elsewhere} accepted a connection"
        );
    }
}

#[tokio::test]
async fn a_busy_port_is_an_actionable_error() {
    let first = CallbackListener::bind(0).await.unwrap();
    let port = first.local_addr().unwrap().port();
    let error = CallbackListener::bind(port).await.unwrap_err();
    assert!(matches!(error, ListenerError::Bind { .. }), "{error:?}");
    assert!(error.to_string().contains("--port"), "{error}");
}

#[tokio::test]
async fn wrong_state_and_strays_are_refused_then_one_callback_is_served_and_the_port_closes() {
    let listener = CallbackListener::bind(0).await.unwrap();
    let address = listener.local_addr().unwrap();
    let waiting = tokio::spawn(async move { listener.wait_for_code(STATE, WAIT).await });

    let refused = [
        ("/OauthRedirect?code=c1&state=forged", 400),
        ("/OauthRedirect?code=c1", 400),
        (&format!("/OauthRedirect?state={STATE}") as &str, 400),
        ("/favicon.ico", 404),
    ];
    for (target, status) in refused {
        assert_eq!(get(address, target).await.unwrap(), status, "{target}");
    }
    assert!(!waiting.is_finished(), "a refused request ended the wait");

    let good = format!("/OauthRedirect?code=aPrx.code%3D%3D&state={STATE}");
    assert_eq!(get(address, &good).await.unwrap(), 200);
    let code = waiting.await.unwrap().unwrap();
    assert_eq!(code, "aPrx.code==");

    // The listener is gone: a second callback finds nothing to talk to.
    assert!(get(address, &good).await.is_err(), "second callback served");
}

#[tokio::test]
async fn an_error_callback_with_the_right_state_ends_the_wait() {
    let listener = CallbackListener::bind(0).await.unwrap();
    let address = listener.local_addr().unwrap();
    let waiting = tokio::spawn(async move { listener.wait_for_code(STATE, WAIT).await });
    let target = format!(
        "/OauthRedirect?error=access_denied&error_description=end-user+denied+authorization&state={STATE}"
    );
    assert_eq!(get(address, &target).await.unwrap(), 200);
    match waiting.await.unwrap() {
        Err(ListenerError::Denied(why)) => {
            assert_eq!(why, "access_denied: end-user denied authorization")
        }
        other => panic!("expected a denial, got {other:?}"),
    }
}

/// Salesforce redirects a refusal to `?error=access_denied` without the state it was sent.
#[tokio::test]
async fn an_error_callback_without_a_state_ends_the_wait_at_once() {
    let listener = CallbackListener::bind(0).await.unwrap();
    let address = listener.local_addr().unwrap();
    let waiting = tokio::spawn(async move { listener.wait_for_code(STATE, WAIT).await });
    let stray = "/OauthRedirect?error=access_denied&state=someone-else";
    assert_eq!(get(address, stray).await.unwrap(), 400);
    assert!(
        !waiting.is_finished(),
        "an error for another sign-in ended the wait"
    );

    let refusal =
        "/OauthRedirect?error=OAUTH_APP_BLOCKED&error_description=this+app+is+blocked+by+admin";
    assert_eq!(get(address, refusal).await.unwrap(), 200);
    let answer = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("the sign-in was still waiting after the org refused it")
        .unwrap();
    match answer {
        Err(ListenerError::Denied(why)) => {
            assert_eq!(why, "OAUTH_APP_BLOCKED: this app is blocked by admin")
        }
        other => panic!("expected a denial, got {other:?}"),
    }
}

#[tokio::test]
async fn gives_up_after_the_timeout_and_closes() {
    let listener = CallbackListener::bind(0).await.unwrap();
    let address = listener.local_addr().unwrap();
    let timeout = Duration::from_millis(200);
    let error = listener.wait_for_code(STATE, timeout).await.unwrap_err();
    assert!(
        matches!(error, ListenerError::TimedOut(t) if t == timeout),
        "{error:?}"
    );
    assert!(TcpStream::connect(address).await.is_err());
}

#[tokio::test]
async fn garbage_requests_get_an_answer_and_do_not_end_the_wait() {
    let listener = CallbackListener::bind(0).await.unwrap();
    let address = listener.local_addr().unwrap();
    let waiting = tokio::spawn(async move { listener.wait_for_code(STATE, WAIT).await });
    for garbage in [
        "POST /OauthRedirect HTTP/1.1\r\n\r\n",
        "\u{0}\u{1}\r\n\r\n",
        "GET\r\n\r\n",
    ] {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream.write_all(garbage.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 400"), "{garbage:?}: {answer}");
    }
    let good = format!("/OauthRedirect?code=ok&state={STATE}");
    assert_eq!(get(address, &good).await.unwrap(), 200);
    assert_eq!(waiting.await.unwrap().unwrap(), "ok");
}

#[tokio::test]
async fn a_silent_speculative_connection_does_not_hold_up_the_callback() {
    let listener = CallbackListener::bind(0).await.unwrap();
    let address = listener.local_addr().unwrap();
    let waiting = tokio::spawn(async move { listener.wait_for_code(STATE, WAIT).await });
    // Browsers open connections ahead of need and may send nothing on them.
    let _silent = TcpStream::connect(address).await.unwrap();
    let good = format!("/OauthRedirect?code=fast&state={STATE}");
    let served = tokio::time::timeout(Duration::from_secs(5), get(address, &good)).await;
    assert_eq!(served.expect("callback answered promptly").unwrap(), 200);
    assert_eq!(waiting.await.unwrap().unwrap(), "fast");
}

#[tokio::test]
async fn of_two_simultaneous_callbacks_only_one_is_accepted() {
    let listener = CallbackListener::bind(0).await.unwrap();
    let address = listener.local_addr().unwrap();
    let waiting = tokio::spawn(async move { listener.wait_for_code(STATE, WAIT).await });
    let one = format!("/OauthRedirect?code=one&state={STATE}");
    let two = format!("/OauthRedirect?code=two&state={STATE}");
    let (a, b) = tokio::join!(get(address, &one), get(address, &two));
    let code = waiting.await.unwrap().unwrap();
    // A callback that lost the race was refused (400) or found the listener closed.
    let statuses = [a.ok(), b.ok()];
    let accepted = statuses.iter().filter(|s| **s == Some(200)).count();
    assert_eq!(accepted, 1, "{statuses:?}");
    assert!(code == "one" || code == "two");
}
