//! Which bytes each connection of a ranged download fetches, and how many connections run.
//!
//! The object is cut into granules (the resume state's ranges: each records how many bytes at
//! its start are on disk). A connection owns a *span* of consecutive granules and fetches it
//! with one request. A connection that joins, or that finished its own span (a straggler's
//! helper), takes the back half of the largest span still running; a connection that is
//! retired stops at the end of its current granule and gives the rest back. Spans are only
//! ever cut at granule boundaries, so the resume state stays exact whatever happens.
//!
//! [`Growth`] decides how many connections run: one stream first, then all of them, kept only
//! when they add throughput (on a fast link they only cost; per-connection limits on object
//! stores make 4-8 worth it), measured again later from where it settled.

use std::ops::Range;
use std::time::Duration;

/// A connection's span: the next byte it hands to the writer, and the granule it stops before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    pushed: u64,
    end: usize,
}

/// The bytes `[start, end)` a connection is to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Claim {
    pub start: u64,
    pub end: u64,
    /// Taken from another connection's span (a split), not from unassigned work.
    pub stolen: bool,
}

/// Least whole granules a span must have left beyond the one being written for a split.
const MIN_SPLIT_GRANULES: usize = 2;

/// The assignment of granules to connections.
#[derive(Debug)]
pub(crate) struct Plan {
    granule: u64,
    size: u64,
    /// Unassigned runs of granules, in order: only a run's first granule may be partly written.
    pool: Vec<Range<usize>>,
    /// Per connection slot.
    spans: Vec<Option<Span>>,
}

impl Plan {
    /// The plan of an object of `size` bytes in granules of `granule` bytes of which
    /// `written[i]` bytes at the start of each are on disk, for `slots` connections at most.
    pub(crate) fn new(size: u64, granule: u64, written: &[u64], slots: usize) -> Self {
        let mut plan = Plan {
            granule,
            size,
            pool: Vec::new(),
            spans: vec![None; slots],
        };
        let mut run: Option<Range<usize>> = None;
        for (i, &w) in written.iter().enumerate() {
            let complete = w >= plan.granule_len(i);
            if complete || w > 0 {
                plan.pool.extend(run.take());
            }
            if !complete {
                match &mut run {
                    Some(r) => r.end = i + 1,
                    None => run = Some(i..i + 1),
                }
            }
        }
        plan.pool.extend(run);
        plan
    }

    fn granule_len(&self, i: usize) -> u64 {
        let start = i as u64 * self.granule;
        self.granule.min(self.size.saturating_sub(start))
    }

    /// The first byte of granule `i` (the object's end for `i` past it).
    fn byte(&self, i: usize) -> u64 {
        (i as u64 * self.granule).min(self.size)
    }

    /// The first granule that starts at or after `pos`: where a span at `pos` can be cut.
    fn first_free(&self, pos: u64) -> usize {
        pos.div_ceil(self.granule) as usize
    }

    /// Cuts unassigned work into at least `n` runs of about equal size (for connections that
    /// start together).
    pub(crate) fn split_even(&mut self, n: usize) {
        if let [only] = self.pool.as_slice() {
            let (a, b) = (only.start, only.end);
            let parts = n.min(b - a).max(1);
            self.pool = (0..parts)
                .map(|k| a + (b - a) * k / parts..a + (b - a) * (k + 1) / parts)
                .collect();
            return;
        }
        while self.pool.len() < n {
            let Some((at, _)) = self
                .pool
                .iter()
                .enumerate()
                .filter(|(_, r)| r.len() >= 2)
                .max_by_key(|(_, r)| r.len())
            else {
                return;
            };
            let r = self.pool[at].clone();
            let mid = r.start + r.len() / 2;
            self.pool[at] = r.start..mid;
            self.pool.insert(at + 1, mid..r.end);
        }
    }

    /// Work for connection `slot`: the first unassigned run, else the back of the largest
    /// running span: half of what it has left, or less when that is more than a fair share of
    /// all that is left among `sharers` connections (so that connections joining together end
    /// up with about equal spans). `written` is the resume state (for where a run's first
    /// granule resumes).
    pub(crate) fn claim(&mut self, slot: usize, written: &[u64], sharers: usize) -> Option<Claim> {
        debug_assert!(self.spans[slot].is_none(), "slot {slot} claims twice");
        if !self.pool.is_empty() {
            let run = self.pool.remove(0);
            let start = self.byte(run.start) + written[run.start];
            self.spans[slot] = Some(Span {
                pushed: start,
                end: run.end,
            });
            return Some(Claim {
                start,
                end: self.byte(run.end),
                stolen: false,
            });
        }
        let lefts: Vec<(usize, usize)> = self
            .spans
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.map(|s| (i, s.end.saturating_sub(self.first_free(s.pushed)))))
            .collect();
        let total: usize = lefts.iter().map(|&(_, left)| left).sum();
        let (victim, left) = lefts
            .into_iter()
            .filter(|&(_, left)| left >= MIN_SPLIT_GRANULES)
            .max_by_key(|&(_, left)| left)?;
        let fair = total.div_ceil(sharers.max(1)).max(1);
        let span = self.spans[victim].as_mut().expect("a running span");
        let old_end = span.end;
        let mid = old_end - (left / 2).min(fair);
        span.end = mid;
        let start = self.byte(mid);
        self.spans[slot] = Some(Span {
            pushed: start,
            end: old_end,
        });
        Some(Claim {
            start,
            end: self.byte(old_end),
            stolen: true,
        })
    }

    /// How many of `len` bytes at `pos` connection `slot` may hand to the writer (fewer when
    /// its span was cut below them); counts them as handed over.
    pub(crate) fn allow(&mut self, slot: usize, pos: u64, len: usize) -> usize {
        let limit = match self.spans[slot] {
            Some(s) => {
                debug_assert_eq!(s.pushed, pos, "slot {slot} pushes out of order");
                self.byte(s.end)
            }
            None => return 0,
        };
        let n = (len as u64).min(limit.saturating_sub(pos)) as usize;
        if let Some(s) = self.spans[slot].as_mut() {
            s.pushed += n as u64;
        }
        n
    }

    /// Where connection `slot`'s span ends now (it may have been cut).
    pub(crate) fn end_of(&self, slot: usize) -> Option<u64> {
        self.spans[slot].map(|s| self.byte(s.end))
    }

    /// Connection `slot` stops at the end of the granule it is writing; the rest of its span
    /// goes back to the unassigned work.
    pub(crate) fn retire(&mut self, slot: usize) {
        let Some(span) = self.spans[slot] else {
            return;
        };
        let stop = self.first_free(span.pushed).min(span.end);
        if stop < span.end {
            let at = self.pool.partition_point(|r| r.start < stop);
            self.pool.insert(at, stop..span.end);
        }
        if let Some(s) = self.spans[slot].as_mut() {
            s.end = stop;
        }
    }

    /// Connection `slot` is done with its span.
    pub(crate) fn release(&mut self, slot: usize) {
        self.spans[slot] = None;
    }

    /// Nothing is left to assign and no span is running: every granule is written (or a
    /// connection failed and gave up its span).
    pub(crate) fn idle(&self) -> bool {
        self.pool.is_empty() && self.spans.iter().all(Option::is_none)
    }

    /// About how many bytes are not yet handed to a writer, assigned or not (unassigned runs
    /// count whole): for deciding whether more connections are worth starting.
    pub(crate) fn left(&self) -> u64 {
        let pooled: u64 = self
            .pool
            .iter()
            .map(|r| self.byte(r.end) - self.byte(r.start))
            .sum();
        let running: u64 = self
            .spans
            .iter()
            .flatten()
            .map(|s| self.byte(s.end).saturating_sub(s.pushed))
            .sum();
        pooled + running
    }
}

/// The next step of the connection count, from measured throughput.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Step {
    /// Try this many connections and measure again.
    Try(usize),
    /// Stay at this many for the rest of the download.
    Settle(usize),
}

/// Grows the number of connections while each step adds throughput: from one straight to the
/// maximum; measured again later from where it settled, doubling; a step that adds less than
/// [`Growth::MIN_GAIN`] is undone.
#[derive(Debug, Clone)]
pub(crate) struct Growth {
    max: usize,
    current: usize,
    /// Throughput with `current` connections, bytes per second.
    rate: f64,
}

impl Growth {
    /// Least relative gain for a step to be kept.
    pub(crate) const MIN_GAIN: f64 = 1.1;

    /// Starting from one connection measured at `rate`, with at most `max`.
    pub(crate) fn new(max: usize, rate: f64) -> Self {
        Growth {
            max,
            current: 1,
            rate,
        }
    }

    /// Measured again at `rate` with `current` connections, after it settled there.
    pub(crate) fn resume(max: usize, current: usize, rate: f64) -> Self {
        Growth { max, current, rate }
    }

    /// A single stream at least this fast (bytes per second) gets no company: the disk and the
    /// CPU are the bounds by then, and a second connection's bytes, arriving out of order,
    /// cost a read-back to verify (measured on loopback: 1.4 GB/s alone, 0.9-1.9 s instead of
    /// 0.7 s per GiB after a probe with two). Per-connection limits of object stores sit far
    /// below it.
    pub(crate) const FAST_ENOUGH: f64 = 256.0 * 1024.0 * 1024.0;

    /// Connections of the last step kept.
    pub(crate) fn current(&self) -> usize {
        self.current
    }

    /// Throughput with [`Growth::current`] connections, bytes per second.
    pub(crate) fn rate(&self) -> f64 {
        self.rate
    }

    /// The first step.
    pub(crate) fn first(&self) -> Step {
        if self.current >= self.max || self.rate >= Self::FAST_ENOUGH {
            Step::Settle(self.current)
        } else if self.current == 1 {
            // Straight to the maximum: behind per-connection limits every one counts, and
            // the ramp is time at a fraction of the rate (1 -> 2 -> 8 took 1.10 s where
            // 1 -> 8 took 1.06 s in benchmark (b)); a step that does not pay is undone.
            Step::Try(self.max)
        } else {
            Step::Try((self.current * 2).min(self.max))
        }
    }

    /// The step after `tried` connections were measured at `rate`: undone below
    /// [`Growth::MIN_GAIN`]; kept, and doubled again while each step brings at least half its
    /// ideal gain (`tried / current`).
    pub(crate) fn next(&mut self, tried: usize, rate: f64) -> Step {
        let gain = rate / self.rate.max(1.0);
        if gain < Self::MIN_GAIN {
            return Step::Settle(self.current);
        }
        let ideal = tried as f64 / self.current as f64;
        let share = (gain - 1.0) / (ideal - 1.0).max(f64::EPSILON);
        self.current = tried;
        self.rate = rate;
        if tried >= self.max || share < 0.5 {
            Step::Settle(tried)
        } else {
            Step::Try((tried * 2).min(self.max))
        }
    }

    /// How long to measure: four times the time a new connection took to its first byte,
    /// within 40 ms and 1 s (and, in `measure`, at least four pieces of data).
    pub(crate) fn window(first_byte: Duration) -> Duration {
        (first_byte * 4).clamp(Duration::from_millis(40), Duration::from_secs(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const G: u64 = 100;

    /// Pushes the whole span of `slot` as its connection would, returns the bytes pushed.
    fn drain(plan: &mut Plan, slot: usize, claim: Claim, written: &mut [u64]) -> u64 {
        let mut pos = claim.start;
        loop {
            let n = plan.allow(slot, pos, 30) as u64;
            if n == 0 {
                break;
            }
            for b in pos..pos + n {
                written[(b / G) as usize] += 1;
            }
            pos += n;
        }
        plan.release(slot);
        pos - claim.start
    }

    #[test]
    fn a_fresh_plan_is_one_run_and_one_connection_takes_it_all() {
        let mut written = vec![0; 10];
        let mut plan = Plan::new(950, G, &written, 4);
        let claim = plan.claim(0, &written, 2).unwrap();
        assert_eq!(
            claim,
            Claim {
                start: 0,
                end: 950,
                stolen: false
            }
        );
        assert_eq!(drain(&mut plan, 0, claim, &mut written), 950);
        assert!(plan.idle());
        assert_eq!(plan.claim(1, &written, 2), None);
        assert_eq!(written[9], 50);
        assert_eq!(plan.left(), 0);
    }

    #[test]
    fn resume_runs_start_at_partly_written_granules_and_skip_complete_ones() {
        let written = [100, 100, 40, 0, 0, 100, 0, 7, 0, 0];
        let mut plan = Plan::new(1000, G, &written, 3);
        assert_eq!(plan.pool, vec![2..5, 6..7, 7..10]);
        // Unassigned runs count whole (an estimate): 300 + 100 + 300.
        assert_eq!(plan.left(), 700);
        let c = plan.claim(0, &written, 2).unwrap();
        assert_eq!((c.start, c.end), (240, 500));
        let c = plan.claim(1, &written, 2).unwrap();
        assert_eq!((c.start, c.end), (600, 700));
        let c = plan.claim(2, &written, 2).unwrap();
        assert_eq!((c.start, c.end), (707, 1000));
    }

    #[test]
    fn a_split_takes_the_back_half_of_the_largest_span_at_a_granule_boundary() {
        let written = vec![0; 10];
        let mut plan = Plan::new(1000, G, &written, 3);
        let first = plan.claim(0, &written, 2).unwrap();
        assert_eq!(plan.allow(0, first.start, 150), 150); // in granule 1
        // Free beyond granule 1: 2..10 (8 granules): the thief takes 6..10.
        let stolen = plan.claim(1, &written, 2).unwrap();
        assert_eq!((stolen.start, stolen.end, stolen.stolen), (600, 1000, true));
        assert_eq!(plan.end_of(0), Some(600));
        // The victim may push up to 600, no further.
        assert_eq!(plan.allow(0, 150, 1000), 450);
        assert_eq!(plan.allow(0, 600, 10), 0);
        // Slot 0 at its end, slot 1 untouched with 4 granules: the next split is 8..10.
        plan.release(0);
        let again = plan.claim(0, &written, 2).unwrap();
        assert_eq!((again.start, again.end), (800, 1000));
        assert_eq!(plan.end_of(1), Some(800));
    }

    #[test]
    fn connections_joining_together_get_fair_shares_not_halves() {
        let written = vec![0; 64];
        let mut plan = Plan::new(6400, G, &written, 8);
        let c = plan.claim(0, &written, 8).unwrap();
        assert_eq!(plan.allow(0, c.start, 50), 50);
        let mut spans = vec![];
        for slot in 1..8 {
            let c = plan.claim(slot, &written, 8).unwrap();
            spans.push((c.end - c.start) / G);
        }
        // 63 granules free among 8: every thief takes at most ceil(63 / 8) = 8.
        assert!(spans.iter().all(|&n| n <= 8), "{spans:?}");
        assert_eq!(plan.end_of(0).unwrap() / G, 64 - spans.iter().sum::<u64>());
        assert!(plan.end_of(0).unwrap() / G <= 8 + 1);
    }

    #[test]
    fn a_span_with_one_granule_left_is_not_split() {
        let written = vec![0; 3];
        let mut plan = Plan::new(300, G, &written, 2);
        let c = plan.claim(0, &written, 2).unwrap();
        assert_eq!(plan.allow(0, c.start, 150), 150); // granule 1; only granule 2 free
        assert_eq!(plan.claim(1, &written, 2), None);
        assert!(!plan.idle());
    }

    #[test]
    fn a_split_at_a_granule_boundary_leaves_the_victim_a_granule() {
        let written = vec![0; 4];
        let mut plan = Plan::new(400, G, &written, 2);
        let c = plan.claim(0, &written, 2).unwrap();
        assert_eq!(plan.allow(0, c.start, 200), 200); // exactly at granule 2's start
        let s = plan.claim(1, &written, 2).unwrap();
        assert_eq!((s.start, s.end), (300, 400));
        assert_eq!(plan.end_of(0), Some(300));
    }

    #[test]
    fn a_retired_connection_finishes_its_granule_and_gives_the_rest_back() {
        let written = vec![0; 10];
        let mut plan = Plan::new(1000, G, &written, 2);
        let c = plan.claim(0, &written, 2).unwrap();
        assert_eq!(plan.allow(0, c.start, 250), 250);
        plan.retire(0);
        assert_eq!(plan.end_of(0), Some(300));
        assert_eq!(plan.allow(0, 250, 100), 50);
        plan.release(0);
        assert_eq!(plan.pool, vec![3..10]);
        let c = plan.claim(1, &written, 2).unwrap();
        assert_eq!((c.start, c.end, c.stolen), (300, 1000, false));
    }

    #[test]
    fn every_byte_is_pushed_once_whatever_the_splits() {
        // Connections join, split and retire in a fixed pseudo-random order; every byte is
        // handed over exactly once.
        let size = 2_345;
        let mut written = vec![0; 24];
        let mut plan = Plan::new(size, G, &written, 4);
        let mut pos: [Option<u64>; 4] = [None; 4];
        let mut pushed = vec![0u32; size as usize];
        let mut seed = 7u64;
        let mut rounds = 0;
        while !plan.idle() || pos.iter().any(Option::is_some) {
            rounds += 1;
            assert!(rounds < 100_000, "no progress");
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let slot = (seed >> 33) as usize % 4;
            match pos[slot] {
                None => {
                    if let Some(c) = plan.claim(slot, &written, 2) {
                        pos[slot] = Some(c.start);
                    }
                }
                Some(p) => {
                    if (seed >> 20).is_multiple_of(97) {
                        plan.retire(slot);
                    }
                    let n = plan.allow(slot, p, ((seed >> 40) % 70) as usize + 1) as u64;
                    for b in p..p + n {
                        pushed[b as usize] += 1;
                        written[(b / G) as usize] += 1;
                    }
                    if n == 0 {
                        plan.release(slot);
                        pos[slot] = None;
                    } else {
                        pos[slot] = Some(p + n);
                    }
                }
            }
        }
        assert!(
            pushed.iter().all(|&n| n == 1),
            "some byte pushed 0 or 2 times"
        );
        assert_eq!(written.iter().sum::<u64>(), size);
    }

    #[test]
    fn even_split_cuts_one_run_into_equal_parts() {
        let written = vec![0; 10];
        let mut plan = Plan::new(1000, G, &written, 3);
        plan.split_even(3);
        assert_eq!(plan.pool, vec![0..3, 3..6, 6..10]);
        let mut small = Plan::new(150, G, &[0, 0], 8);
        small.split_even(8);
        assert_eq!(small.pool, vec![0..1, 1..2]);
        let mut several = Plan::new(1000, G, &[0, 0, 0, 0, 100, 0, 0, 0, 0, 0], 4);
        several.split_even(4);
        assert_eq!(several.pool, vec![0..2, 2..4, 5..7, 7..10]);
    }

    #[test]
    fn growth_stops_when_connections_stop_paying() {
        // A fast link: more connections add nothing; back to one.
        let mut g = Growth::new(8, 1000.0);
        assert_eq!(g.first(), Step::Try(8));
        assert_eq!(g.next(8, 1050.0), Step::Settle(1));
        // A per-connection limit: eight scale, kept.
        let mut g = Growth::new(8, 100.0);
        assert_eq!(g.next(8, 760.0), Step::Settle(8));
        // Some gain but far from linear: kept as it is.
        let mut g = Growth::new(8, 100.0);
        assert_eq!(g.next(8, 200.0), Step::Settle(8));
        // Measured again later from two: doubling while at least half the ideal gain comes.
        let mut g = Growth::resume(16, 2, 100.0);
        assert_eq!(g.first(), Step::Try(4));
        assert_eq!(g.next(4, 160.0), Step::Try(8));
        assert_eq!(g.next(8, 250.0), Step::Try(16));
        assert_eq!(g.next(16, 300.0), Step::Settle(16));
        // A step that does not pay is undone.
        let mut g = Growth::resume(8, 2, 100.0);
        assert_eq!(g.next(4, 105.0), Step::Settle(2));
        assert_eq!(Growth::new(1, 5.0).first(), Step::Settle(1));
        assert_eq!(Growth::new(8, 1.4e9).first(), Step::Settle(1));
        assert_eq!(Growth::resume(8, 8, 100.0).first(), Step::Settle(8));
    }

    #[test]
    fn the_window_follows_the_first_byte_time() {
        assert_eq!(
            Growth::window(Duration::from_micros(300)),
            Duration::from_millis(40)
        );
        assert_eq!(
            Growth::window(Duration::from_millis(80)),
            Duration::from_millis(320)
        );
        assert_eq!(
            Growth::window(Duration::from_secs(3)),
            Duration::from_secs(1)
        );
    }
}
