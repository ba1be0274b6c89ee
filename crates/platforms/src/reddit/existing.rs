//! Looking on Reddit for a post an earlier run may have made.

use super::*;

/// `(subreddit, id)` from `/r/SUB/?created=t3_ID...` or a post URL.
pub(super) fn created_from_url(href: &str) -> Option<(Option<String>, String)> {
    let u = url::Url::parse(href).ok()?;
    let sub = {
        let mut segs = u.path_segments()?;
        match (segs.next(), segs.next()) {
            (Some("r"), Some(s)) if !s.is_empty() => Some(s.to_string()),
            _ => None,
        }
    };
    if let Some((_, v)) = u.query_pairs().find(|(k, _)| k == "created") {
        let id = v.trim_start_matches("t3_").to_string();
        if !id.is_empty() {
            return Some((sub, id));
        }
    }
    post_from_path(u.path()).map(|(s, id)| (Some(s), id))
}

/// `(subreddit, id)` from `/r/SUB/comments/ID/...`.
pub(super) fn post_from_path(path: &str) -> Option<(String, String)> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        ["r", sub, "comments", id, ..] => Some((sub.to_string(), id.to_string())),
        _ => None,
    }
}

/// The logged-in user's name from new Reddit's header (the user drawer's
/// profile link), else old Reddit's.
pub(super) const JS_USER_NAME: &str = r#"(() => {
  const a = document.querySelector('#expand-user-drawer-button a[href*="/user/"], reddit-header-large a[href*="/user/"], #header-bottom-right span.user > a[href*="/user/"]');
  if (!a) {
    const b = document.querySelector('#expand-user-drawer-button[data-username], [data-testid="user-drawer-username"]');
    return b ? (b.getAttribute('data-username') || b.textContent || '').trim().replace(/^u\//, '') : '';
  }
  const m = new URL(a.href, location.href).pathname.match(/^\/user\/([^/]+)/);
  return m ? decodeURIComponent(m[1]) : '';
})()"#;

/// The `shreddit-post` elements of a listing, as real Reddit renders them.
pub(super) const JS_LISTED_POSTS: &str = r#"Array.from(document.querySelectorAll('shreddit-post')).map((p) => ({
  id: (p.getAttribute('id') || '').replace(/^t3_/, ''),
  title: p.getAttribute('post-title') || '',
  permalink: p.getAttribute('permalink') || '',
  sub: (p.getAttribute('subreddit-prefixed-name') || '').replace(/^r\//i, ''),
  href: p.getAttribute('content-href') || '',
}))"#;

/// The body text of the post on a post page.
pub(super) const JS_POST_BODY: &str = r#"(() => {
  const b = document.querySelector('shreddit-post [slot="text-body"]');
  return b ? b.innerText : '';
})()"#;

pub(super) async fn find_existing(
    page: &dyn Page,
    ctx: &JobContext,
    plan: &Plan<'_>,
) -> Result<Existing> {
    page.goto(ctx.url("/")?.as_str()).await?;
    let here = page.current_url().await?;
    if is_login_url(&here) {
        return Err(logged_out());
    }
    check_challenge(page, &here).await?;
    let user = page.eval(JS_USER_NAME).await?;
    let user = user.as_str().unwrap_or_default().trim().to_string();
    if user.is_empty() {
        if page.count("shreddit-app[user-logged-in=\"false\"]").await? > 0 {
            return Err(logged_out());
        }
        return Ok(Existing::CannotTell);
    }
    let mut path = ctx.url("user/")?;
    path.path_segments_mut()
        .map_err(|_| Error::Unexpected {
            message: "the Reddit address cannot have a path".into(),
        })?
        .pop_if_empty()
        .push(&user)
        .push("submitted")
        .push("");
    page.goto(path.as_str()).await?;
    let listed = page.eval(JS_LISTED_POSTS).await?;
    let field = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().trim().to_string();
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    for item in listed.as_array().into_iter().flatten() {
        let id = field(item, "id");
        if id.is_empty()
            || !field(item, "sub").eq_ignore_ascii_case(&plan.subreddit)
            || field(item, "title") != plan.title.trim()
        {
            continue;
        }
        match plan.kind {
            Kind::Link if field(item, "href") != plan.url => continue,
            Kind::Text if !plan.body.trim().is_empty() => {
                let link = field(item, "permalink");
                let target = if link.is_empty() {
                    ctx.url(&format!("r/{}/comments/{id}/", plan.subreddit))?
                } else {
                    ctx.url(&link)?
                };
                page.goto(target.as_str()).await?;
                let body = page.eval(JS_POST_BODY).await?;
                if squash(body.as_str().unwrap_or_default()) != squash(plan.body) {
                    // Same title, other text: keep looking.
                    page.goto(path.as_str()).await?;
                    continue;
                }
            }
            _ => {}
        }
        let sub = field(item, "sub").to_lowercase();
        return Ok(Existing::Found(Posted::single(
            id.clone(),
            ctx.url(&format!("r/{sub}/comments/{id}/"))?.to_string(),
        )));
    }
    Ok(Existing::NotFound)
}
