//! `cloud-backup download`: one link to one file with `backup-core`'s downloader (resume from
//! `FILE.part`, parallel ranges, verification before the file appears).

use std::path::PathBuf;

use backup_core::download::{DownloadOptions, DownloadReport, Downloader, display_url};
use clap::Args;

use crate::args;
use crate::cli::Output;
use crate::output::{Json, Object};
use crate::progress::Progress;

/// Flags of `download`.
#[derive(Debug, Args)]
pub struct Download {
    /// The link, e.g. from describe-download-backup-set-storage-info (a credential: it is never
    /// logged, and messages show it without its query string)
    #[arg(value_name = "URL")]
    url: String,
    /// The file to write; an interrupted download resumes from FILE.part
    #[arg(short = 'o', long = "output-file", value_name = "FILE")]
    file: PathBuf,
    /// Parallel connections when the server supports ranges (1 to 64)
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    connections: u16,
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
}

impl Download {
    /// Downloads, verifies and reports what was checked.
    pub async fn run(self) -> Output {
        let options = DownloadOptions {
            connections: self.connections.into(),
            sha256: self.sha256,
            expected_size: self.expected_size,
            direct_io: !self.no_direct_io,
            ..DownloadOptions::default()
        };
        tracing::info!(url = %display_url(&self.url), file = %self.file.display(), "downloading");
        let downloader = Downloader::new()?;
        let progress = Progress::bytes();
        let result = downloader
            .download(&self.url, &self.file, &options, None, &|p| {
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
        .build()
}
