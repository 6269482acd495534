//! Project-id resolution: configured, or looked up once through IAM and cached.

use cloud_http::testing::Recorder;
use rds_huawei::rds;

use crate::*;

const EMPTY_LIST: &str = r#"{"backups":[],"total_count":0}"#;

#[tokio::test]
async fn one_project_is_used_in_the_path_and_header() {
    let recorder = Recorder::new();
    recorder.push(200, &[], ONE_PROJECT);
    recorder.push(200, &[], EMPTY_LIST);
    let client = client_with(&recorder, |b| b.credentials(credentials()));
    list_dds(&client).await.unwrap();
    let sent = recorder.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent[0].url,
        "https://iam.cn-north-4.myhuaweicloud.com/v3/projects?name=cn-north-4"
    );
    assert_eq!(
        sent[1].url,
        "https://dds.cn-north-4.myhuaweicloud.com/v3/0123456789abcdef/backups"
    );
    assert_eq!(sent[1].header("x-project-id"), Some(PROJECT));
}

#[tokio::test]
async fn the_project_is_looked_up_once_and_shared_by_clones_and_services() {
    let recorder = Recorder::new();
    recorder.push(200, &[], ONE_PROJECT);
    let client = client_with(&recorder, |b| b.credentials(credentials()));
    list_dds(&client).await.unwrap();
    list_dds(&client).await.unwrap();
    let clone = client.clone();
    clone
        .rds()
        .list_backups(&rds::ListBackupsRequest::new("i"))
        .await
        .unwrap();
    let urls: Vec<String> = recorder.requests().into_iter().map(|r| r.url).collect();
    let iam = urls.iter().filter(|u| u.contains("iam.")).count();
    assert_eq!(iam, 1, "one IAM request for three calls: {urls:#?}");
    assert_eq!(urls.len(), 4);
    assert!(urls[3].starts_with("https://rds.cn-north-4.myhuaweicloud.com/v3/0123456789abcdef/"));
}

#[tokio::test]
async fn zero_projects_tell_the_user_what_to_set() {
    let recorder = Recorder::new();
    recorder.push(200, &[], r#"{"projects":[],"links":{}}"#);
    let client = client_with(&recorder, |b| b.credentials(credentials()));
    let err = list_dds(&client).await.unwrap_err();
    let text = err.to_string();
    assert_eq!(invalid_field(&err), "project_id", "{err:?}");
    assert!(text.contains("no project named \"cn-north-4\""), "{text}");
    assert!(text.contains("HUAWEICLOUD_SDK_PROJECT_ID"), "{text}");
    assert!(text.contains("ClientBuilder::project_id"), "{text}");
    assert_eq!(recorder.requests().len(), 1, "the DDS call is not sent");
}

#[tokio::test]
async fn several_projects_tell_the_user_what_to_set() {
    let recorder = Recorder::new();
    recorder.push(
        200,
        &[],
        r#"{"projects":[{"id":"aaaa1111","name":"cn-north-4"},{"id":"bbbb2222","name":"cn-north-4"}]}"#,
    );
    let client = client_with(&recorder, |b| b.credentials(credentials()));
    let err = client.project_id().await.unwrap_err().to_string();
    assert!(err.contains("2 projects"), "{err}");
    assert!(
        err.contains("aaaa1111 (cn-north-4), bbbb2222 (cn-north-4)"),
        "{err}"
    );
    assert!(err.contains("HUAWEICLOUD_SDK_PROJECT_ID"), "{err}");
}

#[tokio::test]
async fn a_failed_lookup_is_not_cached() {
    let recorder = Recorder::new();
    recorder.push(
        401,
        &[("X-Request-Id", "iam-1")],
        r#"{"error":{"code":401,"title":"Unauthorized","message":"The request you have made requires authentication."}}"#,
    );
    recorder.push(200, &[], ONE_PROJECT);
    let client = client_with(&recorder, |b| b.credentials(credentials()));
    let err = client.project_id().await.unwrap_err();
    assert_eq!(err.code(), Some("401"));
    assert!(
        err.to_string()
            .starts_with("huawei-iam KeystoneListProjects failed"),
        "{err}"
    );
    assert_eq!(client.project_id().await.unwrap(), PROJECT);
    assert_eq!(recorder.requests().len(), 2);
}

#[tokio::test]
async fn the_credentials_project_skips_iam() {
    let recorder = Recorder::new();
    let client = client(&recorder);
    assert_eq!(client.project_id().await.unwrap(), PROJECT);
    list_dds(&client).await.unwrap();
    let sent = recorder.requests();
    assert_eq!(sent.len(), 1);
    assert!(sent[0].url.contains("/v3/0123456789abcdef/backups"));
}

#[tokio::test]
async fn the_builder_project_wins_over_the_credentials() {
    let recorder = Recorder::new();
    let client = client_with(&recorder, |b| {
        b.credentials(credentials().with_project_id("fromcredentials"))
            .project_id("frombuilder")
    });
    list_dds(&client).await.unwrap();
    let sent = recorder.requests();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].url.contains("/v3/frombuilder/backups"),
        "{}",
        sent[0].url
    );
    assert_eq!(sent[0].header("x-project-id"), Some("frombuilder"));
}

#[tokio::test]
async fn the_iam_endpoint_can_be_overridden() {
    let recorder = Recorder::new();
    recorder.push(200, &[], ONE_PROJECT);
    let client = client_with(&recorder, |b| {
        b.credentials(credentials())
            .iam_endpoint(rds_huawei::Endpoint::parse("https://iam.internal.example.com").unwrap())
    });
    client.project_id().await.unwrap();
    assert_eq!(
        recorder.requests()[0].url,
        "https://iam.internal.example.com/v3/projects?name=cn-north-4"
    );
}
