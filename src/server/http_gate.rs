//! Every HTTP request passes the permission table's route list (`permissions::HTTP`): a
//! route the router has but the table lacks is refused `403`, so a new endpoint cannot go
//! out without a documented rule. Who may call a listed route is then checked where the
//! facts are: the metrics allow-list, the API's signatures, the WebSocket requests' table.

use crate::permissions;
use crate::protocol::ApiError;
use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

pub async fn http_gate(req: Request, next: Next) -> Response {
    let listed = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|p| permissions::http_access(p.as_str()))
        .is_some();
    if listed {
        return next.run(req).await;
    }
    super::api::fail(ApiError::forbidden(
        "this route has no row in the permission table",
    ))
}
