mod bulk;
mod collections;
mod core;
mod faults;
mod fixtures;
mod jsforce;
mod soql_text;
