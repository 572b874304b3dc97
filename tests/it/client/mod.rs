mod bulk;
mod collections;
mod core;
mod faults;
mod fixtures;
mod jsforce;
mod jsforce_fidelity;
mod soql_text;
