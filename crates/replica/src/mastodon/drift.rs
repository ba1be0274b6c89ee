//! UI drift: the compose form of another Mastodon release. The app renders
//! the version named in the page state (`"ui"`); the API takes both.
//!
//! | | 0 (4.2+) | 1 (before 4.2) |
//! |---|---|---|
//! | submit | `.compose-form__submit button[type=submit]` "Post" ("Reply") | `.compose-form__publish-button-wrapper button` "Publish!" |
//! | placeholder | "What's on your mind?" | "What is on your mind?" |
//! | footer | `.compose-form__footer` | `.compose-form__buttons-wrapper` |

/// The versions this replica can serve.
pub const UI_VERSIONS: &[u8] = &[0, 1];
