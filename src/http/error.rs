//! API errors: each kind maps to one status; internal details never reach clients.

use crate::index::IndexError;
use crate::store::StoreError;
use crate::workspace::WorkspaceError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    pub fn internal(detail: impl Into<String>) -> Self {
        ApiError::Internal(detail.into())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl From<IndexError> for ApiError {
    fn from(e: IndexError) -> Self {
        match e {
            IndexError::Query(q) => ApiError::BadRequest(q.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<WorkspaceError> for ApiError {
    fn from(e: WorkspaceError) -> Self {
        match e {
            WorkspaceError::Index(i) => i.into(),
            WorkspaceError::Import(i) if i.is_refusal() => ApiError::BadRequest(i.to_string()),
            WorkspaceError::NoRoom(room) => ApiError::Unavailable(room.brief()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}
