pub mod cli;
pub mod client;
pub mod desktop;
pub mod import;
pub mod jsforce;
pub mod org;
pub mod sandbox;
pub mod sync;
