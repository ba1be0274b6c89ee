//! The one table of what each network accepts.
//!
//! | network     | text (unit)                               | title | media       | other                  |
//! |-------------|-------------------------------------------|-------|-------------|------------------------|
//! | X           | 280 weighted (twitter-text v3), URL = 23  |       | 4 (1 video) |                        |
//! | Bluesky     | 300 graphemes (short links), 3,000 bytes  |       | 4 (1 video) |                        |
//! | Mastodon    | 500 graphemes, URL = 23, `@u@host` = `@u` |       | 4           |                        |
//! | Reddit      | 40,000 characters (body)                  | 300   | 20          | title required         |
//! | Hacker News | (no text limit)                           | 80    | none        | title; a URL or a text |
//! | Instagram   | 2,200 UTF-16 units (caption)              |       | 1 to 10     | 30 hashtags            |
//! | LinkedIn    | 3,000 UTF-16 units                        |       | 20 (1 video)|                        |
//!
//! Media files, per file (from the sites' help pages; `MB` is 2^20 bytes):
//!
//! | network     | types                          | image  | GIF    | video  | video length |
//! |-------------|--------------------------------|--------|--------|--------|--------------|
//! | X           | JPEG PNG WebP GIF, MP4 MOV     | 5 MB   | 15 MB  | 512 MB | 140 s        |
//! | Bluesky     | JPEG PNG WebP GIF, MP4 MOV     | 1 MB   | 1 MB   | 100 MB | 180 s        |
//! | Mastodon    | JPEG PNG WebP GIF, MP4 MOV     | 16 MB  | 16 MB  | 99 MB  |              |
//! | Reddit      | JPEG PNG WebP GIF, MP4 MOV     | 20 MB  | 100 MB | 1 GB   | 900 s        |
//! | Instagram   | JPEG PNG WebP HEIC, MP4 MOV    | 8 MB   |        | 650 MB | 900 s        |
//! | LinkedIn    | JPEG PNG GIF, MP4 MOV          | 8 MB   | 8 MB   | 512 MB | 900 s        |
//!
//! (DistroFlow itself reads files up to 512 MB.)
//! "Characters" are Unicode code points (Reddit's and Hacker News' servers
//! count those). Instagram and LinkedIn count in their web composers'
//! JavaScript, where an emoji outside the Basic Multilingual Plane is 2: we
//! count the same UTF-16 units, which is never less than the characters.
//! Bluesky counts graphemes after its app shortens each link to its host
//! plus at most 16 characters of path (see `count.rs`), as its composer does.
//!
//! Every number can be overridden in `config.toml`:
//!
//! ```toml
//! [limits.x]
//! text = 25000        # X Premium
//!
//! [limits.mastodon]
//! text = 1000         # an instance with a higher limit
//!
//! [limits.instagram]
//! hashtags = 5
//! ```
//!
//! Keys: `text`, `title`, `media`, `min_media`, `hashtags`, `url_length`,
//! `bytes`, `image_bytes`, `gif_bytes`, `video_bytes`, `video_seconds`. Networks: `x` (or `twitter`), `bluesky` (`bsky`), `mastodon`,
//! `reddit`, `hackernews` (`hn`), `instagram` (`ig`), `linkedin`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Network;
use crate::{Error, Result};

/// What one network accepts. `None` means "no limit of that kind".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct NetworkLimits {
    /// Longest text of one post (body, caption), in the network's unit.
    pub text: Option<usize>,
    /// Longest title, for networks with titles.
    pub title: Option<usize>,
    /// Most media files on one post (a video is alone where the table says so).
    pub media: usize,
    /// Fewest media files (Instagram needs one).
    pub min_media: usize,
    /// Most hashtags in one post.
    pub hashtags: Option<usize>,
    /// What one URL counts, where the network counts URLs as a fixed length.
    pub url_length: Option<usize>,
    /// Most UTF-8 bytes of text.
    pub bytes: Option<usize>,
    /// The media types it takes (MIME); empty: none.
    pub media_types: &'static [&'static str],
    /// Largest still image (not GIF), in bytes.
    pub image_bytes: Option<u64>,
    /// Largest GIF, in bytes.
    pub gif_bytes: Option<u64>,
    /// Largest video, in bytes.
    pub video_bytes: Option<u64>,
    /// Longest video, in seconds.
    pub video_seconds: Option<u64>,
}

const MB: u64 = 1024 * 1024;
const COMMON_TYPES: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/gif",
    "video/mp4",
    "video/quicktime",
];

impl NetworkLimits {
    /// The documented real limits of `network`.
    pub const fn real(network: Network) -> NetworkLimits {
        let none = NetworkLimits {
            text: None,
            title: None,
            media: 0,
            min_media: 0,
            hashtags: None,
            url_length: None,
            bytes: None,
            media_types: &[],
            image_bytes: None,
            gif_bytes: None,
            video_bytes: None,
            video_seconds: None,
        };
        match network {
            Network::X => NetworkLimits {
                text: Some(280),
                media: 4,
                url_length: Some(23),
                media_types: COMMON_TYPES,
                image_bytes: Some(5 * MB),
                gif_bytes: Some(15 * MB),
                video_bytes: Some(512 * MB),
                video_seconds: Some(140),
                ..none
            },
            Network::Bluesky => NetworkLimits {
                text: Some(300),
                media: 4,
                bytes: Some(3000),
                media_types: COMMON_TYPES,
                image_bytes: Some(MB),
                gif_bytes: Some(MB),
                video_bytes: Some(100 * MB),
                video_seconds: Some(180),
                ..none
            },
            Network::Mastodon => NetworkLimits {
                text: Some(500),
                media: 4,
                url_length: Some(23),
                media_types: COMMON_TYPES,
                image_bytes: Some(16 * MB),
                gif_bytes: Some(16 * MB),
                video_bytes: Some(99 * MB),
                ..none
            },
            Network::Reddit => NetworkLimits {
                text: Some(40_000),
                title: Some(300),
                media: 20,
                media_types: COMMON_TYPES,
                image_bytes: Some(20 * MB),
                gif_bytes: Some(100 * MB),
                video_bytes: Some(1024 * MB),
                video_seconds: Some(900),
                ..none
            },
            Network::HackerNews => NetworkLimits {
                title: Some(80),
                ..none
            },
            Network::Instagram => NetworkLimits {
                text: Some(2200),
                media: 10,
                min_media: 1,
                hashtags: Some(30),
                media_types: &[
                    "image/jpeg",
                    "image/png",
                    "image/webp",
                    "image/heic",
                    "image/heif",
                    "video/mp4",
                    "video/quicktime",
                ],
                image_bytes: Some(8 * MB),
                video_bytes: Some(650 * MB),
                video_seconds: Some(900),
                ..none
            },
            Network::LinkedIn => NetworkLimits {
                text: Some(3000),
                media: 20,
                media_types: &[
                    "image/jpeg",
                    "image/png",
                    "image/gif",
                    "video/mp4",
                    "video/quicktime",
                ],
                image_bytes: Some(8 * MB),
                gif_bytes: Some(8 * MB),
                video_bytes: Some(512 * MB),
                video_seconds: Some(900),
                ..none
            },
        }
    }
}

/// Every network's limits: the real ones by default, overridable.
///
/// ```
/// use distroflow_core::{Limits, Network};
///
/// let limits = Limits::default();
/// assert_eq!(limits.get(Network::X).text, Some(280));
/// assert_eq!(limits.get(Network::HackerNews).title, Some(80));
///
/// let overrides: distroflow_core::LimitOverrides =
///     toml::from_str("[x]\ntext = 25000\n").unwrap();
/// let premium = Limits::default().with_overrides(&overrides).unwrap();
/// assert_eq!(premium.get(Network::X).text, Some(25_000));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    table: [NetworkLimits; Network::ALL.len()],
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            table: Network::ALL.map(NetworkLimits::real),
        }
    }
}

impl Limits {
    pub fn get(&self, network: Network) -> &NetworkLimits {
        &self.table[network.index()]
    }

    pub fn get_mut(&mut self, network: Network) -> &mut NetworkLimits {
        &mut self.table[network.index()]
    }

    /// Applies `[limits.<network>]` tables from config.toml. An unknown
    /// network, a zero length, or a title on a network without titles is a
    /// configuration error naming the key.
    pub fn with_overrides(mut self, overrides: &LimitOverrides) -> Result<Limits> {
        for (key, o) in overrides {
            let network: Network = key.parse().map_err(|_| Error::Config {
                message: format!(
                    "unknown network [limits.{key}] (valid: {})",
                    Network::valid_names()
                ),
            })?;
            let positive = |name: &str, v: Option<usize>| -> Result<Option<usize>> {
                match v {
                    Some(0) => Err(Error::Config {
                        message: format!("[limits.{key}] {name} must be at least 1"),
                    }),
                    other => Ok(other),
                }
            };
            let l = self.get_mut(network);
            if let Some(v) = positive("text", o.text)? {
                l.text = Some(v);
            }
            if let Some(v) = positive("title", o.title)? {
                if l.title.is_none() {
                    return Err(Error::Config {
                        message: format!(
                            "[limits.{key}] title: {} posts have no title",
                            network.display_name()
                        ),
                    });
                }
                l.title = Some(v);
            }
            if let Some(v) = o.media {
                l.media = v;
            }
            if let Some(v) = o.min_media {
                l.min_media = v;
            }
            if let Some(v) = o.hashtags {
                l.hashtags = Some(v);
            }
            if let Some(v) = positive("url_length", o.url_length)? {
                l.url_length = Some(v);
            }
            if let Some(v) = positive("bytes", o.bytes)? {
                l.bytes = Some(v);
            }
            let positive64 = |name: &str, v: Option<u64>| -> Result<Option<u64>> {
                positive(name, v.map(|n| n.min(usize::MAX as u64) as usize))
                    .map(|o| o.map(|n| n as u64))
            };
            if let Some(v) = positive64("image_bytes", o.image_bytes)? {
                l.image_bytes = Some(v);
            }
            if let Some(v) = positive64("gif_bytes", o.gif_bytes)? {
                l.gif_bytes = Some(v);
            }
            if let Some(v) = positive64("video_bytes", o.video_bytes)? {
                l.video_bytes = Some(v);
            }
            if let Some(v) = positive64("video_seconds", o.video_seconds)? {
                l.video_seconds = Some(v);
            }
            if l.min_media > l.media {
                return Err(Error::Config {
                    message: format!(
                        "[limits.{key}] min_media ({}) is more than media ({})",
                        l.min_media, l.media
                    ),
                });
            }
        }
        Ok(self)
    }
}

/// `[limits.<network>]` tables of config.toml, by network name.
pub type LimitOverrides = BTreeMap<String, LimitOverride>;

/// One `[limits.<network>]` table: each key replaces the real limit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitOverride {
    pub text: Option<usize>,
    pub title: Option<usize>,
    pub media: Option<usize>,
    pub min_media: Option<usize>,
    pub hashtags: Option<usize>,
    pub url_length: Option<usize>,
    pub bytes: Option<usize>,
    pub image_bytes: Option<u64>,
    pub gif_bytes: Option<u64>,
    pub video_bytes: Option<u64>,
    pub video_seconds: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overrides(toml_text: &str) -> LimitOverrides {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn real_limits() {
        let l = Limits::default();
        assert_eq!(l.get(Network::X).text, Some(280));
        assert_eq!(l.get(Network::Bluesky).text, Some(300));
        assert_eq!(l.get(Network::Mastodon).url_length, Some(23));
        assert_eq!(l.get(Network::Reddit).title, Some(300));
        assert_eq!(l.get(Network::Reddit).text, Some(40_000));
        assert_eq!(l.get(Network::HackerNews).title, Some(80));
        assert_eq!(l.get(Network::Instagram).text, Some(2200));
        assert_eq!(l.get(Network::Instagram).min_media, 1);
        assert_eq!(l.get(Network::LinkedIn).text, Some(3000));
    }

    #[test]
    fn overrides_apply() {
        let l = Limits::default()
            .with_overrides(&overrides(
                "[twitter]\ntext = 25000\n[instagram]\nhashtags = 5\n[hn]\ntitle = 100\n",
            ))
            .unwrap();
        assert_eq!(l.get(Network::X).text, Some(25_000));
        assert_eq!(l.get(Network::Instagram).hashtags, Some(5));
        assert_eq!(l.get(Network::HackerNews).title, Some(100));
        assert_eq!(
            l.get(Network::Reddit),
            &NetworkLimits::real(Network::Reddit)
        );
    }

    #[test]
    fn bad_overrides_are_config_errors() {
        let err = |t: &str| {
            Limits::default()
                .with_overrides(&overrides(t))
                .unwrap_err()
                .to_string()
        };
        assert!(err("[myspace]\ntext = 1\n").contains("unknown network [limits.myspace]"));
        assert!(err("[x]\ntext = 0\n").contains("[limits.x] text must be at least 1"));
        assert!(err("[x]\ntitle = 10\n").contains("X posts have no title"));
        assert!(err("[instagram]\nmin_media = 11\n").contains("min_media"));
        assert!(toml::from_str::<LimitOverrides>("[x]\nchars = 3\n").is_err());
    }
}
