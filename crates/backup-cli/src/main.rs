//! `cloud-backup`: export, download and restore managed-database backups on Alibaba Cloud
//! (DBS), Tencent Cloud (MongoDB) and Huawei Cloud (DDS/RDS) from the command line.
//!
//! Commands are `cloud-backup <vendor> <operation> [flags]`: the operation is the API action in
//! kebab-case, the flags are the API parameters in kebab-case, and the answer is printed as
//! JSON with the vendor's field names (or as a table with `--output table`, the default on a
//! terminal). Every operation of the `dbs-aliyun`, `mongodb-tencent` and `rds-huawei` crates is
//! there.
//!
//! ```text
//! $ cloud-backup demo                 # everything below, against a built-in emulator
//! $ export ALIBABA_CLOUD_ACCESS_KEY_ID=... ALIBABA_CLOUD_ACCESS_KEY_SECRET=...
//! $ cloud-backup aliyun create-download --region cn-hangzhou --instance-name rm-bp1xxxx \
//!       --bak-set-id 1460051234 --format-type csv --wait
//! $ cloud-backup aliyun describe-download-backup-set-storage-info --region cn-hangzhou \
//!       --task-id dt-xxxx --duration 3600
//! $ cloud-backup download "$URL" -o backup.csv --connections 8
//! $ cloud-backup tencent describe-db-backups --region ap-guangzhou --instance-id cmgo-p8vnipr5
//! $ cloud-backup huawei dds-show-backup-download-link --region cn-north-4 \
//!       --instance-id ...in02 --backup-id ...br02
//! ```
//!
//! Credentials come from each vendor's standard environment variables (`ALIBABA_CLOUD_*`,
//! `TENCENTCLOUD_*`, `HUAWEICLOUD_SDK_*`) or profile file, through the vendor crates'
//! providers. Download links in a command's answer are printed in full on stdout (that is what
//! those commands are for); anywhere else (logs, errors, the demo) they lose their query string.
//!
//! Exit codes: 0 success, 1 service or network error, 2 usage error, 3 credentials missing or
//! invalid, 130 interrupted by Ctrl-C (partial downloads resume when the command runs again).
//! Errors are one line on stderr with the vendor's code, message and request id (a JSON object
//! with `--output json`).

mod aliyun;
mod archive;
mod args;
mod backups;
mod cli;
mod configure;
mod demo;
mod emulator;
mod error;
mod export;
mod huawei;
mod human;
mod output;
mod progress;
mod tencent;
mod transfer;

use std::process::ExitCode;

use clap::FromArgMatches;
use tracing_subscriber::EnvFilter;

/// The crates whose events `-v` and `-vv` show; `-vvv` shows every crate's (HTTP internals too).
const OUR_CRATES: &[&str] = &[
    "cloud_backup",
    "backup_core",
    "cloud_http",
    "dbs_aliyun",
    "mongodb_tencent",
    "rds_huawei",
];

/// The log filter for `-v` levels; `RUST_LOG` wins when set.
fn log_filter(verbose: u8) -> String {
    match verbose {
        0 => "warn".to_owned(),
        1 | 2 => {
            let level = if verbose == 1 { "info" } else { "debug" };
            let ours = OUR_CRATES.iter().map(|c| format!("{c}={level}"));
            std::iter::once("warn".to_owned())
                .chain(ours)
                .collect::<Vec<_>>()
                .join(",")
        }
        _ => "trace".to_owned(),
    }
}

fn init_tracing(verbose: u8) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(log_filter(verbose)));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

fn main() -> ExitCode {
    // Usage errors exit here with code 2; --help and --version with 0.
    let cli =
        cli::Cli::from_arg_matches(&cli::command().get_matches()).unwrap_or_else(|e| e.exit());
    // Before any thread starts: the `time` crate reads the zone only while there is one.
    if cli.global.local_time {
        cli::set_local_offset();
    }
    init_tracing(cli.global.verbose);
    let json_errors = cli.global.output == Some(output::Format::Json);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            let failure = error::Failure::service(format!("cannot start the runtime: {e}"));
            failure.report();
            return failure.exit_code();
        }
    };
    // Ctrl-C stops the command between two awaits: a download's bytes already written stay
    // counted in its resume state, so the same command continues where it stopped.
    // The emulator stops on Ctrl-C by design (exit 0); everything else is interrupted by it.
    let serves_until_interrupted = matches!(cli.command, cli::Command::Emulator(_));
    let outcome = runtime.block_on(async {
        if serves_until_interrupted {
            return cli::run(cli).await;
        }
        tokio::select! {
            result = cli::run(cli) => result,
            _ = tokio::signal::ctrl_c() => Err(error::Failure::interrupted()),
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            failure.report_as(json_errors);
            failure.exit_code()
        }
    }
}
