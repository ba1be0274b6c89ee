use distroflow_core::{Platform, Post};
use distroflow_platforms::HackerNews;
use distroflow_replica::{HackerNews as Replica, HnOptions};

use crate::{browser, cookie, post_with};

#[tokio::test(flavor = "multi_thread")]
async fn link_text_duplicate_and_logged_out() {
    let hn = Replica::start(HnOptions::default()).await.unwrap();
    let b = browser().await;
    let me = [cookie("user", &hn.session_cookie("sandbox").unwrap())];

    let link = Post::new("")
        .with_title("A link")
        .with_url("https://example.com/a");
    let posted = post_with(&b, &HackerNews, &hn.url(), &me, &link)
        .await
        .unwrap();
    let stories = hn.stories();
    assert_eq!(stories.len(), 1);
    assert_eq!(posted.id, stories[0].id.to_string());
    assert_eq!(
        posted.url,
        format!("{}/item?id={}", hn.url(), stories[0].id)
    );
    assert_eq!(stories[0].url.as_deref(), Some("https://example.com/a"));

    let text = Post::new("para 1 ✨\n\npara 2 — 中文").with_title("Ask HN: text?");
    post_with(&b, &HackerNews, &hn.url(), &me, &text)
        .await
        .unwrap();
    let newest = &hn.stories()[0];
    assert_eq!(newest.title, "Ask HN: text?");
    assert_eq!(newest.text.as_deref(), Some("para 1 ✨\n\npara 2 — 中文"));

    let again = Post::new("")
        .with_title("Same link")
        .with_url("https://example.com/a");
    let e = post_with(&b, &HackerNews, &hn.url(), &me, &again)
        .await
        .unwrap_err();
    assert!(e.is_duplicate(), "{e}");
    assert!(
        e.to_string()
            .contains(&format!("item?id={}", stories[0].id)),
        "{e}"
    );
    assert_eq!(hn.stories().len(), 2);

    let e = post_with(&b, &HackerNews, &hn.url(), &[], &link)
        .await
        .unwrap_err();
    assert!(e.is_auth(), "{e}");
    assert_eq!(
        e.hint().as_deref(),
        Some("run `distroflow login hackernews`")
    );
    b.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn password_login_yields_a_session_cookie() {
    let hn = Replica::start(HnOptions::default()).await.unwrap();
    let b = browser().await;
    let ctx = distroflow_core::JobContext::new(hn.url().parse().unwrap());
    let s = b.session(&ctx.base_url, &[]).await.unwrap();
    let healer = crate::healer();
    let page = healer.page(s.page(), distroflow_core::PlatformId::HackerNews);
    HackerNews
        .login_with_password(
            &page,
            &ctx,
            "sandbox",
            &distroflow_core::Secret::new("sandbox"),
        )
        .await
        .unwrap();
    let cookies = distroflow_core::Page::cookies(&page, ctx.base_url.as_str())
        .await
        .unwrap();
    let user = cookies
        .iter()
        .find(|c| c.name == "user")
        .expect("user cookie");
    assert_eq!(
        Some(user.value.expose().to_string()),
        hn.session_cookie("sandbox")
    );
    let e = HackerNews
        .login_with_password(
            &page,
            &ctx,
            "sandbox",
            &distroflow_core::Secret::new("nope"),
        )
        .await
        .unwrap_err();
    assert!(e.is_auth() && e.to_string().contains("Bad login"), "{e}");
    s.close().await;
    b.close().await;
}

/// Every UI version of the replica (renamed fields, reworded labels, rebuilt
/// forms) still posts the right content into the right fields, with a fresh
/// healer (no fingerprints yet: only the selector data's seeds), and every
/// repair is recorded by tier.
#[tokio::test(flavor = "multi_thread")]
async fn posting_survives_every_ui_version() {
    use distroflow_core::{Home, JobContext, Page, PlatformId, Secret};
    use distroflow_healer::{read_repairs, Healer, SelectorBook};

    let b = browser().await;
    for &ui in distroflow_replica::HN_UI_VERSIONS {
        let hn = Replica::start(HnOptions {
            ui_version: ui,
            ..HnOptions::default()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let home = Home::at(dir.path());
        let book = SelectorBook::builtin(distroflow_platforms::SELECTOR_FILES).unwrap();
        let healer = Healer::new(book, Some(home.clone())).unwrap();
        let ctx = JobContext::new(hn.url().parse().unwrap());

        // Log in through the form, then post a link and a text post.
        let s = b.session(&ctx.base_url, &[]).await.unwrap();
        let page = healer.page(s.page(), PlatformId::HackerNews);
        HackerNews
            .login_with_password(&page, &ctx, "sandbox", &Secret::new("sandbox"))
            .await
            .unwrap_or_else(|e| panic!("ui {ui}: login: {e}"));
        let link = Post::new("")
            .with_title(format!("Link on ui {ui}"))
            .with_url(format!("https://example.com/ui{ui}"));
        HackerNews
            .post(&page, &ctx, &link)
            .await
            .unwrap_or_else(|e| panic!("ui {ui}: link: {e}"));
        let text = Post::new(format!("Body on ui {ui} ✓")).with_title(format!("Text on ui {ui}"));
        HackerNews
            .post(&page, &ctx, &text)
            .await
            .unwrap_or_else(|e| panic!("ui {ui}: text: {e}"));
        page.finish();
        assert!(page.confirm_repairs().await.is_ok());
        s.close().await;

        let stories = hn.stories();
        assert_eq!(stories.len(), 2, "ui {ui}");
        assert_eq!(stories[1].title, format!("Link on ui {ui}"));
        assert_eq!(
            stories[1].url.as_deref(),
            Some(format!("https://example.com/ui{ui}").as_str())
        );
        assert_eq!(
            stories[1].text, None,
            "ui {ui}: nothing typed into the wrong field"
        );
        assert_eq!(stories[0].title, format!("Text on ui {ui}"));
        assert_eq!(
            stories[0].text.as_deref(),
            Some(format!("Body on ui {ui} ✓").as_str())
        );
        assert_eq!(stories[0].url, None);

        let repairs = read_repairs(&home).unwrap();
        if ui == 0 {
            assert!(
                repairs.is_empty(),
                "today's UI needs no repair: {repairs:?}"
            );
        } else {
            assert!(!repairs.is_empty(), "ui {ui} was repaired");
            assert!(
                repairs.iter().all(|r| r.confirmed && r.tier != "model"),
                "{repairs:?}"
            );
            assert!(repairs
                .iter()
                .any(|r| r.target == "hackernews.submit.title"));
        }
    }
    b.close().await;
}

/// The model tier, against a local OpenAI-compatible server: it gets a
/// screenshot and the ranked candidates, its choice is validated and used,
/// and the call's tokens and cost are recorded. Similarity is held back so
/// that the model is the tier that answers.
#[tokio::test(flavor = "multi_thread")]
async fn the_model_tier_repairs_when_asked_and_is_recorded() {
    use distroflow_core::{Home, JobContext, PlatformId};
    use distroflow_healer::{read_repairs, HealOptions, Healer, ModelConfig, SelectorBook};
    use std::time::Duration;

    let model = distroflow_replica::FakeModel::start().await.unwrap();
    let hn = Replica::start(HnOptions {
        ui_version: 2,
        ..HnOptions::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let home = Home::at(dir.path());
    let book = SelectorBook::builtin(distroflow_platforms::SELECTOR_FILES).unwrap();
    let healer = Healer::new(book, Some(home.clone()))
        .unwrap()
        .with_options(HealOptions {
            similarity_after: Duration::from_secs(3600),
            model_after: Duration::from_millis(300),
            ..HealOptions::default()
        })
        .with_model(Some(ModelConfig {
            base_url: model.url(),
            model: "test-vision".into(),
            api_key: distroflow_core::Secret::new("sk-test"),
            max_calls_per_run: 5,
            max_calls_per_day: 50,
            price: Some(distroflow_healer::Price::new(0.15, 0.60)),
            timeout: Duration::from_secs(10),
        }));
    let b = browser().await;
    let ctx = JobContext::new(hn.url().parse().unwrap());
    let me = [cookie("user", &hn.session_cookie("sandbox").unwrap())];
    let s = b.session(&ctx.base_url, &me).await.unwrap();
    let page = healer.page(s.page(), PlatformId::HackerNews);
    let post = Post::new("")
        .with_title("Chosen by the model")
        .with_url("https://example.com/m");
    HackerNews.post(&page, &ctx, &post).await.unwrap();
    page.finish();
    s.close().await;
    b.close().await;

    let story = &hn.stories()[0];
    assert_eq!(story.title, "Chosen by the model");
    assert_eq!(story.url.as_deref(), Some("https://example.com/m"));
    let asked = model.requests();
    assert!(!asked.is_empty());
    assert!(
        asked
            .iter()
            .all(|r| r.has_image && r.candidates > 1 && r.model == "test-vision"),
        "{asked:?}"
    );
    let repairs = read_repairs(&home).unwrap();
    let by_model: Vec<_> = repairs.iter().filter(|r| r.tier == "model").collect();
    assert!(!by_model.is_empty(), "{repairs:?}");
    assert!(
        by_model
            .iter()
            .all(|r| r.confirmed && r.tokens > 0 && r.cost_usd.is_some_and(|c| c > 0.0)),
        "{by_model:?}"
    );
    assert!(by_model.len() <= 5, "the per-run budget holds");
}

/// A model that points at the wrong kind of element is vetoed by the
/// fingerprint: nothing is typed or clicked, the step fails.
#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_model_answer_is_never_acted_on() {
    use distroflow_core::{JobContext, PlatformId};
    use distroflow_healer::{HealOptions, Healer, ModelConfig, SelectorBook};
    use std::time::Duration;

    let model = distroflow_replica::FakeModel::start().await.unwrap();
    let hn = Replica::start(HnOptions {
        ui_version: 2,
        ..HnOptions::default()
    })
    .await
    .unwrap();
    let book = SelectorBook::builtin(distroflow_platforms::SELECTOR_FILES).unwrap();
    let healer = Healer::new(book, None)
        .unwrap()
        .with_options(HealOptions {
            similarity_after: Duration::from_secs(3600),
            model_after: Duration::from_millis(200),
            ..HealOptions::default()
        })
        .with_model(Some(ModelConfig {
            base_url: model.url(),
            model: "test-vision".into(),
            api_key: distroflow_core::Secret::new("sk-test"),
            max_calls_per_run: 1,
            max_calls_per_day: 50,
            price: Some(distroflow_healer::Price::new(0.15, 0.60)),
            timeout: Duration::from_secs(10),
        }));
    // The last candidate shown is the least like the title field.
    model.force_answer(Some(8));
    let mut options = distroflow_browser::BrowserOptions::from_env(None);
    options.waits.timeout = Duration::from_secs(4);
    let b = distroflow_browser::Browser::launch(options).await.unwrap();
    let ctx = JobContext::new(hn.url().parse().unwrap());
    let me = [cookie("user", &hn.session_cookie("sandbox").unwrap())];
    let s = b.session(&ctx.base_url, &me).await.unwrap();
    let page = healer.page(s.page(), PlatformId::HackerNews);
    let post = Post::new("")
        .with_title("Never typed")
        .with_url("https://example.com/n");
    let e = HackerNews.post(&page, &ctx, &post).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    page.finish();
    s.close().await;
    b.close().await;
    assert!(hn.stories().is_empty());
    assert_eq!(
        model.requests().len(),
        1,
        "the run's model budget is one call"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_new_story_is_read_off_newest_or_else_off_the_accounts_list() {
    // The listing the submit lands on shows the story: no other page.
    let hn = Replica::start(HnOptions::default()).await.unwrap();
    let b = browser().await;
    let me = [cookie("user", &hn.session_cookie("sandbox").unwrap())];
    let post = Post::new("")
        .with_title("Read off newest")
        .with_url("https://example.com/n");
    let posted = post_with(&b, &HackerNews, &hn.url(), &me, &post)
        .await
        .unwrap();
    let story = &hn.stories()[0];
    assert_eq!(posted.url, format!("{}/item?id={}", hn.url(), story.id));
    assert_eq!(hn.gets("/submitted?id=sandbox"), 0);

    // A busy site's listing without it yet: the account's list has it.
    let hn = Replica::start(HnOptions {
        newest_lag: 1,
        ..HnOptions::default()
    })
    .await
    .unwrap();
    let me = [cookie("user", &hn.session_cookie("sandbox").unwrap())];
    let post = Post::new("")
        .with_title("Not on newest yet")
        .with_url("https://example.com/l");
    let posted = post_with(&b, &HackerNews, &hn.url(), &me, &post)
        .await
        .unwrap();
    let story = &hn.stories()[0];
    assert_eq!(story.title, "Not on newest yet");
    assert_eq!(posted.url, format!("{}/item?id={}", hn.url(), story.id));
    assert_eq!(hn.gets("/submitted?id=sandbox"), 1);
    b.close().await;
}
