//! What a sandbox org is started with.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The connected app that `tether demo` and the CLI use against a sandbox org.
pub const DEMO_CLIENT_ID: &str = "TetherDesktop";
/// Callback registered for [`DEMO_CLIENT_ID`] (the port Tether's loopback listener uses).
pub const DEMO_CALLBACK: &str = "http://localhost:1717/OauthRedirect";
pub const DEMO_USERNAME: &str = "admin@tether-sandbox.example";
pub const DEMO_PASSWORD: &str = "sandbox-demo";
/// A user who runs syncs but does not customise the org (profile [`STANDARD_USER_PROFILE`]).
pub const OPERATOR_USERNAME: &str = "operator@tether-sandbox.example";
/// A user who reads only (profile [`READ_ONLY_PROFILE`]).
pub const VIEWER_USERNAME: &str = "viewer@tether-sandbox.example";

pub const ADMIN_PROFILE: &str = "System Administrator";
pub const STANDARD_USER_PROFILE: &str = "Standard User";
pub const READ_ONLY_PROFILE: &str = "Read Only";

fn admin_profile() -> String {
    ADMIN_PROFILE.to_string()
}

/// A registered connected app.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConnectedApp {
    pub client_id: String,
    /// `None` for public clients (PKCE only), like a desktop app.
    pub client_secret: Option<String>,
    /// Exact callback URLs, port included.
    pub callbacks: Vec<String>,
    /// PEM of the certificate (or public key) that JWT bearer assertions are checked against.
    pub jwt_certificate_pem: Option<String>,
}

/// A user who can log in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SandboxUser {
    pub username: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub active: bool,
    /// Appended to the password by SOAP and username-password logins. `None`: one derived
    /// from the org id and username, printed by `tether sandbox-org` at start.
    #[serde(default)]
    pub security_token: Option<String>,
    /// The name of the user's profile: one of [`ADMIN_PROFILE`], [`STANDARD_USER_PROFILE`]
    /// and [`READ_ONLY_PROFILE`].
    #[serde(default = "admin_profile")]
    pub profile: String,
}

impl SandboxUser {
    /// A user of the demo password, active, with an address at the sandbox's domain.
    pub fn demo(username: &str, first_name: &str, last_name: &str, profile: &str) -> SandboxUser {
        SandboxUser {
            username: username.to_string(),
            password: DEMO_PASSWORD.to_string(),
            first_name: first_name.to_string(),
            last_name: last_name.to_string(),
            email: format!(
                "{}.{}@tether-sandbox.example",
                first_name.to_lowercase(),
                last_name.to_lowercase()
            ),
            active: true,
            security_token: None,
            profile: profile.to_string(),
        }
    }
}

/// Faults and latency, settable at start and at run time through the admin endpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultConfig {
    /// Fixed latency added to every API response.
    pub latency_ms: u64,
    /// Up to this much more latency, uniformly random.
    pub jitter_ms: u64,
    /// Share (0..=1) of API requests answered 503 `SERVER_UNAVAILABLE`.
    pub server_unavailable_rate: f64,
    /// Share of write requests answered `UNABLE_TO_LOCK_ROW`.
    pub lock_error_rate: f64,
    /// Share of API requests whose connection is dropped without an answer.
    pub drop_connection_rate: f64,
    /// When set, sessions expire this many seconds after they were issued (early expiry).
    pub session_expiry_secs: Option<u64>,
    /// Seed for the fault dice, so that a run is reproducible.
    pub seed: u64,
}

#[derive(Debug, Clone)]
pub struct OrgConfig {
    pub bind: SocketAddr,
    /// SQLite file that keeps the org between restarts; `None` keeps it in memory.
    pub data_file: Option<PathBuf>,
    /// Custom-schema JSON (see `assets/sandbox-schema.json`) in place of that default; `None`
    /// uses the default.
    pub schema_json: Option<String>,
    /// Custom-schema JSON whose objects and fields are added to the custom schema above.
    pub schema_extra_json: Option<String>,
    /// Seed the demo data set into an empty org: `Some(records)` of roughly that many records.
    pub seed_records: Option<usize>,
    /// Approve authorize requests without showing the consent page (tests).
    pub auto_approve: bool,
    /// Inactivity after which an access token is refused with `INVALID_SESSION_ID`.
    pub session_timeout: Duration,
    /// Issue a new refresh token on each refresh and kill the old one.
    pub rotate_refresh_tokens: bool,
    /// Daily API request allocation (`DailyApiRequests.Max`).
    pub daily_api_limit: u64,
    pub faults: FaultConfig,
    pub apps: Vec<ConnectedApp>,
    pub users: Vec<SandboxUser>,
    /// 18-character organization id (`00D...`).
    pub org_id: String,
    pub org_name: String,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
}

impl Default for OrgConfig {
    fn default() -> Self {
        OrgConfig {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            data_file: None,
            schema_json: None,
            schema_extra_json: None,
            seed_records: None,
            auto_approve: false,
            session_timeout: Duration::from_secs(2 * 60 * 60),
            rotate_refresh_tokens: false,
            daily_api_limit: 15_000,
            faults: FaultConfig::default(),
            apps: vec![ConnectedApp {
                client_id: DEMO_CLIENT_ID.to_string(),
                client_secret: None,
                callbacks: vec![
                    DEMO_CALLBACK.to_string(),
                    "http://127.0.0.1:1717/OauthRedirect".to_string(),
                ],
                jwt_certificate_pem: None,
            }],
            users: vec![
                SandboxUser::demo(DEMO_USERNAME, "Avery", "Admin", ADMIN_PROFILE),
                SandboxUser::demo(OPERATOR_USERNAME, "Omar", "Operator", STANDARD_USER_PROFILE),
                SandboxUser::demo(VIEWER_USERNAME, "Vera", "Viewer", READ_ONLY_PROFILE),
            ],
            org_id: crate::ids::mint("00D", 1),
            org_name: "Tether Sandbox Org".to_string(),
            max_body_bytes: 50 * 1024 * 1024,
        }
    }
}
