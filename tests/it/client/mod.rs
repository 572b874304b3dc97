mod bulk;
mod collections;
mod core;
mod faults;
mod fixtures;
mod jsforce;
mod jsforce_aggregates;
mod soql_text;
