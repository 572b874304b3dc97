use axum::Router;

use crate::emulator::config::FaultConfig;

use super::AppState;

pub struct Faults {}

impl Faults {
    pub fn new(_config: FaultConfig) -> Faults {
        Faults {}
    }
}

/// Per-request API middleware (faults, limits).
pub fn wrap(api: Router<AppState>, _state: AppState) -> Router<AppState> {
    api
}

/// Layers around the whole router (gzip, body limit).
pub fn outer_layers(_state: &AppState) -> tower::layer::util::Identity {
    tower::layer::util::Identity::new()
}
