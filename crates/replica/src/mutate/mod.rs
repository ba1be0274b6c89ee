//! Seeded redesigns of any replica page (issue #11) and late hydration
//! (issue #12).
//!
//! The UI drift versions of each replica are hand-written, and the selector
//! data knows their names. This module applies *random* redesigns that
//! nobody tuned the adapters to: a seed picks a few mutations from a
//! catalogue ([`mutation_plan`]) and every choice after that (which tokens
//! are renamed and to what, which control is wrapped, which label becomes
//! which synonym, where the decoys go) is a pure function of the seed and
//! what is being changed, so the same seed gives the same redesign.
//!
//! # Design
//!
//! Pages reach the browser in four ways: HTML rendered in Rust (Hacker News,
//! old Reddit, Instagram's shell), a client app in a separate script (X's
//! `main.js`, which builds its DOM with `h(tag, {attrs})`), inline scripts
//! that build shadow roots from template strings (new Reddit), and HTML
//! strings assembled at run time (Instagram's dialog). One axum layer
//! ([`layer`]) sits in front of each replica's router and works in two
//! places:
//!
//! * **On the server, on the text of every HTML, JavaScript and CSS
//!   response** ([`text`]): ids, classes and form field `name`s are renamed
//!   wherever they occur as markup (`id="…"` in HTML and in template
//!   strings), as script attributes (`{ class: '…' }`), as selectors inside
//!   string literals (`'#id'`, `'a.cls'`, `'[name=x]'`), as exact literals of
//!   known ids (`getElementById('…')`), and in stylesheets. A token is
//!   renamed the same way in every response, so the replica's own scripts
//!   and styles keep working. `<button>` ↔ `div[role=button]` and `<dialog>`
//!   ↔ `div[role=dialog]` are swapped in the text the same way (markup,
//!   `h('button', …)`, selector literals). Renamed field names are
//!   remembered, and urlencoded and multipart request bodies get their
//!   original names back before the replica's handlers see them.
//! * **In the page, through a seeded script injected at the top of every
//!   HTML page** (`client.js`): it watches the document and every shadow
//!   root (a `MutationObserver`, and `attachShadow` wrapped) and, for each
//!   element as it appears, renames `data-testid`s (done here, not on the
//!   server: X computes its test ids in code, and no replica script queries
//!   them), re-labels buttons within synonyms, wraps or unwraps controls,
//!   moves a form control into a shadow root, reorders sibling fields and
//!   adds decoys. It also carries the polyfills that keep swapped elements
//!   working (keyboard, `disabled`, form submission and `showModal` for
//!   `div`s; form data for controls moved into a shadow root), and the
//!   late-hydration splash.
//!
//! Moving a control *out of* a shadow root is not done: the replicas'
//! components find their parts through their own shadow roots
//! (`root.getElementById`), so a moved part would break the site rather
//! than redesign it.
//!
//! Decoys (a hidden or disabled second "Post", a "Delete"/"Discard" next to
//! it, a decoy text field) report every activation to
//! `POST /__distroflow/decoy`; the handle's `decoy_hits()` returns them, so a
//! benchmark can count wrong clicks.
//!
//! # Late hydration
//!
//! With a hydration range, each HTML page load hides the page behind a
//! splash (`#df-splash`) for a seeded random delay and shows the real UI
//! afterwards, as client-rendered apps mount late.
//!
//! # Switches
//!
//! * `DISTROFLOW_REPLICA_MUTATE=seed:N` (or `seed:N,hydrate` to put late
//!   hydration into the mix), read when a replica starts; a handle's
//!   `set_mutation(Some(N))` and `set_mutation_hydration(true)` do the same.
//! * `DISTROFLOW_REPLICA_HYDRATE_MS=MIN-MAX` (or `N`), or `set_hydration`.

mod plan;
mod text;

use std::collections::{HashMap, HashSet};
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;

pub use plan::mutation_plan;
pub(crate) use plan::Plan;

/// The environment variable that turns seeded redesigns on.
pub const MUTATE_ENV: &str = "DISTROFLOW_REPLICA_MUTATE";
/// The environment variable that turns late hydration on.
pub const HYDRATE_ENV: &str = "DISTROFLOW_REPLICA_HYDRATE_MS";

/// The path decoys report to.
const DECOY_PATH: &str = "/__distroflow/decoy";
/// The delay range late hydration gets when it is part of a mutation mix.
const MIX_HYDRATE_MS: (u64, u64) = (300, 1500);
/// Bodies larger than this are passed through untouched.
const MAX_BODY: usize = 64 * 1024 * 1024;

/// A decoy that was activated: clicked, or typed into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecoyHit {
    /// `hidden-post`, `disabled-post`, `destructive` or `field`.
    pub kind: String,
    /// The decoy's label ("Post", "Delete", "Add a comment").
    pub label: String,
    /// The page it was on (path and query).
    pub page: String,
}

/// Parses `seed:N` or `seed:N,hydrate`: the seed and whether late
/// hydration is in the mix.
pub fn parse_mutate(value: &str) -> Result<(u64, bool), String> {
    let mut seed = None;
    let mut hydrate = false;
    for part in value.split(',').map(str::trim) {
        if let Some(n) = part.strip_prefix("seed:") {
            seed = Some(n.trim().parse::<u64>().map_err(|_| {
                format!("{MUTATE_ENV}={value}: `{n}` is not a seed (expected seed:N with N a whole number)")
            })?);
        } else if part == "hydrate" {
            hydrate = true;
        } else {
            return Err(format!(
                "{MUTATE_ENV}={value}: expected seed:N or seed:N,hydrate"
            ));
        }
    }
    seed.map(|s| (s, hydrate))
        .ok_or_else(|| format!("{MUTATE_ENV}={value}: expected seed:N or seed:N,hydrate"))
}

/// Parses `MIN-MAX` or `N` milliseconds.
pub fn parse_hydrate(value: &str) -> Result<(u64, u64), String> {
    let bad = || format!("{HYDRATE_ENV}={value}: expected MIN-MAX in milliseconds, e.g. 200-1500");
    let (lo, hi) = match value.trim().split_once('-') {
        Some((lo, hi)) => (lo.trim(), hi.trim()),
        None => (value.trim(), value.trim()),
    };
    let lo: u64 = lo.parse().map_err(|_| bad())?;
    let hi: u64 = hi.parse().map_err(|_| bad())?;
    if lo > hi || hi > 120_000 {
        return Err(bad());
    }
    Ok((lo, hi))
}

/// The redesign switches and records of one replica, shared by its handle
/// and its layer. Reached through [`Mutations`].
#[derive(Debug, Default)]
pub struct Redesign {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    seed: Option<u64>,
    hydration_in_mix: bool,
    hydrate_ms: Option<(u64, u64)>,
    /// Renamed form field names: new -> original.
    names_back: HashMap<String, String>,
    /// Original -> new, for the names handed out.
    names_out: HashMap<String, String>,
    /// Tokens seen as ids, classes or names in markup or script attributes.
    known: HashSet<(text::Kind, String)>,
    decoys: Vec<DecoyHit>,
    loads: u64,
}

impl Redesign {
    /// Switches from the environment; a bad value is an error that names
    /// the variable.
    pub(crate) fn from_env() -> io::Result<Arc<Redesign>> {
        let r = Redesign::default();
        let invalid = |m: String| io::Error::new(io::ErrorKind::InvalidInput, m);
        if let Some(v) = std::env::var_os(MUTATE_ENV) {
            let v = v.to_string_lossy();
            if !v.trim().is_empty() {
                let (seed, hydrate) = parse_mutate(&v).map_err(invalid)?;
                r.set_seed(Some(seed));
                r.set_hydration_in_mix(hydrate);
            }
        }
        if let Some(v) = std::env::var_os(HYDRATE_ENV) {
            let v = v.to_string_lossy();
            if !v.trim().is_empty() {
                r.set_hydrate(Some(parse_hydrate(&v).map_err(invalid)?));
            }
        }
        Ok(Arc::new(r))
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn set_seed(&self, seed: Option<u64>) {
        let mut i = self.lock();
        if i.seed != seed {
            i.names_back.clear();
            i.names_out.clear();
        }
        i.seed = seed;
    }

    pub(crate) fn set_hydration_in_mix(&self, on: bool) {
        self.lock().hydration_in_mix = on;
    }

    pub(crate) fn set_hydrate(&self, range: Option<(u64, u64)>) {
        self.lock().hydrate_ms = range.map(|(a, b)| (a.min(b), a.max(b)));
    }

    pub(crate) fn decoy_hits(&self) -> Vec<DecoyHit> {
        self.lock().decoys.clone()
    }

    pub(crate) fn clear_decoy_hits(&self) {
        self.lock().decoys.clear();
    }

    fn active(&self) -> bool {
        let i = self.lock();
        i.seed.is_some() || i.hydrate_ms.is_some()
    }
}

/// Seeded redesigns, late hydration and decoy records: the same switches
/// on every replica handle.
pub trait Mutations {
    /// The replica's switches.
    #[doc(hidden)]
    fn redesign(&self) -> &Redesign;

    /// Serves a seeded redesign of every page from the next request on
    /// (`None`: the pages as they are). The same seed gives the same
    /// redesign; see [`mutation_plan`].
    fn set_mutation(&self, seed: Option<u64>) {
        self.redesign().set_seed(seed);
    }

    /// With `true`, late hydration is one of the mutations a seed may pick.
    fn set_mutation_hydration(&self, on: bool) {
        self.redesign().set_hydration_in_mix(on);
    }

    /// Late hydration: every page load shows a splash for a seeded random
    /// delay in this range (milliseconds) before the real UI (`None`: off).
    fn set_hydration(&self, range_ms: Option<(u64, u64)>) {
        self.redesign().set_hydrate(range_ms);
    }

    /// The decoys activated so far, oldest first.
    fn decoy_hits(&self) -> Vec<DecoyHit> {
        self.redesign().decoy_hits()
    }

    /// Forgets the decoys activated so far.
    fn clear_decoy_hits(&self) {
        self.redesign().clear_decoy_hits();
    }
}

/// Wraps `router` so that pages are redesigned and decoys recorded.
pub(crate) fn layer(router: Router, redesign: Arc<Redesign>) -> Router {
    router.layer(axum::middleware::from_fn_with_state(redesign, apply))
}

/// Convenience for each replica's `start_on`: the switches from the
/// environment, and the router wrapped.
pub(crate) fn wrap(router: Router) -> io::Result<(Router, Arc<Redesign>)> {
    let redesign = Redesign::from_env()?;
    Ok((layer(router, Arc::clone(&redesign)), redesign))
}

fn content_type(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase()
}

async fn apply(State(redesign): State<Arc<Redesign>>, request: Request, next: Next) -> Response {
    if request.uri().path() == DECOY_PATH {
        return record_decoy(&redesign, request).await;
    }
    if !redesign.active() {
        return next.run(request).await;
    }
    let page = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let request = restore_names(&redesign, request).await;
    let response = next.run(request).await;
    let ct = content_type(response.headers());
    let kind = if ct.starts_with("text/html") {
        Doc::Html
    } else if ct.contains("javascript") {
        Doc::Js
    } else if ct.starts_with("text/css") {
        Doc::Css
    } else {
        return response;
    };
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let source = String::from_utf8_lossy(&bytes);
    let out = transform(&redesign, kind, &source, &page);
    parts.headers.remove(CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}

#[derive(Clone, Copy)]
enum Doc {
    Html,
    Js,
    Css,
}

fn transform(redesign: &Redesign, kind: Doc, source: &str, page: &str) -> String {
    let mut guard = redesign.lock();
    let inner = &mut *guard;
    let plan = inner
        .seed
        .map(|s| Plan::new(s, inner.hydration_in_mix))
        .unwrap_or_default();
    let mut hydrate = inner.hydrate_ms;
    if hydrate.is_none() && plan.has(plan::Op::Hydrate) {
        hydrate = Some(MIX_HYDRATE_MS);
    }
    let mut ctx = text::Ctx {
        plan: &plan,
        known: &mut inner.known,
        names_back: &mut inner.names_back,
        names_out: &mut inner.names_out,
    };
    match kind {
        Doc::Css => text::css(&mut ctx, source),
        Doc::Js => text::js(&mut ctx, source),
        Doc::Html => {
            let html = text::html(&mut ctx, source);
            inner.loads += 1;
            let delay = hydrate.map(|(lo, hi)| {
                lo + plan::mix(plan.seed() ^ 0x4859_4452, inner.loads) % (hi - lo + 1)
            });
            inject(&html, &client_script(&plan, delay, page))
        }
    }
}

/// The page script: configuration first, then `client.js`.
fn client_script(plan: &Plan, hydrate_delay: Option<u64>, page: &str) -> String {
    let cfg = serde_json::json!({
        "seed": plan.seed().to_string(),
        "ops": plan.client_ops(),
        "hydrate": hydrate_delay,
        "page": page,
        "decoyPath": DECOY_PATH,
    });
    format!(
        "<script data-df-mutate>window.__DF_MUTATE__={};\n{}</script>",
        cfg.to_string()
            .replace('<', "\\u003c")
            .replace('>', "\\u003e"),
        CLIENT_JS
    )
}

const CLIENT_JS: &str = include_str!("client.js");

/// `script` placed at the start of `<head>` (or of the document).
fn inject(html: &str, script: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let at = lower
        .find("<head")
        .and_then(|i| lower[i..].find('>').map(|j| i + j + 1))
        .or_else(|| {
            lower
                .find("<html")
                .and_then(|i| lower[i..].find('>').map(|j| i + j + 1))
        })
        .unwrap_or(0);
    let mut out = String::with_capacity(html.len() + script.len());
    out.push_str(&html[..at]);
    out.push_str(script);
    out.push_str(&html[at..]);
    out
}

/// Puts renamed form field names back in urlencoded and multipart bodies.
async fn restore_names(redesign: &Redesign, request: Request) -> Request {
    let ct = content_type(request.headers());
    let urlencoded = ct.starts_with("application/x-www-form-urlencoded");
    let multipart = ct.starts_with("multipart/form-data");
    if !urlencoded && !multipart {
        return request;
    }
    let back = redesign.lock().names_back.clone();
    if back.is_empty() {
        return request;
    }
    let (mut parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return Request::from_parts(parts, Body::empty());
    };
    let restored: Bytes = if urlencoded {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in url::form_urlencoded::parse(&bytes) {
            let key = back.get(k.as_ref()).map(String::as_str).unwrap_or(&k);
            ser.append_pair(key, &v);
        }
        Bytes::from(ser.finish())
    } else {
        let mut data = bytes.to_vec();
        for (new, old) in &back {
            data = replace_bytes(
                &data,
                format!("name=\"{new}\"").as_bytes(),
                format!("name=\"{old}\"").as_bytes(),
            );
        }
        Bytes::from(data)
    };
    parts.headers.remove(CONTENT_LENGTH);
    if let Ok(v) = HeaderValue::from_str(&restored.len().to_string()) {
        parts.headers.insert(CONTENT_LENGTH, v);
    }
    Request::from_parts(parts, Body::from(restored))
}

fn replace_bytes(data: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        if data[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(data[i]);
            i += 1;
        }
    }
    out
}

async fn record_decoy(redesign: &Redesign, request: Request) -> Response {
    let Ok(bytes) = axum::body::to_bytes(request.into_body(), 64 * 1024).await else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let s = |k: &str| {
        v[k].as_str()
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect()
    };
    let hit = DecoyHit {
        kind: s("kind"),
        label: s("label"),
        page: s("page"),
    };
    tracing::debug!(?hit, "replica decoy activated");
    redesign.lock().decoys.push(hit);
    StatusCode::NO_CONTENT.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_values_parse_or_say_what_is_wrong() {
        assert_eq!(parse_mutate("seed:42"), Ok((42, false)));
        assert_eq!(parse_mutate("seed:7,hydrate"), Ok((7, true)));
        for bad in ["42", "seed:", "seed:x", "seed:1,other", ""] {
            let e = parse_mutate(bad).unwrap_err();
            assert!(e.contains(MUTATE_ENV) && e.contains("seed:N"), "{e}");
        }
        assert_eq!(parse_hydrate("200-1500"), Ok((200, 1500)));
        assert_eq!(parse_hydrate("300"), Ok((300, 300)));
        for bad in ["a-b", "9-1", "-", "1-999999"] {
            assert!(parse_hydrate(bad).unwrap_err().contains(HYDRATE_ENV));
        }
    }

    #[test]
    fn multipart_names_are_restored() {
        let out = replace_bytes(b"a; name=\"xq1\"\r\n", b"name=\"xq1\"", b"name=\"title\"");
        assert_eq!(out, b"a; name=\"title\"\r\n");
    }
}
