//! `POST /api/v1/posts` as `multipart/form-data`: the JSON body's fields
//! as form fields, and `media` file parts, streamed to a private folder
//! (`$DISTROFLOW_HOME/uploads/<random>/`, 0700, files 0600) within the
//! media limits of the platform table, then checked like any media path.

use std::path::PathBuf;

use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use distroflow_core::{Config, Network, PlatformId, Result, MAX_MEDIA_BYTES};
use tokio::io::AsyncWriteExt;

use crate::api::{Body, PostRequest};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The largest form field that is not a file.
const MAX_FIELD: u64 = 1024 * 1024;

/// How large an upload may be: the largest file any platform DistroFlow
/// posts to takes (its table, with config.toml's overrides), and the
/// most files one post may have.
#[derive(Clone, Copy, Debug)]
pub(crate) struct UploadLimits {
    pub(crate) per_file: u64,
    pub(crate) files: usize,
}

impl UploadLimits {
    pub(crate) fn of(config: &Config) -> Result<UploadLimits> {
        let limits = config.content_limits()?;
        let mut per_file = 0;
        let mut files = 1;
        for p in PlatformId::ALL {
            let l = limits.get(Network::from(p));
            for b in [l.image_bytes, l.gif_bytes, l.video_bytes]
                .into_iter()
                .flatten()
            {
                per_file = per_file.max(b);
            }
            files = files.max(l.media);
        }
        Ok(UploadLimits {
            per_file: per_file.min(MAX_MEDIA_BYTES),
            files,
        })
    }

    /// The whole request body.
    pub(crate) fn body(&self) -> u64 {
        self.per_file
            .saturating_mul(self.files as u64)
            .saturating_add(MAX_FIELD)
    }
}

pub(crate) fn is_multipart(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"))
}

/// A post's body, JSON or multipart; `uploads` holds the files sent with it.
pub(crate) struct PostInput {
    pub(crate) req: PostRequest,
    pub(crate) uploads: Option<PathBuf>,
}

impl FromRequest<AppState> for PostInput {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> ApiResult<PostInput> {
        if !is_multipart(req.headers()) {
            let Body(r) = Body::<PostRequest>::from_request(req, state).await?;
            return Ok(PostInput {
                req: r,
                uploads: None,
            });
        }
        let mut uploads = None;
        match read(req, state, &mut uploads).await {
            Ok(r) => Ok(PostInput { req: r, uploads }),
            Err(e) => {
                if let Some(dir) = uploads {
                    let _ = std::fs::remove_dir_all(dir);
                }
                Err(e)
            }
        }
    }
}

fn too_large(limits: &UploadLimits) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!(
            "an upload is over the limit: {} MB a file, {} files",
            limits.per_file / (1024 * 1024),
            limits.files
        ),
        Some("the platforms' media limits are in the limits table; see `distroflow check`"),
    )
}

fn bad(message: String) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "usage",
        message,
        Some("the form fields are the JSON body's: to, text, title, url, subreddit, flair, text_for.<platform>, media (files), split, number, truncate, force, at, every, tz"),
    )
}

fn flag(name: &str, v: &str) -> ApiResult<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "on" | "yes" => Ok(true),
        "false" | "0" | "off" | "no" | "" => Ok(false),
        _ => Err(bad(format!("`{name}` is not true or false: `{v}`"))),
    }
}

/// A file name safe to create: its last component, printable, short.
fn file_name(given: Option<&str>, n: usize) -> String {
    let base = given
        .and_then(|g| g.rsplit(['/', '\\']).next())
        .unwrap_or_default();
    let clean: String = base
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .take(100)
        .collect();
    let clean = clean.trim_start_matches('.');
    if clean.is_empty() {
        format!("upload-{n}")
    } else {
        format!("{n}-{clean}")
    }
}

async fn read(
    req: Request,
    state: &AppState,
    uploads: &mut Option<PathBuf>,
) -> ApiResult<PostRequest> {
    let limits = state.uploads;
    let boundary = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok())
        .ok_or_else(|| bad("multipart/form-data without a boundary".into()))?;
    let constraints = multer::Constraints::new().size_limit(
        multer::SizeLimit::new()
            .whole_stream(limits.body())
            .per_field(MAX_FIELD)
            .for_field("media", limits.per_file),
    );
    let mut form = multer::Multipart::with_constraints(
        req.into_body().into_data_stream(),
        boundary,
        constraints,
    );
    let multer_err = |e: multer::Error| match e {
        multer::Error::FieldSizeExceeded { .. } | multer::Error::StreamSizeExceeded { .. } => {
            too_large(&limits)
        }
        other => bad(format!("cannot read the form: {other}")),
    };
    let mut r = PostRequest::default();
    let mut files = 0;
    while let Some(mut field) = form.next_field().await.map_err(multer_err)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "media" && field.file_name().is_some() {
            files += 1;
            if files > limits.files {
                return Err(too_large(&limits));
            }
            let dir = match uploads {
                Some(d) => d.clone(),
                None => {
                    let sub = format!("uploads/{}", &crate::token::random_hex()[..16]);
                    let d = state.home.private_dir(&sub)?;
                    *uploads = Some(d.clone());
                    d
                }
            };
            let path = dir.join(file_name(field.file_name(), files));
            let mut f = tokio::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&path)
                .await
                .map_err(|e| distroflow_core::Error::io(&path, e))?;
            while let Some(chunk) = field.chunk().await.map_err(multer_err)? {
                f.write_all(&chunk)
                    .await
                    .map_err(|e| distroflow_core::Error::io(&path, e))?;
            }
            f.flush()
                .await
                .map_err(|e| distroflow_core::Error::io(&path, e))?;
            r.media.push(path);
            continue;
        }
        let value = field.text().await.map_err(multer_err)?;
        let opt = |v: String| Some(v).filter(|v| !v.trim().is_empty());
        match name.as_str() {
            "to" => r.to.push(value),
            "text" => r.text = value,
            "title" => r.title = opt(value),
            "url" => r.url = opt(value),
            "subreddit" => r.subreddit = opt(value),
            "flair" => r.flair = opt(value),
            "media" => r.media.push(PathBuf::from(value)),
            "split" => r.split = flag(&name, &value)?,
            "number" => r.number = flag(&name, &value)?,
            "truncate" => r.truncate = flag(&name, &value)?,
            "force" => r.force = flag(&name, &value)?,
            "at" => r.at = opt(value),
            "every" => r.every = opt(value),
            "tz" => r.tz = opt(value),
            other => match other.strip_prefix("text_for.") {
                Some(p) => {
                    r.text_for.insert(p.to_string(), value);
                }
                None => return Err(bad(format!("unknown form field `{other}`"))),
            },
        }
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploaded_names_stay_in_their_folder() {
        assert_eq!(file_name(Some("../../etc/passwd"), 1), "1-passwd");
        assert_eq!(file_name(Some("C:\\x\\photo one.png"), 2), "2-photoone.png");
        assert_eq!(file_name(Some(".."), 3), "upload-3");
        assert_eq!(file_name(None, 4), "upload-4");
    }

    #[test]
    fn limits_follow_the_table() {
        let l = UploadLimits::of(&Config::default()).unwrap();
        assert!(l.per_file >= 5 * 1024 * 1024 && l.per_file <= MAX_MEDIA_BYTES);
        assert!(l.files >= 4);
    }
}
