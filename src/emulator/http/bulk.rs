use axum::Router;

use super::AppState;

#[derive(Default)]
pub struct BulkJobs {}

pub fn routes() -> Router<AppState> {
    Router::new()
}
