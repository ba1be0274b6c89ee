//! Reading the replies to a post (new Reddit's post page, nested comments,
//! "View more comments"); read only, never posting.

use super::*;

// Reading replies (new Reddit's post page; read only, never a target to
// act on except the "View more comments" button).
pub(super) const SEL_MORE_COMMENTS: &str =
    "shreddit-comment-tree faceplate-partial[loading=action] button";
/// "View more comments" pressed at most this many times.
pub(super) const MAX_COMMENT_PAGES: usize = 50;

/// The comments of new Reddit's post page: `shreddit-comment[thingid]`
/// with `depth`, `parentid` (`t1_` a comment, `t3_` the post), `author`,
/// `created`, `permalink`, the text in its own `[slot=comment]`; a deleted
/// one has author `[deleted]`.
pub(super) const READ_COMMENTS: &str = r#"(() => {
  const strip = (v) => (v || '').replace(/^t1_/, '');
  const rows = Array.from(document.querySelectorAll('shreddit-comment[thingid]')).map(c => {
    const slot = Array.from(c.children).find(k => k.getAttribute('slot') === 'comment');
    const parent = c.getAttribute('parentid') || '';
    const author = c.getAttribute('author') || '';
    return {
      id: strip(c.getAttribute('thingid')),
      depth: parseInt(c.getAttribute('depth') || '0', 10) || 0,
      parent: parent.startsWith('t1_') ? strip(parent) : null,
      author: author === '[deleted]' ? '' : author,
      at: c.getAttribute('created') || '',
      text: slot ? (slot.innerText || slot.textContent || '').trim() : '',
      deleted: c.hasAttribute('is-comment-deleted') || author === '[deleted]',
      url: c.getAttribute('permalink'),
    };
  });
  return { ready: !!document.querySelector('shreddit-post'), rows, more: null };
})()"#;

/// Whether the post page is there, how many comments it shows, and
/// whether a "View more comments" button is left.
#[derive(serde::Deserialize)]
pub(super) struct CommentState {
    pub(super) comments: usize,
    pub(super) more: bool,
    /// A "View more comments" pressed and still loading.
    pub(super) pending: bool,
}

pub(super) async fn comment_state(page: &dyn Page) -> Result<CommentState> {
    let script = format!(
        r#"(() => {{
  const post = !!document.querySelector('shreddit-post');
  const missing = !post && (document.body ? document.body.innerText : '').includes("doesn't exist");
  const buttons = Array.from(document.querySelectorAll({more}));
  const more = buttons.some(b => !b.disabled);
  const pending = buttons.some(b => b.disabled);
  return {{ ready: post, missing, comments: document.querySelectorAll('shreddit-comment[thingid]').length, more, pending }};
}})()"#,
        more = serde_json::to_string(SEL_MORE_COMMENTS).unwrap_or_default()
    );
    wait_until_on(page, page.waits(), "the Reddit post's comments", || async {
        let v = page.eval(&script).await?;
        if v["missing"].as_bool() == Some(true) {
            return Err(Error::usage(
                "Reddit says this post was deleted or does not exist",
                None,
            ));
        }
        if v["ready"].as_bool() != Some(true) {
            return Ok(None);
        }
        serde_json::from_value(v)
            .map(Some)
            .map_err(|e| Error::Unexpected {
                message: format!("reading the Reddit post page: {e}"),
            })
    })
    .await
}

/// A post made through old Reddit is read on new Reddit's page: the same
/// path on the configured site. Other links are kept as they are.
pub(super) fn on_new_reddit(ctx: &JobContext, post_url: &str) -> Result<String> {
    let old = old_base(ctx)?.base_url;
    Ok(match url::Url::parse(post_url) {
        Ok(mut u)
            if u.host_str() == old.host_str() && old.host_str() != ctx.base_url.host_str() =>
        {
            let _ = u.set_scheme(ctx.base_url.scheme());
            let _ = u.set_host(ctx.base_url.host_str());
            let _ = u.set_port(ctx.base_url.port());
            u.to_string()
        }
        _ => post_url.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_of_an_old_reddit_post_are_read_on_new_reddit() {
        let ctx = JobContext::new("https://www.reddit.com".parse().unwrap());
        assert_eq!(
            on_new_reddit(&ctx, "https://old.reddit.com/r/rust/comments/abc/t/").unwrap(),
            "https://www.reddit.com/r/rust/comments/abc/t/"
        );
        let same = "https://www.reddit.com/r/rust/comments/abc/t/";
        assert_eq!(on_new_reddit(&ctx, same).unwrap(), same);
        let replica = JobContext::new("http://127.0.0.1:4000".parse().unwrap());
        let local = "http://127.0.0.1:4000/r/rust/comments/abc/t/";
        assert_eq!(on_new_reddit(&replica, local).unwrap(), local);
    }
}
