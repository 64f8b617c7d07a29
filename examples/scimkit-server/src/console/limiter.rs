//! Login attempts, rate-limited per client address and in all.
//!
//! Fixed windows of [`WINDOW`]: each window admits at most `per_address`
//! attempts from one address and `global` attempts in all (every attempt
//! counts, right or wrong: the check runs before the password is hashed, so
//! the limiter also bounds the Argon2 work a client can cause). The map of
//! addresses holds at most `global` entries, since an attempt refused by the
//! global bound is not recorded.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The length of one counting window.
pub(crate) const WINDOW: Duration = Duration::from_secs(60);

/// Login attempts one client address may make per [`WINDOW`].
pub(crate) const DEFAULT_LOGIN_ATTEMPTS_PER_ADDRESS: u32 = 10;

/// Login attempts all clients together may make per [`WINDOW`].
pub(crate) const DEFAULT_LOGIN_ATTEMPTS_GLOBAL: u32 = 100;

struct State {
    started: Instant,
    total: u32,
    by_address: HashMap<IpAddr, u32>,
}

/// The login rate limiter.
pub(crate) struct LoginLimiter {
    per_address: u32,
    global: u32,
    state: Mutex<State>,
}

impl LoginLimiter {
    pub(crate) fn new(per_address: u32, global: u32) -> Self {
        LoginLimiter {
            per_address,
            global,
            state: Mutex::new(State {
                started: Instant::now(),
                total: 0,
                by_address: HashMap::new(),
            }),
        }
    }

    /// Admits one attempt from `ip` at `now`, or says how long to wait.
    pub(crate) fn admit(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let elapsed = now.saturating_duration_since(s.started);
        if elapsed >= WINDOW {
            s.started = now;
            s.total = 0;
            s.by_address.clear();
        }
        let wait = WINDOW.saturating_sub(now.saturating_duration_since(s.started));
        if s.total >= self.global {
            return Err(wait);
        }
        let n = s.by_address.get(&ip).copied().unwrap_or(0);
        if n >= self.per_address {
            return Err(wait);
        }
        s.by_address.insert(ip, n + 1);
        s.total += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_address_and_global_bounds_at_the_edge() {
        let l = LoginLimiter::new(3, 5);
        let t0 = Instant::now();
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let c: IpAddr = [10, 0, 0, 3].into();
        for _ in 0..3 {
            assert!(l.admit(a, t0).is_ok());
        }
        assert!(l.admit(a, t0).is_err(), "the 4th attempt of one address");
        assert!(l.admit(b, t0).is_ok());
        assert!(l.admit(b, t0).is_ok());
        assert!(l.admit(c, t0).is_err(), "the 6th attempt in all");
        // The next window starts afresh.
        let t1 = t0 + WINDOW;
        assert!(l.admit(a, t1).is_ok());
        assert!(l.admit(c, t1).is_ok());
    }

    #[test]
    fn zero_refuses_every_attempt() {
        let l = LoginLimiter::new(0, 10);
        assert!(l.admit([127, 0, 0, 1].into(), Instant::now()).is_err());
    }
}
