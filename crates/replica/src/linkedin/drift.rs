//! UI drift: LinkedIn runs two share boxes at once and rolls the newer one
//! out per member. Version 0 gives everyone the classic box, version 1 the
//! SDUI one (a member's own setting wins, as in the rollout).
//!
//! | | 0: classic (Ember + Quill) | 1: SDUI |
//! |---|---|---|
//! | where | a modal in the open shadow root of `div#interop-outlet` | a native `<dialog>`, swapped in ~500 ms after a placeholder dialog |
//! | editor | Quill `div.ql-editor[contenteditable]`, `data-placeholder` | ProseMirror `[componentkey="ShareBox_textEditor"]` in `[data-testid="ui-core-tiptap-text-editor-wrapper"]` |
//! | Post | `button.share-actions__primary-action` | the footer's only text-only `<button>` |
//! | classes | LinkedIn's BEM names | obfuscated per build |

/// The versions this replica can serve.
pub const UI_VERSIONS: &[u8] = &[0, 1];
