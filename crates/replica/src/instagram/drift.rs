//! UI drift: the same site with its app changed, as instagram.com changes
//! its web app. The app script renders the version the page names (`UI`);
//! the API behind it takes every version's requests. Self-healing is tested
//! against these.
//!
//! | | 0 (today's instagram.com) | 1: reworded | 2: restructured |
//! |---|---|---|---|
//! | step buttons | `div[role=button]` "Next", "Share" | "Continue", "Post" | `<button>` "Next", "Share" in a footer |
//! | caption editor | `aria-label="Write a caption..."` | `aria-label="Add a caption…"` | no `aria-label` (`aria-placeholder`), an extra wrapper |
//! | before the dialog | | | a "New: reels" notice (`role=dialog`, "OK") the dialog waits behind, once per page load |
//!
//! The sidebar, the "Post" menu item, the step headings ("Crop", "Edit",
//! "Create new post"), the success and failure texts, and the profile and
//! post pages are the same in every version.

/// The versions this replica can serve.
pub const UI_VERSIONS: &[u8] = &[0, 1, 2];
