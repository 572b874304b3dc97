use axum::Router;

use super::AppState;

#[derive(Default)]
pub struct Cursors {}

pub fn routes() -> Router<AppState> {
    Router::new()
}
