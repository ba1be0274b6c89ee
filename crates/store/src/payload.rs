//! What a queued job posts, and what each target did, as stored JSON.
//!
//! The JSON carries a format number (`"v": 1`) so that a later DistroFlow
//! never misreads an older row. Platforms are stored by their ids.

use std::collections::BTreeMap;
use std::path::PathBuf;

use distroflow_core::{Media, PlatformId, Post, Result};
use serde::{Deserialize, Serialize};

use crate::{AttemptId, AttemptState};

const PAYLOAD_FORMAT: u32 = 1;

/// A post as queued: like [`Post`], with media kept as paths (made
/// absolute when queued) and read again, and checked again, when the job
/// runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobPayload {
    pub text: String,
    pub title: Option<String>,
    pub url: Option<String>,
    pub media: Vec<PathBuf>,
    pub text_overrides: BTreeMap<PlatformId, String>,
    pub title_overrides: BTreeMap<PlatformId, String>,
    pub thread_overrides: BTreeMap<PlatformId, Vec<String>>,
    pub options: BTreeMap<PlatformId, BTreeMap<String, String>>,
    /// `--force`: post even if the same content went out within the window.
    pub force: bool,
}

impl JobPayload {
    /// The payload for `post`; relative media paths are made absolute
    /// against the current folder, since the daemon may run elsewhere.
    pub fn from_post(post: &Post, force: bool) -> JobPayload {
        JobPayload {
            text: post.text.clone(),
            title: post.title.clone(),
            url: post.url.clone(),
            media: post
                .media
                .iter()
                .map(|m| std::path::absolute(&m.path).unwrap_or_else(|_| m.path.clone()))
                .collect(),
            text_overrides: post.text_overrides.clone(),
            title_overrides: post.title_overrides.clone(),
            thread_overrides: post.thread_overrides.clone(),
            options: post.options.clone(),
            force,
        }
    }

    /// The post to publish now. Each media file is read again
    /// ([`Media::from_path`]): a file deleted or changed into something
    /// unsupported since it was queued is a usage error naming it.
    pub fn to_post(&self) -> Result<Post> {
        Ok(Post {
            text: self.text.clone(),
            title: self.title.clone(),
            url: self.url.clone(),
            media: self
                .media
                .iter()
                .map(Media::from_path)
                .collect::<Result<Vec<_>>>()?,
            text_overrides: self.text_overrides.clone(),
            title_overrides: self.title_overrides.clone(),
            thread_overrides: self.thread_overrides.clone(),
            options: self.options.clone(),
        })
    }

    pub(crate) fn to_json(&self) -> String {
        let wire = PayloadWire {
            v: PAYLOAD_FORMAT,
            text: self.text.clone(),
            title: self.title.clone(),
            url: self.url.clone(),
            media: self.media.clone(),
            text_overrides: by_name(&self.text_overrides),
            title_overrides: by_name(&self.title_overrides),
            thread_overrides: by_name(&self.thread_overrides),
            options: by_name(&self.options),
            force: self.force,
        };
        serde_json::to_string(&wire).expect("a payload always encodes")
    }

    pub(crate) fn from_json(json: &str) -> std::result::Result<JobPayload, String> {
        let wire: PayloadWire = serde_json::from_str(json).map_err(|e| e.to_string())?;
        if wire.v != PAYLOAD_FORMAT {
            return Err(format!(
                "payload format {} (this DistroFlow reads {PAYLOAD_FORMAT})",
                wire.v
            ));
        }
        Ok(JobPayload {
            text: wire.text,
            title: wire.title,
            url: wire.url,
            media: wire.media,
            text_overrides: by_id(wire.text_overrides)?,
            title_overrides: by_id(wire.title_overrides)?,
            thread_overrides: by_id(wire.thread_overrides)?,
            options: by_id(wire.options)?,
            force: wire.force,
        })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PayloadWire {
    v: u32,
    text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    media: Vec<PathBuf>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    text_overrides: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    title_overrides: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    thread_overrides: BTreeMap<String, Vec<String>>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    options: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    force: bool,
}

/// What one target of a job did (the latest attempt for it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetResult {
    pub state: AttemptState,
    pub url: Option<String>,
    pub error: Option<String>,
    pub attempt: Option<AttemptId>,
}

impl TargetResult {
    pub fn posted(url: impl Into<String>, attempt: Option<AttemptId>) -> TargetResult {
        TargetResult {
            state: AttemptState::Posted,
            url: Some(url.into()),
            error: None,
            attempt,
        }
    }

    pub fn failed(error: impl Into<String>, attempt: Option<AttemptId>) -> TargetResult {
        TargetResult {
            state: AttemptState::Failed,
            url: None,
            error: Some(error.into()),
            attempt,
        }
    }
}

/// Per-target results of a job, by platform.
pub type JobResults = BTreeMap<PlatformId, TargetResult>;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetWire {
    state: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    attempt: Option<i64>,
}

pub(crate) fn results_to_json(results: &JobResults) -> String {
    let wire: BTreeMap<&str, TargetWire> = results
        .iter()
        .map(|(p, r)| {
            (
                p.as_str(),
                TargetWire {
                    state: r.state.as_str().to_string(),
                    url: r.url.clone(),
                    error: r.error.clone(),
                    attempt: r.attempt.map(|a| a.0),
                },
            )
        })
        .collect();
    serde_json::to_string(&wire).expect("results always encode")
}

pub(crate) fn results_from_json(json: &str) -> std::result::Result<JobResults, String> {
    let wire: BTreeMap<String, TargetWire> =
        serde_json::from_str(json).map_err(|e| e.to_string())?;
    wire.into_iter()
        .map(|(p, r)| {
            Ok((
                p.parse::<PlatformId>().map_err(|e| e.to_string())?,
                TargetResult {
                    state: r
                        .state
                        .parse()
                        .map_err(|e: distroflow_core::Error| e.to_string())?,
                    url: r.url,
                    error: r.error,
                    attempt: r.attempt.map(AttemptId),
                },
            ))
        })
        .collect()
}

pub(crate) fn targets_to_json(targets: &[PlatformId]) -> String {
    let names: Vec<&str> = targets.iter().map(|p| p.as_str()).collect();
    serde_json::to_string(&names).expect("targets always encode")
}

pub(crate) fn targets_from_json(json: &str) -> std::result::Result<Vec<PlatformId>, String> {
    let names: Vec<String> = serde_json::from_str(json).map_err(|e| e.to_string())?;
    names
        .iter()
        .map(|n| n.parse::<PlatformId>().map_err(|e| e.to_string()))
        .collect()
}

fn by_name<V: Clone>(m: &BTreeMap<PlatformId, V>) -> BTreeMap<String, V> {
    m.iter()
        .map(|(k, v)| (k.as_str().to_string(), v.clone()))
        .collect()
}

fn by_id<V>(m: BTreeMap<String, V>) -> std::result::Result<BTreeMap<PlatformId, V>, String> {
    m.into_iter()
        .map(|(k, v)| Ok((k.parse::<PlatformId>().map_err(|e| e.to_string())?, v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_round_trips_through_its_versioned_json() {
        let mut post = Post::new("hello")
            .with_title("Hi")
            .with_url("https://example.com/");
        post.text_overrides.insert(PlatformId::X, "hello x".into());
        post.thread_overrides
            .insert(PlatformId::X, vec!["1/2".into(), "2/2".into()]);
        post.set_option(PlatformId::Reddit, "subreddit", "rust");
        let payload = JobPayload::from_post(&post, true);
        let json = payload.to_json();
        assert!(json.starts_with(r#"{"v":1,"#), "{json}");
        assert!(
            json.contains(r#""text_overrides":{"x":"hello x"}"#),
            "{json}"
        );
        assert_eq!(JobPayload::from_json(&json).unwrap(), payload);
        assert_eq!(payload.to_post().unwrap(), post);
        let future = json.replace(r#""v":1"#, r#""v":2"#);
        assert!(JobPayload::from_json(&future)
            .unwrap_err()
            .contains("format 2"));
    }

    #[test]
    fn media_paths_are_absolute_and_checked_again_when_the_job_runs() {
        let mut post = Post::new("pic");
        post.media.push(Media {
            path: "pic.png".into(),
            mime: "image/png".into(),
            size: 3,
            duration: None,
        });
        let payload = JobPayload::from_post(&post, false);
        assert!(payload.media[0].is_absolute());
        let e = payload.to_post().unwrap_err();
        assert!(e.is_usage() && e.to_string().contains("pic.png"), "{e}");
    }

    #[test]
    fn results_round_trip_by_platform_id() {
        let mut r = JobResults::new();
        r.insert(
            PlatformId::HackerNews,
            TargetResult::posted("https://news.ycombinator.com/item?id=1", Some(AttemptId(3))),
        );
        r.insert(PlatformId::X, TargetResult::failed("timed out", None));
        let json = results_to_json(&r);
        assert!(json.contains(r#""hackernews":{"state":"posted""#), "{json}");
        assert_eq!(results_from_json(&json).unwrap(), r);
    }
}
