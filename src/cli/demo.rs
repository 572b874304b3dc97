//! `tether demo`: the window, connected over HTTP to a sandbox org running in this process.

use futures_util::future::join_all;

use super::org_client::{API_VERSION, ClientError, OrgSession};
use super::{CliError, DemoArgs};
use crate::emulator::config::{DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_USERNAME};
use crate::emulator::{OrgConfig, SandboxOrg};
use crate::ui::{self, BackendLink, Command, Event, ObjectCount, OrgSummary};

/// Objects whose records the demo counts, as (plural label, API name).
pub const COUNTED_OBJECTS: [(&str, &str); 4] = [
    ("Accounts", "Account"),
    ("Contacts", "Contact"),
    ("Opportunities", "Opportunity"),
    ("Leads", "Lead"),
];

pub fn run(args: DemoArgs) -> Result<(), CliError> {
    ui::run(ui::Launch::demo(backend(args))).map_err(|e| CliError::Window(e.to_string()))
}

/// The demo's background work: its own thread with a tokio runtime, so the window never waits.
pub fn backend(args: DemoArgs) -> ui::Backend {
    Box::new(move |link: BackendLink| {
        let spawned = std::thread::Builder::new().name("tether-demo".to_string()).spawn(move || {
            match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
                Ok(runtime) => runtime.block_on(serve_window(args, link)),
                Err(e) => {
                    link.send(Event::Failed(format!(
                        "Tether could not start its background runtime ({e}). Close other programs to free memory and try again"
                    )));
                }
            }
        });
        // Without the thread the link is dropped, and the window reports the loss itself.
        if let Err(e) = spawned {
            tracing::error!("cannot start the demo thread: {e}");
        }
    })
}

/// Starts the org, signs in, counts, then answers commands until the window closes.
pub async fn serve_window(args: DemoArgs, mut link: BackendLink) {
    link.send(Event::Progress("Starting the sandbox org…".to_string()));
    let config = OrgConfig {
        data_file: args.data,
        seed_records: (args.seed_size > 0).then_some(args.seed_size),
        ..OrgConfig::default()
    };
    let org_name = config.org_name.clone();
    let org = match SandboxOrg::start(config).await {
        Ok(org) => org,
        Err(e) => {
            link.send(Event::Failed(format!(
                "The sandbox org did not start: {e:#}"
            )));
            while link.next_command().await.is_some() {}
            return;
        }
    };
    let base_url = org.base_url();
    tracing::info!("sandbox org listening on {base_url}");

    let mut session: Option<OrgSession> = None;
    loop {
        if session.is_none() {
            link.send(Event::Progress(format!("Signing in as {DEMO_USERNAME}…")));
            match sign_in(&base_url, &org_name).await {
                Ok((signed_in, summary)) => {
                    link.send(Event::Connected(summary));
                    session = Some(signed_in);
                }
                Err(e) => {
                    link.send(Event::Failed(format!(
                        "Signing in to the sandbox org failed: {e}"
                    )));
                }
            }
        }
        if let Some(current) = &session {
            link.send(Event::Progress("Counting records…".to_string()));
            let report = count_records(current).await;
            if let Some((used, max)) = report.api_usage {
                link.send(Event::ApiUsage { used, max });
            }
            if report.session_expired {
                session = None;
                link.send(Event::Failed(
                    "The session expired. Press Retry to sign in again".to_string(),
                ));
            } else {
                let summary: Vec<String> = report
                    .counts
                    .iter()
                    .map(|c| match &c.count {
                        Ok(n) => format!("{} {n}", c.api_name),
                        Err(_) => format!("{} failed", c.api_name),
                    })
                    .collect();
                tracing::info!("records counted: {}", summary.join(", "));
                link.send(Event::Counts(report.counts));
            }
        }
        match link.next_command().await {
            Some(Command::Refresh) => continue,
            None => break,
        }
    }
    org.shutdown().await;
}

async fn sign_in(base_url: &str, org_name: &str) -> Result<(OrgSession, OrgSummary), ClientError> {
    let session =
        OrgSession::sign_in_with_password(base_url, DEMO_CLIENT_ID, DEMO_USERNAME, DEMO_PASSWORD)
            .await?;
    let (user_name, username) = match session.identity().await {
        Ok(identity) if !identity.display_name.is_empty() => {
            (identity.display_name, identity.username)
        }
        Ok(identity) => (identity.username.clone(), identity.username),
        Err(e) => {
            tracing::warn!("identity lookup failed, showing the sign-in username: {e}");
            (DEMO_USERNAME.to_string(), DEMO_USERNAME.to_string())
        }
    };
    let summary = OrgSummary {
        org_name: org_name.to_string(),
        user_name,
        username,
        instance_url: session.instance_url().to_string(),
        api_version: API_VERSION.to_string(),
        is_sandbox: true,
    };
    Ok((session, summary))
}

pub struct CountReport {
    pub counts: Vec<ObjectCount>,
    /// The most used of the usages the answers reported.
    pub api_usage: Option<(u64, u64)>,
    pub session_expired: bool,
}

/// Counts every object in [`COUNTED_OBJECTS`] at once; one failure does not hide the others.
pub async fn count_records(session: &OrgSession) -> CountReport {
    let answers = join_all(
        COUNTED_OBJECTS
            .iter()
            .map(|(_, api_name)| session.count(api_name)),
    )
    .await;
    let mut report = CountReport {
        counts: Vec::new(),
        api_usage: None,
        session_expired: false,
    };
    for ((label, api_name), answer) in COUNTED_OBJECTS.iter().zip(answers) {
        let count = match answer {
            Ok(answer) => {
                report.api_usage = report.api_usage.max(answer.api_usage);
                Ok(answer.count)
            }
            Err(ClientError::Api { code, .. }) if code == "INVALID_SESSION_ID" => {
                report.session_expired = true;
                Err("The session expired".to_string())
            }
            Err(e) => Err(e.to_string()),
        };
        report.counts.push(ObjectCount {
            label: label.to_string(),
            api_name: api_name.to_string(),
            count,
        });
    }
    report
}
