//! `DescribeDownloadSupport` and `RetryDownloadTask`: the emulator answers `Data` as an object
//! (`{"Support": true, "InstanceName": ...}`, `{"TaskId": ...}`) where `dbs-aliyun` expects the
//! text DBS documents (`"Data": "true"`, `"Data": "dt-..."`). The two are being reconciled; until
//! then the emulator tests check what the CLI sends and accept either answer, and these tests
//! check the CLI's rendering of the documented answer from a scripted server.

use assert_cmd::assert::Assert;
use cloud_http::testing::{MockResponse, MockServer};
use serde_json::Value;

use crate::common::{bare, stdout};

/// Against the emulator: the documented answer rendered (`check`), or, while the emulator's
/// shape differs, exit 1 with one line naming the action and the unreadable answer.
pub fn data_object_or_text(assert: Assert, action: &str, check: impl FnOnce(&Value)) {
    let output = assert.get_output();
    if output.status.success() {
        check(&serde_json::from_slice(&output.stdout).expect("JSON on stdout"));
        return;
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    crate::common::assert_one_line_error(&stderr, &[action, "unreadable response"]);
}

/// Runs one Aliyun command against a server answering `body`.
fn against_script(body: &str, args: &[&str]) -> (Value, String) {
    let runtime = crate::common::runtime();
    let server = runtime.block_on(MockServer::start());
    server.push(MockResponse::json(200, body));
    let home = tempfile::tempdir().unwrap();
    let output = stdout(
        bare(home.path())
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tScriptedKey")
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "scripted-secret")
            .args(["--endpoint", &server.endpoint().to_string(), "--allow-http"])
            .args(["--region", "cn-hangzhou", "aliyun"])
            .args(args),
    );
    let query = server.requests()[0].query.clone();
    drop(server);
    (serde_json::from_str(&output).unwrap(), query)
}

#[test]
fn describe_download_support_renders_the_documented_answer() {
    let (out, query) = against_script(
        r#"{"RequestId":"r-support","Success":"true","Code":"200","Data":"true"}"#,
        &[
            "describe-download-support",
            "--instance-name",
            "rm-bp1example",
        ],
    );
    assert_eq!(
        out,
        serde_json::json!({"RequestId": "r-support", "Data": true})
    );
    assert!(query.contains("InstanceName=rm-bp1example"), "{query}");
}

#[test]
fn retry_download_task_renders_the_documented_answer() {
    let (out, query) = against_script(
        r#"{"RequestId":"r-retry","Success":"true","Code":"200","Data":"dt-7hq2xk3m0002"}"#,
        &[
            "retry-download-task",
            "--instance-name",
            "rm-bp1example",
            "--task-id",
            "dt-7hq2xk3m0002",
        ],
    );
    assert_eq!(
        out,
        serde_json::json!({"RequestId": "r-retry", "Data": "dt-7hq2xk3m0002"})
    );
    assert!(query.contains("TaskId=dt-7hq2xk3m0002"), "{query}");
}
