//! A typed, async Salesforce REST client: one connection pool per org, retries with backoff
//! for transient failures, one shared token refresh, a circuit breaker and API usage tracking.

mod auth;
mod bulk;
mod client;
mod collections;
mod composite;
mod error;
mod explain;
mod field_definitions;
mod identity;
mod layouts;
mod permissions;
mod query;
mod resilience;
mod rest;
mod search;
pub mod soql_text;
mod tooling;
mod usage;
mod wire;

pub use auth::{
    Credentials, RefreshFuture, RefreshTokenGrant, RotationHook, Secret, TokenRefresher,
    TokenResponse,
};
pub use bulk::{BulkOperation, ByteStream, IngestResults, JobInfo, JobKind};
pub use client::{Client, ClientConfig, check_url, http_client};
pub use collections::{COLLECTION_CHUNK, CollectionOptions};
pub use composite::{Subrequest, Subresponse};
pub use error::{ApiErrorItem, OAuthErrorBody, Result, Retryability, SalesforceError};
pub use explain::{PlanNote, QueryPlan, QueryPlans};
pub use field_definitions::{FieldDefinition, field_definitions_soql};
pub use permissions::{ObjectAccess, UserPermissions, assignments_soql};
pub use query::BatchSize;
pub use resilience::{BreakerConfig, BreakerState, CircuitBreaker, RetryPolicy};
pub use rest::Upserted;
pub use soql_text::{IdError, IdProblem, check_id};
pub use tooling::{CustomFieldRow, Granted};
pub use usage::ApiUsage;
pub use wire::*;
