//! Triage through a local fake OpenAI-compatible server
//! (`distroflow_replica::FakeTriageModel`): batching, the cache, re-asking
//! only what was broken, the caps, and what each call cost.

use std::time::Duration;

use distroflow_core::Secret;
use distroflow_healer::{ModelConfig, Price, Prices};
use distroflow_replica::{FakeTriageModel, TriageRequest};
use distroflow_store::Store;
use distroflow_triage::{Label, TriageConfig, Triager, INSTRUCTIONS};

fn config(fake: &FakeTriageModel, model: &str) -> TriageConfig {
    TriageConfig::new(ModelConfig {
        base_url: fake.url(),
        model: model.into(),
        api_key: Secret::new("sk-test"),
        max_calls_per_run: 0,
        max_calls_per_day: 0,
        price: Prices::default().get(model),
        timeout: Duration::from_secs(30),
    })
}

/// 120 different replies, a few of each kind.
fn replies(n: usize) -> Vec<String> {
    let kinds = [
        "How do I set the Reddit flair from the CLI?",
        "The Instagram upload crashes with an error on 2 images",
        "Love this, thanks for building it",
        "Honestly it feels bloated for what it does",
        "Get 10k followers fast, DM me",
        "I posted mine last week too",
    ];
    (0..n)
        .map(|i| format!("{} (#{i})", kinds[i % kinds.len()]))
        .collect()
}

/// Every request carried the strict schema, and the same instructions,
/// byte for byte, first.
fn assert_cache_friendly(requests: &[TriageRequest]) {
    assert!(!requests.is_empty());
    for r in requests {
        assert_eq!(r.system, INSTRUCTIONS, "instructions are byte-identical");
        let rf = &r.response_format;
        assert_eq!(rf["type"], "json_schema", "{rf}");
        assert_eq!(rf["json_schema"]["strict"], true, "{rf}");
        let branches = rf["json_schema"]["schema"]["properties"]["items"]["items"]["anyOf"]
            .as_array()
            .unwrap();
        let required: Vec<Vec<&str>> = branches
            .iter()
            .map(|b| {
                assert_eq!(b["additionalProperties"], false, "{rf}");
                b["required"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect()
            })
            .collect();
        assert_eq!(
            required,
            [vec!["i", "l", "r"], vec!["i", "l"]],
            "compact wire keys, a reason only where an answer is needed"
        );
        assert!(r.ids.len() <= 50);
        for (i, id) in r.ids.iter().enumerate() {
            assert_eq!(id, &format!("{}", i + 1), "ids are short and local");
        }
    }
}

#[tokio::test]
async fn a_hundred_and_twenty_replies_take_three_calls_then_none_from_the_cache() {
    let fake = FakeTriageModel::start().await.unwrap();
    let store = Store::open_in_memory().unwrap();
    let texts = replies(120);

    let first = Triager::new(config(&fake, "gpt-4o-mini"))
        .triage(&store, &texts)
        .await
        .unwrap();
    assert_eq!(first.stats.calls, 3);
    assert_eq!(first.stats.scored, 120);
    assert_eq!(first.stats.unscored, 0);
    let sizes: Vec<usize> = fake.requests().iter().map(|r| r.ids.len()).collect();
    assert_eq!(sizes, [50, 50, 20]);
    let v = first.verdicts[0].as_ref().unwrap();
    assert_eq!(
        (v.label, v.needs_reply, v.priority),
        (Label::Question, true, 2)
    );
    let v = first.verdicts[1].as_ref().unwrap();
    assert_eq!((v.label, v.priority), (Label::Bug, 3));
    assert_eq!(first.verdicts[4].as_ref().unwrap().label, Label::Spam);
    // Cost at gpt-4o-mini's price, of the tokens reported.
    let s = &first.stats;
    let expected = Price::new(0.15, 0.60).with_cached(0.075).cost_with_cached(
        s.input_tokens,
        s.cached_tokens,
        s.output_tokens,
    );
    assert!((s.cost_usd.unwrap() - expected).abs() < 1e-12);
    assert!(s.input_tokens > 0 && s.output_tokens > 0);

    // A second run (a new process, same store): nothing is sent.
    let second = Triager::new(config(&fake, "gpt-4o-mini"))
        .triage(&store, &texts)
        .await
        .unwrap();
    assert_eq!(second.stats.calls, 0);
    assert_eq!(second.stats.from_cache, 120);
    assert_eq!(second.stats.cost_usd, Some(0.0));
    assert_eq!(second.verdicts, first.verdicts);
    assert_eq!(fake.requests().len(), 3);

    // Overlapping content: 60 seen, 60 new: only the new ones are sent.
    let mut overlap: Vec<String> = texts[60..].to_vec();
    overlap.extend(replies(180)[120..].iter().cloned());
    let third = Triager::new(config(&fake, "gpt-4o-mini"))
        .triage(&store, &overlap)
        .await
        .unwrap();
    assert_eq!((third.stats.calls, third.stats.from_cache), (2, 60));

    // Case and spacing do not make a reply new.
    let same = vec![format!("  {}  ", texts[0].to_uppercase())];
    let fourth = Triager::new(config(&fake, "gpt-4o-mini"))
        .triage(&store, &same)
        .await
        .unwrap();
    assert_eq!(fourth.stats.calls, 0);

    assert_cache_friendly(&fake.requests());
    assert_eq!(
        store.triage_calls_on(jiff::Timestamp::now()).unwrap(),
        5,
        "every call is recorded"
    );
}

#[tokio::test]
async fn a_changed_rubric_or_model_scores_again() {
    let fake = FakeTriageModel::start().await.unwrap();
    let store = Store::open_in_memory().unwrap();
    let texts = replies(120);
    Triager::new(config(&fake, "gpt-4o-mini"))
        .triage(&store, &texts)
        .await
        .unwrap();
    let mut v2 = config(&fake, "gpt-4o-mini");
    v2.rubric_version = format!("{}-next", distroflow_triage::RUBRIC_VERSION);
    let again = Triager::new(v2).triage(&store, &texts).await.unwrap();
    assert_eq!(again.stats.calls, 3);
    assert_eq!(again.stats.from_cache, 0);
    let other = Triager::new(config(&fake, "gpt-4.1-nano"))
        .triage(&store, &texts)
        .await
        .unwrap();
    assert_eq!(other.stats.calls, 3);
    assert_cache_friendly(&fake.requests());
}

#[tokio::test]
async fn a_malformed_answer_for_two_ids_re_asks_just_those_two() {
    let fake = FakeTriageModel::start().await.unwrap();
    let store = Store::open_in_memory().unwrap();
    let texts = replies(50);
    // The answer leaves r49 out and gives r50 a label outside the schema.
    fake.malform_next(2);
    let t = Triager::new(config(&fake, "gpt-4o-mini"))
        .triage(&store, &texts)
        .await
        .unwrap();
    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].ids.len(), 50);
    assert_eq!(requests[1].ids, ["1", "2"], "only the two, renumbered");
    assert_eq!(t.stats.calls, 2);
    assert_eq!(t.stats.unscored, 0);
    assert!(t.verdicts.iter().all(Option::is_some));
    // The two are the last two replies, scored by the second call.
    assert_eq!(t.verdicts[48].as_ref().unwrap().label, Label::Question);
    assert_eq!(t.verdicts[49].as_ref().unwrap().label, Label::Bug);
    assert_cache_friendly(&requests);
}

#[tokio::test]
async fn the_caps_stop_scoring_and_a_failing_model_fails_nothing() {
    let fake = FakeTriageModel::start().await.unwrap();
    let store = Store::open_in_memory().unwrap();
    let texts = replies(120);

    let mut one = config(&fake, "gpt-4o-mini");
    one.max_calls_per_run = 1;
    let t = Triager::new(one).triage(&store, &texts).await.unwrap();
    assert_eq!(
        (t.stats.calls, t.stats.scored, t.stats.unscored),
        (1, 50, 70)
    );
    assert!(t.stats.capped);

    let mut daily = config(&fake, "gpt-4o-mini");
    daily.max_calls_per_day = 2;
    let t = Triager::new(daily).triage(&store, &texts).await.unwrap();
    assert_eq!(t.stats.calls, 1, "one call was already made today");
    assert_eq!(t.stats.from_cache, 50);
    assert!(t.stats.capped);

    fake.fail_with(500);
    let t = Triager::new(config(&fake, "gpt-4o-mini"))
        .triage(&store, &texts)
        .await
        .unwrap();
    assert_eq!(t.stats.unscored, 20);
    assert!(t.stats.failed.is_some());
    assert_eq!(t.verdicts.iter().filter(|v| v.is_some()).count(), 100);
}

#[tokio::test]
async fn a_model_without_a_price_has_an_unknown_cost() {
    let fake = FakeTriageModel::start().await.unwrap();
    let store = Store::open_in_memory().unwrap();
    let t = Triager::new(config(&fake, "llama3.2:3b"))
        .triage(&store, &replies(3))
        .await
        .unwrap();
    assert_eq!(t.stats.calls, 1);
    assert!(t.stats.input_tokens > 0);
    assert_eq!(t.stats.cost_usd, None);
}

#[tokio::test]
async fn eval_scores_the_set_per_model_and_recommends_the_cheapest_good_enough() {
    let fake = FakeTriageModel::start().await.unwrap();
    let set = distroflow_triage::eval_set().unwrap();
    let mini = distroflow_triage::evaluate(config(&fake, "gpt-4o-mini"), &set)
        .await
        .unwrap();
    let nano = distroflow_triage::evaluate(config(&fake, "gpt-4.1-nano"), &set)
        .await
        .unwrap();
    let big = distroflow_triage::evaluate(config(&fake, "gpt-4o"), &set)
        .await
        .unwrap();
    assert_eq!((mini.calls, mini.unscored), (2, 0));
    // The fake answers the same for mini and 4o, worse for nano.
    assert_eq!(mini.agreement, big.agreement);
    assert!(nano.agreement < mini.agreement - 5.0, "{nano:?}");
    assert!(mini.cost_per_100.unwrap() < big.cost_per_100.unwrap());
    let results = [big, nano, mini];
    assert_eq!(
        distroflow_triage::recommend(&results).unwrap().model,
        "gpt-4o-mini"
    );

    let f = distroflow_triage::batching_figures(config(&fake, "gpt-4o-mini"), &set)
        .await
        .unwrap();
    assert_eq!((f.batched.calls, f.one_per_reply.calls), (2, 100));
    assert!(f.call_ratio() >= 40.0);
    assert_eq!(
        (f.second_pass_calls, f.second_pass_calls_without_cache),
        (1, 3)
    );
    assert!(f.second_pass_saving() >= 60.0);
}

/// A provider that reports cached prompt tokens: those are billed at the
/// model's cached-input rate, and recorded.
#[tokio::test]
async fn cached_prompt_tokens_are_billed_at_the_cached_rate() {
    let fake = FakeTriageModel::start().await.unwrap();
    fake.report_cached(100);
    let store = Store::open_in_memory().unwrap();
    let t = Triager::new(config(&fake, "gpt-4o-mini"))
        .triage(&store, &replies(50))
        .await
        .unwrap();
    let s = &t.stats;
    assert_eq!((s.calls, s.cached_tokens), (1, 100));
    let mini = Price::new(0.15, 0.60);
    let full = mini.cost(s.input_tokens, s.output_tokens);
    let cost = s.cost_usd.unwrap();
    assert!(
        (full - cost - 100.0 * 0.075 / 1e6).abs() < 1e-12,
        "{full} {cost}"
    );
    let month = store
        .triage_totals_since(jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1))
        .unwrap();
    assert_eq!(month.cached_tokens, 100);
    assert!((month.cost_usd - cost).abs() < 1e-12);
}
