//! Analytics reports against the seeded sandbox org: each chart's numbers checked against a
//! record-by-record computation over the same records, filters narrowing them, bad filter
//! input named, and the calls each costs as the org counts them.

mod cli;
mod expected;
mod reports;
