//! How a failing job waits before it runs again.

use std::time::Duration;

/// Exponential backoff for queued jobs. With the defaults a job that keeps
/// failing runs again after 1m, 5m, 25m and 2h (125m capped), and its 5th
/// failure is final. No jitter: one person's queue has no herd to spread.
///
/// A platform's own "try again in N minutes" is not a failure: the job
/// waits that long without using up an attempt, up to
/// `max_deferrals` times in a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The wait after the first failure.
    pub first: Duration,
    /// Each further failure waits this many times longer.
    pub factor: u32,
    /// The longest wait.
    pub max_delay: Duration,
    /// The failure that is final (the job's state becomes `failed`).
    pub max_attempts: u32,
    /// How many platform-requested waits a job accepts before it fails.
    pub max_deferrals: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first: Duration::from_secs(60),
            factor: 5,
            max_delay: Duration::from_secs(2 * 3600),
            max_attempts: 5,
            max_deferrals: 20,
        }
    }
}

impl Backoff {
    /// The wait after the `failures`-th failure (1-based).
    pub fn delay(&self, failures: u32) -> Duration {
        let mut d = self.first;
        for _ in 1..failures {
            d = d.saturating_mul(self.factor.max(1));
            if d >= self.max_delay {
                break;
            }
        }
        d.min(self.max_delay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_by_the_factor_up_to_the_cap() {
        let b = Backoff::default();
        let mins: Vec<u64> = (1..=6).map(|n| b.delay(n).as_secs() / 60).collect();
        assert_eq!(mins, vec![1, 5, 25, 120, 120, 120]);
        assert_eq!(b.delay(u32::MAX), b.max_delay);
    }
}
