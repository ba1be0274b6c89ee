//! Every error the API answers with: `{"error":{"kind","message","hint"}}`
//! and a 4xx or 5xx status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use distroflow_app::wire::WireError;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The first (or only) problem.
    pub error: WireError,
    /// Every problem, when there are several (a post refused for more
    /// than one platform).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<WireError>,
}

#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) body: Box<ErrorBody>,
}

impl ApiError {
    pub(crate) fn new(
        status: StatusCode,
        kind: &str,
        message: impl Into<String>,
        hint: Option<&str>,
    ) -> ApiError {
        ApiError {
            status,
            body: Box::new(ErrorBody {
                error: WireError {
                    kind: kind.to_string(),
                    platform: None,
                    message: message.into(),
                    hint: hint.map(str::to_string),
                    retry_after_secs: None,
                },
                errors: Vec::new(),
            }),
        }
    }

    pub(crate) fn unauthorized(message: &str) -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            message,
            Some(
                "send `Authorization: Bearer <token>`; the token is in $DISTROFLOW_HOME/api-token",
            ),
        )
    }

    pub(crate) fn forbidden(kind: &str, message: impl Into<String>, hint: &str) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, kind, message, Some(hint))
    }

    pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message, None)
    }

    /// A refusal of several problems (400).
    pub(crate) fn refused(errors: Vec<WireError>) -> ApiError {
        let first = errors.first().cloned().unwrap_or(WireError {
            kind: "invalid_content".into(),
            platform: None,
            message: "refused".into(),
            hint: None,
            retry_after_secs: None,
        });
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: Box::new(ErrorBody {
                error: first,
                errors,
            }),
        }
    }
}

impl From<distroflow_core::Error> for ApiError {
    fn from(e: distroflow_core::Error) -> ApiError {
        use distroflow_core::ErrorKind as K;
        let status = match e.kind() {
            K::Usage | K::InvalidContent | K::Config => StatusCode::BAD_REQUEST,
            K::NotFound => StatusCode::NOT_FOUND,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError {
            status,
            body: Box::new(ErrorBody {
                error: WireError::of(&e),
                errors: Vec::new(),
            }),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

pub(crate) type ApiResult<T> = std::result::Result<T, ApiError>;
