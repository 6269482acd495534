//! Exit codes and error lines: 2 for usage errors (nothing sent), 3 for missing or rejected
//! credentials, 1 for service and network errors (code, message and request id on stderr).

use fake_cloud::{Fault, Route};

use crate::common::{Cloud, assert_one_line_error, bare, failure};

/// Runs a command that must fail with a usage error before sending anything.
fn usage_error(cloud: &Cloud, args: &[&str]) -> String {
    let stderr = failure(cloud.cmd().args(args).assert(), 2);
    assert!(
        cloud.cloud.requests().is_empty(),
        "nothing is sent on a usage error: {args:?}"
    );
    stderr
}

const CREATE: &[&str] = &[
    "--region",
    "cn-hangzhou",
    "aliyun",
    "create-download",
    "--instance-name",
    "rm-bp1example",
    "--format-type",
];

#[test]
fn contradictory_sources_are_a_usage_error() {
    let cloud = Cloud::start();
    let stderr = usage_error(
        &cloud,
        &[
            CREATE,
            &[
                "csv",
                "--bak-set-id",
                "1234567890",
                "--download-point-in-time",
                "2024-05-01T08:00:00Z",
            ],
        ]
        .concat(),
    );
    assert!(stderr.contains("--bak-set-id"), "{stderr}");
    assert!(stderr.contains("cannot be used with"), "{stderr}");
    let stderr = usage_error(&cloud, &[CREATE, &["csv"]].concat());
    assert!(
        stderr.contains("--bak-set-id"),
        "a source is required: {stderr}"
    );
}

#[test]
fn contradictions_the_typed_request_refuses_are_usage_errors() {
    let cloud = Cloud::start();
    fn with<'a>(extra: &[&'a str]) -> Vec<&'a str> {
        [CREATE, extra].concat()
    }
    for (args, expected) in [
        (
            with(&["qp.xb", "--bak-set-id", "1", "--cluster-name", "dds-1"]),
            "contradicts the MongoDB flags",
        ),
        (
            with(&["csv", "--bak-set-id", "1", "--is-physical"]),
            "--is-physical needs --format-type qp.xb",
        ),
        (
            with(&[
                "bson",
                "--bak-set-id",
                "1",
                "--is-cluster",
                "false",
                "--cluster-name",
                "c",
            ]),
            "--cluster-name contradicts --is-cluster false",
        ),
        (
            with(&["csv", "--bak-set-id", "1", "--target-bucket", "b"]),
            "--target-bucket needs --target-type OSS",
        ),
        (
            with(&[
                "csv",
                "--bak-set-id",
                "1",
                "--target-type",
                "OSS",
                "--target-bucket",
                "b",
            ]),
            "--target-type OSS needs --target-path",
        ),
    ] {
        let stderr = usage_error(&cloud, &args);
        assert_one_line_error(&stderr, &[expected]);
    }
}

#[test]
fn restore_destinations_need_their_own_fields_and_no_others() {
    let cloud = Cloud::start();
    let base = [
        "--region",
        "cn-hangzhou",
        "aliyun",
        "create-restore-task",
        "--backup-plan-id",
        "p",
        "--restore-task-name",
        "n",
        "--backup-set-id",
        "s",
        "--destination-endpoint-instance-type",
    ];
    let rds = [
        "RDS",
        "--restore-objects",
        r#"[{"DBName":"a"}]"#,
        "--destination-endpoint-region",
        "cn-hangzhou",
    ];
    for (extra, expected) in [
        (&[][..], "RDS needs --destination-endpoint-instance-id"),
        (
            &[
                "--destination-endpoint-instance-id",
                "rm-1",
                "--destination-endpoint-ip",
                "10.0.0.1",
            ][..],
            "--destination-endpoint-ip does not apply to --destination-endpoint-instance-type RDS",
        ),
    ] {
        let stderr = usage_error(&cloud, &[&base[..], &rds, extra].concat());
        assert_one_line_error(&stderr, &[expected]);
    }
    let stderr = usage_error(
        &cloud,
        &[&base[..], &["Other", "--restore-objects", "not json"]].concat(),
    );
    assert!(stderr.contains("DBName"), "{stderr}");
}

#[test]
fn flags_that_do_not_fit_the_command_are_usage_errors() {
    let cloud = Cloud::start();
    for (args, expected) in [
        (
            vec![
                "--region",
                "cn-hangzhou",
                "aliyun",
                "describe-download-task",
                "--instance-name",
                "i",
                "--wait",
            ],
            "--wait applies only to",
        ),
        (
            vec![
                "--region",
                "cn-north-4",
                "huawei",
                "dds-list-backups",
                "--begin-time",
                "2026-01-01 00:00:00",
            ],
            "--end-time",
        ),
        (
            vec![
                "--region",
                "cn-hangzhou",
                "aliyun",
                "describe-download-task",
                "--instance-name",
                "i",
                "--start-time",
                "yesterday",
            ],
            "RFC 3339",
        ),
        (
            vec![
                "--region",
                "cn-hangzhou",
                "--wait-timeout",
                "5",
                "aliyun",
                "describe-download-support",
                "--instance-name",
                "i",
            ],
            "--wait-timeout applies only with --wait, or to export",
        ),
    ] {
        let stderr = usage_error(&cloud, &args);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

#[test]
fn the_vendor_crates_validation_is_a_usage_error_naming_the_field() {
    let cloud = Cloud::start();
    let stderr = usage_error(
        &cloud,
        &[
            "--region",
            "cn-hangzhou",
            "aliyun",
            "describe-download-backup-set-storage-info",
            "--task-id",
            "dt-1",
            "--duration",
            "100",
        ],
    );
    // In flags, not API fields.
    assert_one_line_error(&stderr, &["error: --duration must be", "300 and 86400"]);
    let stderr = usage_error(
        &cloud,
        &[
            "--region",
            "ap-guangzhou",
            "tencent",
            "describe-db-backups",
            "--instance-id",
            "cmgo-1",
            "--limit",
            "500",
        ],
    );
    assert_one_line_error(&stderr, &["error: --limit "]);
}

#[test]
fn a_missing_region_names_the_variable() {
    let home = tempfile::tempdir().unwrap();
    for (vendor, args, variable) in [
        (
            "aliyun",
            vec!["describe-download-support", "--instance-name", "i"],
            "ALIBABA_CLOUD_REGION_ID",
        ),
        (
            "tencent",
            vec!["describe-db-backups", "--instance-id", "i"],
            "TENCENTCLOUD_REGION",
        ),
        ("huawei", vec!["dds-list-backups"], "HUAWEICLOUD_SDK_REGION"),
    ] {
        let stderr = failure(bare(home.path()).arg(vendor).args(&args).assert(), 2);
        assert_one_line_error(&stderr, &["--region", variable]);
    }
}

#[test]
fn allow_http_needs_an_endpoint() {
    let home = tempfile::tempdir().unwrap();
    let stderr = failure(
        bare(home.path())
            .args([
                "--allow-http",
                "--region",
                "cn-north-4",
                "huawei",
                "dds-list-backups",
            ])
            .assert(),
        2,
    );
    assert_one_line_error(&stderr, &["--allow-http"]);
    let stderr = failure(
        bare(home.path())
            .args([
                "--endpoint",
                "ftp://x",
                "--region",
                "cn-north-4",
                "huawei",
                "dds-list-backups",
            ])
            .assert(),
        2,
    );
    assert_one_line_error(&stderr, &["endpoint", "https://"]);
}

#[test]
fn missing_credentials_exit_3_with_one_sentence_naming_the_variables() {
    let cloud = Cloud::start();
    for (args, id, secret) in [
        (
            vec![
                "--region",
                "cn-hangzhou",
                "aliyun",
                "describe-backup-plan-list",
            ],
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        ),
        (
            vec![
                "--region",
                "ap-guangzhou",
                "tencent",
                "describe-db-backups",
                "--instance-id",
                "i",
            ],
            "TENCENTCLOUD_SECRET_ID",
            "TENCENTCLOUD_SECRET_KEY",
        ),
        (
            vec!["--region", "cn-north-4", "huawei", "dds-list-backups"],
            "HUAWEICLOUD_SDK_AK",
            "HUAWEICLOUD_SDK_SK",
        ),
    ] {
        let stderr = failure(cloud.without_credentials().args(&args).assert(), 3);
        assert_one_line_error(&stderr, &["credentials found", id, secret]);
        assert_eq!(stderr.matches(". ").count(), 0, "one sentence: {stderr}");
    }
    assert!(cloud.cloud.requests().is_empty(), "nothing was sent");
}

#[test]
fn rejected_credentials_exit_3() {
    let cloud = Cloud::start();
    let stderr = failure(
        cloud
            .cmd()
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "not-the-secret")
            .args([
                "--region",
                "cn-hangzhou",
                "aliyun",
                "describe-backup-plan-list",
            ])
            .assert(),
        3,
    );
    assert_one_line_error(
        &stderr,
        &[
            "SignatureDoesNotMatch",
            "request id",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        ],
    );
    assert!(
        !stderr.contains("not-the-secret"),
        "the secret is not echoed"
    );
    let stderr = failure(
        cloud
            .cmd()
            .env("TENCENTCLOUD_SECRET_ID", "AKIDunknown")
            .args(["--region", "ap-guangzhou", "tencent", "describe-db-backups"])
            .args(["--instance-id", "cmgo-p8vnipr5"])
            .assert(),
        3,
    );
    assert_one_line_error(
        &stderr,
        &["AuthFailure.SecretIdNotFound", "request id fake-tencent-"],
    );
}

#[test]
fn a_service_error_exits_1_with_code_message_and_request_id() {
    let cloud = Cloud::start();
    let stderr = failure(
        cloud
            .cmd()
            .args(["--region", "ap-guangzhou", "tencent", "describe-db-backups"])
            .args(["--instance-id", "cmgo-unknown"])
            .assert(),
        1,
    );
    assert_one_line_error(
        &stderr,
        &[
            "DescribeDBBackups",
            "InvalidParameterValue.NotFoundInstance",
            "The instance was not found.",
            "request id fake-tencent-",
        ],
    );
    let stderr = failure(
        cloud
            .cmd()
            .args(["--region", "cn-hangzhou", "aliyun", "create-download"])
            .args([
                "--instance-name",
                "rm-unknown",
                "--bak-set-id",
                "1",
                "--format-type",
                "sql",
            ])
            .assert(),
        1,
    );
    assert_one_line_error(
        &stderr,
        &[
            "CreateDownload failed: ",
            "(HTTP 200): ",
            "request id FAKE-ALIYUN-",
        ],
    );
}

#[test]
fn an_injected_server_fault_exits_1() {
    let cloud = Cloud::start();
    cloud
        .cloud
        .inject(Route::Huawei, None, Fault::Status(500), 1);
    let stderr = failure(
        cloud
            .cmd()
            .args(["--region", "cn-north-4", "huawei", "dds-list-backups"])
            .assert(),
        1,
    );
    assert_one_line_error(
        &stderr,
        &[
            "ListBackups",
            "APIGW.0201",
            "HTTP 500",
            "injected fault",
            "request id fake-huawei-fault",
        ],
    );
}

#[test]
fn a_failed_wait_exits_1() {
    let cloud = Cloud::start();
    cloud.cloud.inject(
        Route::Tencent,
        Some("DescribeBackupDownloadTask"),
        Fault::MalformedJson,
        1,
    );
    let stderr = failure(
        cloud
            .cmd()
            .args([
                "--region",
                "ap-guangzhou",
                "tencent",
                "create-backup-download-task",
            ])
            .args([
                "--instance-id",
                "cmgo-p8vnipr5",
                "--backup-name",
                "cmgo-p8vnipr5_2021-03-26 10:44",
            ])
            .args(["--replica-set-id", "cmgo-p8vnipr5_0", "--wait"])
            .assert(),
        1,
    );
    assert_one_line_error(
        &stderr,
        &["DescribeBackupDownloadTask", "unreadable response"],
    );
}

/// Timeouts and retries are flags: one attempt, cut after a second, against a server that
/// answers late; a refused connection names the host and the cause.
#[test]
fn timeouts_and_attempts_are_flags_and_network_failures_name_their_cause() {
    let cloud = Cloud::start();
    cloud.cloud.inject(
        Route::Huawei,
        None,
        Fault::Delay(std::time::Duration::from_secs(5)),
        1,
    );
    let started = std::time::Instant::now();
    let stderr = failure(
        cloud
            .cmd()
            .args([
                "--region",
                "cn-north-4",
                "--attempt-timeout",
                "1",
                "--max-attempts",
                "1",
            ])
            .args(["huawei", "dds-list-backups"])
            .assert(),
        1,
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "{stderr}"
    );
    assert_one_line_error(&stderr, &["attempt timeout", "1 attempt(s)"]);

    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let stderr = failure(
        bare(cloud.home.path())
            .env("HUAWEICLOUD_SDK_AK", "ak")
            .env("HUAWEICLOUD_SDK_SK", "sk")
            .env(
                "HUAWEICLOUD_SDK_PROJECT_ID",
                "0123456789abcdef0123456789abcdef",
            )
            .args([
                "--endpoint",
                &format!("http://127.0.0.1:{port}"),
                "--allow-http",
            ])
            .args([
                "--region",
                "cn-north-4",
                "--max-attempts",
                "1",
                "huawei",
                "dds-list-backups",
            ])
            .assert(),
        1,
    );
    assert_one_line_error(
        &stderr,
        &["could not reach 127.0.0.1 after 1 attempt(s): connection refused"],
    );
    let stderr = failure(
        bare(cloud.home.path())
            .args(["download", "http://x/f", "--stall-timeout", "0"])
            .assert(),
        2,
    );
    assert!(stderr.contains("--stall-timeout"), "{stderr}");
}

/// With `--output json` the error is a JSON object on stderr too: exit code, kind, message,
/// and the service's code and request id.
#[test]
fn with_output_json_errors_are_json_too() {
    let cloud = Cloud::start();
    cloud
        .cloud
        .inject(Route::Huawei, None, Fault::Status(500), 3);
    let stderr = failure(
        cloud
            .cmd()
            .args([
                "--region",
                "cn-north-4",
                "--output",
                "json",
                "huawei",
                "dds-list-backups",
            ])
            .assert(),
        1,
    );
    let v: serde_json::Value =
        serde_json::from_str(stderr.trim()).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    assert_eq!(v["error"]["exit_code"], 1, "{v}");
    assert_eq!(v["error"]["kind"], "service");
    assert_eq!(v["error"]["code"], "APIGW.0201");
    assert!(
        v["error"]["request_id"]
            .as_str()
            .unwrap()
            .starts_with("fake-huawei-fault"),
        "{v}"
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ListBackups"),
        "{v}"
    );
}

/// A region no vendor crate knows is refused before anything is sent, naming where it came
/// from and the closest known one; with --endpoint any region goes.
#[test]
fn an_unknown_region_is_refused_with_the_closest_known_one() {
    let home = tempfile::tempdir().unwrap();
    // The stderr and exit code of a refused command.
    let refused = |env: &[(&str, &str)], args: &[&str]| {
        let mut cmd = crate::common::bare(home.path());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.args(args).assert().failure().get_output().clone();
        (
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.code(),
        )
    };
    let (err, code) = refused(
        &[
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIexample"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "secret"),
        ],
        &[
            "--region",
            "cn-hangzou",
            "aliyun",
            "describe-download-task",
            "--instance-name",
            "rm-bp1example",
        ],
    );
    assert!(
        err.contains("--region cn-hangzou is not a known Alibaba Cloud region")
            && err.contains("did you mean cn-hangzhou?")
            && err.contains("--endpoint"),
        "{err}"
    );
    assert_eq!(code, Some(2), "a usage error");

    // From the environment: the variable is named.
    let (err, _) = refused(
        &[
            ("TENCENTCLOUD_SECRET_ID", "AKIDexample"),
            ("TENCENTCLOUD_SECRET_KEY", "secret"),
            ("TENCENTCLOUD_REGION", "ap-guangzou"),
        ],
        &["tencent", "describe-db-backups", "--instance-id", "cmgo-x"],
    );
    assert!(
        err.contains("TENCENTCLOUD_REGION ap-guangzou is not a known Tencent Cloud region")
            && err.contains("did you mean ap-guangzhou?"),
        "{err}"
    );
}

#[test]
fn any_region_goes_with_an_explicit_endpoint() {
    let cloud = crate::common::Cloud::start();
    let out = cloud
        .cmd()
        .args(["--region", "xx-newregion-1", "huawei", "dds-list-backups"])
        .args(["--instance-id", "befb1cfe1f96403780396b0c54f85d11in02"])
        .assert()
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("not a known"), "{err}");
}
