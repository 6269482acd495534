//! Snapshots of `--help`: the top level, each vendor, and `download` (width fixed by
//! `COLUMNS=100` and the command's own maximum of 100).

use crate::common::{bare, configure_list, stdout};

fn help(args: &[&str]) -> String {
    let home = tempfile::tempdir().unwrap();
    stdout(bare(home.path()).args(args).arg("--help"))
}

#[test]
fn help_of_the_top_level_each_vendor_and_download() {
    for (name, args) in [
        ("top_level_help", &[][..]),
        ("aliyun_help", &["aliyun"][..]),
        ("tencent_help", &["tencent"][..]),
        ("huawei_help", &["huawei"][..]),
        ("download_help", &["download"][..]),
    ] {
        let text = help(args);
        assert!(text.contains("Exit codes:"), "{name}: {text}");
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn every_operation_of_the_vendor_crates_is_a_command() {
    for (vendor, operations) in [
        (
            "aliyun",
            &[
                "create-download",
                "describe-download-task",
                "describe-download-backup-set-storage-info",
                "describe-download-support",
                "retry-download-task",
                "create-restore-task",
                "start-restore-task",
                "describe-restore-task-list",
                "describe-backup-plan-list",
                "describe-full-backup-list",
                "rds-describe-backups",
                "rds-describe-db-instance-attribute",
                "polardb-describe-backups",
                "mongodb-describe-backups",
                "mongodb-describe-cluster-backups",
            ][..],
        ),
        (
            "tencent",
            &[
                "create-backup-download-task",
                "describe-backup-download-task",
                "describe-db-backups",
                "describe-db-instances",
            ][..],
        ),
        (
            "huawei",
            &[
                "dds-show-backup-download-link",
                "rds-show-backup-download-link",
                "dds-list-backups",
                "rds-list-backups",
            ][..],
        ),
    ] {
        for operation in operations {
            let text = help(&[vendor, operation]);
            assert!(
                text.starts_with(char::is_uppercase),
                "{vendor} {operation}: {text}"
            );
        }
    }
}

#[test]
fn no_arguments_prints_the_usage_and_exits_2() {
    let home = tempfile::tempdir().unwrap();
    let output = bare(home.path()).assert().code(2).get_output().clone();
    assert!(String::from_utf8_lossy(&output.stderr).contains("Usage: cloud-backup"));
}

/// Completion scripts for every shell clap_complete knows, and the manual page.
#[test]
fn completions_and_the_manual_page_are_generated() {
    let home = tempfile::tempdir().unwrap();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef cloud-backup"),
        ("fish", "complete -c cloud-backup"),
        ("powershell", "Register-ArgumentCompleter"),
        ("elvish", "edit:completion"),
    ] {
        let text = stdout(bare(home.path()).args(["completions", shell]));
        assert!(
            text.contains(marker),
            "{shell}: {}",
            &text[..text.len().min(200)]
        );
        assert!(
            text.contains("download"),
            "{shell} completes the subcommands"
        );
    }
    let man = stdout(bare(home.path()).arg("man"));
    assert!(
        man.starts_with(".ie") || man.starts_with(".TH"),
        "{}",
        &man[..80]
    );
    assert!(
        man.contains("cloud\\-backup") && man.contains("download"),
        "the commands are listed"
    );
}

/// `--version` names the version, the commit and the build date.
#[test]
fn version_names_the_commit_and_the_build_date() {
    let home = tempfile::tempdir().unwrap();
    let text = stdout(bare(home.path()).arg("--version"));
    let rest = text
        .trim()
        .strip_prefix(&format!(
            "cloud-backup {} (commit ",
            env!("CARGO_PKG_VERSION")
        ))
        .unwrap_or_else(|| panic!("{text}"));
    let (commit, date) = rest
        .split_once(", built ")
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        commit == "unknown"
            || (commit.len() == 12 && commit.bytes().all(|b| b.is_ascii_hexdigit())),
        "{text}"
    );
    let date = date.strip_suffix(')').unwrap();
    assert!(
        time::Date::parse(
            date,
            time::macros::format_description!("[year]-[month]-[day]")
        )
        .is_ok(),
        "{text}"
    );
}

/// A mistyped command or flag gets clap's "did you mean".
#[test]
fn typos_get_a_suggestion() {
    let home = tempfile::tempdir().unwrap();
    let out = bare(home.path())
        .arg("downlaod")
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("similar subcommand") && text.contains("download"),
        "{text}"
    );
    let out = bare(home.path())
        .args(["download", "http://x/f", "--conections", "2"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("similar argument") && text.contains("--connections"),
        "{text}"
    );
}

/// `configure list` says where each vendor's credentials and region come from, key ids masked
/// and secrets never shown.
#[test]
fn configure_list_shows_the_sources_with_secrets_masked() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join(".tencentcloud");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("credentials"),
        "[default]\nsecret_id = AKIDfromfile123\nsecret_key = CANARY-tencent-secret\n",
    )
    .unwrap();
    let text = configure_list(
        home.path(),
        &[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenvkey999"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "CANARY-aliyun-secret"),
            ("HUAWEICLOUD_SDK_REGION", "cn-north-4"),
        ],
        &["--output", "json"],
    );
    assert!(
        !text.contains("CANARY") && !text.contains("envkey999") && !text.contains("fromfile123"),
        "{text}"
    );
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["aliyun"]["credentials"]["access_key_id"], "LTAI****");
    assert!(
        v["aliyun"]["credentials"]["source"]
            .as_str()
            .unwrap()
            .contains("ALIBABA_CLOUD_ACCESS_KEY_ID")
    );
    assert_eq!(v["tencent"]["credentials"]["access_key_id"], "AKID****");
    assert!(
        v["tencent"]["credentials"]["source"]
            .as_str()
            .unwrap()
            .contains(".tencentcloud/credentials")
    );
    assert_eq!(v["huawei"]["credentials"]["source"], "none");
    assert_eq!(v["huawei"]["region"]["value"], "cn-north-4");
    assert_eq!(v["huawei"]["region"]["source"], "HUAWEICLOUD_SDK_REGION");
    assert!(v["aliyun"]["region"]["value"].is_null());

    // The Aliyun profile's region_id is the region when neither --region nor the variable is set.
    let dir = home.path().join(".aliyun");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.json"),
        r#"{"current":"default","profiles":[{"name":"default","mode":"AK","access_key_id":"LTAIfile","access_key_secret":"s","region_id":"cn-shanghai"}]}"#,
    )
    .unwrap();
    let out = configure_list(home.path(), &[], &["--output", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["aliyun"]["region"]["value"], "cn-shanghai", "{v}");
    assert!(
        v["aliyun"]["region"]["source"]
            .as_str()
            .unwrap()
            .contains("region_id")
    );
}

/// tccli's profiles are read: keys from `~/.tccli/<profile>.credential`, the region from its
/// `.configure`, a named profile there first.
#[test]
fn configure_list_reads_tccli_profiles() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join(".tccli");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("prod.credential"),
        r#"{"secretId": "AKIDtcclikey1", "secretKey": "CANARY-tccli-secret"}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("prod.configure"),
        r#"{"_sys_param": {"region": "ap-nanjing", "output": "json"}}"#,
    )
    .unwrap();
    let text = configure_list(home.path(), &[], &["--profile", "prod", "--output", "json"]);
    assert!(
        !text.contains("CANARY") && !text.contains("tcclikey1"),
        "{text}"
    );
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let tencent = &v["tencent"];
    assert_eq!(tencent["credentials"]["access_key_id"], "AKID****", "{v}");
    assert_eq!(
        tencent["credentials"]["source"],
        "~/.tccli/prod.credential (tccli profile prod)"
    );
    assert_eq!(tencent["region"]["value"], "ap-nanjing");
    assert!(
        tencent["region"]["source"]
            .as_str()
            .unwrap()
            .contains(".tccli")
    );

    // A CVM-role profile is named as such, not taken for missing keys.
    std::fs::write(dir.join("prod.credential"), r#"{"type": "cvm-role"}"#).unwrap();
    let out = configure_list(home.path(), &[], &["--profile", "prod", "--output", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let error = v["tencent"]["credentials"]["error"].as_str().unwrap();
    assert!(
        error.contains("CVM role") && error.contains("prod.credential"),
        "{v}"
    );
}

/// Without keys, `configure list` names the ECS instance role the commands would use.
#[test]
fn configure_list_names_the_ecs_instance_role() {
    let home = tempfile::tempdir().unwrap();
    let out = configure_list(
        home.path(),
        &[("ALIBABA_CLOUD_ECS_METADATA", "backup-reader")],
        &["--output", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let source = v["aliyun"]["credentials"]["source"].as_str().unwrap();
    assert!(
        source.contains("ECS RAM role backup-reader")
            && source.contains("ALIBABA_CLOUD_ECS_METADATA"),
        "{v}"
    );
    assert_eq!(v["tencent"]["credentials"]["source"], "none");
    assert_eq!(v["huawei"]["credentials"]["source"], "none", "not opted in");
    let out = configure_list(
        home.path(),
        &[("CLOUD_BACKUP_USE_INSTANCE_CREDENTIALS", "1")],
        &["--output", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let source = v["huawei"]["credentials"]["source"].as_str().unwrap();
    assert!(source.starts_with("ECS agency"), "{v}");
}

/// `configure list` reports the commands' own resolution: an OIDC role comes before the profile
/// file's keys, as in the official chain, and says what selected it.
#[test]
fn configure_list_reports_an_oidc_role_before_the_profile_file() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join(".aliyun");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.json"),
        r#"{"current":"default","profiles":[{"name":"default","mode":"AK","access_key_id":"LTAIfile","access_key_secret":"CANARY-s"}]}"#,
    )
    .unwrap();
    let text = configure_list(
        home.path(),
        &[
            ("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/backup"),
            (
                "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                "acs:ram::1:oidc-provider/ack",
            ),
            ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/var/run/token"),
            ("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/backup"),
        ],
        &["--output", "json"],
    );
    assert!(!text.contains("CANARY"), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let source = v["aliyun"]["credentials"]["source"].as_str().unwrap();
    assert!(
        source.starts_with("OIDC role acs:ram::1:role/backup")
            && source.contains("selected by ALIBABA_CLOUD_ROLE_ARN"),
        "{v}"
    );
    // Only part of the TKE variables: the error names the missing ones.
    let error = v["tencent"]["credentials"]["error"].as_str().unwrap();
    assert!(error.contains("TKE_REGION"), "{v}");
}

/// Each global flag shows only in the help of the commands it applies to; given elsewhere, it
/// is still refused by name.
#[test]
fn global_flags_appear_only_where_they_apply() {
    let has = |text: &str, flag: &str| text.lines().any(|l| l.trim_start().starts_with(flag));
    let create = help(&["aliyun", "create-download"]);
    assert!(create.contains("      --wait\n"), "{create}");
    assert!(has(&create, "--region") && has(&create, "--wait-timeout"));
    let list = help(&["aliyun", "describe-download-task"]);
    assert!(
        !list.contains("      --wait\n") && !has(&list, "--wait-timeout"),
        "{list}"
    );
    assert!(
        has(&list, "--region") && has(&list, "--max-attempts"),
        "{list}"
    );
    let export = help(&["export"]);
    assert!(has(&export, "--wait-timeout") && !export.contains("      --wait\n"));
    let download = help(&["download"]);
    for flag in [
        "--region",
        "--profile",
        "--endpoint",
        "--wait",
        "--max-attempts",
    ] {
        assert!(!has(&download, flag), "{flag} in download's help");
    }
    assert!(has(&download, "--output") && has(&download, "--query"));
    let demo = help(&["demo"]);
    assert!(!has(&demo, "--output") && !has(&demo, "--query") && !has(&demo, "--region"));
    let configure = help(&["configure", "list"]);
    assert!(has(&configure, "--profile") && !has(&configure, "--endpoint"));

    // Hidden is not accepted: the command still says the flag does not apply.
    let home = tempfile::tempdir().unwrap();
    let out = bare(home.path())
        .args(["download", "--wait", "http://127.0.0.1:9/x", "-o", "x"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("--wait applies only to"));
}
