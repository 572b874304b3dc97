//! The sandbox org as the window's starter: what `tether demo`, the window's "Use the sandbox
//! org", the window benchmark and the window tests start.

use sandbox_org::config::{DEMO_CLIENT_ID, DEMO_PASSWORD, DEMO_USERNAME};
use sandbox_org::{OrgConfig, SandboxOrg};
use tether::desktop::{DemoLogin, SandboxStart, SandboxStarter, StartedSandbox};

/// Starts an in-process sandbox org with its demo user.
pub fn sandbox_starter() -> SandboxStarter {
    SandboxStarter::new(|what: SandboxStart| async move {
        let org = SandboxOrg::start(OrgConfig {
            data_file: what.data_file,
            seed_records: what.seed_records,
            ..OrgConfig::default()
        })
        .await?;
        Ok(StartedSandbox::new(
            org.base_url(),
            demo_login(),
            move || org.shutdown(),
        ))
    })
}

/// The demo user of every sandbox org.
pub fn demo_login() -> DemoLogin {
    DemoLogin {
        client_id: DEMO_CLIENT_ID.to_string(),
        username: DEMO_USERNAME.to_string(),
        password: DEMO_PASSWORD.to_string(),
    }
}
