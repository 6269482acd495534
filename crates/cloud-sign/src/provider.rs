//! Credential providers: static, environment, each vendor's profile file, and a chain.
//!
//! A provider answers `Ok(None)` when it is simply not configured ("try the next one") and `Err`
//! when it is configured but broken (a profile file that does not parse, an unsupported profile
//! mode, an empty key): the chain stops there so the user sees the real problem instead of a
//! confusing "no credentials".
//!
//! The environment and the home directory come from a [`ProviderContext`], so tests never read the
//! real ones.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::Credentials;

/// The cloud whose conventions (variable names, file locations and formats) a provider follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vendor {
    /// Alibaba Cloud: `ALIBABA_CLOUD_*`, `~/.aliyun/config.json`.
    Aliyun,
    /// Tencent Cloud: `TENCENTCLOUD_*`, `~/.tencentcloud/credentials`.
    Tencent,
    /// Huawei Cloud: `HUAWEICLOUD_SDK_*`, `~/.huaweicloud/credentials`.
    Huawei,
}

impl Vendor {
    /// The environment variables holding the key id and the secret.
    pub fn key_variables(self) -> (&'static str, &'static str) {
        match self {
            Vendor::Aliyun => (
                "ALIBABA_CLOUD_ACCESS_KEY_ID",
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            ),
            Vendor::Tencent => ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"),
            Vendor::Huawei => ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK"),
        }
    }

    /// The profile file, relative to the home directory.
    pub fn profile_file(self) -> &'static str {
        match self {
            Vendor::Aliyun => ".aliyun/config.json",
            Vendor::Tencent => ".tencentcloud/credentials",
            Vendor::Huawei => ".huaweicloud/credentials",
        }
    }

    /// One sentence telling a user how to configure credentials for this vendor.
    pub fn setup_hint(self) -> String {
        let (id, secret) = self.key_variables();
        let also = match self {
            Vendor::Tencent => " (or run `tccli configure`)",
            _ => "",
        };
        format!(
            "no {self} credentials found: set {id} and {secret}, or create the profile file ~/{}{also}",
            self.profile_file()
        )
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Vendor::Aliyun => "Alibaba Cloud",
            Vendor::Tencent => "Tencent Cloud",
            Vendor::Huawei => "Huawei Cloud",
        })
    }
}

/// Credentials are configured but unusable. The message names where they came from (a variable
/// or a file) and what is wrong; it never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("credentials from {origin}: {problem}")]
pub struct CredentialsError {
    origin: String,
    problem: String,
}

impl CredentialsError {
    /// An error about credentials from `origin` (a file path, "the environment").
    pub fn new(origin: impl Into<String>, problem: impl Into<String>) -> Self {
        CredentialsError {
            origin: origin.into(),
            problem: problem.into(),
        }
    }
    /// Where the broken credentials came from.
    pub fn origin(&self) -> &str {
        &self.origin
    }
    /// What is wrong with them.
    pub fn problem(&self) -> &str {
        &self.problem
    }
}

#[derive(Clone)]
enum EnvSource {
    Process,
    Map(HashMap<String, String>),
}

/// What providers may read from the operating system: environment variables, the home
/// directory, and the system configuration directory (`/etc`).
#[derive(Clone)]
pub struct ProviderContext {
    env: EnvSource,
    home: Option<PathBuf>,
    system_config_dir: Option<PathBuf>,
}

impl fmt::Debug for ProviderContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The environment may hold secrets: never print it.
        f.debug_struct("ProviderContext")
            .field("home", &self.home)
            .field("system_config_dir", &self.system_config_dir)
            .finish_non_exhaustive()
    }
}

impl ProviderContext {
    /// The real process environment, `$HOME` (or `%USERPROFILE%`) and `/etc`.
    pub fn from_os() -> Self {
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .filter(|h| !h.is_empty())
            .map(PathBuf::from);
        ProviderContext {
            env: EnvSource::Process,
            home,
            system_config_dir: Some(PathBuf::from("/etc")),
        }
    }

    /// A context with the given variables and home directory and no system directory: for tests
    /// and for embedding applications that manage configuration themselves.
    ///
    /// ```
    /// use cloud_sign::{ProviderContext, EnvironmentProvider, ProvideCredentials, Vendor};
    /// let ctx = ProviderContext::from_map(
    ///     [("TENCENTCLOUD_SECRET_ID", "AKIDEXAMPLE"), ("TENCENTCLOUD_SECRET_KEY", "key")],
    ///     None,
    /// );
    /// let creds = EnvironmentProvider::new(Vendor::Tencent).provide(&ctx).unwrap().unwrap();
    /// assert_eq!(creds.access_key_id(), "AKIDEXAMPLE");
    /// ```
    pub fn from_map<K: Into<String>, V: Into<String>>(
        env: impl IntoIterator<Item = (K, V)>,
        home: Option<PathBuf>,
    ) -> Self {
        ProviderContext {
            env: EnvSource::Map(env.into_iter().map(|(k, v)| (k.into(), v.into())).collect()),
            home,
            system_config_dir: None,
        }
    }

    /// Replaces the system configuration directory (default `/etc` for [`ProviderContext::from_os`]).
    pub fn with_system_config_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.system_config_dir = Some(dir.into());
        self
    }

    /// An environment variable.
    pub fn var(&self, name: &str) -> Option<String> {
        match &self.env {
            EnvSource::Process => std::env::var(name).ok(),
            EnvSource::Map(m) => m.get(name).cloned(),
        }
    }

    /// The home directory.
    pub fn home(&self) -> Option<&Path> {
        self.home.as_deref()
    }
}

/// Something that can produce credentials.
pub trait ProvideCredentials: fmt::Debug + Send + Sync {
    /// `Ok(Some)` with credentials, `Ok(None)` when not configured here, `Err` when configured
    /// but broken.
    fn provide(&self, ctx: &ProviderContext) -> Result<Option<Credentials>, CredentialsError>;
}

/// Always returns the credentials it was given.
#[derive(Debug, Clone)]
pub struct StaticProvider(Credentials);

impl StaticProvider {
    /// A provider returning `credentials`.
    pub fn new(credentials: Credentials) -> Self {
        StaticProvider(credentials)
    }
}

impl ProvideCredentials for StaticProvider {
    fn provide(&self, _: &ProviderContext) -> Result<Option<Credentials>, CredentialsError> {
        Ok(Some(self.0.clone()))
    }
}

/// Reads the vendor's standard environment variables.
///
/// - Aliyun: `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, optional
///   `ALIBABA_CLOUD_SECURITY_TOKEN`.
/// - Tencent: `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`, optional token from the first
///   set of `TENCENTCLOUD_SESSION_TOKEN`, `TENCENTCLOUD_SECURITY_TOKEN`, `TENCENTCLOUD_TOKEN`.
/// - Huawei: `HUAWEICLOUD_SDK_AK`, `HUAWEICLOUD_SDK_SK`, optional
///   `HUAWEICLOUD_SDK_SECURITY_TOKEN` and `HUAWEICLOUD_SDK_PROJECT_ID`.
#[derive(Debug, Clone)]
pub struct EnvironmentProvider {
    vendor: Vendor,
}

impl EnvironmentProvider {
    /// A provider reading `vendor`'s variables.
    pub fn new(vendor: Vendor) -> Self {
        EnvironmentProvider { vendor }
    }
}

fn token_variables(vendor: Vendor) -> &'static [&'static str] {
    match vendor {
        Vendor::Aliyun => &["ALIBABA_CLOUD_SECURITY_TOKEN"],
        Vendor::Tencent => &[
            "TENCENTCLOUD_SESSION_TOKEN",
            "TENCENTCLOUD_SECURITY_TOKEN",
            "TENCENTCLOUD_TOKEN",
        ],
        Vendor::Huawei => &["HUAWEICLOUD_SDK_SECURITY_TOKEN"],
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide(&self, ctx: &ProviderContext) -> Result<Option<Credentials>, CredentialsError> {
        let (id_var, secret_var) = self.vendor.key_variables();
        let origin = "the environment";
        let (id, secret) = match (ctx.var(id_var), ctx.var(secret_var)) {
            (None, None) => return Ok(None),
            (Some(_), None) => {
                return Err(CredentialsError::new(
                    origin,
                    format!("{id_var} is set but {secret_var} is not"),
                ));
            }
            (None, Some(_)) => {
                return Err(CredentialsError::new(
                    origin,
                    format!("{secret_var} is set but {id_var} is not"),
                ));
            }
            (Some(id), Some(secret)) => (id, secret),
        };
        for (var, value) in [(id_var, &id), (secret_var, &secret)] {
            if value.trim().is_empty() {
                return Err(CredentialsError::new(
                    origin,
                    format!("{var} is set but empty"),
                ));
            }
        }
        let mut creds = Credentials::new(id.trim(), secret.trim()).with_source("environment");
        if let Some(token) = token_variables(self.vendor)
            .iter()
            .filter_map(|v| ctx.var(v))
            .find(|t| !t.trim().is_empty())
        {
            creds = creds.with_session_token(token.trim());
        }
        if self.vendor == Vendor::Huawei
            && let Some(project) = ctx
                .var("HUAWEICLOUD_SDK_PROJECT_ID")
                .filter(|p| !p.trim().is_empty())
        {
            creds = creds.with_project_id(project.trim());
        }
        Ok(Some(creds))
    }
}

/// Reads the vendor's profile file.
///
/// - Aliyun: `~/.aliyun/config.json` (the `aliyun` CLI's file). The profile is the one given, else
///   `ALIBABA_CLOUD_PROFILE`, else the file's `current`, else `default`. Modes `AK` and `StsToken`
///   are supported; modes that need network calls (`RamRoleArn`, `EcsRamRole`, ...) are an error.
/// - Tencent: `~/.tencentcloud/credentials`, else `<system config dir>/tencentcloud/credentials`;
///   INI section `[default]` (or the profile given) with `secret_id`, `secret_key`, optional `token`.
/// - Huawei: `HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else `~/.huaweicloud/credentials`; INI section
///   `[basic]` (or the profile given) with `ak`, `sk`, optional `project_id`, `security_token`.
///   A section with `idp_id` and `id_token_file` and no keys is a federated identity
///   ([`HuaweiFederation`]): it holds no keys, so `Ok(None)` here.
///
/// A missing file at a default location means "not configured here" (`Ok(None)`); a file named by
/// `HUAWEICLOUD_SDK_CREDENTIALS_FILE` that does not exist is an error, because the user asked for
/// it. A leading UTF-8 byte order mark (as Windows editors write) is ignored.
#[derive(Debug, Clone)]
pub struct ProfileFileProvider {
    vendor: Vendor,
    profile: Option<String>,
}

impl ProfileFileProvider {
    /// A provider reading `vendor`'s profile file, default profile.
    pub fn new(vendor: Vendor) -> Self {
        ProfileFileProvider {
            vendor,
            profile: None,
        }
    }

    /// Selects a named profile (an error when the file lacks it).
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// The region the profile names, where the vendor's file has one: the Aliyun profile's
    /// `region_id` (`aliyun configure` writes it). `None` for Tencent and Huawei, whose
    /// credential files hold no region, and when the file or the profile is missing or unreadable
    /// (the credential lookup reports those).
    pub fn region(&self, ctx: &ProviderContext) -> Option<String> {
        self.aliyun_selected(ctx)
            .map(|p| p.region_id)
            .filter(|r| !r.trim().is_empty())
    }

    /// When the selected Aliyun profile's mode is `EcsRamRole` (as `aliyun configure --mode
    /// EcsRamRole` writes it): its `ram_role_name`, empty meaning "the instance's one". Its
    /// credentials come from the instance metadata service, which this crate never calls (the
    /// vendor crate does); `None` for any other mode, a missing file, or another vendor.
    pub fn aliyun_ecs_role(&self, ctx: &ProviderContext) -> Option<String> {
        self.aliyun_selected(ctx)
            .filter(|p| p.mode == "EcsRamRole")
            .map(|p| p.ram_role_name)
    }

    /// When the selected Aliyun profile assumes a RAM role — mode `RamRoleArn` (its own keys) or
    /// `ChainableRamRoleArn` (the keys of its `source_profile`, in mode `AK` or `StsToken`), as
    /// `aliyun configure --mode RamRoleArn` writes them: the role and the keys that assume it.
    /// The role's credentials come from STS `AssumeRole`, which this crate never calls (the
    /// vendor crate's `RamRoleArn` does). `Ok(None)` for any other mode, a missing file or
    /// profile (the credential lookup reports those), or another vendor; an error when the
    /// profile lacks its role, its keys or its source profile.
    pub fn aliyun_role_arn(
        &self,
        ctx: &ProviderContext,
    ) -> Result<Option<AliyunRoleProfile>, CredentialsError> {
        let Some((origin, config, profile)) = self.aliyun_config(ctx) else {
            return Ok(None);
        };
        let name = profile.name.clone();
        let source = match profile.mode.as_str() {
            "RamRoleArn" => profile_keys(&origin, &profile, false)?,
            "ChainableRamRoleArn" => {
                let source_name = profile.source_profile.trim();
                non_empty(&origin, &name, "source_profile", source_name)?;
                let source = config
                    .profiles
                    .iter()
                    .find(|p| p.name == source_name)
                    .ok_or_else(|| {
                        CredentialsError::new(
                            &origin,
                            format!(
                                "profile '{name}' names source_profile '{source_name}', which \
                                 does not exist"
                            ),
                        )
                    })?;
                match source.mode.as_str() {
                    "AK" | "" => profile_keys(&origin, source, false)?,
                    "StsToken" => profile_keys(&origin, source, true)?,
                    other => {
                        return Err(CredentialsError::new(
                            &origin,
                            format!(
                                "profile '{name}' takes its keys from source_profile \
                                 '{source_name}', whose mode '{other}' is not supported there \
                                 (use mode AK or StsToken)"
                            ),
                        ));
                    }
                }
            }
            _ => return Ok(None),
        };
        non_empty(&origin, &name, "ram_role_arn", &profile.ram_role_arn)?;
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Ok(Some(AliyunRoleProfile {
            profile: name,
            origin,
            source: source.with_source("profile file (RamRoleArn)"),
            role_arn: profile.ram_role_arn.trim().to_owned(),
            session_name: text(&profile.ram_session_name),
            duration_seconds: Some(profile.expired_seconds).filter(|s| *s > 0),
            sts_region: text(&profile.sts_region),
            enable_vpc: profile.enable_vpc,
            policy: text(&profile.policy),
            external_id: text(&profile.external_id),
        }))
    }

    /// The Aliyun profile this provider would read, when the file parses and has it.
    fn aliyun_selected(&self, ctx: &ProviderContext) -> Option<AliyunProfile> {
        self.aliyun_config(ctx).map(|(_, _, p)| p)
    }

    /// The Aliyun file (its path), its configuration and the selected profile, when the file
    /// parses and has it.
    fn aliyun_config(
        &self,
        ctx: &ProviderContext,
    ) -> Option<(String, AliyunConfig, AliyunProfile)> {
        if self.vendor != Vendor::Aliyun {
            return None;
        }
        let (files, _) = self.candidate_files(ctx);
        let path = files.first()?;
        let text = std::fs::read_to_string(path).ok()?;
        let config: AliyunConfig =
            serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(&text)).ok()?;
        let env_profile = ctx.var("ALIBABA_CLOUD_PROFILE").filter(|p| !p.is_empty());
        let name = self
            .profile
            .clone()
            .or(env_profile)
            .or(config.current.clone().filter(|c| !c.is_empty()))
            .unwrap_or_else(|| "default".into());
        let profile = config.profiles.iter().find(|p| p.name == name)?.clone();
        Some((path.display().to_string(), config, profile))
    }

    /// The files to try, in order, and the variable that named them (when one did).
    fn candidate_files(&self, ctx: &ProviderContext) -> (Vec<PathBuf>, Option<&'static str>) {
        const HUAWEI_FILE_VAR: &str = "HUAWEICLOUD_SDK_CREDENTIALS_FILE";
        let mut files = Vec::new();
        if self.vendor == Vendor::Huawei
            && let Some(f) = ctx.var(HUAWEI_FILE_VAR).filter(|f| !f.is_empty())
        {
            files.push(PathBuf::from(f));
            return (files, Some(HUAWEI_FILE_VAR));
        }
        if let Some(home) = ctx.home() {
            files.push(home.join(self.vendor.profile_file()));
        }
        if self.vendor == Vendor::Tencent
            && let Some(etc) = &ctx.system_config_dir
        {
            files.push(etc.join("tencentcloud/credentials"));
        }
        (files, None)
    }
}

impl ProvideCredentials for ProfileFileProvider {
    fn provide(&self, ctx: &ProviderContext) -> Result<Option<Credentials>, CredentialsError> {
        let (files, named_by) = self.candidate_files(ctx);
        for path in files {
            let origin = path.display().to_string();
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => match named_by {
                    Some(var) => {
                        return Err(CredentialsError::new(
                            origin,
                            format!("does not exist (named by {var})"),
                        ));
                    }
                    None => continue,
                },
                Err(e) => {
                    return Err(CredentialsError::new(
                        origin,
                        format!("cannot be read: {e}"),
                    ));
                }
            };
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            return match self.vendor {
                Vendor::Aliyun => aliyun_profile(&origin, text, self.profile.as_deref(), ctx),
                Vendor::Tencent => ini_profile(
                    &origin,
                    text,
                    self.profile.as_deref(),
                    "default",
                    IniKeys {
                        id: "secret_id",
                        secret: "secret_key",
                        token: "token",
                        project: None,
                    },
                ),
                Vendor::Huawei => huawei_profile(&origin, text, self.profile.as_deref()),
            };
        }
        Ok(None)
    }
}

#[derive(Deserialize)]
struct AliyunConfig {
    #[serde(default)]
    current: Option<String>,
    #[serde(default)]
    profiles: Vec<AliyunProfile>,
}

/// An Aliyun profile that assumes a RAM role (see [`ProfileFileProvider::aliyun_role_arn`]).
/// `Debug` shows no secret (the keys are [`Credentials`]).
#[derive(Debug, Clone)]
pub struct AliyunRoleProfile {
    /// The profile's name.
    pub profile: String,
    /// The file it is in.
    pub origin: String,
    /// The keys that assume the role (the profile's own, or its source profile's).
    pub source: Credentials,
    /// `ram_role_arn`.
    pub role_arn: String,
    /// `ram_session_name`, when set.
    pub session_name: Option<String>,
    /// `expired_seconds`, when set (not 0).
    pub duration_seconds: Option<u32>,
    /// `sts_region`, when set: STS is then `sts.<region>.aliyuncs.com`.
    pub sts_region: Option<String>,
    /// `enable_vpc`: the VPC endpoint of STS (`sts-vpc...`).
    pub enable_vpc: bool,
    /// `policy`, when set: a policy narrowing the role's permissions.
    pub policy: Option<String>,
    /// `external_id`, when set.
    pub external_id: Option<String>,
}

#[derive(Deserialize, Clone)]
struct AliyunProfile {
    name: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    access_key_id: String,
    #[serde(default)]
    access_key_secret: String,
    #[serde(default)]
    sts_token: String,
    #[serde(default)]
    region_id: String,
    #[serde(default)]
    ram_role_name: String,
    #[serde(default)]
    ram_role_arn: String,
    #[serde(default)]
    ram_session_name: String,
    #[serde(default)]
    expired_seconds: u32,
    #[serde(default)]
    sts_region: String,
    #[serde(default)]
    enable_vpc: bool,
    #[serde(default)]
    policy: String,
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    source_profile: String,
}

/// A profile's own keys (with its `sts_token` when `with_token`), each required.
fn profile_keys(
    origin: &str,
    profile: &AliyunProfile,
    with_token: bool,
) -> Result<Credentials, CredentialsError> {
    let name = &profile.name;
    non_empty(origin, name, "access_key_id", &profile.access_key_id)?;
    non_empty(
        origin,
        name,
        "access_key_secret",
        &profile.access_key_secret,
    )?;
    let mut creds = Credentials::new(
        profile.access_key_id.trim(),
        profile.access_key_secret.trim(),
    )
    .with_source("profile file");
    if with_token {
        non_empty(origin, name, "sts_token", &profile.sts_token)?;
        creds = creds.with_session_token(profile.sts_token.trim());
    }
    Ok(creds)
}

fn aliyun_profile(
    origin: &str,
    text: &str,
    requested: Option<&str>,
    ctx: &ProviderContext,
) -> Result<Option<Credentials>, CredentialsError> {
    let config: AliyunConfig = serde_json::from_str(text).map_err(|e| {
        // serde_json messages may quote file content (a secret): report the position only.
        CredentialsError::new(
            origin,
            format!(
                "is not a valid aliyun CLI config ({:?} error at line {} column {})",
                e.classify(),
                e.line(),
                e.column()
            ),
        )
    })?;
    let env_profile = ctx.var("ALIBABA_CLOUD_PROFILE").filter(|p| !p.is_empty());
    let (name, explicit) = match (requested, env_profile, config.current.as_deref()) {
        (Some(p), _, _) => (p.to_owned(), true),
        (None, Some(p), _) => (p, true),
        (None, None, Some(c)) if !c.is_empty() => (c.to_owned(), true),
        _ => ("default".to_owned(), false),
    };
    let Some(profile) = config.profiles.iter().find(|p| p.name == name) else {
        return if explicit {
            Err(CredentialsError::new(
                origin,
                format!("has no profile named '{name}'"),
            ))
        } else {
            Ok(None)
        };
    };
    let with_token = match profile.mode.as_str() {
        "AK" | "" => false,
        "StsToken" => true,
        other => {
            return Err(CredentialsError::new(
                origin,
                format!(
                    "profile '{name}' uses mode '{other}', which is not supported here: its \
                     credentials come from a network call this provider does not make (the \
                     vendor crate's sources do, for EcsRamRole and RamRoleArn); use mode AK or \
                     StsToken, or set ALIBABA_CLOUD_ACCESS_KEY_ID and \
                     ALIBABA_CLOUD_ACCESS_KEY_SECRET"
                ),
            ));
        }
    };
    profile_keys(origin, profile, with_token).map(Some)
}

fn non_empty(origin: &str, profile: &str, key: &str, value: &str) -> Result<(), CredentialsError> {
    if value.trim().is_empty() {
        Err(CredentialsError::new(
            origin,
            format!("profile '{profile}' has an empty or missing {key}"),
        ))
    } else {
        Ok(())
    }
}

struct IniKeys {
    id: &'static str,
    secret: &'static str,
    token: &'static str,
    project: Option<&'static str>,
}

fn ini_profile(
    origin: &str,
    text: &str,
    requested: Option<&str>,
    default_section: &str,
    keys: IniKeys,
) -> Result<Option<Credentials>, CredentialsError> {
    let sections = parse_ini(origin, text)?;
    let name = requested.unwrap_or(default_section);
    let Some(section) = sections.get(name) else {
        return Err(CredentialsError::new(
            origin,
            format!("has no [{name}] section"),
        ));
    };
    let get = |k: &str| section.get(k).map(String::as_str).unwrap_or("");
    non_empty(origin, name, keys.id, get(keys.id))?;
    non_empty(origin, name, keys.secret, get(keys.secret))?;
    let mut creds = Credentials::new(get(keys.id), get(keys.secret)).with_source("profile file");
    if !get(keys.token).is_empty() {
        creds = creds.with_session_token(get(keys.token));
    }
    if let Some(p) = keys.project.map(get).filter(|p| !p.is_empty()) {
        creds = creds.with_project_id(p);
    }
    Ok(Some(creds))
}

type IniSections = HashMap<String, HashMap<String, String>>;

/// A small INI reader: `[section]`, `key = value` (trimmed), `#` and `;` comment lines.
fn parse_ini(origin: &str, text: &str) -> Result<IniSections, CredentialsError> {
    let mut sections: IniSections = HashMap::new();
    let mut current: Option<String> = None;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[') {
            let Some(name) = name.strip_suffix(']') else {
                return Err(CredentialsError::new(
                    origin,
                    format!("line {}: a section header must end with ']'", n + 1),
                ));
            };
            let name = name.trim().to_owned();
            sections.entry(name.clone()).or_default();
            current = Some(name);
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            // Never echo the line: it may hold a secret.
            return Err(CredentialsError::new(
                origin,
                format!("line {}: expected 'key = value' or '[section]'", n + 1),
            ));
        };
        let Some(section) = &current else {
            return Err(CredentialsError::new(
                origin,
                format!("line {}: key outside of any [section]", n + 1),
            ));
        };
        sections
            .entry(section.clone())
            .or_default()
            .insert(k.trim().to_owned(), v.trim().to_owned());
    }
    Ok(sections)
}

/// Reads the profiles of Tencent's own CLI, tccli: `~/.tccli/<profile>.credential` (JSON with
/// `secretId`, `secretKey`, optional `token`) and, for the region,
/// `~/.tccli/<profile>.configure` (`_sys_param.region`, or a top-level `region` as older
/// tccli versions wrote). The profile is the one named, else `TCCLI_PROFILE`, else `default`,
/// as tccli chooses it. A missing file is `Ok(None)`.
///
/// A profile set up for the CVM role (`"type": "cvm-role"`, as `tccli configure set
/// use-cvm-role true` writes it) or to assume a role (`role-arn`, with `role-session-name`, as
/// `tccli configure set role-arn ... role-session-name ...` writes them) is an error for
/// [`ProvideCredentials::provide`]: its credentials come from a network call this provider
/// does not make, and a role profile's keys are only the ones that assume the role.
/// [`TccliProvider::cvm_role`] and [`TccliProvider::assume_role`] say what such a profile holds,
/// for the vendor crate's credential sources to fetch them.
#[derive(Debug, Clone, Default)]
pub struct TccliProvider {
    profile: Option<String>,
}

#[derive(Deserialize, Default)]
struct TccliCredential {
    #[serde(default, rename = "secretId")]
    secret_id: String,
    #[serde(default, rename = "secretKey")]
    secret_key: String,
    #[serde(default)]
    token: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default, rename = "role-arn")]
    role_arn: Option<String>,
    #[serde(default, rename = "role-session-name")]
    role_session_name: Option<String>,
}

impl TccliCredential {
    fn is_cvm_role(&self) -> bool {
        self.kind.as_deref() == Some("cvm-role")
    }

    fn role_arn(&self) -> Option<&str> {
        self.role_arn
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
    }
}

/// A tccli profile that assumes a CAM role (see [`TccliProvider::assume_role`]): the role, the
/// session name and the keys that assume it. tccli's SDK then calls STS `AssumeRole`
/// (`STSAssumeRoleCredential`). `Debug` shows no secret (the keys are [`Credentials`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TccliAssumeRole {
    /// The profile's name.
    pub profile: String,
    /// The credential file it is in (`~/.tccli/<profile>.credential`).
    pub origin: String,
    /// The profile's `secretId`, `secretKey` (and `token`, when set): the keys that assume the
    /// role, not the role's.
    pub source: Credentials,
    /// `role-arn` (`qcs::cam::uin/<uin>:roleName/<name>`).
    pub role_arn: String,
    /// `role-session-name`, when set. tccli assumes the role only with one; without, this
    /// crate's users pick a default rather than sign with the bare keys.
    pub session_name: Option<String>,
}

impl TccliProvider {
    /// The default profile (`TCCLI_PROFILE`, else `default`).
    pub fn new() -> Self {
        Self::default()
    }

    /// A named profile.
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    fn profile_name(&self, ctx: &ProviderContext) -> String {
        self.profile
            .clone()
            .or_else(|| ctx.var("TCCLI_PROFILE").filter(|p| !p.is_empty()))
            .unwrap_or_else(|| "default".into())
    }

    /// `~/.tccli/<profile>.<suffix>`, when the profile name is a plain file name.
    fn file(
        &self,
        ctx: &ProviderContext,
        suffix: &str,
    ) -> Result<Option<PathBuf>, CredentialsError> {
        let name = self.profile_name(ctx);
        let plain = !name.is_empty()
            && !name.starts_with('.')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !plain {
            return Err(CredentialsError::new(
                "tccli profile",
                format!("profile name {name:?} is not a plain name (letters, digits, - _ .)"),
            ));
        }
        Ok(ctx
            .home()
            .map(|h| h.join(".tccli").join(format!("{name}.{suffix}"))))
    }

    /// The region of the profile's `.configure` file, if it names one.
    pub fn region(&self, ctx: &ProviderContext) -> Option<String> {
        let path = self.file(ctx, "configure").ok()??;
        let text = std::fs::read_to_string(path).ok()?;
        let value: serde_json::Value =
            serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(&text)).ok()?;
        value
            .get("_sys_param")
            .and_then(|p| p.get("region"))
            .or_else(|| value.get("region"))
            .and_then(|r| r.as_str())
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty())
    }

    /// When the profile is set up for the CVM instance's role (`"type": "cvm-role"`): its
    /// credential file. tccli then takes the credentials of the role the instance metadata
    /// service names, whatever else the file holds. `None` for any other profile or a missing
    /// file; an error when the file is unreadable.
    pub fn cvm_role(&self, ctx: &ProviderContext) -> Result<Option<String>, CredentialsError> {
        Ok(self
            .read(ctx)?
            .filter(|(_, _, cred)| cred.is_cvm_role())
            .map(|(origin, _, _)| origin))
    }

    /// When the profile assumes a role (`role-arn` set, and no `"type": "cvm-role"`, which
    /// tccli prefers): the role, its session name and the keys that assume it. `Ok(None)` for
    /// a missing file or a profile without `role-arn`; an error when the file is unreadable or
    /// the keys are missing.
    pub fn assume_role(
        &self,
        ctx: &ProviderContext,
    ) -> Result<Option<TccliAssumeRole>, CredentialsError> {
        let Some((origin, profile, cred)) = self.read(ctx)? else {
            return Ok(None);
        };
        if cred.is_cvm_role() {
            return Ok(None);
        }
        let Some(role_arn) = cred.role_arn().map(str::to_owned) else {
            return Ok(None);
        };
        let source = tccli_keys(&origin, &profile, &cred)?;
        Ok(Some(TccliAssumeRole {
            session_name: cred
                .role_session_name
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            profile,
            origin,
            source,
            role_arn,
        }))
    }

    /// The credential file's path, the profile's name and the file parsed; `None` when the
    /// file is missing.
    fn read(
        &self,
        ctx: &ProviderContext,
    ) -> Result<Option<(String, String, TccliCredential)>, CredentialsError> {
        let Some(path) = self.file(ctx, "credential")? else {
            return Ok(None);
        };
        let origin = path.display().to_string();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(CredentialsError::new(
                    origin,
                    format!("cannot be read: {e}"),
                ));
            }
        };
        let cred: TccliCredential =
            serde_json::from_str(text.strip_prefix('\u{feff}').unwrap_or(&text)).map_err(|e| {
                // serde_json messages may quote file content (a secret): report the position only.
                CredentialsError::new(
                    &origin,
                    format!(
                        "is not tccli's JSON credential file ({:?} error at line {} column {})",
                        e.classify(),
                        e.line(),
                        e.column()
                    ),
                )
            })?;
        Ok(Some((origin, self.profile_name(ctx), cred)))
    }
}

/// The profile's `secretId` and `secretKey` (each required) and `token`, when set.
fn tccli_keys(
    origin: &str,
    profile: &str,
    cred: &TccliCredential,
) -> Result<Credentials, CredentialsError> {
    non_empty(origin, profile, "secretId", &cred.secret_id)?;
    non_empty(origin, profile, "secretKey", &cred.secret_key)?;
    let mut creds = Credentials::new(cred.secret_id.trim(), cred.secret_key.trim())
        .with_source("tccli profile");
    if let Some(t) = cred.token.as_deref().filter(|t| !t.trim().is_empty()) {
        creds = creds.with_session_token(t.trim());
    }
    Ok(creds)
}

impl ProvideCredentials for TccliProvider {
    fn provide(&self, ctx: &ProviderContext) -> Result<Option<Credentials>, CredentialsError> {
        let Some((origin, profile, cred)) = self.read(ctx)? else {
            return Ok(None);
        };
        if cred.is_cvm_role() {
            return Err(CredentialsError::new(
                origin,
                format!(
                    "profile '{profile}' uses the CVM role (\"type\": \"cvm-role\"): its \
                     credentials come from the instance metadata service, which this provider \
                     does not call (the vendor crate's CvmRole does; TccliProvider::cvm_role \
                     tells such a profile)"
                ),
            ));
        }
        if let Some(role) = cred.role_arn() {
            return Err(CredentialsError::new(
                origin,
                format!(
                    "profile '{profile}' assumes the role {role} (role-arn): its secretId and \
                     secretKey only assume it, and the role's credentials come from STS \
                     AssumeRole, which this provider does not call (the vendor crate's \
                     StsAssumeRole does, with what TccliProvider::assume_role reads)"
                ),
            ));
        }
        tccli_keys(&origin, &profile, &cred).map(Some)
    }
}

/// Tries providers in order: the first `Ok(Some)` wins, the first `Err` stops the search.
#[derive(Debug)]
pub struct ChainProvider {
    providers: Vec<Box<dyn ProvideCredentials>>,
}

impl ChainProvider {
    /// A chain of the given providers.
    pub fn new(providers: Vec<Box<dyn ProvideCredentials>>) -> Self {
        ChainProvider { providers }
    }

    /// The default chain for a vendor: the environment, then the profile file's default
    /// profile. An explicitly named `profile` wins over the environment, as in aws-cli and the
    /// vendors' CLIs: the chain is then that profile alone (a bad key left in the environment
    /// cannot override `--profile prod`).
    ///
    /// For Tencent, tccli's profiles (`~/.tccli/<profile>.credential`, [`TccliProvider`]) come
    /// in too: a named profile is looked up there first and then in `~/.tencentcloud/credentials`;
    /// without a name, tccli's default profile comes after the SDK's file.
    pub fn default_for(vendor: Vendor, profile: Option<&str>) -> Self {
        let file = || ProfileFileProvider::new(vendor);
        match (vendor, profile) {
            (Vendor::Tencent, Some(p)) => ChainProvider::new(vec![
                Box::new(TccliProvider::new().with_profile(p)),
                Box::new(file().with_profile(p)),
            ]),
            (_, Some(p)) => ChainProvider::new(vec![Box::new(file().with_profile(p))]),
            (Vendor::Tencent, None) => ChainProvider::new(vec![
                Box::new(EnvironmentProvider::new(vendor)),
                Box::new(file()),
                Box::new(TccliProvider::new()),
            ]),
            (_, None) => ChainProvider::new(vec![
                Box::new(EnvironmentProvider::new(vendor)),
                Box::new(file()),
            ]),
        }
    }
}

impl ProvideCredentials for ChainProvider {
    fn provide(&self, ctx: &ProviderContext) -> Result<Option<Credentials>, CredentialsError> {
        for p in &self.providers {
            if let Some(c) = p.provide(ctx)? {
                return Ok(Some(c));
            }
        }
        Ok(None)
    }
}

// ------------------------------------------------------------- Huawei Cloud federated identity

/// The official SDKs' variable naming the identity provider of a Huawei Cloud federated
/// identity (`X-Idp-Id`).
pub const HUAWEI_IDP_ID_VARIABLE: &str = "HUAWEICLOUD_SDK_IDP_ID";

/// The official SDKs' variable naming the file that holds the OIDC id token of a Huawei Cloud
/// federated identity.
pub const HUAWEI_ID_TOKEN_FILE_VARIABLE: &str = "HUAWEICLOUD_SDK_ID_TOKEN_FILE";

/// The official SDKs' variable naming the IAM endpoint.
const HUAWEI_IAM_ENDPOINT_VARIABLE: &str = "HUAWEICLOUD_SDK_IAM_ENDPOINT";

/// The Huawei file's keys ([`ProfileFileProvider`]). A section set up for a federated identity
/// alone (`idp_id` and `id_token_file`, no `ak` or `sk`) holds no keys: `Ok(None)`.
fn huawei_profile(
    origin: &str,
    text: &str,
    requested: Option<&str>,
) -> Result<Option<Credentials>, CredentialsError> {
    let sections = parse_ini(origin, text)?;
    if let Some(section) = sections.get(requested.unwrap_or("basic")) {
        let set = |k: &str| section.get(k).is_some_and(|v| !v.trim().is_empty());
        if set("idp_id") && set("id_token_file") && !set("ak") && !set("sk") {
            return Ok(None);
        }
    }
    ini_profile(
        origin,
        text,
        requested,
        "basic",
        IniKeys {
            id: "ak",
            secret: "sk",
            token: "security_token",
            project: Some("project_id"),
        },
    )
}

/// A Huawei Cloud federated identity, as the official SDKs configure it (Kubernetes workloads
/// on CCE, with the cluster as an OIDC identity provider): the identity provider's id and the
/// file holding the OIDC id token, which the vendor crate exchanges at IAM for temporary AK/SK
/// (this crate sends nothing). The token file is named, not read: the platform rotates it.
///
/// From the environment, `HUAWEICLOUD_SDK_IDP_ID` and `HUAWEICLOUD_SDK_ID_TOKEN_FILE` (with
/// `HUAWEICLOUD_SDK_PROJECT_ID` and `HUAWEICLOUD_SDK_IAM_ENDPOINT`); from the profile file,
/// the section's `idp_id` and `id_token_file` (with `project_id` and `iam_endpoint`). No
/// secret is held, so `Debug` shows everything.
///
/// ```
/// use cloud_sign::ProviderContext;
/// use cloud_sign::provider::HuaweiFederation;
/// let ctx = ProviderContext::from_map(
///     [
///         ("HUAWEICLOUD_SDK_IDP_ID", "cce-oidc"),
///         ("HUAWEICLOUD_SDK_ID_TOKEN_FILE", "/var/run/secrets/tokens/oidc-token"),
///     ],
///     None,
/// );
/// let federation = HuaweiFederation::resolve(&ctx, None).unwrap().unwrap();
/// assert_eq!(federation.idp_id, "cce-oidc");
/// assert!(federation.origin.contains("HUAWEICLOUD_SDK_IDP_ID"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HuaweiFederation {
    /// The identity provider's id, as IAM knows it (sent as `X-Idp-Id`).
    pub idp_id: String,
    /// The file holding the OIDC id token (read at every exchange).
    pub id_token_file: PathBuf,
    /// `HUAWEICLOUD_SDK_PROJECT_ID` or the section's `project_id`, when set.
    pub project_id: Option<String>,
    /// The section's `iam_endpoint`, else `HUAWEICLOUD_SDK_IAM_ENDPOINT`, when set (a URL or
    /// a bare host); otherwise the region's IAM.
    pub iam_endpoint: Option<String>,
    /// Where it was configured, for people and errors: `the environment
    /// (HUAWEICLOUD_SDK_IDP_ID, HUAWEICLOUD_SDK_ID_TOKEN_FILE)` or `<file> (profile basic)`.
    pub origin: String,
}

impl HuaweiFederation {
    /// The federated identity the official credential chain would use, where it would use it:
    /// the environment's (which wins over keys in the environment, as in the official SDKs),
    /// else, when the environment holds no keys, the profile file's default section `[basic]`
    /// (which wins over that section's keys). With a named `profile`, that section alone, as
    /// for keys ([`ChainProvider::default_for`]).
    ///
    /// `Ok(None)` when neither is configured (or keys come first); an error naming the
    /// variable or the file, section and key when only one of the two settings is given.
    pub fn resolve(
        ctx: &ProviderContext,
        profile: Option<&str>,
    ) -> Result<Option<Self>, CredentialsError> {
        if profile.is_some() {
            return Self::from_profile_file(ctx, profile);
        }
        if let Some(federation) = Self::from_env(ctx)? {
            return Ok(Some(federation));
        }
        let (id, secret) = Vendor::Huawei.key_variables();
        if ctx.var(id).is_some() || ctx.var(secret).is_some() {
            // Keys in the environment come before the profile file (or their error shows).
            return Ok(None);
        }
        Self::from_profile_file(ctx, None)
    }

    /// From `HUAWEICLOUD_SDK_IDP_ID` and `HUAWEICLOUD_SDK_ID_TOKEN_FILE` (empty counts as
    /// unset): `Ok(None)` when neither is set, an error naming the missing one when only one is.
    pub fn from_env(ctx: &ProviderContext) -> Result<Option<Self>, CredentialsError> {
        let var = |n: &str| {
            ctx.var(n)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let (idp, file) = (HUAWEI_IDP_ID_VARIABLE, HUAWEI_ID_TOKEN_FILE_VARIABLE);
        let one_of = |set: &str, unset: &str| {
            CredentialsError::new(
                "the environment",
                format!("{set} is set but {unset} is not (a federated identity needs both)"),
            )
        };
        match (var(idp), var(file)) {
            (None, None) => Ok(None),
            (Some(_), None) => Err(one_of(idp, file)),
            (None, Some(_)) => Err(one_of(file, idp)),
            (Some(idp_id), Some(token_file)) => Ok(Some(HuaweiFederation {
                idp_id,
                id_token_file: PathBuf::from(token_file),
                project_id: var("HUAWEICLOUD_SDK_PROJECT_ID"),
                iam_endpoint: var(HUAWEI_IAM_ENDPOINT_VARIABLE),
                origin: format!("the environment ({idp}, {file})"),
            })),
        }
    }

    /// From a section of the profile file (`HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else
    /// `~/.huaweicloud/credentials`): `profile`, else `[basic]`. `Ok(None)` when the file, the
    /// section, or both settings are missing (the key lookup reports a missing file or
    /// section); an error naming the file, the section and the missing key when only one of
    /// `idp_id` and `id_token_file` is set.
    pub fn from_profile_file(
        ctx: &ProviderContext,
        profile: Option<&str>,
    ) -> Result<Option<Self>, CredentialsError> {
        let (files, _) = ProfileFileProvider::new(Vendor::Huawei).candidate_files(ctx);
        let Some(path) = files.first() else {
            return Ok(None);
        };
        let Ok(text) = std::fs::read_to_string(path) else {
            return Ok(None);
        };
        let origin = path.display().to_string();
        let sections = parse_ini(&origin, text.strip_prefix('\u{feff}').unwrap_or(&text))?;
        let name = profile.unwrap_or("basic");
        let Some(section) = sections.get(name) else {
            return Ok(None);
        };
        let get = |k: &str| {
            section
                .get(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let one_of = |set: &str, unset: &str| {
            CredentialsError::new(
                &origin,
                format!(
                    "profile '{name}' has {set} but no {unset} (a federated identity needs both)"
                ),
            )
        };
        match (get("idp_id"), get("id_token_file")) {
            (None, None) => Ok(None),
            (Some(_), None) => Err(one_of("idp_id", "id_token_file")),
            (None, Some(_)) => Err(one_of("id_token_file", "idp_id")),
            (Some(idp_id), Some(token_file)) => Ok(Some(HuaweiFederation {
                idp_id,
                id_token_file: PathBuf::from(token_file),
                project_id: get("project_id"),
                iam_endpoint: get("iam_endpoint").or_else(|| {
                    ctx.var(HUAWEI_IAM_ENDPOINT_VARIABLE)
                        .map(|v| v.trim().to_owned())
                        .filter(|v| !v.is_empty())
                }),
                origin: format!("{origin} (profile {name})"),
            })),
        }
    }
}
