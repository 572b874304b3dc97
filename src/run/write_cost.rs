//! Which path a push writes through, from what each would cost: the calls it spends and the
//! time it is expected to wait at the link's measured round trip, within the API budget the
//! org says remains.
//!
//! The link's `bulk_push_above` still sends larger pushes to Bulk (a user's setting is kept);
//! at or below it the model chooses, and it takes Bulk there too when the REST paths would
//! spend more of the remaining budget than the org can spare.
//!
//! New records without a key (no external id) never go by Bulk: its results do not say which
//! row each created record came from, so they go by the quickest REST path, which answers in
//! the order it was asked, whatever Bulk writes beside them.

use std::time::Duration;

use super::poll::EARLY_WAIT;
use super::push::WritePath;
use super::window::MAX_IN_FLIGHT;

/// Calls of a Bulk ingest job that ends by its first status read: create, upload, close, status,
/// results.
const BULK_CALLS: u64 = 5;
/// A push may spend at most this share of the calls the org has left on the REST paths.
const BUDGET_SHARE: u64 = 10;

/// What one path would cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PathCost {
    pub path: WritePath,
    pub calls: u64,
    pub seconds: f64,
}

/// The chosen path, what it and the others cost, and why in words.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteChoice {
    /// The path of the records a key joins back to their rows; of every record unless Bulk.
    pub path: WritePath,
    /// The path of the new records without a key: `path` itself unless that is Bulk.
    pub creates_path: WritePath,
    /// Each path's cost for the whole push; Bulk's counts the REST calls of the new records
    /// without a key, and is missing when there is nothing else to write.
    pub costs: Vec<PathCost>,
    pub why: String,
}

/// The expected cost of writing `records` through `path` at `round_trip` a call.
pub fn cost(path: WritePath, records: u64, round_trip: Duration) -> PathCost {
    let rtt = round_trip.as_secs_f64();
    let calls = path.calls_for(records);
    let seconds = match path {
        WritePath::Collections | WritePath::Composite => {
            calls.div_ceil(MAX_IN_FLIGHT as u64) as f64 * rtt
        }
        WritePath::Bulk if records == 0 => 0.0,
        WritePath::Bulk => BULK_CALLS as f64 * rtt + EARLY_WAIT.as_secs_f64(),
    };
    PathCost {
        path,
        calls,
        seconds,
    }
}

/// The quickest REST path for `records` (on a tie the one with fewer calls).
fn quickest_rest(records: u64, round_trip: Duration) -> PathCost {
    let collections = cost(WritePath::Collections, records, round_trip);
    let composite = cost(WritePath::Composite, records, round_trip);
    if (composite.seconds, composite.calls) < (collections.seconds, collections.calls) {
        composite
    } else {
        collections
    }
}

fn describe(c: &PathCost) -> String {
    format!("{:?} {} call(s) ≈ {:.1} s", c.path, c.calls, c.seconds)
}

/// Chooses the path for `records` writes, `creates` of them new records without a key.
/// `round_trip` is the link's measured latency (none before any answer: taken as zero),
/// `remaining` the calls the org's Sforce-Limit-Info says are left today (none when unknown),
/// `bulk_above` the link's threshold, which counts the records Bulk can write.
pub fn choose(
    records: u64,
    creates: u64,
    round_trip: Option<Duration>,
    remaining: Option<u64>,
    bulk_above: u64,
) -> WriteChoice {
    let rtt = round_trip.unwrap_or_default();
    let creates = creates.min(records);
    let keyed = records - creates;
    let at = format!("{:.0} ms", rtt.as_secs_f64() * 1000.0);
    let collections = cost(WritePath::Collections, records, rtt);
    let composite = cost(WritePath::Composite, records, rtt);
    let rest = quickest_rest(records, rtt);
    let rest_for_creates = quickest_rest(creates, rtt);
    if keyed == 0 && creates > 0 {
        let bulk_alone = cost(WritePath::Bulk, records, rtt);
        let other = if rest.path == WritePath::Composite {
            collections
        } else {
            composite
        };
        let why = format!(
            "{} for {records} new records at {at} a call, the quickest; {}; not Bulk ({}): \
             its results would not say which row each new record came from (no external id)",
            describe(&rest),
            describe(&other),
            describe(&bulk_alone),
        );
        return WriteChoice {
            path: rest.path,
            creates_path: rest.path,
            costs: vec![collections, composite],
            why,
        };
    }
    let bulk_job = cost(WritePath::Bulk, keyed, rtt);
    let bulk = PathCost {
        path: WritePath::Bulk,
        calls: bulk_job.calls + rest_for_creates.calls,
        seconds: bulk_job.seconds + rest_for_creates.seconds,
    };
    let costs = vec![collections, composite, bulk];
    let others = |chosen: WritePath| {
        costs
            .iter()
            .filter(|c| c.path != chosen)
            .map(describe)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let creates_note = if creates > 0 {
        format!(
            "; its {creates} new records by {:?} ({} call(s)), as Bulk's results would not say \
             which row each came from",
            rest_for_creates.path, rest_for_creates.calls
        )
    } else {
        String::new()
    };
    let bulk_choice = |why: String| WriteChoice {
        path: WritePath::Bulk,
        creates_path: rest_for_creates.path,
        costs: costs.clone(),
        why,
    };
    if keyed > bulk_above {
        return bulk_choice(format!(
            "{} for {records} records: {keyed} to update, upsert or delete, more than the \
             link's bulk_push_above ({bulk_above}){creates_note}; {} instead at {at} a call",
            describe(&bulk),
            others(WritePath::Bulk)
        ));
    }
    if let Some(left) = remaining
        && rest.calls > bulk.calls
        && rest.calls.saturating_mul(BUDGET_SHARE) > left
    {
        return bulk_choice(format!(
            "{} for {records} records: the org has {left} API calls left today and {} would \
             spend more than a tenth of them{creates_note}",
            describe(&bulk),
            describe(&rest)
        ));
    }
    if bulk.seconds < rest.seconds {
        return bulk_choice(format!(
            "{} for {records} records at {at} a call, the quickest{creates_note}; {}",
            describe(&bulk),
            others(WritePath::Bulk)
        ));
    }
    WriteChoice {
        path: rest.path,
        creates_path: rest.path,
        why: format!(
            "{} for {records} records at {at} a call, the quickest; {}",
            describe(&rest),
            others(rest.path)
        ),
        costs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Option<Duration> = |ms| Some(Duration::from_millis(ms));

    #[test]
    fn costs_follow_calls_and_round_trips() {
        let cases = [
            (WritePath::Collections, 10_000, 100, 50, 0.5),
            (WritePath::Collections, 200, 100, 1, 0.1),
            (WritePath::Composite, 10_000, 100, 10, 0.1),
            (WritePath::Composite, 10_001, 100, 11, 0.2),
            (WritePath::Bulk, 10_000, 100, 5, 1.0),
            (WritePath::Bulk, 0, 100, 0, 0.0),
            (WritePath::Composite, 10_000, 0, 10, 0.0),
        ];
        for (path, records, ms, calls, seconds) in cases {
            let c = cost(path, records, Duration::from_millis(ms));
            assert_eq!(c.calls, calls, "{path:?} {records}");
            assert!(
                (c.seconds - seconds).abs() < 1e-9,
                "{path:?} {records}: {c:?}"
            );
        }
    }

    type Case = (
        u64,
        Option<Duration>,
        Option<u64>,
        u64,
        WritePath,
        &'static str,
    );

    #[test]
    fn the_cheapest_path_is_chosen_within_the_budget() {
        use WritePath::*;
        // (records, round trip ms, remaining calls, link's bulk_push_above, chosen, why has)
        let cases: [Case; 10] = [
            (150, MS(100), None, 5_000, Collections, "the quickest"),
            (
                1_000,
                MS(100),
                None,
                5_000,
                Composite,
                "Composite 1 call(s)",
            ),
            (
                5_000,
                MS(100),
                None,
                5_000,
                Composite,
                "Bulk 5 call(s) ≈ 1.0 s",
            ),
            (5_001, MS(100), None, 5_000, Bulk, "bulk_push_above (5000)"),
            (1_000, None, None, 5_000, Composite, "at 0 ms"),
            // Few calls left: Bulk's five instead of twenty.
            (
                20_000,
                MS(100),
                Some(40),
                100_000,
                Bulk,
                "40 API calls left",
            ),
            (
                50_000,
                MS(100),
                Some(400),
                100_000,
                Bulk,
                "more than a tenth",
            ),
            // Enough left: the budget does not decide.
            (
                5_000,
                MS(100),
                Some(1_000_000),
                100_000,
                Composite,
                "the quickest",
            ),
            // A slow link and a large push: Bulk's fixed wait is the shorter one.
            (100_000, MS(1_000), None, u64::MAX, Bulk, "the quickest"),
            (0, MS(100), Some(0), 5_000, Collections, "0 records"),
        ];
        for (records, rtt, left, above, expected, why) in cases {
            let choice = choose(records, 0, rtt, left, above);
            assert_eq!(
                choice.path, expected,
                "{records} at {rtt:?}, {left:?} left: {choice:?}"
            );
            assert!(
                choice.why.contains(why),
                "{records}: `{}` lacks `{why}`",
                choice.why
            );
            assert_eq!(choice.costs.len(), 3);
            if choice.path != Bulk {
                assert_eq!(choice.creates_path, choice.path);
            }
        }
    }

    #[test]
    fn new_records_without_a_key_never_go_by_bulk() {
        // Above the link's threshold and with the budget short, Bulk is still not taken.
        for (records, left) in [(10_000, None), (10_000, Some(40)), (200, None)] {
            let choice = choose(records, records, MS(100), left, 5_000);
            assert_ne!(choice.path, WritePath::Bulk, "{records}: {choice:?}");
            assert_eq!(choice.creates_path, choice.path);
            assert!(choice.why.contains("not Bulk"), "{}", choice.why);
            assert!(choice.why.contains("new records"), "{}", choice.why);
            assert_eq!(choice.costs.len(), 2, "{choice:?}");
        }
        let choice = choose(10_000, 10_000, MS(100), None, 5_000);
        assert_eq!(choice.path, WritePath::Composite);
        assert!(
            choice.why.starts_with("Composite 10 call(s)"),
            "{}",
            choice.why
        );
    }

    #[test]
    fn new_records_beside_a_bulk_job_go_by_rest() {
        let choice = choose(10_000, 4_000, MS(100), None, 5_000);
        assert_eq!(choice.path, WritePath::Bulk, "{choice:?}");
        assert_eq!(choice.creates_path, WritePath::Composite, "{choice:?}");
        assert!(
            choice
                .why
                .contains("its 4000 new records by Composite (4 call(s))"),
            "{}",
            choice.why
        );
        let bulk = choice.costs.iter().find(|c| c.path == WritePath::Bulk);
        assert_eq!(bulk.map(|c| c.calls), Some(5 + 4), "{choice:?}");
        // The threshold counts what Bulk could write: 4,000 updates stay on Composite.
        let choice = choose(10_000, 6_000, MS(100), None, 5_000);
        assert_eq!(choice.path, WritePath::Composite, "{choice:?}");
    }
}
