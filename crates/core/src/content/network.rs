//! The networks whose content rules DistroFlow knows.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

use crate::{Error, PlatformId, Result};

/// Every network DistroFlow knows the content rules of (a superset of the
/// platforms it can post to today).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Network {
    X,
    Bluesky,
    Mastodon,
    Reddit,
    HackerNews,
    Instagram,
    LinkedIn,
}

impl Network {
    pub const ALL: [Network; 7] = [
        Network::X,
        Network::Bluesky,
        Network::Mastodon,
        Network::Reddit,
        Network::HackerNews,
        Network::Instagram,
        Network::LinkedIn,
    ];

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// The canonical id, as in config.toml and JSON (`x`, `hackernews`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Network::X => "x",
            Network::Bluesky => "bluesky",
            Network::Mastodon => "mastodon",
            Network::Reddit => "reddit",
            Network::HackerNews => "hackernews",
            Network::Instagram => "instagram",
            Network::LinkedIn => "linkedin",
        }
    }

    /// A human name for messages.
    pub fn display_name(self) -> &'static str {
        match self {
            Network::X => "X",
            Network::Bluesky => "Bluesky",
            Network::Mastodon => "Mastodon",
            Network::Reddit => "Reddit",
            Network::HackerNews => "Hacker News",
            Network::Instagram => "Instagram",
            Network::LinkedIn => "LinkedIn",
        }
    }

    /// Ids and aliases accepted on input.
    pub fn valid_names() -> &'static str {
        "x (alias twitter), bluesky (bsky), mastodon, reddit, hackernews (hn), \
         instagram (ig), linkedin"
    }

    /// The platform DistroFlow posts to for this network, if it has one yet.
    pub fn platform_id(self) -> Option<PlatformId> {
        match self {
            Network::X => Some(PlatformId::X),
            Network::Reddit => Some(PlatformId::Reddit),
            Network::HackerNews => Some(PlatformId::HackerNews),
            Network::Instagram => Some(PlatformId::Instagram),
            Network::Bluesky => Some(PlatformId::Bluesky),
            Network::Mastodon => Some(PlatformId::Mastodon),
            Network::LinkedIn => Some(PlatformId::LinkedIn),
        }
    }

    /// Whether a long text can become a thread of posts.
    pub fn has_threads(self) -> bool {
        matches!(self, Network::X | Network::Bluesky | Network::Mastodon)
    }

    /// Whether hashtags work there (else they become plain words).
    pub fn keeps_hashtags(self) -> bool {
        !matches!(self, Network::Reddit | Network::HackerNews)
    }

    /// What the text of a post is called there.
    pub(crate) fn text_name(self) -> &'static str {
        match self {
            Network::Instagram => "caption",
            _ => "text",
        }
    }

    /// Whether a video must be the only attachment.
    pub(crate) fn video_alone(self) -> bool {
        matches!(self, Network::X | Network::Bluesky | Network::LinkedIn)
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Network {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "x" | "twitter" => Ok(Network::X),
            "bluesky" | "bsky" => Ok(Network::Bluesky),
            "mastodon" => Ok(Network::Mastodon),
            "reddit" => Ok(Network::Reddit),
            "hackernews" | "hn" => Ok(Network::HackerNews),
            "instagram" | "ig" => Ok(Network::Instagram),
            "linkedin" => Ok(Network::LinkedIn),
            other => Err(Error::usage(
                format!("unknown network `{other}`"),
                Some(format!("valid networks: {}", Network::valid_names())),
            )),
        }
    }
}

impl From<PlatformId> for Network {
    fn from(id: PlatformId) -> Network {
        match id {
            PlatformId::X => Network::X,
            PlatformId::Reddit => Network::Reddit,
            PlatformId::HackerNews => Network::HackerNews,
            PlatformId::Instagram => Network::Instagram,
            PlatformId::Bluesky => Network::Bluesky,
            PlatformId::Mastodon => Network::Mastodon,
            PlatformId::LinkedIn => Network::LinkedIn,
        }
    }
}

impl Serialize for Network {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
