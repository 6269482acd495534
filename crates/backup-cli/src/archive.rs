//! `cloud-backup archive`: a thin layer over `backup_core::archive` — read the plan, connect
//! each source through the same credential providers as every other command, print the report,
//! exit 0 / 1 / 4 (partial).

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use backup_core::archive::{
    self, Archive as Runner, ConnectError, Event, Outcome, Plan, RunOptions,
};
use clap::{Args, Subcommand};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::Context;
use crate::error::Failure;
use crate::output::{Json, Object};

/// `archive` subcommands.
#[derive(Debug, Subcommand)]
pub enum Archive {
    /// Discover, select, skip what is archived, export, transfer, commit, then apply retention
    Run(RunArgs),
    /// What the destination holds per source: backup, time, files, bytes, committed or partial
    List(PlanArg),
    /// Re-read every archived file from the destination and check it against its manifest
    Verify(VerifyArgs),
    /// Apply the plan's retention alone
    Prune(PruneArgs),
}

/// The plan file.
#[derive(Debug, Args)]
pub struct PlanArg {
    /// The plan (TOML; see docs/archive.md)
    #[arg(value_name = "PLAN")]
    plan: PathBuf,
}

/// Flags of `archive run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    plan: PlanArg,
    /// Print what would be done; send no create call, write nothing
    #[arg(long)]
    dry_run: bool,
    /// Run only shard I of N (0-based) of the sources, by a stable hash of each source's id
    #[arg(long, value_name = "I/N", conflicts_with = "shards")]
    shard: Option<String>,
    /// Split the sources into N shards and run the one JOB_COMPLETION_INDEX names (a
    /// Kubernetes Indexed Job)
    #[arg(long, value_name = "N")]
    shards: Option<u32>,
}

/// Flags of `archive verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    plan: PlanArg,
    /// Only this source (its id, cloud/product/region/instance, or its instance id); repeat
    /// for several
    #[arg(long, value_name = "ID")]
    source: Vec<String>,
}

/// Flags of `archive prune`.
#[derive(Debug, Args)]
pub struct PruneArgs {
    #[command(flatten)]
    plan: PlanArg,
    /// Print what would be deleted; delete nothing
    #[arg(long)]
    dry_run: bool,
}

/// `I/N` (or `N` with `index` from `JOB_COMPLETION_INDEX`), checked.
fn shard(
    text: Option<&str>,
    shards: Option<u32>,
    index: Option<String>,
) -> Result<Option<(u32, u32)>, Failure> {
    let (i, n) = match (text, shards) {
        (None, None) => return Ok(None),
        (Some(t), _) => {
            let (i, n) = t.split_once('/').ok_or_else(|| {
                Failure::usage(format!("--shard {t}: must be I/N (0/3, 1/3, 2/3)"))
            })?;
            (i.trim().to_owned(), n.trim().to_owned())
        }
        (None, Some(n)) => {
            let i = index.ok_or_else(|| {
                Failure::usage("--shards needs JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job); or give --shard I/N")
            })?;
            (i, n.to_string())
        }
    };
    let parse = |what: &str, v: &str| {
        v.parse::<u32>()
            .map_err(|_| Failure::usage(format!("--shard: {what} `{v}` is not a whole number")))
    };
    let (i, n) = (parse("index", &i)?, parse("count", &n)?);
    if n == 0 || i >= n {
        return Err(Failure::usage(format!(
            "--shard {i}/{n}: the index must be below the count, which must be at least 1"
        )));
    }
    Ok(Some((i, n)))
}

fn read_plan(path: &std::path::Path) -> Result<Plan, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
    archive::plan::parse(&text).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))
}

/// The vendor clients of a plan's sources: the context's credentials, endpoint and transport,
/// in each source's region.
struct Connect<'a>(&'a Context);

fn boxed(f: Failure) -> ConnectError {
    f.to_string().into()
}

impl archive::Connect for Connect<'_> {
    fn aliyun(&self, region: &str) -> Result<backup_core::aliyun::Client, ConnectError> {
        crate::aliyun::client(&self.0.in_region(region)).map_err(boxed)
    }
    fn tencent(&self, region: &str) -> Result<backup_core::tencent::Client, ConnectError> {
        crate::tencent::client(&self.0.in_region(region)).map_err(boxed)
    }
    fn huawei(
        &self,
        region: &str,
        project_id: Option<&str>,
    ) -> Result<backup_core::huawei::Client, ConnectError> {
        crate::huawei::client(&self.0.in_region(region), project_id.map(str::to_owned))
            .map_err(boxed)
    }
    fn waiter(&self) -> backup_core::cloud_http::WaiterConfig {
        self.0.waiter()
    }
    fn allow_http(&self) -> bool {
        self.0.allow_http()
    }
}

impl Archive {
    /// Runs the subcommand; the report goes to stdout (also when the exit code is not 0).
    pub async fn run(self, ctx: &Context) -> Result<Json, Failure> {
        if ctx.region_flag().is_some() {
            return Err(Failure::usage(
                "--region does not apply to `archive`: each [[source]] names its region",
            ));
        }
        let path = match &self {
            Archive::Run(a) => &a.plan.plan,
            Archive::List(a) => &a.plan,
            Archive::Verify(a) => &a.plan.plan,
            Archive::Prune(a) => &a.plan.plan,
        };
        let plan = read_plan(path)?;
        let connect = Connect(ctx);
        let display = Display::new();
        let events = |e: Event<'_>| display.event(e);
        let runner =
            Runner::new(&plan, &connect, &events).map_err(|e| Failure::usage(e.to_string()))?;
        match self {
            Archive::Run(a) => {
                let options = RunOptions::new().dry_run(a.dry_run).shard(shard(
                    a.shard.as_deref(),
                    a.shards,
                    std::env::var("JOB_COMPLETION_INDEX").ok(),
                )?);
                let report = runner.run(&options).await;
                display.finish();
                let json = Json::of(&report)?;
                let failed = report
                    .sources
                    .iter()
                    .filter(|s| s.status == archive::SourceStatus::Failed)
                    .count();
                let message = || {
                    let first = report
                        .sources
                        .iter()
                        .find_map(|s| {
                            s.error
                                .clone()
                                .map(|e| format!("{}: {e}", s.source))
                                .or_else(|| {
                                    s.backups.iter().find_map(|b| {
                                        (b.status == archive::BackupStatus::Failed).then(|| {
                                            format!(
                                                "{} {}: {}",
                                                s.source,
                                                b.backup,
                                                b.error.clone().unwrap_or_default()
                                            )
                                        })
                                    })
                                })
                        })
                        .or_else(|| report.prune_errors.first().cloned())
                        .unwrap_or_default();
                    format!(
                        "{failed} of {} source(s) failed (first: {first})",
                        report.sources.len()
                    )
                };
                match report.outcome() {
                    Outcome::Ok => Ok(json),
                    Outcome::Partial => {
                        ctx.print(&json, None)?;
                        Err(Failure::partial(message()))
                    }
                    Outcome::Failed => {
                        ctx.print(&json, None)?;
                        Err(Failure::service(message()))
                    }
                }
            }
            Archive::List(_) => {
                let rows = runner
                    .list(&RunOptions::default())
                    .await
                    .map_err(|e| Failure::service(e.to_string()))?;
                Ok(Object::new()
                    .field("destination", runner.destination().shown())
                    .field("backups", Json::of(&rows)?)
                    .build())
            }
            Archive::Verify(a) => {
                let options = RunOptions::new().only(a.source);
                let report = runner.verify(&options).await;
                let json = Json::of(&report)?;
                if report.ok() {
                    return Ok(json);
                }
                ctx.print(&json, None)?;
                let bad = report.files.iter().filter(|f| f.status != "ok").count();
                Err(Failure::service(format!(
                    "{bad} of {} file(s) missing or not matching their manifest{}",
                    report.files.len(),
                    report
                        .errors
                        .first()
                        .map(|e| format!("; {e}"))
                        .unwrap_or_default()
                )))
            }
            Archive::Prune(a) => {
                let options = RunOptions::new().dry_run(a.dry_run);
                let report = runner.prune(&options).await;
                let json = Json::of(&report)?;
                if report.errors.is_empty() {
                    return Ok(json);
                }
                ctx.print(&json, None)?;
                Err(Failure::service(report.errors.join("; ")))
            }
        }
    }
}

/// The run on a terminal: one line per active transfer (name, bytes, rate, time left) and a
/// line per waiting server-side task; elsewhere nothing is drawn and `-v` logs the events.
struct Display {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl Display {
    fn new() -> Self {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        Display {
            multi: MultiProgress::with_draw_target(target),
            bars: Mutex::default(),
        }
    }

    fn bar(&self, key: String, bytes: bool) -> ProgressBar {
        let mut bars = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        bars.entry(key)
            .or_insert_with(|| {
                let bar = self.multi.add(ProgressBar::new(0));
                let template = if bytes {
                    "{bar:24} {bytes:>10}/{total_bytes:10} {binary_bytes_per_sec:>12} {eta:>4} {wide_msg}"
                } else {
                    "{spinner} {elapsed:>4} {wide_msg}"
                };
                bar.set_style(
                    ProgressStyle::with_template(template)
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                if !bytes {
                    bar.enable_steady_tick(Duration::from_millis(120));
                }
                bar
            })
            .clone()
    }

    fn remove(&self, key: &str) {
        let mut bars = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(bar) = bars.remove(key) {
            bar.finish_and_clear();
        }
    }

    fn event(&self, event: Event<'_>) {
        let escape = backup_core::terminal::escape;
        match event {
            Event::Task {
                source,
                backup,
                state,
            } => {
                tracing::debug!(source, backup, state, "export task");
                if self.multi.is_hidden() {
                    return;
                }
                let bar = self.bar(format!("task {source} {backup}"), false);
                bar.set_message(format!(
                    "{source} {}: waiting for the export: {}",
                    escape(backup),
                    escape(state)
                ));
            }
            Event::Transfer {
                source,
                file,
                done,
                total,
            } => {
                if self.multi.is_hidden() {
                    return;
                }
                // The export is done once its files move.
                let task = self
                    .bars
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .keys()
                    .find(|k| k.starts_with(&format!("task {source} ")))
                    .cloned();
                if let Some(task) = task {
                    self.remove(&task);
                }
                let bar = self.bar(format!("file {source} {file}"), true);
                if let Some(total) = total {
                    bar.set_length(total);
                }
                bar.set_position(done);
                bar.set_message(format!("{source} {}", escape(file)));
            }
            Event::FileDone { source, file } => {
                tracing::info!(source, file = %escape(file), "file done");
                self.remove(&format!("file {source} {file}"));
            }
            Event::Note(line) => {
                let line = escape(line);
                if self.multi.is_hidden() {
                    tracing::info!("{line}");
                } else {
                    let _ = self.multi.println(format!("cloud-backup: {line}"));
                }
            }
            _ => {}
        }
    }

    fn finish(&self) {
        let mut bars = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        for (_, bar) in bars.drain() {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_checked() {
        assert_eq!(shard(None, None, None).unwrap(), None);
        assert_eq!(shard(Some("1/3"), None, None).unwrap(), Some((1, 3)));
        assert_eq!(
            shard(None, Some(4), Some("2".into())).unwrap(),
            Some((2, 4))
        );
        for (text, shards, index) in [
            (Some("3/3"), None, None),
            (Some("0/0"), None, None),
            (Some("x/2"), None, None),
            (Some("2"), None, None),
            (None, Some(4), None),
            (None, Some(4), Some("9".to_owned())),
        ] {
            let e = shard(text, shards, index).unwrap_err().to_string();
            assert!(e.contains("--shard"), "{e}");
        }
    }
}
