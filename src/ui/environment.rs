//! Whether a connection is a sandbox or production, for the badge beside its name. The
//! built-in sandbox org is a sandbox however it was connected: from the window (embedded),
//! or saved by `tether connect` at its loopback address, which only it ever answers on.

use crate::desktop::ConnectionView;

pub fn is_sandbox(connection: &ConnectionView) -> bool {
    if connection.embedded {
        return true;
    }
    [&connection.login_url, &connection.instance_url]
        .iter()
        .any(|url| sandbox_host(url))
}

fn sandbox_host(url: &str) -> bool {
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "test.salesforce.com"
        || host.ends_with(".sandbox.my.salesforce.com")
        || host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desktop::ConnectionStatus;

    fn view(login: &str, instance: &str, embedded: bool) -> ConnectionView {
        ConnectionView {
            name: "c".into(),
            username: "u".into(),
            org_id: "00D".into(),
            instance_url: instance.into(),
            login_url: login.into(),
            embedded,
            status: ConnectionStatus::Ok,
            api_usage: None,
            connected_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn the_sandbox_org_saved_at_its_loopback_address_is_never_production() {
        let saved = view("http://127.0.0.1:43117", "http://127.0.0.1:43117", false);
        assert!(is_sandbox(&saved));
        let local = view("http://localhost:8080", "http://localhost:8080", false);
        assert!(is_sandbox(&local));
        let test = view(
            "https://test.salesforce.com",
            "https://acme--dev.sandbox.my.salesforce.com",
            false,
        );
        assert!(is_sandbox(&test));
        let prod = view(
            "https://login.salesforce.com",
            "https://acme.my.salesforce.com",
            false,
        );
        assert!(!is_sandbox(&prod));
    }
}
