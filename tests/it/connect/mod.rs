mod cli;
mod client_secret;
mod flows;
mod keychain;
mod listener;
