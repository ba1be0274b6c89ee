//! The healer's tiers on real Chromium, against small pages built for each
//! case: a gate repaired, a shadow-root target repaired by likeness, a
//! dialog found by role after it stopped being a `<dialog>`, and model
//! answers that fail verification and are never acted on.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use distroflow_core::{Home, Page, PlatformId};
use distroflow_healer::{read_repairs, HealOptions, Healer, ModelConfig, SelectorBook};

use crate::browser;

/// Serves `html` at `/`; clicks reported by the page's own script
/// (`fetch('/clicked?id')`) are recorded.
async fn site(html: &'static str) -> (String, Arc<Mutex<Vec<String>>>) {
    let clicks = Arc::new(Mutex::new(Vec::new()));
    let app = axum::Router::new()
        .route(
            "/",
            axum::routing::get(move || async move { axum::response::Html(html) }),
        )
        .route(
            "/clicked",
            axum::routing::get({
                let clicks = clicks.clone();
                move |q: axum::extract::RawQuery| {
                    let clicks = clicks.clone();
                    async move {
                        clicks.lock().unwrap().push(q.0.unwrap_or_default());
                        ""
                    }
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://127.0.0.1:{port}/"), clicks)
}

fn healer(book: &'static str, home: &Home) -> Arc<Healer> {
    let book = SelectorBook::builtin(&[("test", book)]).unwrap();
    Healer::new(book, Some(home.clone())).unwrap()
}

const REPORT_CLICKS: &str = r#"<script>
document.addEventListener('click', (e) => {
  const t = e.target.closest('[data-report]');
  if (t) fetch('/clicked?' + t.dataset.report);
}, true);
</script>"#;

const GATE_BOOK: &str = r#"format = 1
[targets."t.form.title"]
candidates = ['input[name="title"]', '#title']
expect = { tag = "input", role = "textbox", name = "Title" }
"#;

/// The title field renamed (no known selector matches) and drawn late.
const GATE_PAGE: &str = r#"<!doctype html><html><body><form id="f"></form>
<script>
setTimeout(() => {
  document.getElementById('f').innerHTML =
    '<label>Subject <input name="subject"></label>' +
    '<input name="headline" id="hl" aria-label="Title">';
}, 400);
</script></body></html>"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_gate_is_repaired_and_the_step_goes_on() {
    let (url, _) = site(GATE_PAGE).await;
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path());
    let h = healer(GATE_BOOK, &home);
    let b = browser().await;
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    let page = h.page(s.page(), PlatformId::HackerNews);
    page.goto(&url).await.unwrap();
    // A presence check is an answer, not a repair.
    assert_eq!(page.count("@t.form.title").await.unwrap(), 0);
    // The gate waits, and repairs.
    page.wait_for("@t.form.title", "the title field")
        .await
        .unwrap();
    page.type_text("@t.form.title", "Hello").await.unwrap();
    let value = page
        .eval("document.getElementById('hl').value")
        .await
        .unwrap();
    assert_eq!(value, "Hello");
    assert_eq!(page.count("@t.form.title").await.unwrap(), 1, "found again");
    page.finish();
    s.close().await;
    b.close().await;
    let repairs = read_repairs(&home).unwrap();
    assert_eq!(repairs.len(), 1, "{repairs:?}");
    assert_eq!(repairs[0].tier, "role");
    assert!(repairs[0].confirmed, "the text read back");
    assert_eq!(repairs[0].selector, "#hl");
}

const SHADOW_BOOK: &str = r#"format = 1
[targets."t.submit.title"]
candidates = ['faceplate-textarea-input[name="title"] >>> textarea']
expect = { tag = "textarea", role = "textbox", name = "Title", attrs = { maxlength = "300", placeholder = "Title" } }
"#;

/// The component and its label renamed; the field still lives in a shadow
/// root, with its maxlength and a placeholder that changed a little.
const SHADOW_PAGE: &str = r#"<!doctype html><html><body>
<x-field name="body"></x-field>
<x-field name="post-title"></x-field>
<script>
customElements.define('x-field', class extends HTMLElement {
  connectedCallback() {
    const r = this.attachShadow({ mode: 'open' });
    const title = this.getAttribute('name') === 'post-title';
    r.innerHTML = title
      ? '<textarea maxlength="300" placeholder="Title*" aria-label="Post title*"></textarea>'
      : '<textarea placeholder="Body text (optional)" aria-label="Body"></textarea>';
  }
});
</script></body></html>"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_target_inside_a_shadow_root_is_repaired_by_likeness() {
    let (url, _) = site(SHADOW_PAGE).await;
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path());
    let h = healer(SHADOW_BOOK, &home);
    let b = browser().await;
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    let page = h.page(s.page(), PlatformId::Reddit);
    page.goto(&url).await.unwrap();
    page.type_text("@t.submit.title", "In the shadow")
        .await
        .unwrap();
    let got = page
        .eval("document.querySelector('x-field[name=\"post-title\"]').shadowRoot.querySelector('textarea').value")
        .await
        .unwrap();
    assert_eq!(got, "In the shadow");
    let body = page
        .eval("document.querySelector('x-field[name=\"body\"]').shadowRoot.querySelector('textarea').value")
        .await
        .unwrap();
    assert_eq!(body, "", "nothing typed into the other field");
    page.finish();
    s.close().await;
    b.close().await;
    let repairs = read_repairs(&home).unwrap();
    assert_eq!(repairs.len(), 1, "{repairs:?}");
    assert_eq!(repairs[0].tier, "similarity");
    assert!(
        repairs[0].selector.contains(">>>"),
        "{}",
        repairs[0].selector
    );
    assert!(repairs[0].confirmed);
}

const DIALOG_BOOK: &str = r#"format = 1
[targets."t.flair.dialog"]
candidates = ['dialog[open]']
expect = { tag = "dialog", role = "dialog" }

[targets."t.flair.apply"]
candidates = ['dialog button:text-is("Add")']
expect = { tag = "button", role = "button", name = "Add" }
"#;

/// The flair picker redesigned: a `div role=dialog` instead of `<dialog>`,
/// with decoys: a hidden "Add", a disabled "Add" and a "Delete" next to it.
const DIALOG_PAGE: &str = r#"<!doctype html><html><body>
<button data-report="hidden-add" style="display:none">Add</button>
<div class="modal-x1" role="dialog" aria-modal="true">
  <p>Choose a flair</p>
  <span role="button" data-report="delete">Delete</span>
  <div role="button" aria-disabled="true" data-report="disabled-add">Add</div>
  <div class="b9" role="button" tabindex="0" data-report="add">Add</div>
</div>
<script>
// Drawn after load, as apps do.
</script>
"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_dialog_that_is_no_longer_a_dialog_element_is_found_by_role() {
    let html: &'static str = Box::leak(format!("{DIALOG_PAGE}{REPORT_CLICKS}").into_boxed_str());
    let (url, clicks) = site(html).await;
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path());
    let h = healer(DIALOG_BOOK, &home);
    let b = browser().await;
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    let page = h.page(s.page(), PlatformId::Reddit);
    page.goto(&url).await.unwrap();
    page.wait_for("@t.flair.dialog", "the flair picker")
        .await
        .unwrap();
    page.click("@t.flair.apply").await.unwrap();
    page.confirm_repairs().await.unwrap();
    // The click reached the real button, and only it.
    for _ in 0..50 {
        if !clicks.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(*clicks.lock().unwrap(), vec!["add".to_string()]);
    page.finish();
    s.close().await;
    b.close().await;
    let repairs = read_repairs(&home).unwrap();
    let tiers: Vec<(&str, &str)> = repairs
        .iter()
        .map(|r| (r.target.as_str(), r.tier.as_str()))
        .collect();
    assert_eq!(
        tiers,
        vec![("t.flair.dialog", "role"), ("t.flair.apply", "role")]
    );
}

/// A page where the known selector is gone and no element is like the
/// target: only the model could answer, and whatever it says is checked.
const MODEL_BOOK: &str = r#"format = 1
[targets."t.compose.post"]
candidates = ['button[data-testid="postButton"]']
expect = { tag = "button", role = "button", name = "Post", attrs = { "data-testid" = "postButton" } }
"#;

const MODEL_PAGE: &str = r#"<!doctype html><html><body>
<a href="/help" data-report="help">Help</a>
<span role="button" data-report="delete">Delete draft</span>
<div role="button" tabindex="0" data-report="publish" class="p1">Publish now</div>
<div role="button" tabindex="0" data-report="publish" class="p1">Publish now</div>
"#;

fn model_healer(home: &Home, url: String) -> Arc<Healer> {
    healer(MODEL_BOOK, home)
        .with_options(HealOptions {
            model_after: Duration::from_millis(300),
            ..HealOptions::default()
        })
        .with_model(Some(ModelConfig {
            base_url: url,
            model: "test-vision".into(),
            api_key: distroflow_core::Secret::new("sk-test"),
            max_calls_per_run: 10,
            max_calls_per_day: 50,
            price: None,
            timeout: Duration::from_secs(10),
        }))
}

#[tokio::test(flavor = "multi_thread")]
async fn model_answers_that_fail_verification_are_never_acted_on() {
    let html: &'static str = Box::leak(format!("{MODEL_PAGE}{REPORT_CLICKS}").into_boxed_str());
    let (url, clicks) = site(html).await;
    let model = distroflow_replica::FakeModel::start().await.unwrap();
    // A short deadline per step: each answer is checked, then the step fails.
    let mut o = distroflow_browser::BrowserOptions::from_env(None);
    o.waits.timeout = Duration::from_secs(4);
    let b = distroflow_browser::Browser::launch(o).await.unwrap();
    // An index past the candidates shown; then each candidate in turn:
    // none is a unique, safe, like-the-target element.
    for answer in [Some(99), Some(1), Some(2), Some(3), Some(4), Some(5)] {
        model.force_answer(answer);
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let h = model_healer(&home, model.url());
        let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
        let page = h.page(s.page(), PlatformId::X);
        page.goto(&url).await.unwrap();
        let e = tokio::time::timeout(Duration::from_secs(30), page.click("@t.compose.post"))
            .await
            .expect("the step ends")
            .unwrap_err();
        assert!(e.is_not_found(), "answer {answer:?}: {e}");
        let steps = page.steps().join("\n");
        assert!(
            steps.contains("model answer rejected"),
            "{answer:?}: {steps}"
        );
        page.finish();
        s.close().await;
    }
    b.close().await;
    assert!(
        model.requests().len() >= 6,
        "the model was asked: {:?}",
        model.requests()
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        *clicks.lock().unwrap(),
        Vec::<String>::new(),
        "nothing clicked"
    );
}

const THREAD_BOOK: &str = r#"format = 1
[targets."t.thread.editor_0"]
candidates = ['[data-testid="tweetTextarea_0"]']
expect = { tag = "div", role = "textbox", attrs = { "aria-label" = "Post text" } }

[targets."t.thread.editor_1"]
candidates = ['[data-testid="tweetTextarea_1"]']
expect = { tag = "div", role = "textbox", attrs = { "aria-label" = "Post text" } }
"#;

/// The second editor arrives late; until then the only element like it is
/// the first editor, which a step already typed into.
const THREAD_PAGE: &str = r#"<!doctype html><html><body><div id="c">
<div contenteditable="true" role="textbox" aria-label="Post text" data-testid="tweetTextarea_0"></div>
</div><script>
setTimeout(() => {
  const e = document.createElement('div');
  e.setAttribute('contenteditable', 'true'); e.setAttribute('role', 'textbox');
  e.setAttribute('aria-label', 'Post text'); e.setAttribute('data-testid', 'editor-second');
  document.getElementById('c').appendChild(e);
}, 1500);
</script></body></html>"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_repair_never_takes_an_element_another_step_holds() {
    let (url, _) = site(THREAD_PAGE).await;
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path());
    let h = healer(THREAD_BOOK, &home);
    let b = browser().await;
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    let page = h.page(s.page(), PlatformId::X);
    page.goto(&url).await.unwrap();
    page.type_text("@t.thread.editor_0", "first").await.unwrap();
    // The renamed second editor is found once it is there, never the first.
    page.wait_for("@t.thread.editor_1", "the second editor")
        .await
        .unwrap();
    page.type_text("@t.thread.editor_1", "second")
        .await
        .unwrap();
    let texts = page
        .eval(
            "Array.from(document.querySelectorAll('[role=textbox]')).map(e => e.innerText.trim())",
        )
        .await
        .unwrap();
    assert_eq!(texts, serde_json::json!(["first", "second"]));
    page.finish();
    s.close().await;
    b.close().await;
}

const STEPS_BOOK: &str = r#"format = 1
[targets."t.create.next"]
candidates = ['div[role="dialog"] [role="button"]:text-is("Next")']
expect = { tag = "div", role = "button", name = "Next", text = "Next" }

[targets."t.create.share"]
candidates = ['div[role="dialog"] [role="button"]:text-is("Share")']
expect = { tag = "div", role = "button", name = "Share", text = "Share" }
"#;

/// Instagram's create dialog, redesigned: a `<dialog>` whose one header
/// button reads "Proceed" and then, in place, "Share" (the same element).
const STEPS_PAGE: &str = r#"<!doctype html><html><body>
<dialog open aria-modal="true"><h1 id="h">Crop</h1>
<div role="button" tabindex="0" id="b">Proceed</div></dialog>
<script>
const b = document.getElementById('b');
b.addEventListener('click', () => {
  fetch('/clicked?' + b.textContent);
  if (b.textContent === 'Proceed') { document.getElementById('h').textContent = 'Caption'; b.textContent = 'Share'; }
});
</script></body></html>"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_control_relabelled_in_place_is_free_for_the_next_step() {
    let (url, clicks) = site(STEPS_PAGE).await;
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path());
    let h = healer(STEPS_BOOK, &home);
    let b = browser().await;
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    let page = h.page(s.page(), PlatformId::Instagram);
    page.goto(&url).await.unwrap();
    // "Proceed" is "Next" by its meaning; the step claims the element.
    page.click("@t.create.next").await.unwrap();
    // The same element now says "Share": another control to a person, so
    // the claim of the step before does not hide it from this one.
    page.click("@t.create.share").await.unwrap();
    for _ in 0..50 {
        if clicks.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(*clicks.lock().unwrap(), ["Proceed", "Share"]);
    page.finish();
    s.close().await;
    b.close().await;
}

const MODAL_BOOK: &str = r#"format = 1
[targets."t.compose.editor"]
candidates = ['div[role="dialog"][aria-modal="true"] [data-testid="tweetTextarea_0"]']
expect = { tag = "div", role = "textbox", attrs = { "data-testid" = "tweetTextarea_0", "aria-label" = "Post text" } }
"#;

/// X's compose modal turned into a `<dialog>`, with the timeline's own
/// composer (an exact twin) still on the page behind it.
const MODAL_PAGE: &str = r#"<!doctype html><html><head><style>[role=textbox]{min-width:300px;min-height:40px}</style></head><body>
<main><div role="textbox" contenteditable="true" data-testid="tweetTextarea_0" aria-label="Post text" id="behind"></div></main>
<dialog open aria-modal="true"><div role="textbox" contenteditable="true" data-testid="tweetTextarea_0" aria-label="Post text" id="modal"></div></dialog>
</body></html>"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_twin_behind_an_open_modal_is_never_the_repair() {
    let (url, _) = site(MODAL_PAGE).await;
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path());
    let h = healer(MODAL_BOOK, &home);
    let b = browser().await;
    let s = b.session(&url.parse().unwrap(), &[]).await.unwrap();
    let page = h.page(s.page(), PlatformId::X);
    page.goto(&url).await.unwrap();
    page.type_text("@t.compose.editor", "in the modal")
        .await
        .unwrap();
    let texts = page
        .eval("[document.getElementById('behind').innerText.trim(), document.getElementById('modal').innerText.trim()]")
        .await
        .unwrap();
    assert_eq!(texts, serde_json::json!(["", "in the modal"]));
    page.finish();
    s.close().await;
    b.close().await;
}

const DECOY_BOOK: &str = r#"format = 1
[targets."t.submit.text"]
candidates = ['form textarea[name="text"]', 'form textarea']
expect = { tag = "textarea", role = "textbox", neighbor_text = "text", attrs = { name = "text" } }
"#;

/// HN's submit form as first seen (the fingerprint is learned here).
const DECOY_BEFORE: &str = r#"<!doctype html><html><body><form method="post"><table>
<tr><td>title</td><td><input name="title"></td></tr>
<tr><td>text</td><td><textarea name="text" rows="4" cols="49"></textarea></td></tr>
</table></form></body></html>"#;

/// A redesign: the text field moved into a shadow root, and a note field
/// (the only textarea left in the light DOM) matches the known
/// alternative `form textarea`.
const DECOY_AFTER: &str = r#"<!doctype html><html><body><form method="post"><table>
<tr><td>title</td><td><input name="title"><textarea placeholder="Add a note" aria-label="Add a note" rows="4" cols="49"></textarea></td></tr>
<tr><td>text</td><td><x-text></x-text></td></tr>
</table></form>
<script>
customElements.define('x-text', class extends HTMLElement {
  connectedCallback() {
    this.attachShadow({ mode: 'open' }).innerHTML = '<textarea name="text" rows="4" cols="49"></textarea>';
  }
});
</script></body></html>"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_known_alternative_that_now_matches_a_decoy_loses_to_the_likelier_field() {
    let (before, _) = site(DECOY_BEFORE).await;
    let (after, _) = site(DECOY_AFTER).await;
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path());
    let h = healer(DECOY_BOOK, &home);
    let b = browser().await;
    // Learn the field's fingerprint on the original page.
    let s = b.session(&before.parse().unwrap(), &[]).await.unwrap();
    let page = h.page(s.page(), PlatformId::HackerNews);
    page.goto(&before).await.unwrap();
    page.type_text("@t.submit.text", "learned").await.unwrap();
    page.finish();
    s.close().await;

    let s = b.session(&after.parse().unwrap(), &[]).await.unwrap();
    let page = h.page(s.page(), PlatformId::HackerNews);
    page.goto(&after).await.unwrap();
    page.type_text("@t.submit.text", "Into the real field")
        .await
        .unwrap();
    let real = page
        .eval("document.querySelector('x-text').shadowRoot.querySelector('textarea').value")
        .await
        .unwrap();
    let note = page
        .eval("document.querySelector('textarea[aria-label=\"Add a note\"]').value")
        .await
        .unwrap();
    page.finish();
    s.close().await;
    b.close().await;
    assert_eq!(real, "Into the real field");
    assert_eq!(note, "", "nothing typed into the note field");
    let repairs = read_repairs(&home).unwrap();
    let last = repairs.last().expect("a repair recorded");
    assert!(last.selector.contains(">>>"), "{last:?}");
    assert!(last.confirmed);
}

const MARKER_BOOK: &str = r#"format = 1
[targets."t.me"]
candidates = ['a#me', 'span.pagetop a[href^="user?id="]']
expect = { tag = "a", role = "link", attrs = { href = "user?id=" } }
"#;

const MARKER_BEFORE: &str = r#"<!doctype html><html><body><span class="pagetop">
<a href="user?id=someone">someone</a> | <a id="me" href="user?id=sandbox">sandbox</a> (1) | <a href="logout">logout</a></span></body></html>"#;

/// The id and the class renamed: no known selector matches, and the seed
/// alone cannot tell the person's own link from another user's.
const MARKER_AFTER: &str = r#"<!doctype html><html><body><span class="pagetop_main">
<a href="user?id=someone">someone</a> | <a id="x1q9" href="user?id=sandbox">sandbox</a> (1) | <a href="logout">logout</a></span></body></html>"#;

#[tokio::test(flavor = "multi_thread")]
async fn a_marker_only_ever_queried_is_fingerprinted_and_found_after_a_redesign() {
    let (before, _) = site(MARKER_BEFORE).await;
    let (after, _) = site(MARKER_AFTER).await;
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path());
    let h = healer(MARKER_BOOK, &home);
    let b = browser().await;
    let s = b.session(&before.parse().unwrap(), &[]).await.unwrap();
    let page = h.page(s.page(), PlatformId::HackerNews);
    page.goto(&before).await.unwrap();
    assert_eq!(page.count("@t.me").await.unwrap(), 1);
    page.finish();
    s.close().await;

    let s = b.session(&after.parse().unwrap(), &[]).await.unwrap();
    let page = h.page(s.page(), PlatformId::HackerNews);
    page.goto(&after).await.unwrap();
    page.wait_for("@t.me", "the logged-in marker")
        .await
        .unwrap();
    let href = page.attr("@t.me", "href").await.unwrap();
    page.finish();
    s.close().await;
    b.close().await;
    assert_eq!(href.as_deref(), Some("user?id=sandbox"));
}
