//! UI drift: the same app in another build, as bsky.app changes with every
//! release. The app script renders the version named in the page state
//! (`"ui"`); the XRPC API behind it takes every version's requests.
//!
//! | | 0 (today's bsky.app) | 1: an older build |
//! |---|---|---|
//! | editor | TipTap defaults `role=textbox`, `aria-label="Rich-Text Editor"` | no role, no label (before TipTap #5734) |
//! | media button | `openMediaBtn`, "Add media to post" | `openGalleryBtn`, "Gallery" |
//! | add to thread | "Add another post to thread" | "Add new post" |
//! | publish | `composerPublishBtn`, "Publish post(s)", text "Post" / "Post All" | same test id, no label, text "Post" / "Post all" |
//! | left nav | "New Post" (label "Compose new post") | "New Post" (no label) |

/// The versions this replica can serve.
pub const UI_VERSIONS: &[u8] = &[0, 1];
