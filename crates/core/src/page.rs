use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;

use crate::{Cookie, Error, Result};

/// How long waits last and how often they poll.
#[derive(Clone, Copy, Debug)]
pub struct Waits {
    /// Deadline for one wait (an element to appear, a page to load).
    pub timeout: Duration,
    /// Time between two polls.
    pub every: Duration,
}

impl Default for Waits {
    fn default() -> Self {
        Waits {
            timeout: Duration::from_secs(15),
            every: Duration::from_millis(100),
        }
    }
}

/// One browser tab, as adapters see it. Implemented over CDP in
/// `distroflow-browser`; adapters never touch CDP directly.
///
/// Selectors are CSS; `a >>> b` looks for `b` inside the shadow root of `a`
/// (and `>>>` may repeat); a part may end in `:text-is("Next")` (its whole
/// visible text, whitespace folded) or `:has-text("next")` (a
/// case-insensitive substring), e.g. `div[role=button]:text-is("Share")`.
/// Every method has its own deadline.
#[async_trait]
pub trait Page: Send + Sync {
    /// Loads a URL and waits until the document is ready.
    async fn goto(&self, url: &str) -> Result<()>;

    /// The URL of the current document.
    async fn current_url(&self) -> Result<String>;

    /// Evaluates a JavaScript expression (promises are awaited) and returns its JSON value.
    async fn eval(&self, expression: &str) -> Result<serde_json::Value>;

    /// How many elements match right now. Absence is an answer: a named
    /// target is looked up by its known selectors (and a repair this page
    /// already made), never repaired here, since callers tell states apart
    /// by what is present. To wait for an element that must come, use
    /// [`Page::wait_for`], which repairs.
    async fn count(&self, selector: &str) -> Result<usize>;

    /// Waits until `selector` matches something (`what` names it in the
    /// error). For a named target this is where a broken gate is repaired:
    /// the same tiers as acting on it.
    async fn wait_for(&self, selector: &str, what: &str) -> Result<()> {
        wait_until_on(self, self.waits(), what, || async {
            Ok((self.count(selector).await? > 0).then_some(()))
        })
        .await
    }

    /// Whether the page's DOM changed in the last `since` (while the poll
    /// that just ran looked: it may have missed it), or else sleeps until
    /// it changes or `max` passes, whichever comes first: true when a
    /// change (or the document going away, as in a navigation) ended it.
    /// Waits use it between two polls ([`wait_until_on`]) to notice an
    /// element within milliseconds of it appearing instead of at the next
    /// blind poll. Never much longer than `max`; what the page does is
    /// never an error here (the next poll reports a broken page). By
    /// default it just sleeps.
    async fn changed_within(&self, since: Duration, max: Duration) -> Result<bool> {
        let _ = since;
        tokio::time::sleep(max).await;
        Ok(false)
    }

    /// Visible text of the first match, if any.
    async fn text(&self, selector: &str) -> Result<Option<String>>;

    /// An attribute of the first match, if the element and attribute exist.
    async fn attr(&self, selector: &str, name: &str) -> Result<Option<String>>;

    /// The whole page's visible text.
    async fn body_text(&self) -> Result<String>;

    /// Clicks the first visible match with real mouse events.
    async fn click(&self, selector: &str) -> Result<()>;

    /// Clicks and waits until a new document has loaded (form submits, links).
    async fn click_and_wait_for_navigation(&self, selector: &str) -> Result<()>;

    /// Replaces the content of an input, textarea or rich editor with `text`
    /// through CDP `Input.insertText`, then reads it back; a mismatch is
    /// [`Error::TextMismatch`].
    async fn type_text(&self, selector: &str, text: &str) -> Result<()>;

    /// Sets the files of an `input[type=file]`.
    async fn set_files(&self, selector: &str, files: &[PathBuf]) -> Result<()>;

    /// Attaches files through a picker that has no file input until it is
    /// clicked (the input is made at click time, as Bluesky's is): the
    /// page's file chooser is intercepted, `trigger` clicked, and the
    /// chooser answered with `files`.
    async fn set_files_via_chooser(&self, trigger: &str, _files: &[PathBuf]) -> Result<()> {
        Err(Error::Unexpected {
            message: format!("this page cannot answer a file chooser (opened by `{trigger}`)"),
        })
    }

    /// A PNG of the viewport.
    async fn screenshot_png(&self) -> Result<Vec<u8>>;

    /// The cookies this tab's context would send to `url`.
    async fn cookies(&self, url: &str) -> Result<Vec<Cookie>>;

    /// The wait settings for this tab.
    fn waits(&self) -> Waits;

    /// What identifies the first visible match (for fingerprints), if any.
    async fn describe(&self, selector: &str) -> Result<Option<ElementInfo>>;

    /// Every element a person could act on (inputs, buttons, links, rich
    /// editors, elements with a role or a test id), across shadow roots,
    /// each with a selector that reaches it alone.
    async fn scan(&self) -> Result<Vec<ElementInfo>>;

    /// Marks the element `selector` reaches as `target`'s (scans report
    /// it in [`ElementInfo::claimed`]), so that no repair of another target
    /// picks it. The page's own markup is not touched.
    async fn claim(&self, _selector: &str, _target: &str) -> Result<()> {
        Ok(())
    }

    /// The step's expected outcome followed (the editor holds the text, the
    /// post exists): repairs made on the way can be trusted and kept.
    async fn confirm_repairs(&self) -> Result<()> {
        Ok(())
    }
}

/// One node on the way from the document root to an element.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PathNode {
    pub tag: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub classes: Vec<String>,
    /// Position among its parent's element children.
    #[serde(default)]
    pub index: usize,
}

/// What a page says about one element: enough to find it again after the
/// page changed (Healenium's path, Similo's properties).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ElementInfo {
    /// A selector that matches this element alone on the page it came from.
    #[serde(default)]
    pub selector: String,
    pub tag: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub classes: Vec<String>,
    /// Other attributes (name, type, role, aria-label, data-testid,
    /// placeholder, href, ...).
    #[serde(default)]
    pub attrs: std::collections::BTreeMap<String, String>,
    /// Own visible text (trimmed, at most 200 characters).
    #[serde(default)]
    pub text: String,
    /// Role (explicit or implied by the tag).
    #[serde(default)]
    pub role: String,
    /// Accessible name: aria-label, a label, placeholder, alt, title or text.
    #[serde(default)]
    pub name: String,
    /// Text of a label or the nearest preceding text.
    #[serde(default)]
    pub neighbor_text: String,
    #[serde(default)]
    pub path: Vec<PathNode>,
    /// x, y, width, height in CSS pixels.
    #[serde(default)]
    pub rect: [f64; 4],
    #[serde(default)]
    pub visible: bool,
    /// The target a step already acted on this element as, if any.
    #[serde(default)]
    pub claimed: String,
    /// Behind an open modal dialog: out of a person's reach while the
    /// modal is open, so never a repair.
    #[serde(default)]
    pub inert: bool,
}

/// What one poll of [`wait_until`] found.
pub type Poll<T> = Result<Option<T>>;

/// Polls `check` (at once, then after 10, 20, 40, 80 ms, then every
/// `waits.every`) until it returns `Some`, a non-transient
/// error, or the deadline passes ([`Error::Timeout`] naming `what`, or the
/// last transient error's message). For a condition on a page, use
/// [`wait_until_on`], which also wakes when the page changes.
pub async fn wait_until<T, F, Fut>(waits: Waits, what: &str, check: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Poll<T>>,
{
    poll_until(None::<&dyn Page>, waits, what, check).await
}

/// [`wait_until`] for a condition on `page`: between two polls it sleeps
/// until the page's DOM changes ([`Page::changed_within`]) or the pause
/// ([`Pacer`]) ends, so an element is seen within milliseconds of
/// appearing. A page that never stops changing is polled no more often
/// than [`wait_until`] would, after a few wakes.
pub async fn wait_until_on<P, T, F, Fut>(page: &P, waits: Waits, what: &str, check: F) -> Result<T>
where
    P: Page + ?Sized,
    F: FnMut() -> Fut,
    Fut: Future<Output = Poll<T>>,
{
    poll_until(Some(page), waits, what, check).await
}

async fn poll_until<P, T, F, Fut>(
    page: Option<&P>,
    waits: Waits,
    what: &str,
    mut check: F,
) -> Result<T>
where
    P: Page + ?Sized,
    F: FnMut() -> Fut,
    Fut: Future<Output = Poll<T>>,
{
    let start = tokio::time::Instant::now();
    let deadline = start + waits.timeout;
    let mut last_transient: Option<Error> = None;
    let mut pacer = Pacer::new(waits);
    loop {
        let polled_at = tokio::time::Instant::now();
        let remaining = deadline.saturating_duration_since(polled_at);
        match tokio::time::timeout(remaining.max(Duration::from_millis(1)), check()).await {
            Ok(Ok(Some(v))) => return Ok(v),
            Ok(Ok(None)) => {}
            Ok(Err(e)) if e.is_transient() || matches!(e, Error::Browser { .. }) => {
                tracing::trace!(what, error = %e, "poll failed, retrying");
                last_transient = Some(e);
            }
            Ok(Err(e)) => return Err(e),
            Err(_) => {}
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            return Err(match last_transient {
                Some(e) if !e.is_timeout() && !matches!(e, Error::Browser { .. }) => e,
                _ => Error::Timeout {
                    what: what.to_string(),
                    after: now - start,
                },
            });
        }
        match page {
            Some(page) => pacer.pause_on(page, deadline - now, now - polled_at).await,
            None => pacer.pause(deadline - now).await,
        }
    }
}

/// The pauses between the polls of one wait, after a poll that found
/// nothing.
///
/// The longest pause backs off as it always has: 10, 20, 40, 80 ms, then
/// `waits.every` (most conditions hold within milliseconds; a condition
/// no DOM change announces, such as focus or a URL, is seen as soon as
/// before). On a page, the pause ends early when the DOM changes
/// ([`Page::changed_within`]), so the next poll runs right after a change
/// instead of up to a pause later; a change made while the poll was
/// running (after it looked) ends the pause at once.
///
/// Anti-spin guard: a page that changes all the time (timers, animations,
/// a live timeline) would wake every pause and turn a wait into a busy
/// loop of polls, each a dozen CDP calls when the healer looks through
/// alternatives. So a wake only ends the pause once a *floor* has passed
/// since the poll, and the floor adapts to how busy the page is: it
/// doubles (5, 10, 20, 40 ms ... up to `waits.every`) each time a wake led
/// to a poll that found nothing, and halves each time a pause passed with
/// no change at all. The first wake after a quiet spell therefore polls at
/// once; a page that never stops changing is, after five fruitless wakes,
/// polled at the old pace (`waits.every`) and no faster. While the floor
/// is at the longest pause a wake could not shorten anything, so the pause
/// is a plain sleep (no CDP call), except every fourth one, which still
/// watches so that the floor comes down once the page calms.
#[derive(Debug)]
pub struct Pacer {
    every: Duration,
    polls: u32,
    floor: Duration,
    woke: bool,
}

/// The first step of the anti-spin floor (see [`Pacer`]).
const FLOOR_STEP: Duration = Duration::from_millis(5);

impl Pacer {
    pub fn new(waits: Waits) -> Self {
        Pacer {
            every: waits.every,
            polls: 0,
            floor: Duration::ZERO,
            woke: false,
        }
    }

    /// The next pause as a blind poll would take it: 10, 20, 40, 80 ms,
    /// then `every`.
    fn next_longest(&mut self) -> Duration {
        let pause = Duration::from_millis(10u64 << self.polls.min(4)).min(self.every);
        self.polls += 1;
        pause
    }

    /// Sleeps the next pause (at most `left`).
    pub async fn pause(&mut self, left: Duration) {
        tokio::time::sleep(self.next_longest().min(left)).await;
    }

    /// Sleeps the next pause (at most `left`), or less when `page` changes
    /// (see [`Pacer`] for when a change ends it); `polled` is how long the
    /// poll before it ran, whose changes it may have missed.
    pub async fn pause_on<P: Page + ?Sized>(&mut self, page: &P, left: Duration, polled: Duration) {
        let start = tokio::time::Instant::now();
        let longest = self.next_longest().min(left);
        // The poll before this pause found nothing: if a change had woken
        // it, the page changes more often than what we wait for does.
        self.floor = if self.woke {
            (self.floor * 2).clamp(FLOOR_STEP, self.every)
        } else {
            self.floor / 2
        };
        if self.floor >= longest && !self.polls.is_multiple_of(4) {
            // Busy page: no wake could end this pause early.
            tokio::time::sleep(longest).await;
            self.woke = true;
            return;
        }
        // An error is the document going away (or a broken page, which
        // the next poll reports): poll again, like after a change.
        self.woke = page
            .changed_within(polled + start.elapsed(), longest)
            .await
            .unwrap_or(true);
        if self.woke {
            let until = start + self.floor.min(longest);
            tokio::time::sleep_until(until).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wait_until_returns_value_or_times_out() {
        let waits = Waits {
            timeout: Duration::from_millis(200),
            every: Duration::from_millis(10),
        };
        let mut n = 0;
        let v = wait_until(waits, "three polls", || {
            n += 1;
            let r = (n >= 3).then_some(n);
            async move { Ok(r) }
        })
        .await
        .unwrap();
        assert_eq!(v, 3);
        let e = wait_until::<(), _, _>(waits, "never", || async { Ok(None) })
            .await
            .unwrap_err();
        assert!(e.is_timeout() && e.to_string().contains("never"), "{e}");
    }

    /// Whether the page changed between two instants (from the start of
    /// the test, the first excluded).
    type Changes = Box<dyn Fn(Duration, Duration) -> bool + Send + Sync>;

    /// A page whose `changed_within` wakes on a schedule (virtual time).
    struct Fake {
        changes: Changes,
        start: tokio::time::Instant,
        watches: std::sync::atomic::AtomicU32,
    }

    fn no(what: &str) -> Error {
        Error::Unexpected {
            message: format!("the fake page has no {what}"),
        }
    }

    #[async_trait]
    impl Page for Fake {
        async fn goto(&self, _: &str) -> Result<()> {
            Err(no("goto"))
        }
        async fn current_url(&self) -> Result<String> {
            Err(no("url"))
        }
        async fn eval(&self, _: &str) -> Result<serde_json::Value> {
            Err(no("eval"))
        }
        async fn count(&self, _: &str) -> Result<usize> {
            Err(no("count"))
        }
        async fn text(&self, _: &str) -> Result<Option<String>> {
            Err(no("text"))
        }
        async fn attr(&self, _: &str, _: &str) -> Result<Option<String>> {
            Err(no("attr"))
        }
        async fn body_text(&self) -> Result<String> {
            Err(no("body"))
        }
        async fn click(&self, _: &str) -> Result<()> {
            Err(no("click"))
        }
        async fn click_and_wait_for_navigation(&self, _: &str) -> Result<()> {
            Err(no("click"))
        }
        async fn type_text(&self, _: &str, _: &str) -> Result<()> {
            Err(no("typing"))
        }
        async fn set_files(&self, _: &str, _: &[PathBuf]) -> Result<()> {
            Err(no("files"))
        }
        async fn screenshot_png(&self) -> Result<Vec<u8>> {
            Err(no("screenshot"))
        }
        async fn cookies(&self, _: &str) -> Result<Vec<Cookie>> {
            Err(no("cookies"))
        }
        fn waits(&self) -> Waits {
            Waits::default()
        }
        async fn describe(&self, _: &str) -> Result<Option<ElementInfo>> {
            Err(no("describe"))
        }
        async fn scan(&self) -> Result<Vec<ElementInfo>> {
            Err(no("scan"))
        }
        /// A change in the last `since`, or else a wake at the first
        /// millisecond of `max` in which the page changed.
        async fn changed_within(&self, since: Duration, max: Duration) -> Result<bool> {
            self.watches
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let now = self.start.elapsed();
            if (self.changes)(now.saturating_sub(since), now) {
                return Ok(true);
            }
            let step = Duration::from_millis(1);
            let end = tokio::time::Instant::now() + max;
            while tokio::time::Instant::now() < end {
                let before = self.start.elapsed();
                tokio::time::sleep(step).await;
                if (self.changes)(before, self.start.elapsed()) {
                    return Ok(true);
                }
            }
            Ok(false)
        }
    }

    fn fake(changes: impl Fn(Duration, Duration) -> bool + Send + Sync + 'static) -> Fake {
        Fake {
            changes: Box::new(changes),
            start: tokio::time::Instant::now(),
            watches: Default::default(),
        }
    }

    /// Counts the polls of a wait on `page` that never succeeds, over
    /// `timeout` of virtual time.
    async fn polls_until_timeout(page: Option<&Fake>, timeout: Duration) -> u32 {
        let waits = Waits {
            timeout,
            every: Duration::from_millis(100),
        };
        let polls = std::sync::atomic::AtomicU32::new(0);
        let check = || async {
            polls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(None::<()>)
        };
        let e = match page {
            Some(p) => wait_until_on(p, waits, "never", check).await,
            None => wait_until(waits, "never", check).await,
        }
        .unwrap_err();
        assert!(e.is_timeout(), "{e}");
        polls.into_inner()
    }

    #[tokio::test(start_paused = true)]
    async fn a_change_ends_the_pause_and_the_poll_sees_it() {
        // The element appears at 300 ms; the page changes then.
        let page = fake(|a, b| at(a, b, 300));
        let start = tokio::time::Instant::now();
        let waits = Waits::default();
        let seen_at = wait_until_on(&page, waits, "the element", || async {
            let t = start.elapsed();
            Ok((t >= Duration::from_millis(300)).then_some(t))
        })
        .await
        .unwrap();
        // A blind wait polls at 250 and 350 ms; this one right after 300.
        assert!(seen_at < Duration::from_millis(310), "{seen_at:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_page_is_polled_as_often_as_a_blind_wait() {
        let timeout = Duration::from_secs(2);
        let blind = polls_until_timeout(None, timeout).await;
        let quiet = fake(|_, _| false);
        let watched = polls_until_timeout(Some(&quiet), timeout).await;
        assert_eq!(watched, blind);
    }

    #[tokio::test(start_paused = true)]
    async fn a_page_that_never_stops_changing_is_not_polled_faster() {
        let timeout = Duration::from_secs(2);
        let blind = polls_until_timeout(None, timeout).await;
        let busy = fake(|a, b| b > a);
        let watched = polls_until_timeout(Some(&busy), timeout).await;
        // A few quick polls while the floor rises, then the blind pace.
        assert!(watched <= blind + 5, "{watched} polls, blind {blind}");
        // And most pauses are plain sleeps, not a CDP call each.
        let watches = busy.watches.into_inner();
        assert!(
            watches <= watched / 3 + 5,
            "{watches} watches, {watched} polls"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_page_that_calms_down_wakes_the_wait_again() {
        // Busy for the first second, quiet after, the element at 1.5 s.
        let page = fake(|a, b| (b > a && a < Duration::from_secs(1)) || at(a, b, 1500));
        let start = tokio::time::Instant::now();
        let seen_at = wait_until_on(&page, Waits::default(), "the element", || async {
            let t = start.elapsed();
            Ok((t >= Duration::from_millis(1500)).then_some(t))
        })
        .await
        .unwrap();
        assert!(seen_at < Duration::from_millis(1510), "{seen_at:?}");
    }

    /// Whether `ms` is in (a, b].
    fn at(a: Duration, b: Duration, ms: u64) -> bool {
        let t = Duration::from_millis(ms);
        a < t && t <= b
    }

    #[tokio::test(start_paused = true)]
    async fn a_change_while_a_poll_runs_is_not_missed() {
        // Each poll takes 60 ms and sees the page as it was when it began;
        // the element appears at 300 ms, during the poll of 250-310 ms.
        let page = fake(|a, b| at(a, b, 300));
        let start = tokio::time::Instant::now();
        let seen_at = wait_until_on(&page, Waits::default(), "the element", || async {
            let t = start.elapsed();
            tokio::time::sleep(Duration::from_millis(60)).await;
            Ok((t >= Duration::from_millis(300)).then_some(t))
        })
        .await
        .unwrap();
        // Not after the next blind pause (80 ms): at once.
        assert_eq!(seen_at, Duration::from_millis(310));
    }
}
