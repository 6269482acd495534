//! Every `cloud-backup huawei` operation against the emulator, output with the API's field
//! names.

use fake_cloud::{HUAWEI_PROJECT_ID, Route};

use crate::common::{Cloud, configure_list, query};

const DDS_INSTANCE: &str = "befb1cfe1f96403780396b0c54f85d11in02";
const DDS_BACKUP: &str = "bd062e1af2d248b3bb4cd3dbb4183888br02";
const RDS_INSTANCE: &str = "43e4feaab48f11e89039fa163ebaa7e4in01";
const RDS_BACKUP: &str = "c0c9f155c7b7423a9d30f0175998b63bbr01";

#[test]
fn dds_list_backups_filters_by_instance() {
    let cloud = Cloud::start();
    let out = cloud.huawei(&[
        "dds-list-backups",
        "--instance-id",
        DDS_INSTANCE,
        "--limit",
        "10",
        "--begin-time",
        "2025-12-31 00:00:00",
        "--end-time",
        "2026-01-02T00:00:00Z",
        "--order-field",
        "begin_time",
        "--order-rule",
        "desc",
    ]);
    assert_eq!(out["total_count"], 1);
    assert_eq!(out["backups"][0]["id"], DDS_BACKUP);
    assert_eq!(out["backups"][0]["status"], "COMPLETED");
    assert_eq!(out["backups"][0]["size"], 1024, "KB, as the API says");
    let sent = cloud.request(Route::Huawei, "ListBackups");
    assert_eq!(sent.path, format!("/v3/{HUAWEI_PROJECT_ID}/backups"));
    assert_eq!(query(&sent, "instance_id").as_deref(), Some(DDS_INSTANCE));
    assert_eq!(
        query(&sent, "begin_time").as_deref(),
        Some("2025-12-31 00:00:00")
    );
    assert_eq!(
        query(&sent, "end_time").as_deref(),
        Some("2026-01-02 00:00:00")
    );
    assert_eq!(query(&sent, "order_rule").as_deref(), Some("desc"));
    assert!(
        cloud
            .requests(Route::Iam, "KeystoneListProjects")
            .is_empty(),
        "HUAWEICLOUD_SDK_PROJECT_ID spares the IAM lookup"
    );
}

#[test]
fn dds_show_backup_download_link_gives_one_link_per_shard() {
    let cloud = Cloud::start();
    let out = cloud.huawei(&[
        "dds-show-backup-download-link",
        "--instance-id",
        DDS_INSTANCE,
        "--backup-id",
        DDS_BACKUP,
        "--x-language",
        "en-us",
    ]);
    let files = out["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["group_name"], "shard_1");
    assert_eq!(out["bucket"], "fake-obs-dds");
    let link = files[0]["download_link"].as_str().unwrap();
    assert!(link.contains("Signature="), "the whole link: {link}");
    let sent = cloud.request(Route::Huawei, "ShowBackupDownloadLink");
    assert_eq!(sent.header("x-language"), Some("en-us"));
    assert_eq!(query(&sent, "backup_id").as_deref(), Some(DDS_BACKUP));
}

#[test]
fn rds_show_backup_download_link_gives_the_file() {
    let cloud = Cloud::start();
    let out = cloud.huawei(&["rds-show-backup-download-link", "--backup-id", RDS_BACKUP]);
    assert_eq!(
        out["files"][0]["name"],
        format!("{RDS_BACKUP}_rds-backup-1.tar.gz")
    );
    assert_eq!(out["bucket"], "fake-obs-rds");
    let sent = cloud.request(Route::Huawei, "ShowBackupDownloadLink");
    assert_eq!(sent.path, format!("/v3/{HUAWEI_PROJECT_ID}/backup-files"));
}

#[test]
fn rds_list_backups_sends_the_instance_and_type() {
    let cloud = Cloud::start();
    let out = cloud.huawei(&[
        "rds-list-backups",
        "--instance-id",
        RDS_INSTANCE,
        "--backup-type",
        "auto",
        "--offset",
        "0",
    ]);
    // With one endpoint for both services the emulator cannot tell RDS ListBackups from DDS
    // ListBackups (same path): what comes back is the documented shape, whatever it lists.
    assert!(out["backups"].is_array(), "{out}");
    assert!(out["total_count"].is_u64(), "{out}");
    let sent = cloud.request(Route::Huawei, "ListBackups");
    assert_eq!(sent.path, format!("/v3/{HUAWEI_PROJECT_ID}/backups"));
    assert_eq!(query(&sent, "instance_id").as_deref(), Some(RDS_INSTANCE));
    assert_eq!(query(&sent, "backup_type").as_deref(), Some("auto"));
    assert_eq!(query(&sent, "offset").as_deref(), Some("0"));
}

#[test]
fn the_project_id_is_looked_up_through_iam_when_not_configured() {
    let cloud = Cloud::start();
    let huawei = cloud.cloud.huawei_credentials();
    cloud
        .without_credentials()
        .env("HUAWEICLOUD_SDK_AK", huawei.access_key_id())
        .env("HUAWEICLOUD_SDK_SK", huawei.secret().expose())
        .args(["--region", "cn-north-4", "huawei", "dds-list-backups"])
        .assert()
        .success();
    let lookup = cloud.request(Route::Iam, "KeystoneListProjects");
    assert_eq!(query(&lookup, "name").as_deref(), Some("cn-north-4"));
    let sent = cloud.request(Route::Huawei, "ListBackups");
    assert_eq!(sent.path, format!("/v3/{HUAWEI_PROJECT_ID}/backups"));
}

#[test]
fn project_id_flag_wins_over_the_environment() {
    let cloud = Cloud::start();
    let stderr = crate::common::failure(
        cloud
            .cmd()
            .args([
                "--region",
                "cn-north-4",
                "huawei",
                "--project-id",
                "other-project",
            ])
            .args(["rds-show-backup-download-link", "--backup-id", RDS_BACKUP])
            .assert(),
        1,
    );
    crate::common::assert_one_line_error(&stderr, &["DBS.200001", "request id fake-huawei-"]);
    let sent = cloud.request(Route::Huawei, "ShowBackupDownloadLink");
    assert_eq!(sent.path, "/v3/other-project/backup-files");
}

/// On an ECS instance with an agency and no keys: opted in, the agency's temporary credentials
/// (after a metadata token) sign the calls, security token included.
#[test]
fn the_ecs_agency_signs_when_opted_in_and_no_keys_are_configured() {
    use backup_core::cloud_http::testing::MockResponse;
    let cloud = Cloud::start();
    let (_runtime, metadata) = crate::common::metadata(vec![
        MockResponse::json(200, "md-token"),
        credential_answer(&cloud, 200, "CANARY-agency-token"),
    ]);
    let endpoint = metadata.endpoint().to_string();
    let out = cloud.keyless(
        &[
            ("CLOUD_BACKUP_USE_INSTANCE_CREDENTIALS", "1"),
            ("CLOUD_BACKUP_ECS_METADATA_ENDPOINT", &endpoint),
        ],
        &[
            "--region",
            "cn-north-4",
            "huawei",
            "--project-id",
            HUAWEI_PROJECT_ID,
            "dds-list-backups",
        ],
        true,
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("CANARY"));
    let sent = cloud.request(Route::Huawei, "ListBackups");
    assert_eq!(sent.header("x-security-token"), Some("CANARY-agency-token"));
    assert_eq!(metadata.requests().len(), 2);

    // Without keys and not opted in: the hint names the variable, nothing is asked.
    let out = dds_keyless(&cloud, &[], false);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("CLOUD_BACKUP_USE_INSTANCE_CREDENTIALS"),
        "{err}"
    );
    assert_eq!(metadata.requests().len(), 2);
}

/// On CCE with the cluster as an OIDC identity provider (the official
/// `HUAWEICLOUD_SDK_IDP_ID` and `HUAWEICLOUD_SDK_ID_TOKEN_FILE`): the id token is exchanged at
/// IAM (`HUAWEICLOUD_SDK_IAM_ENDPOINT`) for temporary credentials that sign the calls, before
/// keys in the environment as in the official chain; `configure list` names the source.
#[test]
fn a_federated_identity_signs_at_the_official_chain_s_place() {
    use backup_core::cloud_http::testing::MockResponse;
    let cloud = Cloud::start();
    let subject = || {
        MockResponse::json(
            201,
            r#"{"token":{"expires_at":"2099-01-01T00:00:00.000000Z","methods":["mapped"]}}"#,
        )
        .with_header("X-Subject-Token", "CANARY-subject-token")
    };
    let credential = || credential_answer(&cloud, 201, "CANARY-federated-token");
    let (_runtime, iam) =
        crate::common::metadata(vec![subject(), credential(), subject(), credential()]);
    let token_file = cloud.home.path().join("oidc-token");
    std::fs::write(&token_file, "CANARY-id-token\n").unwrap();
    let token_path = token_file.display().to_string();
    let iam_url = iam.endpoint().to_string();
    let env = [
        ("HUAWEICLOUD_SDK_IDP_ID", "cce-oidc"),
        ("HUAWEICLOUD_SDK_ID_TOKEN_FILE", token_path.as_str()),
        ("HUAWEICLOUD_SDK_IAM_ENDPOINT", iam_url.as_str()),
        ("HUAWEICLOUD_SDK_PROJECT_ID", HUAWEI_PROJECT_ID),
    ];
    let out = dds_keyless(&cloud, &env, true);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("CANARY"));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("CANARY"));
    let sent = cloud.request(Route::Huawei, "ListBackups");
    assert_eq!(
        sent.header("x-security-token"),
        Some("CANARY-federated-token")
    );
    assert!(sent.path.starts_with(&format!("/v3/{HUAWEI_PROJECT_ID}/")));
    let asked = iam.requests();
    assert_eq!(asked.len(), 2);
    assert_eq!(asked[0].path, "/v3.0/OS-AUTH/id-token/tokens");
    assert_eq!(asked[0].header("x-idp-id"), Some("cce-oidc"));
    let body: serde_json::Value = serde_json::from_slice(&asked[0].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"auth": {"id_token": {"id": "CANARY-id-token"}}})
    );
    assert_eq!(asked[1].path, "/v3.0/OS-CREDENTIAL/securitytokens");

    // Keys in the environment too: the federated identity still comes first.
    cloud.cloud.clear_requests();
    let mut with_keys = env.to_vec();
    with_keys.push(("HUAWEICLOUD_SDK_AK", "HPUAstray"));
    with_keys.push(("HUAWEICLOUD_SDK_SK", "CANARY-stray-sk"));
    cloud.keyless(
        &with_keys,
        &[
            "--region",
            "cn-north-4",
            "huawei",
            "rds-list-backups",
            "--instance-id",
            RDS_INSTANCE,
        ],
        true,
    );
    let sent = cloud.request(Route::Huawei, "ListBackups");
    assert_eq!(
        sent.header("x-security-token"),
        Some("CANARY-federated-token")
    );
    assert_eq!(iam.requests().len(), 4);

    // configure list reports it, asking nothing.
    let out = configure_list(
        cloud.home.path(),
        &env,
        &["--region", "cn-north-4", "--output", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let source = v["huawei"]["credentials"]["source"].as_str().unwrap();
    assert!(
        source.starts_with("federated identity provider cce-oidc (IAM 127.0.0.1")
            && source.contains("selected by the environment (HUAWEICLOUD_SDK_IDP_ID, HUAWEICLOUD_SDK_ID_TOKEN_FILE)"),
        "{v}"
    );
    assert!(!v.to_string().contains("CANARY"), "{v}");
    assert_eq!(iam.requests().len(), 4, "configure list asks nothing");

    // Half a federated identity: an error naming the missing variable, nothing sent.
    let out = dds_keyless(&cloud, &[("HUAWEICLOUD_SDK_IDP_ID", "cce-oidc")], false);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("HUAWEICLOUD_SDK_ID_TOKEN_FILE is not"),
        "{err}"
    );
    assert_eq!(iam.requests().len(), 4);
}

/// Runs `dds-list-backups` in cn-north-4 with no keys and `env`; asserts success (`ok`) or
/// failure and returns the output.
fn dds_keyless(cloud: &Cloud, env: &[(&str, &str)], ok: bool) -> std::process::Output {
    let args = ["--region", "cn-north-4", "huawei", "dds-list-backups"];
    cloud.keyless(env, &args, ok)
}

/// An answer carrying temporary credentials (the ECS agency's securitykey, IAM's
/// securitytokens): the emulator's keys with `security_token`, as HTTP `status`.
fn credential_answer(
    cloud: &Cloud,
    status: u16,
    security_token: &str,
) -> backup_core::cloud_http::testing::MockResponse {
    let keys = cloud.cloud.huawei_credentials();
    backup_core::cloud_http::testing::MockResponse::json(
        status,
        &serde_json::json!({"credential": {
            "access": keys.access_key_id(),
            "secret": keys.secret().expose(),
            "securitytoken": security_token,
            "expires_at": "2099-01-01T00:00:00.000000Z",
        }})
        .to_string(),
    )
}
