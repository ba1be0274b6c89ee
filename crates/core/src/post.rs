use std::collections::BTreeMap;

use crate::{Media, PlatformId};

/// What the person wants published. One `Post` goes to every target; the
/// per-platform fields let a target see something different.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Post {
    /// The body text (may be empty for a link post).
    pub text: String,
    /// Title, for platforms with titles (Hacker News, Reddit).
    pub title: Option<String>,
    /// Link, for link posts.
    pub url: Option<String>,
    pub media: Vec<Media>,
    /// Text that replaces `text` on one platform.
    pub text_overrides: BTreeMap<PlatformId, String>,
    /// Title that replaces `title` on one platform (hashtags made words,
    /// truncated).
    pub title_overrides: BTreeMap<PlatformId, String>,
    /// A thread for one platform: the texts of its posts in order (set by
    /// splitting over-long text); when absent the thread is the one text.
    pub thread_overrides: BTreeMap<PlatformId, Vec<String>>,
    /// Per-platform options (`subreddit`, `flair`, ...), by platform.
    pub options: BTreeMap<PlatformId, BTreeMap<String, String>>,
}

impl Post {
    pub fn new(text: impl Into<String>) -> Self {
        Post {
            text: text.into(),
            ..Post::default()
        }
    }

    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    pub fn with_url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// The body text this platform should receive.
    pub fn text_for(&self, platform: PlatformId) -> &str {
        self.text_overrides
            .get(&platform)
            .map(String::as_str)
            .unwrap_or(&self.text)
    }

    /// The title this platform should receive.
    pub fn title_for(&self, platform: PlatformId) -> Option<&str> {
        self.title_overrides
            .get(&platform)
            .map(String::as_str)
            .or(self.title.as_deref())
    }

    /// The posts this platform should publish, in order: a thread where
    /// the text was split, else the one text.
    pub fn parts_for(&self, platform: PlatformId) -> Vec<String> {
        match self.thread_overrides.get(&platform) {
            Some(parts) if !parts.is_empty() => parts.clone(),
            _ => vec![self.text_for(platform).to_string()],
        }
    }

    /// A per-platform option, e.g. `option(Reddit, "subreddit")`.
    pub fn option(&self, platform: PlatformId, key: &str) -> Option<&str> {
        self.options
            .get(&platform)
            .and_then(|o| o.get(key))
            .map(String::as_str)
    }

    pub fn set_option(&mut self, platform: PlatformId, key: &str, value: impl Into<String>) {
        self.options
            .entry(platform)
            .or_default()
            .insert(key.to_string(), value.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_win_per_platform() {
        let mut p = Post::new("general");
        p.text_overrides.insert(PlatformId::X, "for x".into());
        assert_eq!(p.text_for(PlatformId::X), "for x");
        assert_eq!(p.text_for(PlatformId::HackerNews), "general");
        assert_eq!(p.parts_for(PlatformId::X), vec!["for x".to_string()]);
        p.thread_overrides
            .insert(PlatformId::X, vec!["1/2".into(), "2/2".into()]);
        assert_eq!(p.parts_for(PlatformId::X).len(), 2);
        p.set_option(PlatformId::Reddit, "subreddit", "rust");
        assert_eq!(p.option(PlatformId::Reddit, "subreddit"), Some("rust"));
        assert_eq!(p.option(PlatformId::X, "subreddit"), None);
    }
}
