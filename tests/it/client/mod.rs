mod bulk;
mod collections;
mod core;
mod faults;
mod fixtures;
mod jsforce;
mod jsforce_login;
mod soql_text;
