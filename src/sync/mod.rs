//! The sync engine. Planning comes first and is pure ([`plan`]): base, local and remote in,
//! actions and conflicts out. Execution, with its I/O, builds on the plan.

pub mod arrows;
pub mod automatch;
pub mod due;
pub mod engine;
pub mod expression;
pub mod hints;
pub mod link;
pub mod link_file;
pub mod plan;
pub mod schedule;
pub mod templates;
pub mod verify;
