//! Pacing sends under Notify's rate limit, and backing off after failures.
//!
//! Both are pure: the caller passes the time in (a [`Duration`] since any
//! fixed origin, typically `start.elapsed()`) and, for jitter, a random
//! number, so they are tested with a simulated clock and a seeded generator.
//!
//! ## Why the pacer has two rules
//!
//! Notify documents its limit as "3,000 messages per minute ... calculated on
//! a rolling basis", and advises against "large spikes". Its implementation
//! (`notifications-api`, `app/notifications/validators.py`) is a token bucket
//! per service and key type that refills at `limit / 60` per second and holds
//! at most `ceil(limit / 3) + 1` tokens. So two different things can refuse a
//! send: more than 3,000 in a rolling minute, or a burst larger than the
//! bucket. The [`Pacer`] keeps both:
//!
//! * a **sliding-window log** of the last `limit` send times: the next send
//!   waits until the oldest of them is a full window old, so no window of that
//!   length ever holds more than `limit` sends (exact, no rounding; the log is
//!   at most 3,000 instants);
//! * a **token bucket** (kept as GCRA: one "theoretical arrival time", integer
//!   nanoseconds, no floating point drift) with the same refill rate and a
//!   small burst, one second's worth by default, so the pacer never empties
//!   Notify's bucket and sends come out evenly spaced rather than in a
//!   3,000-message spike followed by a silent minute.
//!
//! A token bucket alone would allow `burst + limit` in a window; a window alone
//! would allow a 3,000-message spike. Together they are exact and smooth.
//!
//! ## Backoff
//!
//! [`Backoff`] doubles from `base` to `cap` with "equal jitter" (half the step
//! fixed, half random) so a fleet of workers that failed together does not
//! retry together, honours a `Retry-After` when the server sends one, and
//! gives up after `max_attempts` attempts in all.

use std::collections::VecDeque;
use std::time::Duration;

use crate::error::NotifyError;

/// Notify's documented limit: 3,000 requests...
pub const NOTIFY_RATE_LIMIT: u32 = 3_000;
/// ...per 60 seconds, per API key type.
pub const NOTIFY_RATE_WINDOW: Duration = Duration::from_secs(60);

/// Says how long to wait before the next send so a rate limit is never
/// exceeded. Call [`Pacer::wait`], sleep that long, send, then
/// [`Pacer::record`] the send time. See the module docs for the two rules.
#[derive(Debug, Clone)]
pub struct Pacer {
    limit: u32,
    window: Duration,
    burst: u32,
    /// Nanoseconds between sends at the sustained rate.
    interval_ns: u128,
    /// GCRA theoretical arrival time, in nanoseconds since the clock origin.
    tat_ns: u128,
    /// Send times inside the last window, oldest first (at most `limit`).
    log: VecDeque<Duration>,
}

impl Pacer {
    /// A pacer for `limit` sends per `window`, with a burst of one second's
    /// worth of sends (at least 1). A zero limit is treated as 1, a zero
    /// window as 1 ns, so the pacer always makes progress.
    pub fn new(limit: u32, window: Duration) -> Pacer {
        let limit = limit.max(1);
        let window = window.max(Duration::from_nanos(1));
        let per_second = (u128::from(limit) * 1_000_000_000 / window.as_nanos().max(1)) as u32;
        let burst = per_second.clamp(1, limit);
        Pacer {
            limit,
            window,
            burst,
            interval_ns: (window.as_nanos() / u128::from(limit)).max(1),
            tat_ns: 0,
            log: VecDeque::with_capacity(limit.min(4096) as usize),
        }
    }

    /// Notify's limit: 3,000 per 60 s (a burst of 50).
    pub fn notify_default() -> Pacer {
        Pacer::new(NOTIFY_RATE_LIMIT, NOTIFY_RATE_WINDOW)
    }

    /// Allow up to `burst` back-to-back sends (clamped to 1..=limit). Keep it
    /// well under Notify's bucket (`ceil(limit/3)+1`, 1,001 for 3,000/min).
    pub fn with_burst(mut self, burst: u32) -> Pacer {
        self.burst = burst.clamp(1, self.limit);
        self
    }

    /// The configured limit.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// The configured window.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// How long to wait, from `now`, before the next send is allowed.
    pub fn wait(&self, now: Duration) -> Duration {
        let now_ns = now.as_nanos();
        // Token bucket (GCRA): allowed once now >= tat - (burst - 1) * interval.
        let tolerance = self.interval_ns * u128::from(self.burst - 1);
        let bucket_ready = self.tat_ns.saturating_sub(tolerance);
        let mut ready = bucket_ready;
        // Sliding window: with `limit` sends in the log, the next must wait
        // until the oldest is a whole window old (the window is half-open,
        // (t - window, t], so at exactly oldest + window it has left).
        if self.log.len() >= self.limit as usize {
            if let Some(oldest) = self.log.front() {
                ready = ready.max((*oldest + self.window).as_nanos());
            }
        }
        nanos_to_duration(ready.saturating_sub(now_ns))
    }

    /// Record that a send happened at `now`. Call it even if `now` is earlier
    /// than [`Pacer::wait`] allowed (a send is a send); times should not go
    /// backwards.
    pub fn record(&mut self, now: Duration) {
        let now_ns = now.as_nanos();
        self.tat_ns = self.tat_ns.max(now_ns) + self.interval_ns;
        while let Some(oldest) = self.log.front() {
            if *oldest + self.window <= now {
                self.log.pop_front();
            } else {
                break;
            }
        }
        self.log.push_back(now);
        while self.log.len() > self.limit as usize {
            self.log.pop_front();
        }
    }
}

fn nanos_to_duration(ns: u128) -> Duration {
    let secs = (ns / 1_000_000_000).min(u128::from(u64::MAX)) as u64;
    Duration::new(secs, (ns % 1_000_000_000) as u32)
}

/// What to do after a retryable failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Wait this long, then try again.
    RetryAfter(Duration),
    /// Stop: the attempts are used up. Report the message as given up.
    GiveUp,
}

/// Exponential backoff with jitter and an attempt limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// The first delay's upper bound (default 1 s).
    pub base: Duration,
    /// No computed delay exceeds this (default 5 minutes). A server's
    /// `Retry-After` may: the server knows better.
    pub cap: Duration,
    /// Attempts in all, the first included (default 8: about 4 minutes of
    /// retrying at the default base).
    pub max_attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(300),
            max_attempts: 8,
        }
    }
}

impl Backoff {
    /// The delay after the `failed_attempts`-th failure (1 for the first),
    /// without jitter: `base * 2^(failed_attempts - 1)`, at most `cap`.
    pub fn step(&self, failed_attempts: u32) -> Duration {
        let exponent = failed_attempts.saturating_sub(1).min(62);
        let factor = 1u128 << exponent;
        let ns = self
            .base
            .as_nanos()
            .saturating_mul(factor)
            .min(self.cap.as_nanos());
        nanos_to_duration(ns)
    }

    /// The jittered delay: half the step, plus `unit` (a random number in
    /// `[0, 1)`, clamped) times the other half.
    pub fn delay(&self, failed_attempts: u32, unit: f64) -> Duration {
        let step = self.step(failed_attempts);
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let half = step / 2;
        half + half.mul_f64(unit)
    }

    /// After the `failed_attempts`-th attempt failed retryably: retry after
    /// the jittered delay, or at least `retry_after` when the server sent one;
    /// or give up once `max_attempts` attempts have been made.
    pub fn decide(
        &self,
        failed_attempts: u32,
        retry_after: Option<Duration>,
        unit: f64,
    ) -> RetryDecision {
        if failed_attempts >= self.max_attempts {
            return RetryDecision::GiveUp;
        }
        let delay = self.delay(failed_attempts, unit);
        RetryDecision::RetryAfter(match retry_after {
            Some(server) => delay.max(server),
            None => delay,
        })
    }
}

/// A send that did not succeed after [`with_retries`].
#[derive(Debug, thiserror::Error)]
pub enum SendFailure {
    /// Notify refused it in a way retrying cannot fix.
    #[error("permanent failure after {attempts} attempt(s): {error}")]
    Permanent {
        /// Attempts made.
        attempts: u32,
        /// Notify's answer.
        error: NotifyError,
    },
    /// Every attempt failed retryably; the limit was reached.
    #[error("gave up after {attempts} attempt(s); last error: {last}")]
    GaveUp {
        /// Attempts made.
        attempts: u32,
        /// The last failure.
        last: NotifyError,
    },
}

impl SendFailure {
    /// The underlying error.
    pub fn error(&self) -> &NotifyError {
        match self {
            SendFailure::Permanent { error, .. } => error,
            SendFailure::GaveUp { last, .. } => last,
        }
    }
}

/// Run `op` (given the attempt number, from 1) until it succeeds, fails
/// permanently, or `backoff` says give up; `sleep` is called between attempts
/// (pass `std::thread::sleep` in a worker, a recorder in tests) and `random`
/// gives the jitter, a number in `[0, 1)`.
pub fn with_retries<T>(
    backoff: &Backoff,
    mut random: impl FnMut() -> f64,
    mut sleep: impl FnMut(Duration),
    mut op: impl FnMut(u32) -> Result<T, NotifyError>,
) -> Result<T, SendFailure> {
    let mut attempt = 1u32;
    loop {
        match op(attempt) {
            Ok(v) => return Ok(v),
            Err(error) if !error.is_retryable() => {
                return Err(SendFailure::Permanent {
                    attempts: attempt,
                    error,
                });
            }
            Err(error) => match backoff.decide(attempt, error.retry_after(), random()) {
                RetryDecision::GiveUp => {
                    return Err(SendFailure::GaveUp {
                        attempts: attempt,
                        last: error,
                    });
                }
                RetryDecision::RetryAfter(d) => {
                    sleep(d);
                    attempt += 1;
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Drive a pacer with sends requested at `arrivals` (each goes as soon
    /// as it is both requested and allowed, in order); return the send times.
    fn drive(pacer: &mut Pacer, arrivals: impl IntoIterator<Item = Duration>) -> Vec<Duration> {
        let mut clock = Duration::ZERO;
        let mut sent = Vec::new();
        for arrival in arrivals {
            clock = clock.max(arrival);
            clock += pacer.wait(clock);
            assert_eq!(
                pacer.wait(clock),
                Duration::ZERO,
                "after waiting, a send is allowed"
            );
            pacer.record(clock);
            sent.push(clock);
        }
        sent
    }

    /// The most sends in any half-open window (t - w, t].
    fn max_in_window(times: &[Duration], w: Duration) -> usize {
        let mut best = 0;
        let mut lo = 0;
        for hi in 0..times.len() {
            while times[lo] + w <= times[hi] {
                lo += 1;
            }
            best = best.max(hi - lo + 1);
        }
        best
    }

    /// Notify's own limiter: a bucket of ceil(limit/3)+1 tokens refilled at
    /// limit/60 per second; a request with fewer than 1 token left is refused.
    fn notify_bucket_refusals(times: &[Duration], limit: u32) -> usize {
        let max = f64::from(limit.div_ceil(3) + 1);
        let per_sec = f64::from(limit) / 60.0;
        let (mut tokens, mut last, mut refused) = (max, Duration::ZERO, 0);
        for t in times {
            tokens = (tokens + (*t - last).as_secs_f64() * per_sec).min(max);
            last = *t;
            if tokens < 1.0 {
                refused += 1;
            } else {
                tokens -= 1.0;
            }
        }
        refused
    }

    #[test]
    fn ten_thousand_sends_requested_over_two_minutes_never_exceed_the_limit() {
        let mut pacer = Pacer::notify_default();
        // 10,000 requests spread evenly over two minutes: 83 a second, far
        // above Notify's 50 a second.
        let arrivals = (0..10_000u64).map(|i| Duration::from_micros(i * 12_000));
        let sent = drive(&mut pacer, arrivals);
        assert_eq!(sent.len(), 10_000);
        assert!(max_in_window(&sent, NOTIFY_RATE_WINDOW) <= 3_000);
        assert_eq!(notify_bucket_refusals(&sent, 3_000), 0);
        // Not needlessly slow: 10,000 at 50/s with a 50 burst is ~199 s.
        let last = *sent.last().unwrap_or(&Duration::ZERO);
        assert!(last < Duration::from_secs(201), "took {last:?}");
        assert!(last > Duration::from_secs(195), "too fast: {last:?}");
    }

    #[test]
    fn a_single_instant_burst_is_spread_out() {
        let mut pacer = Pacer::notify_default();
        let sent = drive(&mut pacer, std::iter::repeat_n(Duration::ZERO, 10_000));
        assert!(max_in_window(&sent, NOTIFY_RATE_WINDOW) <= 3_000);
        assert_eq!(notify_bucket_refusals(&sent, 3_000), 0);
        // The first 50 go at once, then one every 20 ms.
        assert_eq!(sent[49], Duration::ZERO);
        assert_eq!(sent[50], ms(20));
        assert_eq!(sent[51], ms(40));
    }

    #[test]
    fn a_big_burst_allowance_is_still_held_to_the_window() {
        // With the whole limit as burst, the window rule is what holds.
        let mut pacer = Pacer::new(100, Duration::from_secs(10)).with_burst(100);
        let sent = drive(&mut pacer, std::iter::repeat_n(Duration::ZERO, 1_000));
        assert_eq!(sent[99], Duration::ZERO);
        assert_eq!(max_in_window(&sent, Duration::from_secs(10)), 100);
        // A token bucket alone would have let 100 + 100 through in the first 10 s.
        assert!(sent[100] >= Duration::from_secs(10));
    }

    #[test]
    fn random_arrivals_never_exceed_a_small_limit() {
        let mut rng = StdRng::seed_from_u64(7);
        for burst in [1, 3, 5] {
            let mut pacer = Pacer::new(5, ms(1_000)).with_burst(burst);
            let mut t = Duration::ZERO;
            let arrivals: Vec<Duration> = (0..2_000)
                .map(|_| {
                    t += ms(rng.random_range(0..400));
                    t
                })
                .collect();
            let sent = drive(&mut pacer, arrivals);
            assert!(max_in_window(&sent, ms(1_000)) <= 5, "burst {burst}");
        }
    }

    #[test]
    fn an_idle_pacer_does_not_make_you_wait() {
        // 60 a minute: one a second, a burst of one.
        let mut pacer = Pacer::new(60, Duration::from_secs(60));
        assert_eq!(pacer.wait(Duration::from_secs(5)), Duration::ZERO);
        pacer.record(Duration::from_secs(5));
        assert_eq!(pacer.wait(Duration::from_secs(5)), Duration::from_secs(1));
        assert_eq!(pacer.wait(ms(5_400)), ms(600));
        assert_eq!(pacer.wait(Duration::from_secs(100)), Duration::ZERO);
    }

    #[test]
    fn backoff_doubles_to_the_cap_with_bounded_jitter() {
        let b = Backoff::default();
        assert_eq!(b.step(1), Duration::from_secs(1));
        assert_eq!(b.step(2), Duration::from_secs(2));
        assert_eq!(b.step(5), Duration::from_secs(16));
        assert_eq!(b.step(9), Duration::from_secs(256));
        assert_eq!(b.step(10), Duration::from_secs(300));
        assert_eq!(b.step(1_000), Duration::from_secs(300));
        assert_eq!(b.delay(3, 0.0), Duration::from_secs(2));
        assert_eq!(b.delay(3, 1.0), Duration::from_secs(4));
        assert_eq!(b.delay(3, f64::NAN), Duration::from_secs(2));
        let mut rng = StdRng::seed_from_u64(1);
        for attempt in 1..20 {
            let d = b.delay(attempt, rng.random());
            let step = b.step(attempt);
            assert!(
                d >= step / 2 && d <= step,
                "attempt {attempt}: {d:?} vs {step:?}"
            );
        }
    }

    #[test]
    fn backoff_honours_retry_after_and_gives_up() {
        let b = Backoff {
            base: ms(100),
            cap: Duration::from_secs(10),
            max_attempts: 3,
        };
        assert_eq!(b.decide(1, None, 0.0), RetryDecision::RetryAfter(ms(50)));
        assert_eq!(
            b.decide(1, Some(Duration::from_secs(30)), 0.5),
            RetryDecision::RetryAfter(Duration::from_secs(30)),
            "Retry-After longer than the cap is honoured"
        );
        assert_eq!(
            b.decide(2, Some(ms(1)), 1.0),
            RetryDecision::RetryAfter(ms(200))
        );
        assert_eq!(b.decide(3, None, 0.0), RetryDecision::GiveUp);
    }

    fn retryable() -> NotifyError {
        NotifyError::Api {
            status_code: 503,
            errors: vec![],
            retry_after: None,
        }
    }

    #[test]
    fn with_retries_retries_retryable_failures_then_succeeds_or_gives_up() {
        let b = Backoff {
            base: ms(100),
            cap: Duration::from_secs(10),
            max_attempts: 4,
        };
        let mut slept = Vec::new();
        let out = with_retries(
            &b,
            || 0.0,
            |d| slept.push(d),
            |n| if n < 3 { Err(retryable()) } else { Ok(n) },
        );
        assert_eq!(out.unwrap(), 3);
        assert_eq!(slept, vec![ms(50), ms(100)]);

        let mut calls = 0;
        let out: Result<(), _> = with_retries(
            &b,
            || 0.0,
            |_| {},
            |_| {
                calls += 1;
                Err(retryable())
            },
        );
        assert!(matches!(out, Err(SendFailure::GaveUp { attempts: 4, .. })));
        assert_eq!(calls, 4);

        let mut calls = 0;
        let out: Result<(), _> = with_retries(
            &b,
            || 0.0,
            |_| {},
            |_| {
                calls += 1;
                Err(NotifyError::Api {
                    status_code: 400,
                    errors: vec![],
                    retry_after: None,
                })
            },
        );
        assert!(matches!(
            out,
            Err(SendFailure::Permanent { attempts: 1, .. })
        ));
        assert_eq!(calls, 1, "a permanent failure is not retried");
    }
}
