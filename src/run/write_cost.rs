//! Which path a push writes through, from what each would cost: the calls it spends and the
//! time it is expected to wait at the link's measured round trip, within the API budget the
//! org says remains.
//!
//! The link's `bulk_push_above` still sends larger pushes to Bulk (a user's setting is kept);
//! at or below it the model chooses, and it takes Bulk there too when the REST paths would
//! spend more of the remaining budget than the org can spare.

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
    pub path: WritePath,
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

fn describe(c: &PathCost) -> String {
    format!("{:?} {} call(s) ≈ {:.1} s", c.path, c.calls, c.seconds)
}

/// Chooses the path for `records` writes. `round_trip` is the link's measured latency (none
/// before any answer: taken as zero), `remaining` the calls the org's Sforce-Limit-Info says
/// are left today (none when unknown), `bulk_above` the link's threshold.
pub fn choose(
    records: u64,
    round_trip: Option<Duration>,
    remaining: Option<u64>,
    bulk_above: u64,
) -> WriteChoice {
    let rtt = round_trip.unwrap_or_default();
    let costs: Vec<PathCost> = [
        WritePath::Collections,
        WritePath::Composite,
        WritePath::Bulk,
    ]
    .into_iter()
    .map(|p| cost(p, records, rtt))
    .collect();
    let of = |path: WritePath| {
        costs
            .iter()
            .copied()
            .find(|c| c.path == path)
            .unwrap_or_else(|| cost(path, records, rtt))
    };
    let others = |chosen: WritePath| {
        costs
            .iter()
            .filter(|c| c.path != chosen)
            .map(describe)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let at = format!("{:.0} ms", rtt.as_secs_f64() * 1000.0);
    if records > bulk_above {
        let bulk = of(WritePath::Bulk);
        return WriteChoice {
            path: WritePath::Bulk,
            why: format!(
                "{} for {records} records: more than the link's bulk_push_above ({bulk_above}); {} instead at {at} a call",
                describe(&bulk),
                others(WritePath::Bulk)
            ),
            costs,
        };
    }
    // The fastest REST path; on a tie the one with fewer calls.
    let rest = [of(WritePath::Collections), of(WritePath::Composite)]
        .into_iter()
        .min_by(|a, b| {
            a.seconds
                .total_cmp(&b.seconds)
                .then_with(|| a.calls.cmp(&b.calls))
        })
        .unwrap_or_else(|| of(WritePath::Composite));
    let bulk = of(WritePath::Bulk);
    if let Some(left) = remaining
        && rest.calls > bulk.calls
        && rest.calls.saturating_mul(BUDGET_SHARE) > left
    {
        return WriteChoice {
            path: WritePath::Bulk,
            why: format!(
                "{} for {records} records: the org has {left} API calls left today and {} would spend more than a tenth of them",
                describe(&bulk),
                describe(&rest)
            ),
            costs,
        };
    }
    let path = if bulk.seconds < rest.seconds {
        bulk
    } else {
        rest
    };
    WriteChoice {
        path: path.path,
        why: format!(
            "{} for {records} records at {at} a call, the quickest; {}",
            describe(&path),
            others(path.path)
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
            let choice = choose(records, rtt, left, above);
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
        }
    }
}
