//! The command line: global flags, the commands, and what every API command shares (region,
//! endpoint, transport, waiter, output).

use std::io::IsTerminal;
use std::time::Duration;

use backup_core::cloud_http::{Endpoint, HttpClient, HttpConfig, WaiterConfig};
use backup_core::cloud_sign::Vendor;
use clap::{ArgAction, Args, Parser, Subcommand};

use crate::error::{EXIT_CODES, Failure};
use crate::output::{self, Format, Json};
use crate::{
    aliyun, archive, backups, configure, demo, emulator, export, huawei, tencent, transfer,
};

/// `--version`: the crate version, the commit and the build date (see `build.rs`).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("CLOUD_BACKUP_COMMIT"),
    ", built ",
    env!("CLOUD_BACKUP_BUILD_DATE"),
    ")"
);

/// Export, download and restore managed-database backups on Alibaba Cloud (DBS), Tencent Cloud
/// (MongoDB) and Huawei Cloud (DDS/RDS).
///
/// Credentials come from each cloud's standard environment variables or profile file; try
/// `cloud-backup demo` first, which needs none.
#[derive(Debug, Parser)]
#[command(
    name = "cloud-backup",
    version = VERSION,
    max_term_width = 100,
    after_help = EXIT_CODES,
    subcommand_required = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// Flags every command takes.
    #[command(flatten)]
    pub global: Global,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags accepted before or after any command.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// The region (cn-hangzhou, ap-guangzhou, cn-north-4, ...) [default: ALIBABA_CLOUD_REGION_ID,
    /// TENCENTCLOUD_REGION or HUAWEICLOUD_SDK_REGION]
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,
    /// Send API calls to this URL instead of the region's endpoint (private endpoints, proxies,
    /// fake-cloud); for Huawei also the IAM project lookup
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint: Option<String>,
    /// Allow a plain http:// --endpoint
    #[arg(long, global = true)]
    pub allow_http: bool,
    /// The profile in ~/.aliyun/config.json, ~/.tencentcloud/credentials or
    /// ~/.huaweicloud/credentials; a profile named here wins over credentials in the
    /// environment (without --profile, the environment wins over the default profile)
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Output format [default: table on a terminal, json otherwise]
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub output: Option<Format>,
    /// On create-download, create-backup-download-task and start-restore-task: wait until the
    /// task ends (a progress line on stderr when it is a terminal), then print its final state
    #[arg(long, global = true)]
    pub wait: bool,
    /// With --wait, and for export: give up waiting for the task after this many seconds (exit
    /// 1; the task goes on) [default: 3600]
    #[arg(long, global = true, value_name = "SECONDS")]
    pub wait_timeout: Option<u64>,
    /// API calls: give up connecting after this many seconds [default: 5]
    #[arg(long, global = true, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub connect_timeout: Option<u64>,
    /// API calls: give up one attempt after this many seconds [default: 30]
    #[arg(long, global = true, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub attempt_timeout: Option<u64>,
    /// API calls: attempts in all, the first included (1 = no retries) [default: 3]
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: Option<u32>,
    /// A JMESPath expression applied to the answer before it is printed, as aws-cli's --query
    /// (for example --query TotalCount)
    #[arg(long, global = true, value_name = "JMESPATH")]
    pub query: Option<String>,
    /// Tables: times in this machine's time zone instead of UTC
    #[arg(long, global = true)]
    pub local_time: bool,
    /// Log to stderr: -v info, -vv debug (this tool and its libraries), -vvv everything at trace
    /// level (RUST_LOG, when set, wins)
    #[arg(short, long, global = true, action = ArgAction::Count)]
    pub verbose: u8,
}

/// The machine's UTC offset, found by [`set_local_offset`] while the process has one thread
/// (the `time` crate refuses to read it later, as reading it races with `setenv`).
static LOCAL_OFFSET: std::sync::OnceLock<time::UtcOffset> = std::sync::OnceLock::new();

/// Finds the machine's UTC offset for `--local-time`; call it before starting threads. Without
/// it (or when the zone cannot be read), tables stay in UTC.
pub fn set_local_offset() {
    if let Ok(offset) = time::UtcOffset::current_local_offset() {
        let _ = LOCAL_OFFSET.set(offset);
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Alibaba Cloud: DBS advanced download and restore, and the RDS, PolarDB and MongoDB backup
    /// listings
    #[command(subcommand, after_help = EXIT_CODES)]
    Aliyun(aliyun::Command),
    /// Tencent Cloud TencentDB for MongoDB: backup download tasks
    #[command(subcommand, after_help = EXIT_CODES)]
    Tencent(tencent::Command),
    /// Huawei Cloud DDS and RDS: backup listings and download links
    #[command(after_help = EXIT_CODES)]
    Huawei(huawei::Huawei),
    /// The whole workflow: export a backup (or get its links), wait, and download every file
    /// into a directory, verified and resumable, refreshing expired links through the API
    #[command(after_help = EXIT_CODES)]
    Export(export::Export),
    /// Every database of a plan, on every cloud, into a local directory or an S3 bucket:
    /// verified, resumable, safe to re-run and to overlap, with retention (docs/archive.md)
    #[command(subcommand, after_help = EXIT_CODES)]
    Archive(archive::Archive),
    /// An instance's backups on any cloud in one shape (id, times, size, state, how its files
    /// can be had), newest first: what `export --latest` chooses from
    #[command(after_help = EXIT_CODES)]
    Backups(backups::Backups),
    /// Download a backup link to a file: resumable, parallel, verified (size, storage checksums,
    /// optional SHA-256)
    #[command(after_help = EXIT_CODES)]
    Download(transfer::Download),
    /// Run the whole stack end to end against fake-cloud, an emulator started in this process:
    /// nothing to configure, nothing leaves the machine
    #[command(after_help = EXIT_CODES)]
    Demo,
    /// Run fake-cloud, the built-in emulator of the three clouds, in the foreground: prints one
    /// JSON line (endpoint, credentials to export, the catalogue's ids) and serves until Ctrl-C,
    /// so every command can be tried with `--endpoint URL --allow-http`
    Emulator(emulator::Emulator),
    /// Where credentials and regions come from (`configure list`)
    #[command(subcommand)]
    Configure(configure::Configure),
    /// Print a shell completion script, e.g. `cloud-backup completions bash >
    /// /etc/bash_completion.d/cloud-backup`
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), as `cargo xtask man` installs it
    #[command(hide = true)]
    Man,
}

impl Command {
    /// Whether the command accepts `--wait`.
    fn waits(&self) -> bool {
        match self {
            Command::Aliyun(c) => c.waits(),
            Command::Tencent(c) => c.waits(),
            Command::Huawei(_)
            | Command::Export(_)
            | Command::Archive(_)
            | Command::Backups(_)
            | Command::Download(_)
            | Command::Demo
            | Command::Completions { .. }
            | Command::Configure(_)
            | Command::Emulator(_)
            | Command::Man => false,
        }
    }

    /// The name shown in usage errors.
    fn name(&self) -> &'static str {
        match self {
            Command::Aliyun(_) => "aliyun",
            Command::Tencent(_) => "tencent",
            Command::Huawei(_) => "huawei",
            Command::Export(_) => "export",
            Command::Archive(_) => "archive",
            Command::Backups(_) => "backups",
            Command::Download(_) => "download",
            Command::Demo => "demo",
            Command::Completions { .. } => "completions",
            Command::Configure(_) => "configure",
            Command::Emulator(_) => "emulator",
            Command::Man => "man",
        }
    }
}

/// The command line as clap sees it, with each global flag hidden from the help of the
/// commands it does not apply to (`download --help` shows no `--wait` nor `--region`); such a
/// flag given anyway is refused when the command runs.
pub fn command() -> clap::Command {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    let globals: Vec<clap::Arg> = cmd
        .get_arguments()
        .filter(|a| a.is_global_set())
        .cloned()
        .collect();
    place_globals(&mut cmd, &globals, &mut Vec::new());
    cmd
}

/// The global flags of the API commands (region, endpoint, credentials, transport).
const API_FLAGS: [&str; 7] = [
    "region",
    "endpoint",
    "allow_http",
    "profile",
    "connect_timeout",
    "attempt_timeout",
    "max_attempts",
];

/// Whether the global flag `id` applies to the command at `path` (`["aliyun",
/// "create-download"]`).
fn applies(id: &str, path: &[&str]) -> bool {
    let top = path.first().copied().unwrap_or_default();
    let api = matches!(
        top,
        "aliyun" | "tencent" | "huawei" | "export" | "backups" | "archive"
    );
    let waits = matches!(
        path,
        ["aliyun", "create-download" | "start-restore-task"]
            | ["tencent", "create-backup-download-task"]
    );
    match id {
        "wait" => waits,
        "wait_timeout" => waits || top == "export" || top == "archive",
        "region" | "profile" => api || top == "configure",
        id if API_FLAGS.contains(&id) => api,
        "output" | "query" | "local_time" => {
            !matches!(top, "demo" | "completions" | "man" | "emulator")
        }
        _ => true,
    }
}

/// Gives every subcommand its own copy of each global flag, hidden where it does not apply
/// (clap propagates a global flag only to subcommands without one of that name, and the values
/// still reach the top level's matches, since the names are the same).
fn place_globals(cmd: &mut clap::Command, globals: &[clap::Arg], path: &mut Vec<String>) {
    for sub in cmd.get_subcommands_mut() {
        path.push(sub.get_name().to_owned());
        let names: Vec<&str> = path.iter().map(String::as_str).collect();
        let mut c = std::mem::take(sub);
        for arg in globals {
            let shown = applies(arg.get_id().as_str(), &names);
            c = c.arg(arg.clone().hide(!shown));
        }
        *sub = c;
        place_globals(sub, globals, path);
        path.pop();
    }
}

/// Runs the parsed command line and prints its result.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    let ctx = Context::new(cli.global)?;
    let command = cli.command;
    if ctx.global.wait && !command.waits() {
        return Err(Failure::usage(
            "--wait applies only to `aliyun create-download`, `aliyun start-restore-task` and \
             `tencent create-backup-download-task`",
        ));
    }
    let name = command.name();
    let vendor = match &command {
        Command::Aliyun(_) => Some(Vendor::Aliyun),
        Command::Tencent(_) => Some(Vendor::Tencent),
        Command::Huawei(_) => Some(Vendor::Huawei),
        _ => None,
    };
    // `export` always waits for its task; elsewhere a timeout needs --wait.
    if ctx.global.wait_timeout.is_some()
        && !ctx.global.wait
        && !matches!(command, Command::Export(_) | Command::Archive(_))
    {
        return Err(Failure::usage(
            "--wait-timeout applies only with --wait, or to export",
        ));
    }
    let result = match command {
        Command::Aliyun(c) => c.run(&ctx).await?,
        Command::Tencent(c) => c.run(&ctx).await?,
        Command::Huawei(c) => c.run(&ctx).await?,
        Command::Export(c) => c.run(&ctx).await?,
        Command::Archive(c) => c.run(&ctx).await?,
        Command::Backups(c) => c.run(&ctx).await?,
        Command::Configure(c) => c.run(&ctx)?,
        Command::Download(c) => {
            ctx.refuse_api_flags(name)?;
            c.run().await?
        }
        Command::Emulator(e) => {
            ctx.refuse_api_flags(name)?;
            return e.run().await;
        }
        Command::Completions { shell } => {
            ctx.refuse_api_flags(name)?;
            let mut cmd = self::command();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cmd, "cloud-backup", &mut out);
            return output::write_stdout(&out);
        }
        Command::Man => {
            ctx.refuse_api_flags(name)?;
            let mut out = Vec::new();
            clap_mangen::Man::new(self::command())
                .render(&mut out)
                .map_err(|e| Failure::service(format!("cannot render the manual: {e}")))?;
            return output::write_stdout(&out);
        }
        Command::Demo => {
            ctx.refuse_api_flags(name)?;
            if ctx.global.output.is_some() {
                return Err(Failure::usage(
                    "demo prints a report for people; --output does not apply",
                ));
            }
            return demo::run().await;
        }
    };
    ctx.print(&result, vendor)
}

/// What every API command shares, from the global flags.
#[derive(Debug, Clone)]
pub struct Context {
    global: Global,
    endpoint: Option<Endpoint>,
}

impl Context {
    /// Checks the global flags that depend on each other.
    fn new(global: Global) -> Result<Self, Failure> {
        if global.allow_http && global.endpoint.is_none() {
            return Err(Failure::usage(
                "--allow-http applies only to an explicit --endpoint URL",
            ));
        }
        let endpoint = global
            .endpoint
            .as_deref()
            .map(Endpoint::parse)
            .transpose()?;
        if let Some(q) = &global.query {
            // Checked before anything is sent.
            output::compile_query(q)?;
        }
        Ok(Context { global, endpoint })
    }

    /// `download` and `demo` talk to no API: refuse the flags that configure one.
    fn refuse_api_flags(&self, command: &str) -> Result<(), Failure> {
        let g = &self.global;
        let given = [
            ("--region", g.region.is_some()),
            ("--endpoint", g.endpoint.is_some()),
            ("--profile", g.profile.is_some()),
            ("--connect-timeout", g.connect_timeout.is_some()),
            ("--attempt-timeout", g.attempt_timeout.is_some()),
            ("--max-attempts", g.max_attempts.is_some()),
        ];
        match given.iter().find(|(_, set)| *set) {
            Some((flag, _)) => Err(Failure::usage(format!(
                "{flag} does not apply to `{command}`"
            ))),
            None => Ok(()),
        }
    }

    /// The same context in `region` (as if `--region` said it): an archive plan's sources
    /// each name theirs.
    pub fn in_region(&self, region: &str) -> Context {
        let mut ctx = self.clone();
        ctx.global.region = Some(region.to_owned());
        ctx
    }

    /// `--region`, when given.
    pub fn region_flag(&self) -> Option<&str> {
        self.global.region.as_deref()
    }

    /// The region: `--region`, else the vendor's region variable, else the profile's region.
    /// Without `--endpoint` it must be one the vendor crate knows (a typo is caught here, with
    /// the closest known regions, instead of failing as a DNS error after retries).
    pub fn region(&self, vendor: Vendor) -> Result<String, Failure> {
        let variable = region_variable(vendor);
        let (region, from) = if let Some(region) = &self.global.region {
            (region.clone(), "--region".to_owned())
        } else if let Some(region) = std::env::var(variable)
            .ok()
            .filter(|r| !r.trim().is_empty())
        {
            (region, variable.to_owned())
        } else if let Some((region, file)) = self.profile_region_from(vendor) {
            (region, file)
        } else {
            return Err(Failure::usage(format!(
                "no region given: pass --region or set {variable}"
            )));
        };
        if self.endpoint.is_none() {
            check_region(vendor, &region, &from)?;
        }
        Ok(region)
    }

    /// The region the vendor's profile names, if any (Aliyun's `region_id`, the region of
    /// Tencent's tccli profile in `~/.tccli/<profile>.configure`), and the file it came from.
    pub fn profile_region_from(&self, vendor: Vendor) -> Option<(String, String)> {
        use backup_core::cloud_sign::{ProfileFileProvider, ProviderContext, TccliProvider};
        let os = ProviderContext::from_os();
        match vendor {
            Vendor::Tencent => {
                let mut tccli = TccliProvider::new();
                if let Some(p) = self.profile() {
                    tccli = tccli.with_profile(p);
                }
                let region = tccli.region(&os)?;
                Some((region, "~/.tccli profile (.configure region)".into()))
            }
            _ => {
                let mut file = ProfileFileProvider::new(vendor);
                if let Some(p) = self.profile() {
                    file = file.with_profile(p);
                }
                let region = file.region(&os)?;
                Some((region, format!("~/{} (region_id)", vendor.profile_file())))
            }
        }
    }

    /// Prints a command's answer on stdout: `--query` applied, in the `--output` format, a
    /// table made readable for `vendor`'s values.
    pub fn print(&self, result: &Json, vendor: Option<Vendor>) -> Result<(), Failure> {
        let queried;
        let result = match &self.global.query {
            Some(q) => {
                queried = output::query(result, q)?;
                &queried
            }
            None => result,
        };
        let humanize = crate::human::Humanize::new(vendor, self.time_offset());
        output::print(result, self.format(), &humanize)
    }

    /// The offset tables show times at: UTC, or with `--local-time` the machine's (as found
    /// before the runtime started threads, [`set_local_offset`]).
    pub fn time_offset(&self) -> time::UtcOffset {
        match (self.global.local_time, LOCAL_OFFSET.get()) {
            (true, Some(offset)) => *offset,
            _ => time::UtcOffset::UTC,
        }
    }

    /// `--endpoint`, parsed.
    pub fn endpoint(&self) -> Option<&Endpoint> {
        self.endpoint.as_ref()
    }

    /// `--allow-http`: plain http is allowed (the endpoint, and storage links that are not
    /// the vendor's own storage).
    pub fn allow_http(&self) -> bool {
        self.global.allow_http
    }

    /// `--profile`.
    pub fn profile(&self) -> Option<&str> {
        self.global.profile.as_deref()
    }

    /// The transport, with plain http allowed when `--allow-http` says so.
    pub fn http(&self) -> Result<HttpClient, Failure> {
        Ok(HttpClient::builder().config(self.http_config()).build()?)
    }

    /// The STS endpoint named by `CLOUD_BACKUP_STS_ENDPOINT`, when set, and the transport of
    /// signed STS calls: the context's, with plain http allowed for that explicit endpoint
    /// (tests, proxies).
    pub fn sts_override(&self) -> Result<(Option<Endpoint>, HttpClient), Failure> {
        let mut config = self.http_config();
        let endpoint = match std::env::var(STS_ENDPOINT_VARIABLE) {
            Ok(url) if !url.trim().is_empty() => {
                let endpoint = Endpoint::parse(url.trim())
                    .map_err(|e| Failure::usage(format!("{STS_ENDPOINT_VARIABLE}: {e}")))?;
                config.allow_http |= !endpoint.is_https();
                Some(endpoint)
            }
            _ => None,
        };
        Ok((endpoint, HttpClient::builder().config(config).build()?))
    }

    fn http_config(&self) -> HttpConfig {
        let g = &self.global;
        let mut config = HttpConfig {
            allow_http: g.allow_http,
            ..HttpConfig::default()
        };
        if let Some(s) = g.connect_timeout {
            config.connect_timeout = Duration::from_secs(s);
        }
        if let Some(s) = g.attempt_timeout {
            config.attempt_timeout = Duration::from_secs(s);
        }
        if let Some(n) = g.max_attempts {
            config.retry.max_attempts = n;
        }
        config
    }

    /// How `--wait` polls.
    pub fn waiter(&self) -> WaiterConfig {
        let mut config = WaiterConfig::default();
        if let Some(secs) = self.global.wait_timeout {
            config.max_wait = Duration::from_secs(secs);
        }
        config
    }

    /// Whether `--wait` was given.
    pub fn wait(&self) -> bool {
        self.global.wait
    }

    fn format(&self) -> Format {
        self.global
            .output
            .unwrap_or(if std::io::stdout().is_terminal() {
                Format::Table
            } else {
                Format::Json
            })
    }
}

/// Temporary credentials from `0`, with what selected them (`1`: a variable, a profile's mode)
/// in their description, for `configure list` and errors.
#[derive(Debug)]
pub struct Via<F>(pub F, pub String);

impl<F: backup_core::cloud_http::FetchCredentials> backup_core::cloud_http::FetchCredentials
    for Via<F>
{
    fn describe(&self) -> String {
        format!("{}, selected by {}", self.0.describe(), self.1)
    }

    fn fetch(
        &self,
    ) -> backup_core::cloud_http::BoxFuture<
        '_,
        Result<backup_core::cloud_http::TemporaryCredentials, backup_core::cloud_http::Error>,
    > {
        self.0.fetch()
    }
}

/// Opts in to the instance's own temporary credentials (Huawei's ECS agency) when no keys are
/// configured: the vendors' SDK chains have no variable of their own for it.
pub const INSTANCE_CREDENTIALS_VARIABLE: &str = "CLOUD_BACKUP_USE_INSTANCE_CREDENTIALS";

/// Sends the OIDC roles' STS exchange (Aliyun `AssumeRoleWithOIDC`, Tencent
/// `AssumeRoleWithWebIdentity`) to this URL (tests, private endpoints); the official SDKs take
/// it only in code.
pub const STS_ENDPOINT_VARIABLE: &str = "CLOUD_BACKUP_STS_ENDPOINT";

/// Overrides the instance metadata service's address (tests, a metadata proxy).
pub const METADATA_ENDPOINT_VARIABLE: &str = "CLOUD_BACKUP_ECS_METADATA_ENDPOINT";

/// Whether `vendor`'s commands use the instance's credentials: no keys in the environment or
/// the profile file, no `--profile`, and [`INSTANCE_CREDENTIALS_VARIABLE`] set. `Some` carries
/// the metadata endpoint override, if any.
pub fn instance_credentials(
    vendor: Vendor,
    ctx: &Context,
) -> Result<Option<Option<String>>, Failure> {
    use backup_core::cloud_sign::{ChainProvider, ProvideCredentials, ProviderContext};
    let wanted = std::env::var(INSTANCE_CREDENTIALS_VARIABLE)
        .is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"));
    if !wanted || ctx.profile().is_some() {
        return Ok(None);
    }
    let keys = ChainProvider::default_for(vendor, None)
        .provide(&ProviderContext::from_os())
        .map_err(|e| Failure::from(backup_core::cloud_http::Error::Credentials(e.to_string())))?;
    if keys.is_some() {
        return Ok(None);
    }
    Ok(Some(
        std::env::var(METADATA_ENDPOINT_VARIABLE)
            .ok()
            .filter(|e| !e.is_empty()),
    ))
}

/// `e`, with "no credentials found" completed by how to use the instance's own credentials
/// (`how`: "on a CVM instance, set ... to its CAM role").
pub fn with_instance_hint(e: backup_core::cloud_http::Error, how: &str) -> Failure {
    match e {
        backup_core::cloud_http::Error::Credentials(m) if m.contains("credentials found") => {
            Failure::from(backup_core::cloud_http::Error::Credentials(format!(
                "{m} (or, {how})"
            )))
        }
        e => e.into(),
    }
}

/// The regions the vendor crate knows.
pub fn known_regions(vendor: Vendor) -> &'static [&'static str] {
    match vendor {
        Vendor::Aliyun => backup_core::aliyun::KNOWN_REGIONS,
        Vendor::Tencent => backup_core::tencent::KNOWN_REGIONS,
        Vendor::Huawei => backup_core::huawei::KNOWN_REGIONS,
    }
}

/// An error unless `region` (given by `from`) is a region `vendor`'s crate knows.
fn check_region(vendor: Vendor, region: &str, from: &str) -> Result<(), Failure> {
    let known = known_regions(vendor);
    if known.contains(&region) {
        return Ok(());
    }
    let mut close: Vec<(usize, &str)> = known
        .iter()
        .map(|k| (edit_distance(region, k), *k))
        .filter(|(d, _)| *d <= 3)
        .collect();
    close.sort();
    let hint = match close.first() {
        Some((_, k)) => format!(" (did you mean {k}?)"),
        None => String::new(),
    };
    Err(Failure::usage(format!(
        "{from} {region} is not a known {vendor} region{hint}; known: {}. A region this version \
         does not know yet can be reached with --endpoint URL",
        known.join(", ")
    )))
}

/// Levenshtein distance (for "did you mean").
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// An API transport with the default timeouts and retries.
pub fn api_http(allow_http: bool) -> Result<HttpClient, Failure> {
    Ok(HttpClient::builder()
        .config(HttpConfig {
            allow_http,
            ..HttpConfig::default()
        })
        .build()?)
}

/// The environment variable that holds a vendor's region.
pub fn region_variable(vendor: Vendor) -> &'static str {
    match vendor {
        Vendor::Aliyun => "ALIBABA_CLOUD_REGION_ID",
        Vendor::Tencent => "TENCENTCLOUD_REGION",
        Vendor::Huawei => "HUAWEICLOUD_SDK_REGION",
    }
}

/// The result of an API command: the response to print.
pub type Output = Result<Json, Failure>;
