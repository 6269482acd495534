//! Every `cloud-backup huawei` operation against the emulator, output with the API's field
//! names.

use fake_cloud::{HUAWEI_PROJECT_ID, Route};

use crate::common::{Cloud, query};

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
    let keys = cloud.cloud.huawei_credentials();
    let (_runtime, metadata) = crate::common::metadata(vec![
        MockResponse::json(200, "md-token"),
        MockResponse::json(
            200,
            &serde_json::json!({"credential": {
                "access": keys.access_key_id(),
                "secret": keys.secret().expose(),
                "securitytoken": "CANARY-agency-token",
                "expires_at": "2099-01-01T00:00:00.000000Z",
            }})
            .to_string(),
        ),
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
    let out = cloud.keyless(
        &[],
        &["--region", "cn-north-4", "huawei", "dds-list-backups"],
        false,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("CLOUD_BACKUP_USE_INSTANCE_CREDENTIALS"),
        "{err}"
    );
    assert_eq!(metadata.requests().len(), 2);
}
