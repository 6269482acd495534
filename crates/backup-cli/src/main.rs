//! `cloud-backup`: the command line tool for exporting and downloading managed-database backups.
//!
//! The commands are being built (issue 7); today only `demo` is recognised and it says so.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("demo") => {
            println!(
                "cloud-backup demo: the emulator-backed demo is not built yet (see issue 7); \
                 the signing layer is ready: run `cargo test -p cloud-sign`."
            );
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: cloud-backup demo");
            ExitCode::from(2)
        }
    }
}
