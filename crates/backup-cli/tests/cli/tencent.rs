//! Every `cloud-backup tencent` operation against the emulator, output with the API's field
//! names.

use fake_cloud::Route;

use crate::common::{Cloud, configure_list, stdout};

const INSTANCE: &str = "cmgo-p8vnipr5";
const BACKUP: &str = "cmgo-p8vnipr5_2021-03-26 10:44";
const REPLICA_SET: &str = "cmgo-p8vnipr5_0";

fn create(cloud: &Cloud, extra: &[&str]) -> serde_json::Value {
    let args = [
        &[
            "create-backup-download-task",
            "--instance-id",
            INSTANCE,
            "--backup-name",
            BACKUP,
            "--replica-set-id",
            REPLICA_SET,
        ][..],
        extra,
    ]
    .concat();
    cloud.tencent(&args)
}

#[test]
fn describe_db_backups_lists_backup_names() {
    let cloud = Cloud::start();
    let out = cloud.tencent(&[
        "describe-db-backups",
        "--instance-id",
        INSTANCE,
        "--limit",
        "10",
        "--backup-method",
        "0",
    ]);
    assert_eq!(out["TotalCount"], 1);
    assert_eq!(out["BackupList"][0]["BackupName"], BACKUP);
    assert_eq!(
        out["BackupList"][0]["BackupSize"], 1024,
        "KB, as the API says"
    );
    assert_eq!(out["BackupList"][0]["Status"], 2);
    assert!(
        out["RequestId"]
            .as_str()
            .unwrap()
            .starts_with("fake-tencent-")
    );
    let sent = cloud.request(Route::Tencent, "DescribeDBBackups");
    assert_eq!(sent.header("x-tc-region"), Some("ap-guangzhou"));
}

#[test]
fn create_backup_download_task_starts_one_task_per_replica_set() {
    let cloud = Cloud::start();
    let out = create(&cloud, &[]);
    assert_eq!(out["Tasks"][0]["ReplicaSetId"], REPLICA_SET);
    assert_eq!(out["Tasks"][0]["Status"], 0);
    assert!(out["RequestId"].is_string());
    cloud.request(Route::Tencent, "CreateBackupDownloadTask");
}

#[test]
fn create_backup_download_task_waits_for_the_urls() {
    let cloud = Cloud::start();
    let out = create(&cloud, &["--wait"]);
    let task = &out["Tasks"][0];
    assert_eq!(task["ReplicaSetId"], REPLICA_SET);
    assert_eq!(task["Status"], 2);
    assert_eq!(task["BackupSize"], 1 << 20);
    let url = task["Url"].as_str().unwrap();
    assert!(url.contains("Signature="), "the whole link: {url}");
}

#[test]
fn describe_backup_download_task_lists_the_tasks() {
    let cloud = Cloud::start();
    create(&cloud, &[]);
    let out = cloud.tencent(&[
        "describe-backup-download-task",
        "--instance-id",
        INSTANCE,
        "--backup-name",
        BACKUP,
        "--order-by",
        "createTime",
        "--order-by-type",
        "desc",
        "--status",
        "2",
        "--status",
        "3",
        "--start-time",
        "2021-03-26 00:00:00",
        "--end-time",
        "2099-01-01 00:00:00",
    ]);
    assert_eq!(out["TotalCount"], 1);
    assert_eq!(out["Tasks"][0]["ReplicaSetId"], REPLICA_SET);
    assert_eq!(out["Tasks"][0]["BackupName"], BACKUP);
    assert_eq!(out["Tasks"][0]["Percent"], 100);
}

#[test]
fn a_profile_file_gives_the_credentials() {
    let cloud = Cloud::start();
    let creds = cloud.cloud.tencent_credentials();
    let dir = cloud.home.path().join(".tencentcloud");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("credentials"),
        format!(
            "[default]\nsecret_id = wrong\nsecret_key = wrong\n\n[ops]\nsecret_id = {}\nsecret_key = {}\n",
            creds.access_key_id(),
            creds.secret().expose()
        ),
    )
    .unwrap();
    cloud
        .without_credentials()
        .args(["--region", "ap-guangzhou", "--profile", "ops", "tencent"])
        .args(["describe-db-backups", "--instance-id", INSTANCE])
        .assert()
        .success();
    // An explicit --profile wins over a (bad) key left in the environment, as in aws-cli.
    cloud
        .without_credentials()
        .env("TENCENTCLOUD_SECRET_ID", "AKIDstale")
        .env("TENCENTCLOUD_SECRET_KEY", "stale")
        .args(["--region", "ap-guangzhou", "--profile", "ops", "tencent"])
        .args(["describe-db-backups", "--instance-id", INSTANCE])
        .assert()
        .success();
}

/// A tccli profile is enough: its keys sign the call and its region is the one sent.
#[test]
fn a_tccli_profile_gives_the_keys_and_the_region() {
    let cloud = Cloud::start();
    let keys = cloud.cloud.tencent_credentials();
    let dir = cloud.home.path().join(".tccli");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("ops.credential"),
        serde_json::json!({"secretId": keys.access_key_id(), "secretKey": keys.secret().expose()})
            .to_string(),
    )
    .unwrap();
    std::fs::write(
        dir.join("ops.configure"),
        r#"{"_sys_param": {"region": "ap-shanghai"}}"#,
    )
    .unwrap();
    let out = stdout(
        cloud
            .without_credentials()
            .args(["--profile", "ops", "tencent", "describe-db-backups"])
            .args(["--instance-id", INSTANCE]),
    );
    let out: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(out["RequestId"].is_string(), "{out}");
    let sent = cloud.request(Route::Tencent, "DescribeDBBackups");
    assert_eq!(sent.header("x-tc-region"), Some("ap-shanghai"));
}

/// `--query` (JMESPath, as aws-cli's) picks from the answer before it is printed; an expression
/// that does not parse is a usage error before anything is sent.
#[test]
fn query_picks_from_the_answer_and_a_bad_one_sends_nothing() {
    let cloud = Cloud::start();
    let names = cloud.tencent(&[
        "describe-db-backups",
        "--instance-id",
        INSTANCE,
        "--query",
        "BackupList[?Status==`2`].BackupName",
    ]);
    assert_eq!(names, serde_json::json!([BACKUP]));
    let total = cloud.tencent(&[
        "describe-db-backups",
        "--instance-id",
        INSTANCE,
        "--query",
        "{total: TotalCount, first: BackupList[0].BackupSize}",
    ]);
    assert_eq!(total, serde_json::json!({"first": 1024, "total": 1}));

    let before = cloud.cloud.requests().len();
    let out = cloud
        .cmd()
        .args(["--region", "ap-guangzhou", "--query", "BackupList[?"])
        .args(["tencent", "describe-db-backups", "--instance-id", INSTANCE])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--query is not a JMESPath expression"),
        "{err}"
    );
    assert_eq!(cloud.cloud.requests().len(), before, "nothing sent");
}

/// On a CVM instance without keys: `TENCENTCLOUD_CAM_ROLE_NAME` names the CAM role, whose
/// temporary credentials sign the call, token included.
#[test]
fn the_cvm_instance_role_signs_when_no_keys_are_configured() {
    use backup_core::cloud_http::testing::MockResponse;
    let cloud = Cloud::start();
    let keys = cloud.cloud.tencent_credentials();
    let (_runtime, metadata) = crate::common::metadata(vec![MockResponse::json(
        200,
        &serde_json::json!({
            "Code": "Success",
            "TmpSecretId": keys.access_key_id(),
            "TmpSecretKey": keys.secret().expose(),
            "Token": "CANARY-cvm-token",
            "ExpiredTime": 4_070_908_800u64,
        })
        .to_string(),
    )]);
    let endpoint = metadata.endpoint().to_string();
    backups_signed_with(
        &cloud,
        &[
            ("TENCENTCLOUD_CAM_ROLE_NAME", "backup-reader"),
            ("CLOUD_BACKUP_ECS_METADATA_ENDPOINT", &endpoint),
        ],
        &[],
        "CANARY-cvm-token",
    );
    assert_eq!(
        metadata.requests()[0].path,
        "/latest/meta-data/cam/security-credentials/backup-reader"
    );

    let out = backups_keyless(&cloud, &[], &[], false);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("TENCENTCLOUD_CAM_ROLE_NAME"), "{err}");
}

/// In a TKE pod with OIDC: the official `TKE_*` variables make the commands exchange the service
/// account token for the role's temporary credentials, which sign the call.
#[test]
fn a_tke_oidc_role_signs_when_its_variables_are_set() {
    use backup_core::cloud_http::testing::MockResponse;
    let cloud = Cloud::start();
    let keys = cloud.cloud.tencent_credentials();
    let (_runtime, sts) = crate::common::metadata(vec![MockResponse::json(
        200,
        &serde_json::json!({"Response": {
            "Credentials": {
                "TmpSecretId": keys.access_key_id(),
                "TmpSecretKey": keys.secret().expose(),
                "Token": "CANARY-tke-token",
            },
            "ExpiredTime": 4_070_908_800u64,
            "RequestId": "r",
        }})
        .to_string(),
    )]);
    let token = cloud.home.path().join("token");
    std::fs::write(&token, "CANARY-sa-jwt").unwrap();
    let (url, file) = (sts.endpoint().to_string(), token.display().to_string());
    backups_signed_with(
        &cloud,
        &[
            ("TKE_REGION", "ap-guangzhou"),
            ("TKE_PROVIDER_ID", "provider-1"),
            ("TKE_IDENTITY_TOKEN_FILE", &file),
            ("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/backup"),
            ("CLOUD_BACKUP_STS_ENDPOINT", &url),
        ],
        &[],
        "CANARY-tke-token",
    );
    assert_eq!(sts.requests()[0].header("authorization"), Some("SKIP"));
}

/// Runs `describe-db-backups` in ap-guangzhou, after the global flags `leading`, with no keys
/// and `env`; asserts success (`ok`) or failure and returns the output.
fn backups_keyless(
    cloud: &Cloud,
    env: &[(&str, &str)],
    leading: &[&str],
    ok: bool,
) -> std::process::Output {
    let args = [
        "--region",
        "ap-guangzhou",
        "tencent",
        "describe-db-backups",
        "--instance-id",
        INSTANCE,
    ];
    cloud.keyless(env, &[leading, &args].concat(), ok)
}

/// Runs `describe-db-backups` (after `leading`) with no keys and `env`; checks that it
/// succeeded, that no canary reached stdout and that the call carried `session_token`
/// (`X-TC-Token`). Returns the output.
fn backups_signed_with(
    cloud: &Cloud,
    env: &[(&str, &str)],
    leading: &[&str],
    session_token: &str,
) -> std::process::Output {
    let out = backups_keyless(cloud, env, leading, true);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("CANARY"));
    let sent = cloud.request(Route::Tencent, "DescribeDBBackups");
    assert_eq!(sent.header("x-tc-token"), Some(session_token));
    out
}

/// STS's answer to `AssumeRole`: the emulator's keys as the role's temporary credentials, with
/// `session_token`.
fn assumed_role_answer(
    cloud: &Cloud,
    session_token: &str,
) -> backup_core::cloud_http::testing::MockResponse {
    let keys = cloud.cloud.tencent_credentials();
    backup_core::cloud_http::testing::MockResponse::json(
        200,
        &serde_json::json!({"Response": {
            "Credentials": {
                "TmpSecretId": keys.access_key_id(),
                "TmpSecretKey": keys.secret().expose(),
                "Token": session_token,
            },
            "ExpiredTime": 4_070_908_800u64,
            "Expiration": "2099-01-01T00:00:00Z",
            "RequestId": "r",
        }})
        .to_string(),
    )
}

/// A tccli profile that assumes a role (`tccli configure set role-arn ... role-session-name
/// ...`): its keys sign STS AssumeRole, whose temporary credentials sign the call, at the
/// default tccli profile's place in the chain (after keys in the environment) or as the named
/// `--profile`; `configure list` names the role and the profile.
#[test]
fn a_tccli_profile_with_a_role_arn_assumes_the_role() {
    let cloud = Cloud::start();
    let (_runtime, sts) = crate::common::metadata(vec![
        assumed_role_answer(&cloud, "CANARY-assumed-token"),
        assumed_role_answer(&cloud, "CANARY-ops-token"),
    ]);
    let dir = cloud.home.path().join(".tccli");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("default.credential"),
        r#"{"secretId": "AKIDsourcekey", "secretKey": "CANARY-source-secret",
            "role-arn": "qcs::cam::uin/100000000001:roleName/backup-reader",
            "role-session-name": "nightly"}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("ops.credential"),
        r#"{"secretId": "AKIDopskey", "secretKey": "CANARY-ops-secret",
            "role-arn": "qcs::cam::uin/100000000001:roleName/ops"}"#,
    )
    .unwrap();
    let url = sts.endpoint().to_string();
    let env = [("CLOUD_BACKUP_STS_ENDPOINT", url.as_str())];
    backups_signed_with(&cloud, &env, &[], "CANARY-assumed-token");
    let asked = sts.requests();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].header("x-tc-action"), Some("AssumeRole"));
    assert_eq!(asked[0].header("x-tc-version"), Some("2018-08-13"));
    assert_eq!(asked[0].header("x-tc-region"), Some("ap-guangzhou"));
    let auth = asked[0].header("authorization").unwrap();
    assert!(
        auth.starts_with("TC3-HMAC-SHA256 Credential=AKIDsourcekey/")
            && auth.contains("/sts/tc3_request"),
        "{auth}"
    );
    let body: serde_json::Value = serde_json::from_slice(&asked[0].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({
            "RoleArn": "qcs::cam::uin/100000000001:roleName/backup-reader",
            "RoleSessionName": "nightly",
            "DurationSeconds": 7200,
        })
    );

    // A named profile alone; without role-session-name, the session is "cloud-backup".
    cloud.cloud.clear_requests();
    let out = backups_signed_with(&cloud, &env, &["--profile", "ops"], "CANARY-ops-token");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("CANARY"));
    let asked = sts.requests();
    assert_eq!(asked.len(), 2);
    assert!(
        asked[1]
            .header("authorization")
            .unwrap()
            .contains("Credential=AKIDopskey/")
    );
    let body: serde_json::Value = serde_json::from_slice(&asked[1].body).unwrap();
    assert_eq!(body["RoleSessionName"], "cloud-backup");

    // Keys in the environment come first in the chain: STS is not asked.
    cloud
        .cmd()
        .env("CLOUD_BACKUP_STS_ENDPOINT", &url)
        .args(["--region", "ap-guangzhou", "tencent", "describe-db-backups"])
        .args(["--instance-id", INSTANCE])
        .assert()
        .success();
    assert_eq!(sts.requests().len(), 2);

    let out = configure_list(cloud.home.path(), &[], &["--output", "json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let source = v["tencent"]["credentials"]["source"].as_str().unwrap();
    assert!(
        source.starts_with("STS AssumeRole qcs::cam::uin/100000000001:roleName/backup-reader")
            && source.contains("default.credential profile 'default' (role-arn)"),
        "{v}"
    );
    assert!(!v.to_string().contains("CANARY"), "{v}");
    assert_eq!(sts.requests().len(), 2, "configure list asks nothing");
}

/// A tccli role profile whose role is malformed is refused before anything is sent, naming the
/// file and the field, never the secret.
#[test]
fn a_tccli_profile_with_a_malformed_role_is_a_clear_error() {
    let cloud = Cloud::start();
    let dir = cloud.home.path().join(".tccli");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("default.credential"),
        r#"{"secretId": "AKIDsourcekey", "secretKey": "CANARY-source-secret",
            "role-arn": "backup-reader", "role-session-name": "nightly"}"#,
    )
    .unwrap();
    let out = backups_keyless(&cloud, &[], &[], false);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("default.credential profile 'default' (role-arn)") && err.contains("RoleArn"),
        "{err}"
    );
    assert!(!err.contains("CANARY"), "{err}");
    assert!(cloud.cloud.requests().is_empty(), "nothing sent");
}
