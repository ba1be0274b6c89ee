use std::time::Duration;

use crate::{Error, PlatformId, Posted};

/// How one target ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// A new post exists.
    Posted,
    /// It was posted before (this run found it): nothing new was posted.
    Skipped,
    /// The platform already had this post; the URL is the existing one.
    Duplicate,
    /// Nothing was posted.
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Posted => "posted",
            Status::Skipped => "skipped",
            Status::Duplicate => "duplicate",
            Status::Failed => "failed",
        }
    }
}

/// An error as reported to the person: what kind, what happened, what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorReport {
    pub kind: String,
    pub message: String,
    pub hint: Option<String>,
    /// For a rate limit: how long until the next post is allowed (the
    /// platform's own "try again in N minutes", or DistroFlow's limiter).
    pub retry_after: Option<std::time::Duration>,
}

impl From<&Error> for ErrorReport {
    fn from(e: &Error) -> Self {
        let mut message = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        ErrorReport {
            kind: e.kind().as_str().to_string(),
            message,
            hint: e.hint(),
            retry_after: match e {
                Error::RateLimited { retry_after, .. } => *retry_after,
                _ => None,
            },
        }
    }
}

/// The outcome of posting to one platform.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostResult {
    pub platform: PlatformId,
    pub ok: bool,
    pub status: Status,
    pub id: Option<String>,
    pub url: Option<String>,
    /// For a thread, every post's URL in order.
    pub thread: Vec<String>,
    pub error: Option<ErrorReport>,
    pub duration: Duration,
    /// The remote browser engine the job ran on (`None`: this machine's).
    pub engine: Option<String>,
}

impl PostResult {
    /// Already posted earlier: the existing post's URL, nothing new.
    pub fn skipped(
        platform: PlatformId,
        url: Option<String>,
        id: Option<String>,
        duration: Duration,
    ) -> Self {
        PostResult {
            platform,
            ok: true,
            status: Status::Skipped,
            id,
            url,
            thread: Vec::new(),
            error: None,
            duration,
            engine: None,
        }
    }

    pub fn from_outcome(
        platform: PlatformId,
        outcome: Result<Posted, Error>,
        duration: Duration,
    ) -> Self {
        match outcome {
            Ok(p) => PostResult {
                platform,
                ok: true,
                status: Status::Posted,
                id: Some(p.id),
                url: Some(p.url),
                thread: p.thread,
                error: None,
                duration,
                engine: None,
            },
            Err(e) => {
                let (status, url, id) = match &e {
                    Error::Duplicate { existing_url, .. } => (
                        Status::Duplicate,
                        Some(existing_url.clone()),
                        id_from_url(existing_url),
                    ),
                    _ => (Status::Failed, None, None),
                };
                PostResult {
                    platform,
                    ok: false,
                    status,
                    id,
                    url,
                    thread: Vec::new(),
                    error: Some(ErrorReport::from(&e)),
                    duration,
                    engine: None,
                }
            }
        }
    }
}

fn id_from_url(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    if let Some((_, v)) = u.query_pairs().find(|(k, _)| k == "id") {
        return Some(v.into_owned());
    }
    u.path_segments()?
        .rfind(|s| !s.is_empty())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keeps_existing_url_and_id() {
        let r = PostResult::from_outcome(
            PlatformId::HackerNews,
            Err(Error::Duplicate {
                platform: PlatformId::HackerNews,
                existing_url: "http://127.0.0.1:1/item?id=7".into(),
            }),
            Duration::ZERO,
        );
        assert!(!r.ok);
        assert_eq!(r.status, Status::Duplicate);
        assert_eq!(r.id.as_deref(), Some("7"));
        assert_eq!(r.error.unwrap().kind, "duplicate");
    }
}
