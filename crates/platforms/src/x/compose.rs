//! X's composer: opening it (page or modal), media, thread parts, the
//! Post button once enabled.

use super::*;

/// The compose route, where a post starts.
pub(super) const COMPOSE_PATH: &str = "compose/post";

/// Any open dialog, whatever its markup (`div[role=dialog]` or `<dialog>`).
const SEL_ANY_DIALOG: &str = r#"[role="dialog"], dialog[open]"#;

/// Opens `/compose/post` and waits for its modal; when that route shows no
/// modal (it moved before: `/compose/tweet`), the inline composer of `/home`.
pub(super) async fn open_composer(page: &dyn Page, ctx: &JobContext) -> Result<Composer> {
    goto(page, ctx, COMPOSE_PATH).await?;
    let modal = Composer::Modal.editor(0);
    let inline = Composer::Inline.editor(0);
    let since = std::time::Instant::now();
    let found = wait_until_on(page, page.waits(), "X's compose modal", || async {
        check_session(page).await?;
        if page.count(&modal).await? > 0 {
            return Ok(Some(Composer::Modal));
        }
        // Redirected away from the modal route: the page's own composer.
        if !current_path(page).await?.starts_with("/compose/") && page.count(&inline).await? > 0 {
            return Ok(Some(Composer::Inline));
        }
        // A modal whose editor no known selector finds is repaired, but
        // only when there is a modal: the timeline's own editor is its
        // exact twin and must never be taken for it.
        if page.count(SEL_ANY_DIALOG).await? > 0 && crate::ui::present(page, &modal, since).await? {
            return Ok(Some(Composer::Modal));
        }
        Ok(None)
    })
    .await;
    match found {
        Err(e) if e.is_timeout() => {
            tracing::debug!("no compose modal on /compose/post; using the composer on /home");
            goto(page, ctx, "home").await?;
            let since = std::time::Instant::now();
            wait_until_on(
                page,
                page.waits(),
                "the composer on X's home page",
                || async {
                    check_session(page).await?;
                    Ok(crate::ui::present(page, &inline, since)
                        .await?
                        .then_some(Composer::Inline))
                },
            )
            .await
            .map_err(|e| not_found_if_timeout(e, "X's composer", &format!("{modal} | {inline}")))
        }
        other => other,
    }
}

/// Attaches the files and waits until every thumbnail shows (the upload
/// finished), or X refuses them in a toast.
pub(super) async fn attach_media(
    page: &dyn Page,
    composer: Composer,
    media: &[Media],
) -> Result<()> {
    if media.is_empty() {
        return Ok(());
    }
    page.eval(JS_MARK_TOASTS).await?;
    let paths: Vec<PathBuf> = media.iter().map(|m| m.path.clone()).collect();
    page.set_files(&composer.file_input(), &paths).await?;
    let thumbnails = composer.thumbnail();
    wait_until_on(
        page,
        long(page.waits()),
        "X to upload the media",
        || async {
            if let Some(toast) = new_toast(page).await? {
                let lower = toast.text.to_lowercase();
                return Err(if lower.contains("choose") {
                    Error::InvalidContent {
                        platform: ID,
                        message: format!("X says: {}", toast.text),
                    }
                } else {
                    Error::Rejected {
                        platform: ID,
                        message: format!("X could not take the media: {}", toast.text),
                    }
                });
            }
            Ok((page.count(&thumbnails).await? >= media.len()).then_some(()))
        },
    )
    .await
}

/// Adds post `i` of the thread with the "+" button.
pub(super) async fn add_thread_post(page: &dyn Page, composer: Composer, i: usize) -> Result<()> {
    let add = composer.add_button();
    wait_enabled(page, &add, "X's Add post button to be enabled").await?;
    page.click(&add).await?;
    let editor = composer.editor(i);
    let waited = page
        .wait_for(&editor, &format!("editor {} of the thread", i + 1))
        .await;
    match waited {
        Err(e) if e.is_timeout() => Err(Error::NotFound {
            target: format!("editor {} of the thread", i + 1),
            selectors: editor.clone(),
            url: page.current_url().await.unwrap_or_default(),
        }),
        other => other,
    }
}

/// X's buttons: the shared gate, naming the target when it is missing.
pub(super) async fn wait_enabled(page: &dyn Page, selector: &str, what: &str) -> Result<()> {
    let target = format!("`{}`", selector.trim_start_matches('@'));
    crate::ui::wait_enabled(
        page,
        selector,
        &target,
        &format!(
            "{what}: it stayed disabled (is a post over X's length limit, or the media still uploading?)"
        ),
    )
    .await
}
