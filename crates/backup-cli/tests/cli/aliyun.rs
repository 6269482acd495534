//! Every `cloud-backup aliyun` operation against the emulator: the flags reach the wire as the
//! API's parameters, and the answer comes back with DBS's field names.

use fake_cloud::Route;

use crate::common::{Cloud, configure_list, query};

const INSTANCE: &str = "rm-bp1example";
const BACKUP_SET: &str = "1234567890";

fn create_download(cloud: &Cloud, extra: &[&str]) -> serde_json::Value {
    let args = [
        &[
            "create-download",
            "--instance-name",
            INSTANCE,
            "--bak-set-id",
            BACKUP_SET,
            "--format-type",
            "csv",
        ][..],
        extra,
    ]
    .concat();
    cloud.aliyun(&args)
}

/// The id of a download task that has finished (the emulator finishes at the first poll).
fn finished_task(cloud: &Cloud) -> String {
    let created = create_download(cloud, &["--wait"]);
    created["Data"]["TaskId"]
        .as_str()
        .expect("a task id")
        .to_owned()
}

#[test]
fn create_download_sends_a_full_backup_set_to_url() {
    let cloud = Cloud::start();
    let out = create_download(&cloud, &[]);
    assert!(
        out["RequestId"]
            .as_str()
            .unwrap()
            .starts_with("FAKE-ALIYUN-")
    );
    assert!(out["Data"]["TaskId"].as_str().unwrap().starts_with("dt-"));
    assert_eq!(out["Data"]["DownloadStatus"], "initializing");
    assert_eq!(out["Data"]["BakSetId"], BACKUP_SET);
    assert!(out["Data"]["GmtCreate"].as_i64().unwrap() > 1_600_000_000_000);

    let sent = cloud.request(Route::Aliyun, "CreateDownload");
    for (name, value) in [
        ("RegionCode", "cn-hangzhou"),
        ("InstanceName", INSTANCE),
        ("BakSetType", "full"),
        ("BakSetId", BACKUP_SET),
        ("FormatType", "csv"),
        ("TargetType", "URL"),
    ] {
        assert_eq!(query(&sent, name).as_deref(), Some(value), "{name}");
    }
    assert_eq!(query(&sent, "IsCluster"), None, "no MongoDB option");
}

#[test]
fn create_download_maps_point_in_time_and_mongodb_flags() {
    let cloud = Cloud::start();
    create_download_pitr(&cloud);
    let sent = cloud.request(Route::Aliyun, "CreateDownload");
    for (name, value) in [
        ("BakSetType", "pitr"),
        ("DownloadPointInTime", "1714550400000"),
        ("FormatType", "bson"),
        ("IsCluster", "true"),
        ("ClusterName", "dds-c1"),
        ("AdminDatabase", "admin"),
        ("PrimaryKeyTypeOnly", "true"),
        ("UseZstd", "true"),
        ("RegionCode", "cn-shanghai"),
    ] {
        assert_eq!(query(&sent, name).as_deref(), Some(value), "{name}");
    }
    assert_eq!(query(&sent, "BakSetId"), None);
}

fn create_download_pitr(cloud: &Cloud) {
    cloud.aliyun(&[
        "create-download",
        "--instance-name",
        INSTANCE,
        "--region-code",
        "cn-shanghai",
        "--download-point-in-time",
        "2024-05-01T08:00:00Z",
        "--format-type",
        "bson",
        "--cluster-name",
        "dds-c1",
        "--primary-key-type-only",
        "true",
        "--use-zstd",
        "true",
    ]);
}

#[test]
fn create_download_waits_until_finished() {
    let cloud = Cloud::start();
    let out = create_download(&cloud, &["--wait", "--wait-timeout", "60"]);
    assert_eq!(out["Data"]["DownloadStatus"], "finished");
    assert!(
        !cloud
            .requests(Route::Aliyun, "DescribeDownloadTask")
            .is_empty()
    );
}

#[test]
fn describe_download_task_lists_the_instance_tasks() {
    let cloud = Cloud::start();
    let task = create_download(&cloud, &[])["Data"]["TaskId"].clone();
    let out = cloud.aliyun(&[
        "describe-download-task",
        "--instance-name",
        INSTANCE,
        "--backup-set-id",
        BACKUP_SET,
        "--page-size",
        "10",
        "--order-direct",
        "desc",
    ]);
    let list = out["Data"]["Content"]["List"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["TaskId"], task);
    assert_eq!(list[0]["DownloadStatus"], "finished");
    assert_eq!(out["Data"]["TotalElements"], 1);
    let sent = cloud.request(Route::Aliyun, "DescribeDownloadTask");
    assert_eq!(query(&sent, "OrderColumn").as_deref(), Some("gmt_create"));
    assert_eq!(query(&sent, "OrderDirect").as_deref(), Some("desc"));
    assert_eq!(query(&sent, "PageSize").as_deref(), Some("10"));
}

#[test]
fn storage_info_prints_the_whole_link_on_stdout_and_never_logs_it() {
    let cloud = Cloud::start();
    let task = finished_task(&cloud);
    let assert = cloud
        .cmd()
        .args(["--region", "cn-hangzhou", "-vvv", "aliyun"])
        .args([
            "describe-download-backup-set-storage-info",
            "--task-id",
            &task,
        ])
        .args(["--duration", "3600"])
        .assert()
        .success();
    let output = assert.get_output();
    let out: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let url = out["Data"]["PublicUrl"].as_str().unwrap();
    assert!(url.contains("Signature="), "the full link: {url}");
    assert!(out["Data"]["ExpirationTime"].as_i64().unwrap() > 0);
    let logs = String::from_utf8_lossy(&output.stderr);
    assert!(
        logs.contains("DescribeDownloadBackupSetStorageInfo"),
        "traced: {logs}"
    );
    assert!(
        !logs.contains("Signature="),
        "no link signature in the logs: {logs}"
    );
    let secret = cloud.cloud.aliyun_credentials();
    assert!(
        !logs.contains(secret.secret().expose()),
        "no secret in the logs"
    );
    let sent = cloud.request(Route::Aliyun, "DescribeDownloadBackupSetStorageInfo");
    assert_eq!(query(&sent, "Duration").as_deref(), Some("3600"));
    assert_eq!(query(&sent, "TaskId").as_deref(), Some(task.as_str()));
}

#[test]
fn storage_info_by_backup_set_and_instance() {
    let cloud = Cloud::start();
    finished_task(&cloud);
    let out = cloud.aliyun(&[
        "describe-download-backup-set-storage-info",
        "--backup-set-id",
        BACKUP_SET,
        "--instance-name",
        INSTANCE,
    ]);
    assert!(
        out["Data"]["PublicUrl"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    let sent = cloud.request(Route::Aliyun, "DescribeDownloadBackupSetStorageInfo");
    assert_eq!(
        query(&sent, "Duration").as_deref(),
        Some("7200"),
        "the default"
    );
    assert_eq!(query(&sent, "TaskId"), None);
}

#[test]
fn describe_download_support_sends_the_instance() {
    let cloud = Cloud::start();
    let assert = cloud
        .cmd()
        .args([
            "--region",
            "cn-hangzhou",
            "aliyun",
            "describe-download-support",
        ])
        .args(["--instance-name", INSTANCE])
        .assert();
    let sent = cloud.request(Route::Aliyun, "DescribeDownloadSupport");
    assert_eq!(query(&sent, "InstanceName").as_deref(), Some(INSTANCE));
    assert_eq!(query(&sent, "RegionCode").as_deref(), Some("cn-hangzhou"));
    crate::mismatch::data_object_or_text(assert, "DescribeDownloadSupport", |out| {
        assert_eq!(out["Data"], true)
    });
}

#[test]
fn retry_download_task_sends_the_task() {
    let cloud = Cloud::start();
    let task = finished_task(&cloud);
    let assert = cloud
        .cmd()
        .args(["--region", "cn-hangzhou", "aliyun", "retry-download-task"])
        .args(["--instance-name", INSTANCE, "--task-id", &task])
        .assert();
    let sent = cloud.request(Route::Aliyun, "RetryDownloadTask");
    assert_eq!(query(&sent, "TaskId").as_deref(), Some(task.as_str()));
    assert_eq!(query(&sent, "InstanceName").as_deref(), Some(INSTANCE));
    crate::mismatch::data_object_or_text(assert, "RetryDownloadTask", |out| {
        assert!(out["RequestId"].is_string())
    });
}

fn create_restore(cloud: &Cloud, token: &str) -> serde_json::Value {
    cloud.aliyun(&[
        "create-restore-task",
        "--backup-plan-id",
        "dbsplan-rm-bp1example",
        "--restore-task-name",
        "restore-orders",
        "--backup-set-id",
        BACKUP_SET,
        "--destination-endpoint-instance-type",
        "RDS",
        "--destination-endpoint-region",
        "cn-hangzhou",
        "--destination-endpoint-instance-id",
        "rm-target",
        "--restore-objects",
        r#"[{"DBName":"orders","NewDBName":"orders_restored"}]"#,
        "--destination-endpoint-user-name",
        "dbs",
        "--destination-endpoint-password",
        "s3cret-password",
        "--client-token",
        token,
    ])
}

#[test]
fn create_restore_task_is_idempotent_with_a_client_token() {
    let cloud = Cloud::start();
    let first = create_restore(&cloud, "token-1");
    let again = create_restore(&cloud, "token-1");
    assert!(
        first["RestoreTaskId"]
            .as_str()
            .unwrap()
            .starts_with("s1fake")
    );
    assert_eq!(first["RestoreTaskId"], again["RestoreTaskId"]);
    assert_eq!(first["ClientToken"], "token-1");
    let sent = &cloud.requests(Route::Aliyun, "CreateRestoreTask")[0];
    for (name, value) in [
        ("DestinationEndpointInstanceType", "RDS"),
        ("DestinationEndpointInstanceID", "rm-target"),
        ("DestinationEndpointUserName", "dbs"),
        ("DestinationEndpointPassword", "s3cret-password"),
        (
            "RestoreObjects",
            r#"[{"DBName":"orders","NewDBName":"orders_restored"}]"#,
        ),
        ("ClientToken", "token-1"),
    ] {
        assert_eq!(query(sent, name).as_deref(), Some(value), "{name}");
    }
}

#[test]
fn start_restore_task_waits_for_the_job() {
    let cloud = Cloud::start();
    let id = create_restore(&cloud, "token-2")["RestoreTaskId"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = cloud.aliyun(&["start-restore-task", "--restore-task-id", &id, "--wait"]);
    assert_eq!(out["RestoreTaskId"], id.as_str());
    assert!(out["ClientToken"].is_string(), "a generated token is shown");
    assert_eq!(out["RestoreTaskDetail"]["RestoreStatus"], "finish");
    assert_eq!(out["RestoreTaskDetail"]["FullDataRestoreProgress"], 100);
}

#[test]
fn describe_restore_task_list_by_task() {
    let cloud = Cloud::start();
    let id = create_restore(&cloud, "token-3")["RestoreTaskId"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = cloud.aliyun(&["describe-restore-task-list", "--restore-task-id", &id]);
    let items = out["Items"]["RestoreTaskDetail"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["RestoreTaskId"], id.as_str());
    assert_eq!(items[0]["RestoreStatus"], "init");
    assert_eq!(items[0]["RestoreTaskName"], "restore-orders");
    assert_eq!(out["TotalElements"], 1);
}

#[test]
fn describe_backup_plan_list_lists_the_plans() {
    let cloud = Cloud::start();
    let out = cloud.aliyun(&["describe-backup-plan-list", "--page-size", "20"]);
    let plans = out["Items"]["BackupPlanDetail"].as_array().unwrap();
    assert!(
        plans
            .iter()
            .any(|p| p["BackupPlanId"] == "dbsplan-rm-bp1example"
                && p["SourceEndpointInstanceID"] == INSTANCE
                && p["BackupPlanStatus"].is_string())
    );
    let sent = cloud.request(Route::Aliyun, "DescribeBackupPlanList");
    assert_eq!(query(&sent, "PageSize").as_deref(), Some("20"));
}

#[test]
fn describe_full_backup_list_finds_the_backup_set() {
    let cloud = Cloud::start();
    let out = cloud.aliyun(&[
        "describe-full-backup-list",
        "--backup-plan-id",
        "dbsplan-rm-bp1example",
        "--page-size",
        "30",
    ]);
    let sets = out["Items"]["FullBackupFile"].as_array().unwrap();
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0]["BackupSetId"], BACKUP_SET);
    assert_eq!(sets[0]["BackupSize"], 1 << 20);
    assert!(
        sets[0]["StartTime"].as_i64().unwrap() > 0,
        "epoch milliseconds"
    );
}

#[test]
fn table_output_lists_the_tasks() {
    let cloud = Cloud::start();
    create_download(&cloud, &[]);
    let assert = cloud
        .cmd()
        .args(["--region", "cn-hangzhou", "--output", "table", "aliyun"])
        .args(["describe-download-task", "--instance-name", INSTANCE])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("RequestId "), "{text}");
    let header = lines
        .iter()
        .position(|l| l.starts_with("TaskId"))
        .expect("a table header");
    assert!(lines[header].contains("DownloadStatus"), "{text}");
    assert!(lines[header + 1].starts_with("dt-"), "{text}");
    assert!(lines[header + 1].contains("finished"), "{text}");
}

/// A user following the API's documentation is not refused: `--bak-set-type` as documented
/// (checked against the other flags) and FormatType's own spellings.
#[test]
fn the_documented_parameter_forms_are_accepted_and_checked() {
    for (format, sent_as) in [("CSV", "csv"), ("Parquet", "parquet"), ("SQL", "sql")] {
        // One emulator each: it refuses a second task for a backup set while one runs.
        let cloud = Cloud::start();
        let out = cloud.aliyun(&[
            "create-download",
            "--instance-name",
            INSTANCE,
            "--bak-set-type",
            "full",
            "--bak-set-id",
            BACKUP_SET,
            "--format-type",
            format,
        ]);
        assert!(out["Data"]["TaskId"].is_string(), "{out}");
        let sent = cloud.requests(Route::Aliyun, "CreateDownload");
        let last = sent.last().unwrap();
        assert_eq!(
            query(last, "FormatType").as_deref(),
            Some(sent_as),
            "{format}"
        );
        assert_eq!(query(last, "BakSetType").as_deref(), Some("full"));
    }
    let cloud = Cloud::start();
    let before = cloud.requests(Route::Aliyun, "CreateDownload").len();
    for (args, says) in [
        (
            vec!["--bak-set-type", "pitr", "--bak-set-id", BACKUP_SET],
            "--bak-set-type pitr goes with --download-point-in-time",
        ),
        (
            vec![
                "--bak-set-type",
                "full",
                "--download-point-in-time",
                "2024-05-01T08:00:00Z",
            ],
            "--bak-set-type full goes with --bak-set-id",
        ),
    ] {
        let out = cloud
            .cmd()
            .args(["--region", "cn-hangzhou", "aliyun", "create-download"])
            .args(["--instance-name", INSTANCE, "--format-type", "csv"])
            .args(&args)
            .assert()
            .code(2)
            .get_output()
            .clone();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    assert_eq!(
        cloud.requests(Route::Aliyun, "CreateDownload").len(),
        before,
        "nothing sent"
    );
}

/// On an ECS instance without keys: `ALIBABA_CLOUD_ECS_METADATA` names the RAM role, whose
/// temporary credentials (IMDSv2) sign the call, session token included.
#[test]
fn the_ecs_instance_ram_role_signs_when_no_keys_are_configured() {
    let cloud = Cloud::start();
    let (_runtime, metadata) =
        crate::common::metadata(ecs_role_answers(&cloud, "CANARY-role-token"));
    let endpoint = metadata.endpoint().to_string();
    describe_signed_with(
        &cloud,
        &[
            ("ALIBABA_CLOUD_ECS_METADATA", "backup-reader"),
            ("CLOUD_BACKUP_ECS_METADATA_ENDPOINT", &endpoint),
        ],
        &[],
        "CANARY-role-token",
    );
    let asked = metadata.requests();
    assert_eq!(asked.len(), 2, "a token, then the role's credentials");
    assert_eq!(
        asked[1].path,
        "/latest/meta-data/ram/security-credentials/backup-reader"
    );

    // Without keys and without the variable: the hint names it.
    let out = describe_keyless(&cloud, &[], &[], false);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ALIBABA_CLOUD_ECS_METADATA"), "{err}");
}

/// On ACK with RRSA: the OIDC role's variables make the commands exchange the pod's token for
/// temporary credentials (STS AssumeRoleWithOIDC), which sign the call.
#[test]
fn an_oidc_role_signs_when_its_variables_are_set() {
    use backup_core::cloud_http::testing::MockResponse;
    let cloud = Cloud::start();
    let keys = cloud.cloud.aliyun_credentials();
    let (_runtime, sts) = crate::common::metadata(vec![MockResponse::json(
        200,
        &serde_json::json!({"RequestId": "r", "Credentials": {
            "AccessKeyId": keys.access_key_id(),
            "AccessKeySecret": keys.secret().expose(),
            "SecurityToken": "CANARY-oidc-token",
            "Expiration": "2099-01-01T00:00:00Z",
        }})
        .to_string(),
    )]);
    let token = cloud.home.path().join("token");
    std::fs::write(&token, "CANARY-jwt").unwrap();
    let (url, file) = (sts.endpoint().to_string(), token.display().to_string());
    describe_signed_with(
        &cloud,
        &[
            ("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/backup"),
            (
                "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
                "acs:ram::1:oidc-provider/ack",
            ),
            ("ALIBABA_CLOUD_OIDC_TOKEN_FILE", &file),
            ("CLOUD_BACKUP_STS_ENDPOINT", &url),
        ],
        &[],
        "CANARY-oidc-token",
    );
    let asked = sts.requests();
    assert_eq!(asked.len(), 1);
    assert!(String::from_utf8_lossy(&asked[0].body).contains("OIDCToken=CANARY-jwt"));
}

/// Runs `describe-download-task` in cn-hangzhou, after the global flags `leading`, with no keys
/// and `env`; asserts success (`ok`) or failure and returns the output.
fn describe_keyless(
    cloud: &Cloud,
    env: &[(&str, &str)],
    leading: &[&str],
    ok: bool,
) -> std::process::Output {
    let args = [
        "--region",
        "cn-hangzhou",
        "aliyun",
        "describe-download-task",
        "--instance-name",
        INSTANCE,
    ];
    cloud.keyless(env, &[leading, &args].concat(), ok)
}

/// Runs `describe-download-task` (after `leading`) with no keys and `env`; checks that it
/// succeeded, that no canary reached stdout and that the call carried `session_token`. Returns
/// the output.
fn describe_signed_with(
    cloud: &Cloud,
    env: &[(&str, &str)],
    leading: &[&str],
    session_token: &str,
) -> std::process::Output {
    let out = describe_keyless(cloud, env, leading, true);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("CANARY"));
    let sent = cloud.request(Route::Aliyun, "DescribeDownloadTask");
    assert_eq!(sent.header("x-acs-security-token"), Some(session_token));
    out
}

/// A profile in mode EcsRamRole (`aliyun configure --mode EcsRamRole`): its role's credentials
/// from the metadata service sign the call.
#[test]
fn a_profile_in_mode_ecs_ram_role_uses_the_instance_role() {
    let cloud = Cloud::start();
    let (_runtime, metadata) =
        crate::common::metadata(ecs_role_answers(&cloud, "CANARY-profile-role-token"));
    let dir = cloud.home.path().join(".aliyun");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.json"),
        r#"{"current":"ecs","profiles":[{"name":"ecs","mode":"EcsRamRole","ram_role_name":"ops"}]}"#,
    )
    .unwrap();
    let endpoint = metadata.endpoint().to_string();
    describe_signed_with(
        &cloud,
        &[("CLOUD_BACKUP_ECS_METADATA_ENDPOINT", &endpoint)],
        &[],
        "CANARY-profile-role-token",
    );
    assert_eq!(
        metadata.requests()[1].path,
        "/latest/meta-data/ram/security-credentials/ops"
    );
}

/// What the fake ECS metadata service answers: an IMDSv2 token, then the role's credentials (the
/// emulator's keys, with `session_token`).
fn ecs_role_answers(
    cloud: &Cloud,
    session_token: &str,
) -> Vec<backup_core::cloud_http::testing::MockResponse> {
    use backup_core::cloud_http::testing::MockResponse;
    let keys = cloud.cloud.aliyun_credentials();
    vec![
        MockResponse::text(200, "imds-token"),
        MockResponse::json(
            200,
            &serde_json::json!({
                "Code": "Success",
                "AccessKeyId": keys.access_key_id(),
                "AccessKeySecret": keys.secret().expose(),
                "SecurityToken": session_token,
                "Expiration": "2099-01-01T00:00:00Z",
            })
            .to_string(),
        ),
    ]
}

/// What a fake STS answers to `AssumeRole`: the emulator's keys as the role's, with
/// `session_token`.
fn assumed_role_answer(
    cloud: &Cloud,
    session_token: &str,
) -> backup_core::cloud_http::testing::MockResponse {
    let keys = cloud.cloud.aliyun_credentials();
    backup_core::cloud_http::testing::MockResponse::json(
        200,
        &serde_json::json!({"RequestId": "r", "Credentials": {
            "AccessKeyId": keys.access_key_id(),
            "AccessKeySecret": keys.secret().expose(),
            "SecurityToken": session_token,
            "Expiration": "2099-01-01T00:00:00Z",
        }})
        .to_string(),
    )
}

/// A profile in mode RamRoleArn (`aliyun configure --mode RamRoleArn`): its keys assume the role
/// with a signed STS AssumeRole, whose temporary credentials sign the call; `configure list`
/// names the role and the profile.
#[test]
fn a_profile_in_mode_ram_role_arn_assumes_its_role() {
    let cloud = Cloud::start();
    let (_runtime, sts) =
        crate::common::metadata(vec![assumed_role_answer(&cloud, "CANARY-assumed-token")]);
    let dir = cloud.home.path().join(".aliyun");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("config.json"),
        r#"{"current":"default","profiles":[
            {"name":"default","mode":"AK","access_key_id":"LTAIdefault","access_key_secret":"s"},
            {"name":"dr","mode":"RamRoleArn","access_key_id":"LTAIsourcekey",
             "access_key_secret":"CANARY-source-secret","ram_role_arn":"acs:ram::1:role/backup",
             "ram_session_name":"nightly","expired_seconds":900}]}"#,
    )
    .unwrap();
    let url = sts.endpoint().to_string();
    let env = [("CLOUD_BACKUP_STS_ENDPOINT", url.as_str())];
    let out = describe_signed_with(&cloud, &env, &["--profile", "dr"], "CANARY-assumed-token");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("CANARY"));
    let asked = sts.requests();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].header("x-acs-action"), Some("AssumeRole"));
    let auth = asked[0].header("authorization").unwrap();
    assert!(auth.contains("Credential=LTAIsourcekey,"), "{auth}");
    for part in [
        "RoleArn=acs%3Aram%3A%3A1%3Arole%2Fbackup",
        "RoleSessionName=nightly",
        "DurationSeconds=900",
    ] {
        assert!(asked[0].query.contains(part), "{}", asked[0].query);
    }

    let out = configure_list(
        cloud.home.path(),
        &[],
        &["--profile", "dr", "--output", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let source = v["aliyun"]["credentials"]["source"].as_str().unwrap();
    assert!(
        source.starts_with("RAM role acs:ram::1:role/backup") && source.contains("profile 'dr'"),
        "{v}"
    );
}

/// The official chain's last source: `ALIBABA_CLOUD_CREDENTIALS_URI`, a URL answering
/// temporary credentials.
#[test]
fn a_credentials_uri_signs_when_nothing_else_is_configured() {
    let cloud = Cloud::start();
    let keys = cloud.cloud.aliyun_credentials();
    let (_runtime, server) =
        crate::common::metadata(vec![backup_core::cloud_http::testing::MockResponse::json(
            200,
            &serde_json::json!({
                "Code": "Success",
                "AccessKeyId": keys.access_key_id(),
                "AccessKeySecret": keys.secret().expose(),
                "SecurityToken": "CANARY-uri-token",
                "Expiration": "2099-01-01T00:00:00Z",
            })
            .to_string(),
        )]);
    let url = format!("{}/credentials?key=CANARY-query", server.endpoint());
    describe_signed_with(
        &cloud,
        &[("ALIBABA_CLOUD_CREDENTIALS_URI", &url)],
        &[],
        "CANARY-uri-token",
    );
    let asked = server.requests();
    assert_eq!(asked[0].path, "/credentials");
    assert_eq!(asked[0].query, "key=CANARY-query");
}
