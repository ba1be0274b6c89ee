//! UI drift: the same site with its app changed, as x.com changes its app
//! with every deploy. The app script renders the version named in the page
//! state (`"ui"`); the API behind it takes every version's requests.
//! Self-healing is tested against these.
//!
//! | | 0 (today's x.com) | 1: renamed | 2: restructured |
//! |---|---|---|---|
//! | editor | `tweetTextarea_N`, "Post text" | `postTextarea_N`, "What's happening" | no test id, two more wrappers, below the media |
//! | Post | `button` `tweetButton` / `tweetButtonInline` | `postButton` / `postButtonInline` | `div[role=button]` "Post", no test id |
//! | "+" (add post) | `addButton`, "Add post" | same | `addPostButton`, "Add another post" |
//! | media input | `fileInput` | `mediaInput` | no test id |
//! | thumbnails | `attachments` | `mediaPreviews` | `mediaPreviews`, above the editor |
//! | toolbar | below the editors | same | above the editors |
//! | class atoms | `css-175oi2r`, `r-...` | renamed | renamed again |
//! | before posting | | | a "Got it" sheet over the app; the composer is inert until it is closed (once per browser profile) |
//!
//! The side nav, the toasts and the status and profile pages (served
//! rendered) are the same in every version.

/// The versions this replica can serve.
pub const UI_VERSIONS: &[u8] = &[0, 1, 2];

/// The `CreateTweet` query id the app of a version calls (it changes with
/// deploys; the route takes any).
pub(crate) fn create_tweet_query_id(ui: u8) -> &'static str {
    match ui {
        0 => super::handlers::CREATE_TWEET_QUERY_ID,
        1 => "SiM_cAhDz8bN6ubd0LZhqQ",
        _ => "znCKvP3SmYrw1Ea5d6vTqg",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_has_its_own_query_id() {
        let ids: std::collections::BTreeSet<_> = UI_VERSIONS
            .iter()
            .map(|&ui| create_tweet_query_id(ui))
            .collect();
        assert_eq!(ids.len(), UI_VERSIONS.len());
    }
}
