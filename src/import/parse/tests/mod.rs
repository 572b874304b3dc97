mod booleans;
mod dates;
mod detection;
mod numbers;
mod properties;
