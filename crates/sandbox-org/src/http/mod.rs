//! The sandbox org's HTTP surface: one axum router over one shared [`Org`].

pub mod admin;
pub mod auth;
pub mod body;
pub mod bulk;
pub mod collections;
pub mod composite;
pub mod describe_links;
pub mod explain;
pub mod faults;
pub mod layouts;
pub mod limits;
pub mod listviews;
pub mod query;
pub mod recent;
pub mod rest;
pub mod search;
pub mod tooling;
pub mod wire;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;

use crate::config::OrgConfig;
use crate::error::ApiError;
use crate::schema::Schema;
use crate::store::Store;

/// Oldest and newest API versions the sandbox org answers (Salesforce serves v31.0 up).
pub const MIN_API_VERSION: u32 = 31;
pub const MAX_API_VERSION: u32 = 67;

/// Everything one org holds. Each part guards its own state.
pub struct Org {
    pub config: OrgConfig,
    /// `http://127.0.0.1:PORT`, used in identity URLs and `instance_url`.
    pub base_url: String,
    /// When the schema last changed (loaded, a field added, a grant changed): describes
    /// answer `Last-Modified` and honour
    /// `If-Modified-Since` against it.
    schema_modified: std::sync::Mutex<chrono::DateTime<chrono::Utc>>,
    /// The grants generation `schema_modified` last answered for: grants that changed since
    /// move it.
    grants_seen: std::sync::atomic::AtomicU64,
    pub store: Store,
    pub auth: auth::AuthState,
    pub limits: limits::Limits,
    pub faults: faults::Faults,
    pub cursors: query::Cursors,
    pub bulk: bulk::BulkJobs,
    pub viewed: recent::Viewed,
}

#[derive(Clone)]
pub struct AppState {
    pub org: Arc<Org>,
}

impl AppState {
    pub fn new(mut config: OrgConfig, addr: SocketAddr) -> Result<AppState, crate::StartError> {
        crate::schema::apps::apply(&mut config)?;
        let schema = Arc::new(Schema::with_files(
            config.schema_json.as_deref(),
            config.schema_extra_json.as_deref(),
        )?);
        let store = Store::open(config.data_file.as_deref(), schema.clone())?;
        ensure_organization(&store, &config)?;
        crate::seed::ensure_setup_records(&store)
            .map_err(|e| crate::StartError::Organization(e.message))?;
        let base_url = format!("http://{addr}");
        let auth = auth::AuthState::new(&config, &store)?;
        let profiles: Vec<(String, String)> = config
            .users
            .iter()
            .filter_map(|u| Some((auth.user_id(&u.username)?, u.profile.clone())))
            .collect();
        crate::seed::ensure_permission_records(&store, &schema, &profiles)
            .map_err(|e| crate::StartError::Organization(e.message))?;
        if let Some(records) = config.seed_records {
            crate::seed::seed_if_empty(&store, &auth.admin_user_id(), records)?;
        }
        let org = Org {
            limits: limits::Limits::new(config.daily_api_limit),
            faults: faults::Faults::new(config.faults.clone()),
            cursors: query::Cursors::default(),
            bulk: bulk::BulkJobs::default(),
            viewed: recent::Viewed::default(),
            auth,
            base_url,
            schema_modified: std::sync::Mutex::new(chrono::Utc::now()),
            grants_seen: std::sync::atomic::AtomicU64::new(store.access().generation()),
            store,
            config,
        };
        Ok(AppState { org: Arc::new(org) })
    }
}

impl Org {
    /// The org's schema as it is now; see [`Store::schema`].
    pub fn schema(&self) -> Arc<Schema> {
        self.store.schema()
    }

    /// The org's schema as `user_id` sees it: fields it may not read are gone, fields it may
    /// not edit are neither createable nor updateable.
    pub fn schema_for(&self, user_id: &str) -> Arc<Schema> {
        self.store.schema_for(user_id)
    }

    /// When what describes show last changed.
    pub fn schema_modified(&self) -> chrono::DateTime<chrono::Utc> {
        let grants = self.store.access().generation();
        if self
            .grants_seen
            .swap(grants, std::sync::atomic::Ordering::SeqCst)
            != grants
        {
            self.describes_changed();
        }
        *self
            .schema_modified
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Makes `schema` the org's for every request that starts after this call.
    pub fn replace_schema(&self, schema: Arc<Schema>) {
        self.store.replace_schema(schema);
        self.describes_changed();
    }

    /// Moves describes' `Last-Modified` past its last value: `Last-Modified` counts whole
    /// seconds, so a change within the second of the last one must still read as newer to a
    /// client caching with `If-Modified-Since`.
    pub fn describes_changed(&self) {
        let mut stamp = self
            .schema_modified
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = chrono::Utc::now();
        let next_second = *stamp + chrono::Duration::seconds(1);
        *stamp = now.max(next_second);
    }
}

/// The org's own Organization record, which clients query for the org id and edition.
fn ensure_organization(store: &Store, config: &OrgConfig) -> Result<(), crate::StartError> {
    if store.get(&config.org_id).is_some() {
        return Ok(());
    }
    let now = crate::values::format_datetime_ms(crate::store::now_ms());
    let record = serde_json::json!({
        "Id": config.org_id,
        "Name": config.org_name,
        "IsDeleted": false,
        "CreatedDate": now,
        "LastModifiedDate": now,
        "SystemModstamp": now,
        "IsSandbox": true,
        "OrganizationType": "Developer Edition",
        "InstanceName": "SBX1",
        "LanguageLocaleKey": "en_US",
        "TimeZoneSidKey": "GMT",
    });
    let serde_json::Value::Object(record) = record else {
        unreachable!("a json! object")
    };
    store
        .write(|w| w.restore(&record))
        .map_err(|e| crate::StartError::Organization(e.message))
}

/// Parses `v60.0` into 60 when the org serves that version, else the 404 a real org sends.
pub fn api_version(segment: &str) -> Result<u32, ApiError> {
    let major = segment
        .strip_prefix('v')
        .and_then(|rest| rest.strip_suffix(".0"))
        .and_then(|n| n.parse::<u32>().ok())
        .filter(|n| (MIN_API_VERSION..=MAX_API_VERSION).contains(n));
    major.ok_or_else(ApiError::resource_not_found)
}

/// [`api_version`] for a resource that first appeared in version `since`: older versions
/// answer the 404 a real org gives for a resource it does not know.
pub fn api_version_since(segment: &str, since: u32) -> Result<u32, ApiError> {
    let version = api_version(segment)?;
    if version < since {
        return Err(ApiError::resource_not_found());
    }
    Ok(version)
}

/// Every API resource but Composite, without the middleware: Composite dispatches its
/// subrequests here, so that the whole call counts as one request.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .merge(rest::routes())
        .merge(query::routes())
        .merge(collections::routes())
        .merge(bulk::routes())
        .merge(limits::routes())
        .merge(search::routes())
        .merge(listviews::routes())
        .merge(layouts::routes())
        .merge(describe_links::routes())
        .merge(tooling::routes())
}

/// The whole router: OAuth, REST, query, composite, bulk, limits and admin, under the
/// middleware that adds faults, latency, `Sforce-Limit-Info` and gzip.
pub fn router(state: AppState) -> Router {
    let api = faults::wrap(api_routes().merge(composite::routes()), state.clone());
    let app = Router::new()
        .merge(auth::routes())
        .merge(admin::routes())
        .merge(describe_links::page_routes())
        .merge(api);
    let app = wire::around(app, state.clone());
    faults::outer_layers(app, &state)
}
