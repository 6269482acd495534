//! Credential providers: static, environment, each vendor's profile file, and the chain.
//!
//! Every test builds its own [`ProviderContext`] from a map and a temporary home directory, so
//! nothing here reads the real environment or the real home.

use std::fs;
use std::path::{Path, PathBuf};

use cloud_sign::{
    ChainProvider, Credentials, CredentialsError, EnvironmentProvider, ProfileFileProvider,
    ProvideCredentials, ProviderContext, StaticProvider, TccliProvider, Vendor,
};
use tempfile::TempDir;

// ------------------------------------------------------------------------------------ helpers

/// A fake home directory (and a fake `/etc`) that disappears with the test.
struct Home {
    dir: TempDir,
}

impl Home {
    fn new() -> Self {
        Home {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn etc(&self) -> PathBuf {
        self.dir.path().join("etc")
    }

    /// Writes `text` to `relative` under the home directory; returns the full path.
    fn write(&self, relative: &str, text: &str) -> PathBuf {
        write_file(&self.path().join(relative), text)
    }

    /// Writes `text` to `relative` under the fake system configuration directory.
    fn write_etc(&self, relative: &str, text: &str) -> PathBuf {
        write_file(&self.etc().join(relative), text)
    }

    /// A context with `env`, this home and no system configuration directory.
    fn ctx(&self, env: &[(&str, &str)]) -> ProviderContext {
        ProviderContext::from_map(env.iter().copied(), Some(self.path()))
    }

    /// A context with `env`, this home and this fake `/etc`.
    fn ctx_with_etc(&self, env: &[(&str, &str)]) -> ProviderContext {
        self.ctx(env).with_system_config_dir(self.etc())
    }
}

fn write_file(path: &Path, text: &str) -> PathBuf {
    fs::create_dir_all(path.parent().expect("a parent directory")).expect("create directories");
    fs::write(path, text).expect("write file");
    path.to_owned()
}

/// A home whose `~/.aliyun/config.json` is `config`, a context with it and no environment, and
/// the Aliyun profile file's provider (keep the home alive while the context is in use).
fn aliyun_profiles(config: &str) -> (Home, ProviderContext, ProfileFileProvider) {
    let home = Home::new();
    home.write(".aliyun/config.json", config);
    let ctx = home.ctx(&no_env());
    (home, ctx, ProfileFileProvider::new(Vendor::Aliyun))
}

fn no_env() -> [(&'static str, &'static str); 0] {
    []
}

fn env(vendor: Vendor, ctx: &ProviderContext) -> Result<Option<Credentials>, CredentialsError> {
    EnvironmentProvider::new(vendor).provide(ctx)
}

fn file(vendor: Vendor, ctx: &ProviderContext) -> Result<Option<Credentials>, CredentialsError> {
    ProfileFileProvider::new(vendor).provide(ctx)
}

fn some(r: Result<Option<Credentials>, CredentialsError>) -> Credentials {
    match r {
        Ok(Some(c)) => c,
        Ok(None) => panic!("expected credentials, got Ok(None)"),
        Err(e) => panic!("expected credentials, got error: {e}"),
    }
}

fn err(r: Result<Option<Credentials>, CredentialsError>) -> CredentialsError {
    match r {
        Err(e) => e,
        Ok(Some(c)) => panic!("expected an error, got credentials {c:?}"),
        Ok(None) => panic!("expected an error, got Ok(None)"),
    }
}

fn token(c: &Credentials) -> Option<&str> {
    c.session_token().map(|t| t.expose())
}

fn assert_mentions(e: &CredentialsError, needles: &[&str]) {
    let shown = e.to_string();
    for n in needles {
        assert!(shown.contains(n), "error {shown:?} should mention {n:?}");
    }
}

// ------------------------------------------------------------------------------------- static

#[test]
fn static_provider_returns_its_credentials_every_time() {
    let creds = Credentials::new("AKID", "secret").with_session_token("tok");
    let p = StaticProvider::new(creds.clone());
    let ctx = ProviderContext::from_map(no_env(), None);
    assert_eq!(some(p.provide(&ctx)), creds);
    assert_eq!(some(p.provide(&ctx)), creds);
    assert_eq!(some(p.provide(&ctx)).source(), "static");
}

// ---------------------------------------------------------------------------------- vendor info

#[test]
fn vendor_names_variables_and_files() {
    assert_eq!(
        Vendor::Aliyun.key_variables(),
        (
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
        )
    );
    assert_eq!(
        Vendor::Tencent.key_variables(),
        ("TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY")
    );
    assert_eq!(
        Vendor::Huawei.key_variables(),
        ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK")
    );
    assert_eq!(Vendor::Aliyun.profile_file(), ".aliyun/config.json");
    assert_eq!(Vendor::Tencent.profile_file(), ".tencentcloud/credentials");
    assert_eq!(Vendor::Huawei.profile_file(), ".huaweicloud/credentials");
    for v in [Vendor::Aliyun, Vendor::Tencent, Vendor::Huawei] {
        let hint = v.setup_hint();
        let (id, secret) = v.key_variables();
        assert!(hint.contains(id) && hint.contains(secret), "{hint}");
        assert!(hint.contains(v.profile_file()), "{hint}");
        assert!(hint.contains(&v.to_string()), "{hint}");
    }
}

// -------------------------------------------------------------------------------- environment

#[test]
fn env_aliyun_keys_and_token() {
    let ctx = ProviderContext::from_map(
        [
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tEnv"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "envSecret"),
        ],
        None,
    );
    let c = some(env(Vendor::Aliyun, &ctx));
    assert_eq!(c.access_key_id(), "LTAI5tEnv");
    assert_eq!(c.secret().expose(), "envSecret");
    assert_eq!(token(&c), None);
    assert_eq!(c.project_id(), None);
    assert_eq!(c.source(), "environment");

    let ctx = ProviderContext::from_map(
        [
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.id"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "stsSecret"),
            ("ALIBABA_CLOUD_SECURITY_TOKEN", "stsToken"),
        ],
        None,
    );
    let c = some(env(Vendor::Aliyun, &ctx));
    assert_eq!(token(&c), Some("stsToken"));
}

#[test]
fn env_values_are_trimmed() {
    let ctx = ProviderContext::from_map(
        [
            ("TENCENTCLOUD_SECRET_ID", "  AKIDpadded \n"),
            ("TENCENTCLOUD_SECRET_KEY", "\tkey "),
            ("TENCENTCLOUD_TOKEN", " tok "),
        ],
        None,
    );
    let c = some(env(Vendor::Tencent, &ctx));
    assert_eq!(c.access_key_id(), "AKIDpadded");
    assert_eq!(c.secret().expose(), "key");
    assert_eq!(token(&c), Some("tok"));
}

#[test]
fn env_tencent_keys_without_token() {
    let ctx = ProviderContext::from_map(
        [
            ("TENCENTCLOUD_SECRET_ID", "AKIDenv"),
            ("TENCENTCLOUD_SECRET_KEY", "envKey"),
        ],
        None,
    );
    let c = some(env(Vendor::Tencent, &ctx));
    assert_eq!(c.access_key_id(), "AKIDenv");
    assert_eq!(c.secret().expose(), "envKey");
    assert_eq!(token(&c), None);
}

#[test]
fn env_tencent_token_names_first_set_wins() {
    const NAMES: [&str; 3] = [
        "TENCENTCLOUD_SESSION_TOKEN",
        "TENCENTCLOUD_SECURITY_TOKEN",
        "TENCENTCLOUD_TOKEN",
    ];
    let keys = [
        ("TENCENTCLOUD_SECRET_ID", "AKID"),
        ("TENCENTCLOUD_SECRET_KEY", "key"),
    ];
    // Each name alone is accepted.
    for name in NAMES {
        let ctx = ProviderContext::from_map(keys.into_iter().chain([(name, "only")]), None);
        assert_eq!(
            token(&some(env(Vendor::Tencent, &ctx))).unwrap(),
            "only",
            "{name}"
        );
    }
    // All three set: the session token wins.
    let all = [
        (NAMES[0], "session"),
        (NAMES[1], "security"),
        (NAMES[2], "plain"),
    ];
    let ctx = ProviderContext::from_map(keys.into_iter().chain(all), None);
    assert_eq!(token(&some(env(Vendor::Tencent, &ctx))), Some("session"));
    // The last two: the security token wins.
    let ctx = ProviderContext::from_map(keys.into_iter().chain(all.into_iter().skip(1)), None);
    assert_eq!(token(&some(env(Vendor::Tencent, &ctx))), Some("security"));
    // The first and the last: the session token wins.
    let ctx = ProviderContext::from_map(keys.into_iter().chain([all[0], all[2]]), None);
    assert_eq!(token(&some(env(Vendor::Tencent, &ctx))), Some("session"));
    // A variable set to an empty value counts as not set (an empty token is no token).
    let ctx = ProviderContext::from_map(keys.into_iter().chain([(NAMES[0], ""), all[2]]), None);
    assert_eq!(token(&some(env(Vendor::Tencent, &ctx))), Some("plain"));
    let ctx = ProviderContext::from_map(keys.into_iter().chain([(NAMES[1], "  ")]), None);
    assert_eq!(token(&some(env(Vendor::Tencent, &ctx))), None);
}

#[test]
fn env_aliyun_ignores_other_vendors_token_names() {
    let ctx = ProviderContext::from_map(
        [
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s"),
            ("TENCENTCLOUD_TOKEN", "not-mine"),
            ("HUAWEICLOUD_SDK_SECURITY_TOKEN", "not-mine"),
        ],
        None,
    );
    assert_eq!(token(&some(env(Vendor::Aliyun, &ctx))), None);
}

#[test]
fn env_huawei_keys_token_and_project() {
    let ctx = ProviderContext::from_map(
        [
            ("HUAWEICLOUD_SDK_AK", "HPUAENV"),
            ("HUAWEICLOUD_SDK_SK", "envSk"),
        ],
        None,
    );
    let c = some(env(Vendor::Huawei, &ctx));
    assert_eq!(c.access_key_id(), "HPUAENV");
    assert_eq!(c.secret().expose(), "envSk");
    assert_eq!(token(&c), None);
    assert_eq!(c.project_id(), None);

    let ctx = ProviderContext::from_map(
        [
            ("HUAWEICLOUD_SDK_AK", "HPUAENV"),
            ("HUAWEICLOUD_SDK_SK", "envSk"),
            ("HUAWEICLOUD_SDK_SECURITY_TOKEN", "hwToken"),
            ("HUAWEICLOUD_SDK_PROJECT_ID", " 0123456789abcdef "),
        ],
        None,
    );
    let c = some(env(Vendor::Huawei, &ctx));
    assert_eq!(token(&c), Some("hwToken"));
    assert_eq!(c.project_id(), Some("0123456789abcdef"));

    // An empty project id is no project id.
    let ctx = ProviderContext::from_map(
        [
            ("HUAWEICLOUD_SDK_AK", "HPUAENV"),
            ("HUAWEICLOUD_SDK_SK", "envSk"),
            ("HUAWEICLOUD_SDK_PROJECT_ID", ""),
        ],
        None,
    );
    assert_eq!(some(env(Vendor::Huawei, &ctx)).project_id(), None);
}

#[test]
fn env_project_id_only_for_huawei() {
    let ctx = ProviderContext::from_map(
        [
            ("TENCENTCLOUD_SECRET_ID", "AKID"),
            ("TENCENTCLOUD_SECRET_KEY", "key"),
            ("HUAWEICLOUD_SDK_PROJECT_ID", "p"),
        ],
        None,
    );
    assert_eq!(some(env(Vendor::Tencent, &ctx)).project_id(), None);
}

#[test]
fn env_absent_is_none_for_every_vendor() {
    // Unrelated variables, including another vendor's keys and a lone token, do not count.
    let ctx =
        ProviderContext::from_map([("PATH", "/usr/bin"), ("TENCENTCLOUD_TOKEN", "tok")], None);
    for v in [Vendor::Aliyun, Vendor::Tencent, Vendor::Huawei] {
        assert_eq!(env(v, &ctx), Ok(None), "{v}");
    }
    let ctx = ProviderContext::from_map(
        [("HUAWEICLOUD_SDK_AK", "HPUA"), ("HUAWEICLOUD_SDK_SK", "sk")],
        None,
    );
    assert_eq!(env(Vendor::Aliyun, &ctx), Ok(None));
    assert_eq!(env(Vendor::Tencent, &ctx), Ok(None));
}

#[test]
fn env_half_configured_is_an_error_naming_both_variables() {
    for v in [Vendor::Aliyun, Vendor::Tencent, Vendor::Huawei] {
        let (id, secret) = v.key_variables();
        let e = err(env(v, &ProviderContext::from_map([(id, "x")], None)));
        assert_eq!(e.origin(), "the environment");
        assert_mentions(&e, &[id, secret]);
        assert!(e.problem().starts_with(&format!("{id} is set")), "{e}");

        let e = err(env(v, &ProviderContext::from_map([(secret, "x")], None)));
        assert_mentions(&e, &[id, secret]);
        assert!(e.problem().starts_with(&format!("{secret} is set")), "{e}");
    }
}

#[test]
fn env_empty_value_is_an_error_naming_the_variable() {
    for v in [Vendor::Aliyun, Vendor::Tencent, Vendor::Huawei] {
        let (id, secret) = v.key_variables();
        for (empty_var, ctx) in [
            (
                id,
                ProviderContext::from_map([(id, ""), (secret, "s")], None),
            ),
            (
                id,
                ProviderContext::from_map([(id, "  "), (secret, "s")], None),
            ),
            (
                secret,
                ProviderContext::from_map([(id, "i"), (secret, "")], None),
            ),
            (
                secret,
                ProviderContext::from_map([(id, "i"), (secret, "\t")], None),
            ),
        ] {
            let e = err(env(v, &ctx));
            assert_eq!(e.problem(), format!("{empty_var} is set but empty"));
        }
    }
}

// ----------------------------------------------------------------------- Aliyun config.json

const ALIYUN_CONFIG: &str = r#"{
  "current": "sts",
  "profiles": [
    {"name": "default", "mode": "AK", "access_key_id": "LTAI5tDefault",
     "access_key_secret": "defaultSecret", "sts_token": "", "region_id": "cn-hangzhou",
     "output_format": "json", "language": "en"},
    {"name": "sts", "mode": "StsToken", "access_key_id": "STS.NUexample",
     "access_key_secret": "stsSecret", "sts_token": "stsTokenValue", "region_id": "cn-beijing"},
    {"name": "work", "mode": "AK", "access_key_id": " LTAI5tWork ",
     "access_key_secret": " workSecret ", "region_id": "cn-shanghai"},
    {"name": "role", "mode": "RamRoleArn", "access_key_id": "LTAI5tRole",
     "access_key_secret": "roleSecret", "ram_role_arn": "acs:ram::123:role/backup",
     "ram_session_name": "s"},
    {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "backup"},
    {"name": "nomode", "access_key_id": "LTAI5tNoMode", "access_key_secret": "noModeSecret"},
    {"name": "emptykey", "mode": "AK", "access_key_id": "LTAI5tEmpty", "access_key_secret": ""},
    {"name": "emptyid", "mode": "AK", "access_key_id": "", "access_key_secret": "s"},
    {"name": "ststoken-missing", "mode": "StsToken", "access_key_id": "STS.x",
     "access_key_secret": "s"}
  ],
  "meta_path": ""
}"#;

fn aliyun_profile(
    profile: &str,
    ctx: &ProviderContext,
) -> Result<Option<Credentials>, CredentialsError> {
    ProfileFileProvider::new(Vendor::Aliyun)
        .with_profile(profile)
        .provide(ctx)
}

#[test]
fn aliyun_ak_mode() {
    let home = Home::new();
    home.write(".aliyun/config.json", ALIYUN_CONFIG);
    let c = some(aliyun_profile("default", &home.ctx(&no_env())));
    assert_eq!(c.access_key_id(), "LTAI5tDefault");
    assert_eq!(c.secret().expose(), "defaultSecret");
    assert_eq!(token(&c), None, "an AK profile ignores a stray sts_token");
    assert_eq!(c.source(), "profile file");
}

#[test]
fn aliyun_sts_token_mode() {
    let home = Home::new();
    home.write(".aliyun/config.json", ALIYUN_CONFIG);
    let c = some(aliyun_profile("sts", &home.ctx(&no_env())));
    assert_eq!(c.access_key_id(), "STS.NUexample");
    assert_eq!(c.secret().expose(), "stsSecret");
    assert_eq!(token(&c), Some("stsTokenValue"));
}

#[test]
fn aliyun_values_are_trimmed_and_missing_mode_means_ak() {
    let home = Home::new();
    home.write(".aliyun/config.json", ALIYUN_CONFIG);
    let c = some(aliyun_profile("work", &home.ctx(&no_env())));
    assert_eq!(c.access_key_id(), "LTAI5tWork");
    assert_eq!(c.secret().expose(), "workSecret");
    let c = some(aliyun_profile("nomode", &home.ctx(&no_env())));
    assert_eq!(c.access_key_id(), "LTAI5tNoMode");
}

#[test]
fn aliyun_current_selects_the_profile() {
    let home = Home::new();
    home.write(".aliyun/config.json", ALIYUN_CONFIG);
    let c = some(file(Vendor::Aliyun, &home.ctx(&no_env())));
    assert_eq!(c.access_key_id(), "STS.NUexample", "current is 'sts'");
}

#[test]
fn aliyun_without_current_uses_default() {
    let home = Home::new();
    home.write(
        ".aliyun/config.json",
        &ALIYUN_CONFIG.replace(r#""current": "sts","#, ""),
    );
    let c = some(file(Vendor::Aliyun, &home.ctx(&no_env())));
    assert_eq!(c.access_key_id(), "LTAI5tDefault");
    // An empty `current` is the same as none.
    home.write(
        ".aliyun/config.json",
        &ALIYUN_CONFIG.replace(r#""current": "sts","#, r#""current": "","#),
    );
    let c = some(file(Vendor::Aliyun, &home.ctx(&no_env())));
    assert_eq!(c.access_key_id(), "LTAI5tDefault");
}

#[test]
fn aliyun_without_current_or_default_profile_is_none() {
    let home = Home::new();
    home.write(
        ".aliyun/config.json",
        r#"{"profiles": [{"name": "other", "mode": "AK", "access_key_id": "a", "access_key_secret": "b"}]}"#,
    );
    assert_eq!(file(Vendor::Aliyun, &home.ctx(&no_env())), Ok(None));
    home.write(".aliyun/config.json", "{}");
    assert_eq!(file(Vendor::Aliyun, &home.ctx(&no_env())), Ok(None));
}

#[test]
fn aliyun_profile_variable_beats_current_and_explicit_beats_variable() {
    let home = Home::new();
    home.write(".aliyun/config.json", ALIYUN_CONFIG);
    let ctx = home.ctx(&[("ALIBABA_CLOUD_PROFILE", "work")]);
    assert_eq!(
        some(file(Vendor::Aliyun, &ctx)).access_key_id(),
        "LTAI5tWork"
    );
    assert_eq!(
        some(aliyun_profile("default", &ctx)).access_key_id(),
        "LTAI5tDefault"
    );
    // An empty ALIBABA_CLOUD_PROFILE is ignored.
    let ctx = home.ctx(&[("ALIBABA_CLOUD_PROFILE", "")]);
    assert_eq!(
        some(file(Vendor::Aliyun, &ctx)).access_key_id(),
        "STS.NUexample"
    );
}

#[test]
fn aliyun_missing_named_profile_is_an_error() {
    let home = Home::new();
    let path = home.write(".aliyun/config.json", ALIYUN_CONFIG);
    let e = err(aliyun_profile("nope", &home.ctx(&no_env())));
    assert_eq!(e.origin(), path.display().to_string());
    assert_mentions(&e, &["nope"]);

    let e = err(file(
        Vendor::Aliyun,
        &home.ctx(&[("ALIBABA_CLOUD_PROFILE", "from-env")]),
    ));
    assert_mentions(&e, &["from-env"]);

    home.write(
        ".aliyun/config.json",
        &ALIYUN_CONFIG.replace(r#""current": "sts""#, r#""current": "gone""#),
    );
    let e = err(file(Vendor::Aliyun, &home.ctx(&no_env())));
    assert_mentions(&e, &["gone"]);
}

#[test]
fn aliyun_modes_needing_network_are_unsupported() {
    let home = Home::new();
    home.write(".aliyun/config.json", ALIYUN_CONFIG);
    for (profile, mode) in [("role", "RamRoleArn"), ("ecs", "EcsRamRole")] {
        let e = err(aliyun_profile(profile, &home.ctx(&no_env())));
        assert_mentions(&e, &[profile, mode, "not supported"]);
        assert_mentions(&e, &["ALIBABA_CLOUD_ACCESS_KEY_ID"]);
    }
    // Any other unknown mode as well.
    home.write(
        ".aliyun/config.json",
        r#"{"current": "x", "profiles": [{"name": "x", "mode": "OIDC"}]}"#,
    );
    let e = err(file(Vendor::Aliyun, &home.ctx(&no_env())));
    assert_mentions(&e, &["OIDC", "not supported"]);
}

#[test]
fn aliyun_empty_key_is_an_error() {
    let home = Home::new();
    let path = home.write(".aliyun/config.json", ALIYUN_CONFIG);
    for (profile, key) in [
        ("emptykey", "access_key_secret"),
        ("emptyid", "access_key_id"),
        ("ststoken-missing", "sts_token"),
    ] {
        let e = err(aliyun_profile(profile, &home.ctx(&no_env())));
        assert_eq!(e.origin(), path.display().to_string());
        assert_mentions(&e, &[profile, key, "empty"]);
    }
}

#[test]
fn aliyun_invalid_json_is_an_error_naming_the_file() {
    let home = Home::new();
    for text in [
        "",
        "{",
        "not json",
        r#"{"profiles": {}}"#,
        r#"{"profiles": [{"mode": "AK"}]}"#,
        r#"{"profiles": [{"name": "default", "access_key_secret": 12}]}"#,
    ] {
        let path = home.write(".aliyun/config.json", text);
        let e = err(file(Vendor::Aliyun, &home.ctx(&no_env())));
        assert_eq!(e.origin(), path.display().to_string(), "{text}");
        assert_mentions(&e, &[&path.display().to_string(), "line"]);
    }
}

#[test]
fn aliyun_missing_file_or_home_is_none() {
    let home = Home::new();
    assert_eq!(file(Vendor::Aliyun, &home.ctx(&no_env())), Ok(None));
    // Even with a profile requested: there is simply no file here.
    assert_eq!(aliyun_profile("work", &home.ctx(&no_env())), Ok(None));
    let no_home = ProviderContext::from_map(no_env(), None);
    assert_eq!(file(Vendor::Aliyun, &no_home), Ok(None));
}

#[test]
fn unreadable_profile_path_is_an_error() {
    // The profile "file" is a directory: configured, but broken.
    let home = Home::new();
    let path = home.path().join(".aliyun/config.json");
    fs::create_dir_all(&path).unwrap();
    let e = err(file(Vendor::Aliyun, &home.ctx(&no_env())));
    assert_eq!(e.origin(), path.display().to_string());
    assert_mentions(&e, &["cannot be read"]);
}

// ------------------------------------------------------------------------------ Tencent INI

const TENCENT_INI: &str = "\
# written by tccli
[default]
secret_id = AKIDdefault
secret_key = defaultKey

; a temporary profile
[temp]
  secret_id=AKIDtemp   
secret_key =   tempKey\t
token = tempToken
";

fn tencent_profile(
    profile: &str,
    ctx: &ProviderContext,
) -> Result<Option<Credentials>, CredentialsError> {
    ProfileFileProvider::new(Vendor::Tencent)
        .with_profile(profile)
        .provide(ctx)
}

#[test]
fn tencent_default_section() {
    let home = Home::new();
    home.write(".tencentcloud/credentials", TENCENT_INI);
    let c = some(file(Vendor::Tencent, &home.ctx(&no_env())));
    assert_eq!(c.access_key_id(), "AKIDdefault");
    assert_eq!(c.secret().expose(), "defaultKey");
    assert_eq!(token(&c), None);
    assert_eq!(c.project_id(), None);
    assert_eq!(c.source(), "profile file");
}

#[test]
fn tencent_named_profile_values_trimmed_with_token() {
    let home = Home::new();
    home.write(".tencentcloud/credentials", TENCENT_INI);
    let c = some(tencent_profile("temp", &home.ctx(&no_env())));
    assert_eq!(c.access_key_id(), "AKIDtemp");
    assert_eq!(c.secret().expose(), "tempKey");
    assert_eq!(token(&c), Some("tempToken"));
}

#[test]
fn tencent_windows_line_endings() {
    let home = Home::new();
    home.write(
        ".tencentcloud/credentials",
        "[default]\r\nsecret_id = AKIDcrlf\r\nsecret_key = crlfKey\r\n",
    );
    let c = some(file(Vendor::Tencent, &home.ctx(&no_env())));
    assert_eq!(c.access_key_id(), "AKIDcrlf");
    assert_eq!(c.secret().expose(), "crlfKey");
}

#[test]
fn profile_files_may_start_with_a_byte_order_mark() {
    // Editors on Windows (Notepad) write one.
    let home = Home::new();
    home.write(
        ".tencentcloud/credentials",
        "\u{feff}[default]\nsecret_id = AKIDbom\nsecret_key = bomKey\n",
    );
    assert_eq!(
        some(file(Vendor::Tencent, &home.ctx(&no_env()))).access_key_id(),
        "AKIDbom"
    );
    home.write(
        ".aliyun/config.json",
        "\u{feff}{\"profiles\": [{\"name\": \"default\", \"mode\": \"AK\", \
         \"access_key_id\": \"LTAIbom\", \"access_key_secret\": \"s\"}]}",
    );
    assert_eq!(
        some(file(Vendor::Aliyun, &home.ctx(&no_env()))).access_key_id(),
        "LTAIbom"
    );
}

#[test]
fn tencent_secret_may_contain_equals_signs() {
    let home = Home::new();
    home.write(
        ".tencentcloud/credentials",
        "[default]\nsecret_id = AKID\nsecret_key = abc==\n",
    );
    assert_eq!(
        some(file(Vendor::Tencent, &home.ctx(&no_env())))
            .secret()
            .expose(),
        "abc=="
    );
}

#[test]
fn tencent_falls_back_to_the_system_config_dir() {
    let home = Home::new();
    home.write_etc(
        "tencentcloud/credentials",
        "[default]\nsecret_id = AKIDsystem\nsecret_key = systemKey\n",
    );
    let c = some(file(Vendor::Tencent, &home.ctx_with_etc(&no_env())));
    assert_eq!(c.access_key_id(), "AKIDsystem");
    // Without a system directory in the context, the file there is not read.
    assert_eq!(file(Vendor::Tencent, &home.ctx(&no_env())), Ok(None));
    // Without a home, the system file is still found.
    let ctx = ProviderContext::from_map(no_env(), None).with_system_config_dir(home.etc());
    assert_eq!(
        some(file(Vendor::Tencent, &ctx)).access_key_id(),
        "AKIDsystem"
    );
}

#[test]
fn tencent_home_file_beats_the_system_file() {
    let home = Home::new();
    home.write(".tencentcloud/credentials", TENCENT_INI);
    home.write_etc(
        "tencentcloud/credentials",
        "[default]\nsecret_id = AKIDsystem\nsecret_key = systemKey\n",
    );
    let c = some(file(Vendor::Tencent, &home.ctx_with_etc(&no_env())));
    assert_eq!(c.access_key_id(), "AKIDdefault");
    // A broken home file is reported; the system file does not hide it.
    home.write(".tencentcloud/credentials", "[default]\nsecret_key = k\n");
    let e = err(file(Vendor::Tencent, &home.ctx_with_etc(&no_env())));
    assert_mentions(&e, &["secret_id"]);
}

#[test]
fn tencent_missing_file_is_none() {
    let home = Home::new();
    assert_eq!(
        file(Vendor::Tencent, &home.ctx_with_etc(&no_env())),
        Ok(None)
    );
    assert_eq!(
        tencent_profile("temp", &home.ctx_with_etc(&no_env())),
        Ok(None)
    );
}

#[test]
fn tencent_missing_section_is_an_error() {
    let home = Home::new();
    let path = home.write(".tencentcloud/credentials", TENCENT_INI);
    let e = err(tencent_profile("prod", &home.ctx(&no_env())));
    assert_eq!(e.origin(), path.display().to_string());
    assert_mentions(&e, &["[prod]"]);

    home.write(
        ".tencentcloud/credentials",
        "[other]\nsecret_id = a\nsecret_key = b\n",
    );
    let e = err(file(Vendor::Tencent, &home.ctx(&no_env())));
    assert_mentions(&e, &["[default]"]);
}

#[test]
fn tencent_empty_or_missing_key_is_an_error() {
    let home = Home::new();
    for (text, key) in [
        ("[default]\nsecret_id =\nsecret_key = k\n", "secret_id"),
        (
            "[default]\nsecret_id = AKID\nsecret_key =   \n",
            "secret_key",
        ),
        ("[default]\nsecret_id = AKID\n", "secret_key"),
        ("[default]\n", "secret_id"),
    ] {
        let path = home.write(".tencentcloud/credentials", text);
        let e = err(file(Vendor::Tencent, &home.ctx(&no_env())));
        assert_eq!(e.origin(), path.display().to_string());
        assert_mentions(&e, &["'default'", key, "empty"]);
    }
}

#[test]
fn tencent_malformed_line_is_an_error_with_its_number() {
    let home = Home::new();
    for (text, line) in [
        ("[default]\nsecret_id = AKID\nsecret_key\n", 3),
        ("# comment\n\n[default\nsecret_id = a\n", 3),
        ("secret_id = AKID\n[default]\n", 1),
        ("[default]\r\nsecret_id = a\r\n\r\njust some words\r\n", 4),
    ] {
        let path = home.write(".tencentcloud/credentials", text);
        let e = err(file(Vendor::Tencent, &home.ctx(&no_env())));
        assert_eq!(e.origin(), path.display().to_string());
        assert!(
            e.problem().starts_with(&format!("line {line}:")),
            "{text:?}: {e}"
        );
    }
}

// ------------------------------------------------------------------------------- Huawei INI

const HUAWEI_INI: &str = "\
[basic]
ak = HPUAbasic
sk = basicSk
project_id = 0123456789abcdef

[temporary]
ak = HPUAtemp
sk = tempSk
security_token = hwTempToken
project_id =
";

fn huawei_profile(
    profile: &str,
    ctx: &ProviderContext,
) -> Result<Option<Credentials>, CredentialsError> {
    ProfileFileProvider::new(Vendor::Huawei)
        .with_profile(profile)
        .provide(ctx)
}

#[test]
fn huawei_basic_section() {
    let home = Home::new();
    home.write(".huaweicloud/credentials", HUAWEI_INI);
    let c = some(file(Vendor::Huawei, &home.ctx(&no_env())));
    assert_eq!(c.access_key_id(), "HPUAbasic");
    assert_eq!(c.secret().expose(), "basicSk");
    assert_eq!(c.project_id(), Some("0123456789abcdef"));
    assert_eq!(token(&c), None);
}

#[test]
fn huawei_named_section_with_token_and_empty_project() {
    let home = Home::new();
    home.write(".huaweicloud/credentials", HUAWEI_INI);
    let c = some(huawei_profile("temporary", &home.ctx(&no_env())));
    assert_eq!(c.access_key_id(), "HPUAtemp");
    assert_eq!(token(&c), Some("hwTempToken"));
    assert_eq!(c.project_id(), None);
}

#[test]
fn huawei_credentials_file_variable_overrides_home() {
    let home = Home::new();
    home.write(".huaweicloud/credentials", HUAWEI_INI);
    let elsewhere = home.dir.path().join("elsewhere/hw.ini");
    write_file(&elsewhere, "[basic]\nak = HPUAoverride\nsk = overrideSk\n");
    let path = elsewhere.display().to_string();
    let ctx = home.ctx(&[("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &path)]);
    let c = some(file(Vendor::Huawei, &ctx));
    assert_eq!(c.access_key_id(), "HPUAoverride");
    // The override works without any home directory.
    let ctx =
        ProviderContext::from_map([("HUAWEICLOUD_SDK_CREDENTIALS_FILE", path.as_str())], None);
    assert_eq!(
        some(file(Vendor::Huawei, &ctx)).access_key_id(),
        "HPUAoverride"
    );
    // An empty override is ignored.
    let ctx = home.ctx(&[("HUAWEICLOUD_SDK_CREDENTIALS_FILE", "")]);
    assert_eq!(
        some(file(Vendor::Huawei, &ctx)).access_key_id(),
        "HPUAbasic"
    );
    // Other vendors ignore it.
    let ctx = home.ctx(&[("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &path)]);
    assert_eq!(file(Vendor::Tencent, &ctx), Ok(None));
}

#[test]
fn huawei_credentials_file_variable_naming_a_missing_file_is_an_error() {
    // The user pointed at a file: that it is missing is a configuration error, not
    // "not configured", and the home file must not silently replace it.
    let home = Home::new();
    home.write(".huaweicloud/credentials", HUAWEI_INI);
    let missing = home.dir.path().join("nowhere/hw.ini").display().to_string();
    let ctx = home.ctx(&[("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &missing)]);
    let e = err(file(Vendor::Huawei, &ctx));
    assert_eq!(e.origin(), missing);
    assert_mentions(&e, &["HUAWEICLOUD_SDK_CREDENTIALS_FILE"]);
}

#[test]
fn huawei_missing_file_is_none() {
    let home = Home::new();
    assert_eq!(file(Vendor::Huawei, &home.ctx(&no_env())), Ok(None));
}

#[test]
fn huawei_broken_files_are_errors() {
    let home = Home::new();
    let path = home.write(".huaweicloud/credentials", "[default]\nak = a\nsk = b\n");
    let e = err(file(Vendor::Huawei, &home.ctx(&no_env())));
    assert_eq!(e.origin(), path.display().to_string());
    assert_mentions(&e, &["[basic]"]);

    home.write(".huaweicloud/credentials", "[basic]\nak = a\nsk =\n");
    assert_mentions(
        &err(file(Vendor::Huawei, &home.ctx(&no_env()))),
        &["sk", "empty"],
    );

    home.write(".huaweicloud/credentials", "[basic]\nak: a\n");
    let e = err(file(Vendor::Huawei, &home.ctx(&no_env())));
    assert!(e.problem().starts_with("line 2:"), "{e}");
}

// ------------------------------------------------------------------------------------ chain

const TENCENT_ENV: [(&str, &str); 2] = [
    ("TENCENTCLOUD_SECRET_ID", "AKIDenv"),
    ("TENCENTCLOUD_SECRET_KEY", "envKey"),
];

#[test]
fn chain_environment_wins_over_file() {
    let home = Home::new();
    home.write(".tencentcloud/credentials", TENCENT_INI);
    let chain = ChainProvider::default_for(Vendor::Tencent, None);
    let c = some(chain.provide(&home.ctx(&TENCENT_ENV)));
    assert_eq!(c.access_key_id(), "AKIDenv");
    assert_eq!(c.source(), "environment");
}

#[test]
fn the_aliyun_profile_names_its_region() {
    let (_home, ctx, file) = aliyun_profiles(
        r#"{"current":"prod","profiles":[
            {"name":"prod","mode":"AK","access_key_id":"a","access_key_secret":"s","region_id":"cn-shanghai"},
            {"name":"dev","mode":"AK","access_key_id":"a","access_key_secret":"s","region_id":""}]}"#,
    );
    assert_eq!(file.region(&ctx).as_deref(), Some("cn-shanghai"));
    assert_eq!(file.with_profile("dev").region(&ctx), None);
    assert_eq!(ProfileFileProvider::new(Vendor::Tencent).region(&ctx), None);
}

#[test]
fn an_explicit_profile_wins_over_the_environment() {
    let home = Home::new();
    home.write(".tencentcloud/credentials", TENCENT_INI);
    let chain = ChainProvider::default_for(Vendor::Tencent, Some("temp"));
    let c = some(chain.provide(&home.ctx(&TENCENT_ENV)));
    assert_eq!(c.access_key_id(), "AKIDtemp");
    assert_eq!(c.source(), "profile file");
    // Without a profile, the environment still wins over the file's default.
    let chain = ChainProvider::default_for(Vendor::Tencent, None);
    assert_eq!(
        some(chain.provide(&home.ctx(&TENCENT_ENV))).access_key_id(),
        "AKIDenv"
    );
}

#[test]
fn chain_falls_through_none_to_the_file() {
    let home = Home::new();
    home.write(".tencentcloud/credentials", TENCENT_INI);
    let chain = ChainProvider::default_for(Vendor::Tencent, None);
    let c = some(chain.provide(&home.ctx(&no_env())));
    assert_eq!(c.access_key_id(), "AKIDdefault");
    assert_eq!(c.source(), "profile file");
    // The profile given to the chain reaches the file provider.
    let chain = ChainProvider::default_for(Vendor::Tencent, Some("temp"));
    assert_eq!(
        some(chain.provide(&home.ctx(&no_env()))).access_key_id(),
        "AKIDtemp"
    );
}

#[test]
fn chain_with_nothing_configured_is_none() {
    let home = Home::new();
    for v in [Vendor::Aliyun, Vendor::Tencent, Vendor::Huawei] {
        let chain = ChainProvider::default_for(v, None);
        assert_eq!(
            chain.provide(&home.ctx_with_etc(&no_env())),
            Ok(None),
            "{v}"
        );
    }
    assert_eq!(
        ChainProvider::new(vec![]).provide(&home.ctx(&no_env())),
        Ok(None)
    );
}

#[test]
fn chain_error_stops_even_if_a_later_provider_would_succeed() {
    let home = Home::new();
    home.write(".tencentcloud/credentials", TENCENT_INI);
    // A half-configured environment is reported, not skipped in favour of the good file.
    let ctx = home.ctx(&[("TENCENTCLOUD_SECRET_ID", "AKIDenv")]);
    let chain = ChainProvider::default_for(Vendor::Tencent, None);
    let e = err(chain.provide(&ctx));
    assert_eq!(e.origin(), "the environment");

    // A broken file stops the chain before a static fallback.
    home.write(".aliyun/config.json", "{ broken");
    let chain = ChainProvider::new(vec![
        Box::new(EnvironmentProvider::new(Vendor::Aliyun)),
        Box::new(ProfileFileProvider::new(Vendor::Aliyun)),
        Box::new(StaticProvider::new(Credentials::new("fallback", "s"))),
    ]);
    let e = err(chain.provide(&home.ctx(&no_env())));
    assert!(e.origin().ends_with("config.json"), "{e}");
}

#[test]
fn chain_order_is_the_order_given() {
    let home = Home::new();
    home.write(".tencentcloud/credentials", TENCENT_INI);
    let chain = ChainProvider::new(vec![
        Box::new(ProfileFileProvider::new(Vendor::Tencent)),
        Box::new(EnvironmentProvider::new(Vendor::Tencent)),
    ]);
    assert_eq!(
        some(chain.provide(&home.ctx(&TENCENT_ENV))).access_key_id(),
        "AKIDdefault"
    );
    let chain = ChainProvider::new(vec![
        Box::new(EnvironmentProvider::new(Vendor::Tencent)),
        Box::new(StaticProvider::new(Credentials::new("static", "s"))),
        Box::new(ProfileFileProvider::new(Vendor::Tencent)),
    ]);
    assert_eq!(
        some(chain.provide(&home.ctx(&no_env()))).access_key_id(),
        "static"
    );
}

#[test]
fn providers_are_usable_as_trait_objects_across_threads() {
    fn assert_send_sync<T: Send + Sync>(_: &T) {}
    let chain = ChainProvider::default_for(Vendor::Huawei, Some("basic"));
    assert_send_sync(&chain);
    let ctx = ProviderContext::from_map(no_env(), None);
    assert_send_sync(&ctx);
}

// ------------------------------------------------------------------------------------ tccli

const TCCLI_CREDENTIAL: &str =
    r#"{"secretId": " AKIDtccli ", "secretKey": "tccliKey", "token": "tccliToken"}"#;

#[test]
fn tccli_default_profile_keys_token_and_region() {
    let home = Home::new();
    home.write(".tccli/default.credential", TCCLI_CREDENTIAL);
    home.write(
        ".tccli/default.configure",
        r#"{"_sys_param": {"region": "ap-shanghai", "output": "json"}, "cvm": {"version": "2017-03-12"}}"#,
    );
    let ctx = home.ctx(&no_env());
    let c = some(TccliProvider::new().provide(&ctx));
    assert_eq!(c.access_key_id(), "AKIDtccli");
    assert_eq!(c.secret().expose(), "tccliKey");
    assert_eq!(token(&c), Some("tccliToken"));
    assert_eq!(c.source(), "tccli profile");
    assert_eq!(
        TccliProvider::new().region(&ctx).as_deref(),
        Some("ap-shanghai")
    );
}

#[test]
fn tccli_profile_from_tccli_profile_variable_and_old_top_level_region() {
    let home = Home::new();
    home.write(
        ".tccli/prod.credential",
        r#"{"secretId": "AKIDprod", "secretKey": "k"}"#,
    );
    home.write(".tccli/prod.configure", r#"{"region": "ap-beijing"}"#);
    let ctx = home.ctx(&[("TCCLI_PROFILE", "prod")]);
    assert_eq!(
        some(TccliProvider::new().provide(&ctx)).access_key_id(),
        "AKIDprod"
    );
    assert_eq!(
        TccliProvider::new().region(&ctx).as_deref(),
        Some("ap-beijing")
    );
    // An explicit name wins over the variable.
    assert!(
        TccliProvider::new()
            .with_profile("other")
            .provide(&ctx)
            .unwrap()
            .is_none()
    );
}

#[test]
fn tccli_role_profiles_and_broken_files_are_clear_errors() {
    let home = Home::new();
    let ctx = home.ctx(&no_env());
    // A role profile's keys are not the role's: provide() refuses them and points at the
    // readers of such profiles (TccliProvider::cvm_role, TccliProvider::assume_role).
    for (text, says) in [
        (r#"{"type": "cvm-role"}"#, "CVM role"),
        (r#"{"type": "cvm-role"}"#, "cvm_role"),
        (
            r#"{"secretId": "AKID", "secretKey": "CANARY-k", "role-arn": "qcs::cam::uin/1:roleName/r"}"#,
            "role-arn",
        ),
        (
            r#"{"secretId": "AKID", "secretKey": "CANARY-k", "role-arn": "qcs::cam::uin/1:roleName/r"}"#,
            "assume_role",
        ),
        (r#"{"secretId": "AKID"}"#, "secretKey"),
        ("not json", "JSON"),
        (r#"{"secretId": "AKID", "secretKey": CANARY}"#, "JSON"),
    ] {
        home.write(".tccli/default.credential", text);
        let err = TccliProvider::new().provide(&ctx).unwrap_err();
        assert!(err.to_string().contains(says), "{text}: {err}");
        assert!(err.to_string().contains("default.credential"), "{err}");
        assert!(!err.to_string().contains("CANARY"), "{err}");
    }
    let err = TccliProvider::new()
        .with_profile("../etc/passwd")
        .provide(&ctx)
        .unwrap_err();
    assert!(err.to_string().contains("not a plain name"), "{err}");
}

#[test]
fn a_tccli_role_profile_gives_its_role_and_the_keys_that_assume_it() {
    let home = Home::new();
    home.write(
        ".tccli/default.credential",
        r#"{"secretId": " AKIDsource ", "secretKey": "CANARY-source-key",
            "role-arn": " qcs::cam::uin/100000000001:roleName/backup ",
            "role-session-name": " nightly "}"#,
    );
    home.write(
        ".tccli/chained.credential",
        r#"{"secretId": "AKIDtmp", "secretKey": "k", "token": "CANARY-token",
            "role-arn": "qcs::cam::uin/1:roleName/dr", "role-session-name": ""}"#,
    );
    home.write(
        ".tccli/nokeys.credential",
        r#"{"role-arn": "qcs::cam::uin/1:roleName/dr", "role-session-name": "s"}"#,
    );
    home.write(
        ".tccli/cvm.credential",
        r#"{"type": "cvm-role", "role-arn": "qcs::cam::uin/1:roleName/dr"}"#,
    );
    home.write(".tccli/keys.credential", TCCLI_CREDENTIAL);
    let ctx = home.ctx(&no_env());

    let role = TccliProvider::new().assume_role(&ctx).unwrap().unwrap();
    assert_eq!(role.profile, "default");
    assert!(
        role.origin.ends_with("default.credential"),
        "{}",
        role.origin
    );
    assert_eq!(role.role_arn, "qcs::cam::uin/100000000001:roleName/backup");
    assert_eq!(role.session_name.as_deref(), Some("nightly"));
    assert_eq!(role.source.access_key_id(), "AKIDsource");
    assert_eq!(role.source.secret().expose(), "CANARY-source-key");
    assert_eq!(role.source.session_token(), None);
    assert!(!format!("{role:?}").contains("CANARY"), "{role:?}");
    assert_eq!(TccliProvider::new().cvm_role(&ctx).unwrap(), None);

    // TCCLI_PROFILE picks the profile, as for keys; temporary source keys keep their token.
    let chained = TccliProvider::new()
        .assume_role(&home.ctx(&[("TCCLI_PROFILE", "chained")]))
        .unwrap()
        .unwrap();
    assert_eq!(chained.profile, "chained");
    assert_eq!(chained.session_name, None, "an empty name is no name");
    assert_eq!(token(&chained.source), Some("CANARY-token"));

    let err = TccliProvider::new()
        .with_profile("nokeys")
        .assume_role(&ctx)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("secretId") && err.contains("'nokeys'") && err.contains("nokeys.credential"),
        "{err}"
    );

    // The CVM role wins over role-arn, as in tccli; a keys profile or no file has no role.
    let cvm = TccliProvider::new().with_profile("cvm");
    let origin = cvm.cvm_role(&ctx).unwrap().unwrap();
    assert!(origin.ends_with("cvm.credential"), "{origin}");
    assert_eq!(cvm.assume_role(&ctx).unwrap(), None);
    for name in ["keys", "missing"] {
        let p = TccliProvider::new().with_profile(name);
        assert_eq!(p.assume_role(&ctx).unwrap(), None, "{name}");
        assert_eq!(p.cvm_role(&ctx).unwrap(), None, "{name}");
    }
    assert!(
        TccliProvider::new()
            .with_profile("../x")
            .assume_role(&ctx)
            .is_err()
    );

    // The chain does not fall back to the bare keys of a role profile either.
    let err = ChainProvider::default_for(Vendor::Tencent, None)
        .provide(&ctx)
        .unwrap_err()
        .to_string();
    assert!(err.contains("role-arn"), "{err}");
    assert!(!err.contains("CANARY"), "{err}");
}

#[test]
fn tencent_chain_reads_tccli_after_the_sdk_file_and_first_for_a_named_profile() {
    let home = Home::new();
    home.write(".tccli/default.credential", TCCLI_CREDENTIAL);
    let ctx = home.ctx(&no_env());
    // No SDK file: tccli's default profile.
    let c = some(ChainProvider::default_for(Vendor::Tencent, None).provide(&ctx));
    assert_eq!(c.source(), "tccli profile");
    // With the SDK file, it comes first.
    home.write(".tencentcloud/credentials", TENCENT_INI);
    let c = some(ChainProvider::default_for(Vendor::Tencent, None).provide(&ctx));
    assert_eq!(c.access_key_id(), "AKIDdefault");
    // A named profile tccli has: tccli's; one only the SDK file has: the file's.
    home.write(
        ".tccli/temp.credential",
        r#"{"secretId": "AKIDtcclitemp", "secretKey": "k"}"#,
    );
    let c = some(ChainProvider::default_for(Vendor::Tencent, Some("temp")).provide(&ctx));
    assert_eq!(c.access_key_id(), "AKIDtcclitemp");
    fs::remove_file(home.path().join(".tccli/temp.credential")).unwrap();
    let c = some(ChainProvider::default_for(Vendor::Tencent, Some("temp")).provide(&ctx));
    assert_eq!(c.access_key_id(), "AKIDtemp");
    // The secret never shows.
    let shown = format!("{c:?}");
    assert!(
        !shown.contains("tccliKey") && !shown.contains("tempKey"),
        "{shown}"
    );
}

#[test]
fn an_aliyun_profile_in_mode_ecs_ram_role_names_its_role() {
    let (_home, ctx, file) = aliyun_profiles(
        r#"{"current":"ecs","profiles":[
            {"name":"ecs","mode":"EcsRamRole","ram_role_name":"backup-reader","region_id":"cn-beijing"},
            {"name":"keys","mode":"AK","access_key_id":"LTAIx","access_key_secret":"s"}]}"#,
    );
    assert_eq!(file.aliyun_ecs_role(&ctx).as_deref(), Some("backup-reader"));
    assert_eq!(file.region(&ctx).as_deref(), Some("cn-beijing"));
    assert_eq!(
        file.clone().with_profile("keys").aliyun_ecs_role(&ctx),
        None
    );
    assert_eq!(
        ProfileFileProvider::new(Vendor::Tencent).aliyun_ecs_role(&ctx),
        None
    );
    // Reading keys from it is still an error that says why.
    let err = file.provide(&ctx).unwrap_err().to_string();
    assert!(err.contains("EcsRamRole"), "{err}");
}

#[test]
fn an_aliyun_profile_in_mode_ram_role_arn_gives_its_role_and_the_keys_that_assume_it() {
    let (_home, ctx, file) = aliyun_profiles(
        r#"{"current":"role","profiles":[
            {"name":"role","mode":"RamRoleArn","access_key_id":" LTAIrole ",
             "access_key_secret":"CANARY-role-secret","ram_role_arn":" acs:ram::1:role/backup ",
             "ram_session_name":"nightly","expired_seconds":1800,"sts_region":"cn-shanghai",
             "enable_vpc":true,"external_id":"ext-1","policy":""},
            {"name":"chained","mode":"ChainableRamRoleArn","source_profile":"sts",
             "ram_role_arn":"acs:ram::2:role/dr"},
            {"name":"sts","mode":"StsToken","access_key_id":"STS.a","access_key_secret":"s",
             "sts_token":"CANARY-sts-token"},
            {"name":"norole","mode":"RamRoleArn","access_key_id":"LTAIx","access_key_secret":"s"},
            {"name":"nokeys","mode":"RamRoleArn","ram_role_arn":"acs:ram::1:role/r"},
            {"name":"lost","mode":"ChainableRamRoleArn","source_profile":"gone",
             "ram_role_arn":"acs:ram::1:role/r"},
            {"name":"loop","mode":"ChainableRamRoleArn","source_profile":"loop",
             "ram_role_arn":"acs:ram::1:role/r"},
            {"name":"keys","mode":"AK","access_key_id":"LTAIk","access_key_secret":"s"}]}"#,
    );
    let role = file.aliyun_role_arn(&ctx).unwrap().unwrap();
    assert_eq!(role.profile, "role");
    assert_eq!(role.role_arn, "acs:ram::1:role/backup");
    assert_eq!(role.source.access_key_id(), "LTAIrole");
    assert_eq!(role.session_name.as_deref(), Some("nightly"));
    assert_eq!(role.duration_seconds, Some(1800));
    assert_eq!(role.sts_region.as_deref(), Some("cn-shanghai"));
    assert!(role.enable_vpc);
    assert_eq!(role.external_id.as_deref(), Some("ext-1"));
    assert_eq!(role.policy, None, "an empty policy is no policy");
    assert!(role.origin.ends_with("config.json"), "{}", role.origin);
    assert!(!format!("{role:?}").contains("CANARY"), "{role:?}");

    let chained = file
        .clone()
        .with_profile("chained")
        .aliyun_role_arn(&ctx)
        .unwrap()
        .unwrap();
    assert_eq!(chained.role_arn, "acs:ram::2:role/dr");
    assert_eq!(chained.source.access_key_id(), "STS.a");
    assert!(chained.source.session_token().is_some());
    assert_eq!(chained.duration_seconds, None);

    for (profile, says) in [
        ("norole", "ram_role_arn"),
        ("nokeys", "access_key_id"),
        ("lost", "'gone', which does not exist"),
        ("loop", "mode 'ChainableRamRoleArn' is not supported"),
    ] {
        let e = file
            .clone()
            .with_profile(profile)
            .aliyun_role_arn(&ctx)
            .unwrap_err()
            .to_string();
        assert!(e.contains(says) && e.contains(profile), "{profile}: {e}");
        assert!(!e.contains("CANARY"), "{e}");
    }
    // Other modes, other vendors: no role.
    assert!(
        file.clone()
            .with_profile("keys")
            .aliyun_role_arn(&ctx)
            .unwrap()
            .is_none()
    );
    assert!(
        ProfileFileProvider::new(Vendor::Tencent)
            .aliyun_role_arn(&ctx)
            .unwrap()
            .is_none()
    );
    // Reading keys from a role profile is an error that names the mode.
    let e = file.provide(&ctx).unwrap_err().to_string();
    assert!(e.contains("RamRoleArn"), "{e}");
}

// ------------------------------------------------------------- Huawei federated identity

#[test]
fn a_huawei_federated_identity_comes_from_the_environment_or_the_file_in_the_official_order() {
    use cloud_sign::provider::HuaweiFederation;
    let resolve =
        |ctx: &ProviderContext, profile: Option<&str>| HuaweiFederation::resolve(ctx, profile);
    let home = Home::new();
    let path = home.write(
        ".huaweicloud/credentials",
        "[basic]\n\
         idp_id = cce-oidc\n\
         id_token_file = /var/run/secrets/tokens/oidc-token\n\
         project_id = 0123456789abcdef\n\
         iam_endpoint = https://iam.example.com\n\
         \n\
         [both]\n\
         ak = HPUAboth\n\
         sk = CANARY-both-sk\n\
         idp_id = idp-both\n\
         id_token_file = /t/both\n\
         \n\
         [keys]\n\
         ak = HPUAkeys\n\
         sk = CANARY-keys-sk\n\
         \n\
         [half]\n\
         idp_id = idp-half\n\
         \n\
         [otherhalf]\n\
         id_token_file = /t/half\n",
    );
    let origin = path.display().to_string();
    let env_idp = [
        ("HUAWEICLOUD_SDK_IDP_ID", " idp-env "),
        ("HUAWEICLOUD_SDK_ID_TOKEN_FILE", "/t/env"),
        ("HUAWEICLOUD_SDK_PROJECT_ID", "envproject"),
        ("HUAWEICLOUD_SDK_IAM_ENDPOINT", "iam.env.example.com"),
    ];

    // The environment's, with its project and IAM endpoint; it wins over the file.
    let f = resolve(&home.ctx(&env_idp), None).unwrap().unwrap();
    assert_eq!(f.idp_id, "idp-env");
    assert_eq!(f.id_token_file, PathBuf::from("/t/env"));
    assert_eq!(f.project_id.as_deref(), Some("envproject"));
    assert_eq!(f.iam_endpoint.as_deref(), Some("iam.env.example.com"));
    assert_eq!(
        f.origin,
        "the environment (HUAWEICLOUD_SDK_IDP_ID, HUAWEICLOUD_SDK_ID_TOKEN_FILE)"
    );
    // It wins over keys in the environment too, as in the official SDKs (the keys provider
    // still answers the keys: its behaviour is unchanged).
    let with_keys = [
        env_idp[0],
        env_idp[1],
        ("HUAWEICLOUD_SDK_AK", "HPUAenv"),
        ("HUAWEICLOUD_SDK_SK", "CANARY-env-sk"),
    ];
    let ctx = home.ctx(&with_keys);
    assert_eq!(resolve(&ctx, None).unwrap().unwrap().idp_id, "idp-env");
    assert_eq!(some(env(Vendor::Huawei, &ctx)).access_key_id(), "HPUAenv");
    // Keys in the environment come before the file's identity.
    let ctx = home.ctx(&with_keys[2..]);
    assert_eq!(resolve(&ctx, None).unwrap(), None);

    // The file's [basic] section, with its project_id and iam_endpoint.
    let ctx = home.ctx(&no_env());
    let f = resolve(&ctx, None).unwrap().unwrap();
    assert_eq!(
        f,
        HuaweiFederation {
            idp_id: "cce-oidc".into(),
            id_token_file: PathBuf::from("/var/run/secrets/tokens/oidc-token"),
            project_id: Some("0123456789abcdef".into()),
            iam_endpoint: Some("https://iam.example.com".into()),
            origin: format!("{origin} (profile basic)"),
        }
    );
    // Without keys, the section is no key profile: Ok(None), not "missing ak".
    assert_eq!(file(Vendor::Huawei, &ctx), Ok(None));
    assert_eq!(
        ChainProvider::default_for(Vendor::Huawei, None).provide(&ctx),
        Ok(None)
    );
    // A named profile, alone, even over the environment: the identity wins over its keys.
    let ctx = home.ctx(&env_idp);
    let f = resolve(&ctx, Some("both")).unwrap().unwrap();
    assert_eq!(f.idp_id, "idp-both");
    assert_eq!(f.origin, format!("{origin} (profile both)"));
    // The file's section holds no iam_endpoint: the variable applies.
    assert_eq!(f.iam_endpoint.as_deref(), Some("iam.env.example.com"));
    assert_eq!(
        some(huawei_profile("both", &ctx)).access_key_id(),
        "HPUAboth"
    );
    assert_eq!(resolve(&ctx, Some("keys")).unwrap(), None);
    assert_eq!(resolve(&ctx, Some("nosuchsection")).unwrap(), None);

    // Nothing configured.
    let empty = Home::new();
    assert_eq!(resolve(&empty.ctx(&no_env()), None).unwrap(), None);
    let named_missing = [("HUAWEICLOUD_SDK_CREDENTIALS_FILE", "/no/such/file")];
    assert_eq!(resolve(&empty.ctx(&named_missing), None).unwrap(), None);
}

#[test]
fn half_a_huawei_federated_identity_is_an_error_naming_what_is_missing() {
    use cloud_sign::provider::HuaweiFederation;
    let empty = Home::new();
    for (vars, says) in [
        (
            [
                ("HUAWEICLOUD_SDK_IDP_ID", "idp"),
                ("HUAWEICLOUD_SDK_AK", "HPUA"),
            ],
            "HUAWEICLOUD_SDK_IDP_ID is set but HUAWEICLOUD_SDK_ID_TOKEN_FILE is not",
        ),
        (
            [
                ("HUAWEICLOUD_SDK_ID_TOKEN_FILE", "/t"),
                ("HUAWEICLOUD_SDK_IDP_ID", " "),
            ],
            "HUAWEICLOUD_SDK_ID_TOKEN_FILE is set but HUAWEICLOUD_SDK_IDP_ID is not",
        ),
    ] {
        let e = HuaweiFederation::resolve(&empty.ctx(&vars), None).unwrap_err();
        assert_mentions(&e, &["the environment", says]);
    }
    let home = Home::new();
    let path = home.write(
        ".huaweicloud/credentials",
        "[basic]\nidp_id = idp\n\n[other]\nid_token_file = /t\nsk = CANARY-sk\n",
    );
    let ctx = home.ctx(&no_env());
    let e = HuaweiFederation::resolve(&ctx, None).unwrap_err();
    assert_mentions(
        &e,
        &[
            &path.display().to_string(),
            "profile 'basic' has idp_id but no id_token_file",
        ],
    );
    let e = HuaweiFederation::resolve(&ctx, Some("other")).unwrap_err();
    assert_mentions(&e, &["profile 'other' has id_token_file but no idp_id"]);
    assert!(!e.to_string().contains("CANARY"), "{e}");
}
