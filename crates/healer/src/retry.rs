use std::future::Future;
use std::time::Duration;

use distroflow_core::{Error, Result};

/// How the `retry` tier retries: exponential backoff from `first_delay`,
/// at most `max_attempts` tries, all inside `budget`.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// Total time the retries may take, sleeps included.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            first_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(2),
            budget: Duration::from_secs(10),
        }
    }
}

/// Runs `step`, retrying while it fails with a transient error
/// ([`Error::is_transient`]) and the policy allows. Fatal errors return at
/// once. Each retry is logged at `debug` with the tier name `retry`.
///
/// Only retry steps that are safe to repeat: never a submit whose outcome
/// is unknown.
pub async fn retry<T, F, Fut>(policy: RetryPolicy, what: &str, mut step: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let start = tokio::time::Instant::now();
    let mut delay = policy.first_delay;
    let mut attempt = 1;
    loop {
        match step().await {
            Ok(v) => return Ok(v),
            Err(e) if should_retry(&e, attempt, &policy, start.elapsed() + delay) => {
                tracing::debug!(tier = "retry", what, attempt, ?delay, error = %e, "retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(policy.max_delay);
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

fn should_retry(e: &Error, attempt: u32, policy: &RetryPolicy, after_sleep: Duration) -> bool {
    e.is_transient() && attempt < policy.max_attempts && after_sleep < policy.budget
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            first_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(4),
            budget: Duration::from_secs(5),
        }
    }

    fn transient() -> Error {
        Error::Network {
            url: "http://127.0.0.1:9".into(),
            message: "refused".into(),
        }
    }

    #[tokio::test]
    async fn transient_errors_are_retried_until_the_attempts_run_out() {
        let mut calls = 0;
        let e = retry(quick(), "step", || {
            calls += 1;
            async { Err::<(), _>(transient()) }
        })
        .await
        .unwrap_err();
        assert!(e.is_network());
        assert_eq!(calls, 4);
    }

    #[tokio::test]
    async fn fatal_errors_are_not_retried() {
        let mut calls = 0;
        let e = retry(quick(), "step", || {
            calls += 1;
            async {
                Err::<(), _>(Error::Auth {
                    platform: distroflow_core::PlatformId::X,
                    message: "logged out".into(),
                })
            }
        })
        .await
        .unwrap_err();
        assert!(e.is_auth());
        assert_eq!(calls, 1);
    }

    #[tokio::test]
    async fn the_budget_caps_the_total_time() {
        let policy = RetryPolicy {
            max_attempts: 100,
            first_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(20),
            budget: Duration::from_millis(50),
        };
        let mut calls = 0;
        let _ = retry(policy, "step", || {
            calls += 1;
            async { Err::<(), _>(transient()) }
        })
        .await;
        assert!(
            calls <= 3,
            "{calls} calls inside a 50ms budget of 20ms sleeps"
        );
    }
}
