use axum::Router;

use super::AppState;

pub struct Limits {}

impl Limits {
    pub fn new(_daily: u64) -> Limits {
        Limits {}
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
}
