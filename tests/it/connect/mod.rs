mod cli;
mod flows;
mod keychain;
mod listener;
