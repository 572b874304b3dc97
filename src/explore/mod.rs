//! The SOQL explorer's pure parts, shared by the window and `tether query`: the columns a
//! SELECT list gives, records flattened into rows of typed cells, export to CSV or XLSX,
//! completion from describe and the position of a refused query's error.

pub mod columns;
pub mod complete;
pub mod export;
pub mod nested;
pub mod syntax;
pub mod table;
