//! `cloud-backup download`: one link to one file with `backup-core`'s downloader (resume from
//! `FILE.part`, parallel ranges, verification before the file appears).

use std::path::PathBuf;

use backup_core::download::{
    DownloadOptions, DownloadReport, Downloader, Parallelism, display_url,
};
use clap::Args;

use crate::args;
use crate::cli::Output;
use crate::error::Failure;
use crate::output::{Json, Object};
use crate::progress::Progress;

/// Flags of `download`.
#[derive(Debug, Args)]
pub struct Download {
    /// The link, e.g. from describe-download-backup-set-storage-info (a credential: it is never
    /// logged, and messages show it without its query string). On a shared machine prefer
    /// --url-file, which keeps the signature out of `ps`
    #[arg(
        value_name = "URL",
        required_unless_present = "url_file",
        conflicts_with = "url_file"
    )]
    url: Option<String>,
    /// Read the link from FILE (its first non-empty line), or from standard input with `-`
    #[arg(long, value_name = "FILE|-")]
    url_file: Option<PathBuf>,
    /// The file to write, or a directory (ending in `/`, or existing) to write it into; missing
    /// parent directories are created (mode 0700). An interrupted download resumes from
    /// FILE.part [default: the link's file name, made safe, in the current directory]
    #[arg(short = 'o', long = "output-file", value_name = "FILE")]
    file: Option<PathBuf>,
    #[command(flatten)]
    connections: Connections,
    /// The SHA-256 the file must have (64 hex digits); on a mismatch no file is left
    #[arg(long, value_name = "HEX", value_parser = args::sha256)]
    sha256: Option<String>,
    /// The size the file must have, in bytes
    #[arg(long, value_name = "BYTES")]
    expected_size: Option<u64>,
    /// Write through the page cache instead of O_DIRECT (direct I/O is used on Linux when the
    /// filesystem allows it: the data reaches the disk as it arrives)
    #[arg(long)]
    no_direct_io: bool,
    #[command(flatten)]
    pace: Pace,
    /// Replace FILE when it exists and cannot be shown to hold this object (by default such a
    /// file is kept and the download fails; a FILE that matches the object's size and
    /// checksums is kept either way and reported as skipped)
    #[arg(long)]
    overwrite: bool,
}

/// How many connections a download may use (`download` and `export`).
#[derive(Debug, Args)]
pub struct Connections {
    /// Most connections per file when the storage supports ranges (1 to 64): a download starts
    /// with one and adds more only while they add throughput (behind per-connection limits)
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    connections: u16,
    /// Open all --connections from the start instead of adding them while they pay
    #[arg(long)]
    fixed_connections: bool,
}

impl Connections {
    /// Sets the connection options.
    pub fn apply(&self, options: &mut DownloadOptions) {
        options.connections = self.connections.into();
        options.parallelism = if self.fixed_connections {
            Parallelism::Fixed
        } else {
            Parallelism::Adaptive
        };
    }
}

/// How slow a download may get before its connection is declared stalled and retried from
/// where it stopped (`download` and `export`).
#[derive(Debug, Args)]
pub struct Pace {
    /// A connection that sends nothing for this many seconds is stalled [default: 20]
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    stall_timeout: Option<u64>,
    /// A connection slower than this many bytes per second over 30 s is stalled (0: never)
    /// [default: 1024]
    #[arg(long, value_name = "BYTES_PER_SEC")]
    min_speed: Option<u64>,
}

impl Pace {
    /// Sets the options these flags give.
    pub fn apply(&self, options: &mut DownloadOptions) {
        if let Some(s) = self.stall_timeout {
            options.idle_timeout = std::time::Duration::from_secs(s);
        }
        if let Some(b) = self.min_speed {
            options.min_speed = b;
        }
    }
}

/// Where `download` writes: `-o FILE`, or the link's file name (made safe) in `-o DIR/` or the
/// current directory. Missing parent directories are created.
fn target_file(given: Option<&std::path::Path>, url: &str) -> Result<PathBuf, Failure> {
    let from_link = || {
        backup_core::names::url_file_name(url)
            .and_then(|n| backup_core::names::SafeName::sanitize(&n))
            .map(|n| PathBuf::from(n.as_str()))
            .ok_or_else(|| {
                Failure::usage(format!(
                    "the link {} has no file name: give one with -o FILE",
                    display_url(url)
                ))
            })
    };
    let file = match given {
        None => from_link()?,
        Some(p) if p.as_os_str().to_string_lossy().ends_with('/') || p.is_dir() => {
            p.join(from_link()?)
        }
        Some(p) => p.to_owned(),
    };
    if let Some(parent) = file.parent().filter(|d| !d.as_os_str().is_empty())
        && !parent.is_dir()
    {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(parent).map_err(|e| {
            Failure::usage(format!(
                "-o {}: cannot create the directory {}: {e}",
                file.display(),
                parent.display()
            ))
        })?;
    }
    Ok(file)
}

/// The link from `--url-file` (`-`: standard input): its first non-empty line.
fn read_url(from: &std::path::Path) -> Result<String, Failure> {
    use std::io::Read;
    let mut text = String::new();
    let read = if from == std::path::Path::new("-") {
        std::io::stdin()
            .lock()
            .take(1 << 20)
            .read_to_string(&mut text)
    } else {
        std::fs::File::open(from).and_then(|f| f.take(1 << 20).read_to_string(&mut text))
    };
    read.map_err(|e| Failure::usage(format!("--url-file {}: {e}", from.display())))?;
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| {
            Failure::usage(format!(
                "--url-file {} holds no link (it must have one non-empty line)",
                from.display()
            ))
        })
}

impl Download {
    /// Downloads, verifies and reports what was checked.
    pub async fn run(self) -> Output {
        let url = match (self.url, &self.url_file) {
            (Some(url), None) => url,
            (None, Some(file)) => read_url(file)?,
            _ => {
                return Err(Failure::usage(
                    "give the link as URL or with --url-file, not both",
                ));
            }
        };
        if !url.starts_with("https://") && !url.starts_with("http://") {
            return Err(Failure::usage(format!(
                "the link must start with https:// or http:// (got {})",
                display_url(&url).chars().take(40).collect::<String>()
            )));
        }
        let file = target_file(self.file.as_deref(), &url)?;
        let mut options = DownloadOptions {
            sha256: self.sha256,
            expected_size: self.expected_size,
            direct_io: !self.no_direct_io,
            overwrite: self.overwrite,
            ..DownloadOptions::default()
        };
        self.pace.apply(&mut options);
        self.connections.apply(&mut options);
        tracing::info!(url = %display_url(&url), file = %file.display(), "downloading");
        let downloader = Downloader::new()?;
        let progress = Progress::bytes();
        let result = downloader
            .download(&url, &file, &options, None, &|p| {
                progress.position(p.bytes_done, p.total)
            })
            .await;
        progress.finish();
        Ok(report(&result?))
    }
}

/// What a download did: the file, its size and the checks that passed.
pub fn report(r: &DownloadReport) -> Json {
    let verified: Vec<Json> = r.verified.iter().map(|check| Json::from(*check)).collect();
    Object::new()
        .field("path", r.path.display().to_string())
        .field("bytes", r.bytes)
        .field("resumed_bytes", r.resumed_bytes)
        .field("verified", verified)
        .field("ranged", r.ranged)
        .field("refreshes", u64::from(r.refreshes))
        .field("direct_io", r.direct_io)
        .field("skipped", r.skipped)
        .field("connections", r.connections as u64)
        .field("splits", u64::from(r.splits))
        .field("reread_bytes", r.reread_bytes)
        .field(
            "warnings",
            r.warnings.iter().map(Json::from).collect::<Vec<Json>>(),
        )
        .build()
}
