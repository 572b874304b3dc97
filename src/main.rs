//! `tether`: the desktop app, `tether demo` and `tether sandbox-org`.

fn main() -> std::process::ExitCode {
    tether::mark_process_start();
    tether::cli::main()
}
