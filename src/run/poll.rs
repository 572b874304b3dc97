//! When to read a Bulk job's state. Each read is an API call, and each wait past the job's end
//! is time the run spends for nothing: reads come every half second while a job is young (most
//! jobs of a sync finish within a few seconds), then back off so that a long job costs a few
//! dozen reads an hour, never sleeping more than a quarter of the job's age past its end.

use std::time::Duration;

/// The wait between reads while a job is young.
pub const EARLY_WAIT: Duration = Duration::from_millis(500);
/// How long a job counts as young.
pub const EARLY_PHASE: Duration = Duration::from_secs(5);
/// The longest wait between two reads.
pub const MAX_WAIT: Duration = Duration::from_secs(30);

/// The wait before the first read: 100 ms plus 0.1 ms a row (a job of a few hundred rows is
/// done almost at once), at most [`EARLY_WAIT`].
pub fn first_wait(rows: usize) -> Duration {
    let micros = 100_000u64.saturating_add(100u64.saturating_mul(rows as u64));
    Duration::from_micros(micros).min(EARLY_WAIT)
}

/// The wait before the next read of a job that has been running for `age`: [`EARLY_WAIT`]
/// during [`EARLY_PHASE`], then a quarter of its age, at most [`MAX_WAIT`].
pub fn next_wait(age: Duration) -> Duration {
    if age < EARLY_PHASE {
        EARLY_WAIT
    } else {
        (age / 4).clamp(EARLY_WAIT, MAX_WAIT)
    }
}

/// The reads a job of `rows` rows that finishes `duration` after it was closed costs on this
/// schedule (at least one): what the call budget and the cost model count.
pub fn reads_for(rows: usize, duration: Duration) -> u64 {
    let mut age = first_wait(rows);
    let mut reads = 1;
    while age < duration {
        age += next_wait(age);
        reads += 1;
    }
    reads
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The schedule's read times, and the first one at or after `end`.
    fn first_read_after(rows: usize, end: Duration) -> Duration {
        let mut age = first_wait(rows);
        while age < end {
            age += next_wait(age);
        }
        age
    }

    #[test]
    fn a_young_job_is_read_every_half_second() {
        for end_ms in (0..5_000).step_by(37) {
            let end = Duration::from_millis(end_ms);
            let late = first_read_after(100_000, end) - end;
            assert!(
                late <= EARLY_WAIT,
                "a job done at {end:?} is read {late:?} late"
            );
        }
    }

    #[test]
    fn an_old_job_is_read_at_most_a_quarter_of_its_age_late() {
        for end_s in [6u64, 20, 90, 600, 3_000] {
            let end = Duration::from_secs(end_s);
            let late = first_read_after(10_000, end) - end;
            assert!(
                late <= (end / 4).min(MAX_WAIT),
                "a job done at {end:?} is read {late:?} late"
            );
        }
    }

    #[test]
    fn reads_stay_few_for_long_jobs() {
        assert_eq!(reads_for(300, Duration::from_millis(100)), 1);
        assert_eq!(reads_for(10_000, Duration::from_millis(400)), 1);
        assert_eq!(reads_for(10_000, Duration::from_millis(900)), 2);
        assert!(reads_for(100_000, Duration::from_secs(5)) <= 11);
        let hour = reads_for(100_000, Duration::from_secs(3_600));
        assert!(hour <= 150, "an hour-long job costs {hour} reads");
    }

    #[test]
    fn a_small_job_is_first_read_soon() {
        assert_eq!(first_wait(0), Duration::from_millis(100));
        assert_eq!(first_wait(1_000), Duration::from_millis(200));
        assert_eq!(first_wait(1_000_000), EARLY_WAIT);
    }
}
