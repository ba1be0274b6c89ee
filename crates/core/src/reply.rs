//! A reply to one of the person's own posts, as a platform shows it. Read
//! only: DistroFlow collects replies so that the person can answer them
//! themselves; it never posts a reply and never reads anyone else's posts.

use serde::{Deserialize, Serialize};

use crate::PlatformId;

/// One reply or comment under one of the person's own posts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// The platform's own id of the reply (stable across runs).
    pub id: String,
    pub platform: PlatformId,
    /// The person's post this reply is under.
    pub post_url: String,
    /// Who wrote it, as the site shows the name.
    pub author: String,
    pub text: String,
    /// When it was written, RFC 3339 when the site tells (else `None`).
    pub at: Option<String>,
    /// The reply's own link.
    pub url: String,
    /// The id of the reply it answers; `None` for a reply to the post itself.
    pub parent: Option<String>,
}
