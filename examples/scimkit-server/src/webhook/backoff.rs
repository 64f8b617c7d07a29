//! When to try a failed delivery again: exponential backoff with full
//! jitter (the next attempt is drawn uniformly between zero and a ceiling
//! that doubles with each consecutive failure, up to a cap), so endpoints
//! that failed together do not retry together.

use std::time::Duration;

use rand::Rng;

/// The first ceiling: [`DEFAULT_BACKOFF_BASE`] after one failure.
pub(crate) const DEFAULT_BACKOFF_BASE: Duration = Duration::from_secs(5);

/// The largest ceiling: once reached, an endpoint is tried about every
/// [`DEFAULT_BACKOFF_CAP`] / 2 on average, for as long as it fails (there is
/// no last attempt; a record is never given up).
pub(crate) const DEFAULT_BACKOFF_CAP: Duration = Duration::from_secs(3600);

/// The backoff of one endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// The ceiling after the first failure.
    pub(crate) base: Duration,
    /// The largest ceiling.
    pub(crate) cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: DEFAULT_BACKOFF_BASE,
            cap: DEFAULT_BACKOFF_CAP,
        }
    }
}

impl Backoff {
    /// The ceiling after `failures` consecutive failures (at least one):
    /// `base * 2^(failures - 1)`, at most `cap`.
    pub(crate) fn ceiling(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(63);
        let factor = 1u64 << doublings;
        let nanos = u64::try_from(self.base.as_nanos())
            .unwrap_or(u64::MAX)
            .saturating_mul(factor);
        Duration::from_nanos(nanos).min(self.cap)
    }

    /// The wait before the next attempt: uniform in `[0, ceiling(failures)]`.
    pub(crate) fn delay(&self, failures: u32, rng: &mut impl Rng) -> Duration {
        let ceiling = u64::try_from(self.ceiling(failures).as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rng.gen_range(0..=ceiling))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use rand::SeedableRng;

    use super::Backoff;

    #[test]
    fn the_ceiling_doubles_up_to_the_cap() {
        let b = Backoff::default();
        let secs: Vec<u64> = (1..=12).map(|n| b.ceiling(n).as_secs()).collect();
        assert_eq!(
            secs,
            [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]
        );
        // No overflow however long it fails.
        assert_eq!(b.ceiling(u32::MAX), b.cap);
        assert_eq!(b.ceiling(0), b.base);
    }

    #[test]
    fn delays_are_jittered_within_the_ceiling() {
        let b = Backoff {
            base: Duration::from_millis(100),
            cap: Duration::from_millis(400),
        };
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let delays: Vec<Duration> = (0..200).map(|_| b.delay(10, &mut rng)).collect();
        assert!(delays.iter().all(|d| *d <= b.cap));
        // Full jitter: spread over the whole range, not bunched at the cap.
        assert!(delays.iter().any(|d| *d < Duration::from_millis(100)));
        assert!(delays.iter().any(|d| *d > Duration::from_millis(300)));
    }

    /// Retrying for a day takes many attempts, and each stays under the cap:
    /// a record is retried for at least 24 h (in fact until delivered).
    #[test]
    fn a_day_of_retries_stays_under_the_cap() {
        let b = Backoff::default();
        let total: Duration = (1..=40).map(|n| b.ceiling(n)).sum();
        assert!(total > Duration::from_secs(24 * 3600));
        assert!((1..=40).all(|n| b.ceiling(n) <= b.cap));
    }
}
