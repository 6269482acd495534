//! Building a client: region, credentials from the default chain, endpoints.

use cloud_http::testing::Recorder;
use cloud_sign::{ProviderContext, StaticProvider};
use rds_huawei::{Client, Endpoint, Error, Service, rds};

use crate::*;

/// An environment with the signing.md keys plus `extra`.
fn env_with_keys(extra: &[(&str, &str)]) -> ProviderContext {
    let keys = [
        ("HUAWEICLOUD_SDK_AK", "HPUAEXAMPLE"),
        ("HUAWEICLOUD_SDK_SK", "exampleSecretKey"),
    ];
    ProviderContext::from_map(keys.iter().chain(extra).copied(), None)
}

#[test]
fn a_region_is_required_and_checked() {
    let err = Client::builder()
        .credentials(credentials())
        .build()
        .unwrap_err();
    assert_eq!(invalid_field(&err), "region", "{err:?}");
    for bad in ["", "cn north 4", "CN-NORTH-4", "cn-north-4.evil.com/"] {
        let err = Client::builder()
            .region(bad)
            .credentials(credentials())
            .build()
            .unwrap_err();
        assert_eq!(invalid_field(&err), "region", "{bad}");
    }
}

#[test]
fn no_credentials_anywhere_gives_the_setup_hint() {
    let empty = ProviderContext::from_map(Vec::<(String, String)>::new(), None);
    let err = Client::builder()
        .region("cn-north-4")
        .provider_context(empty)
        .build()
        .unwrap_err();
    let Error::Credentials(text) = &err else {
        panic!("{err:?}")
    };
    assert!(text.contains("HUAWEICLOUD_SDK_AK"), "{text}");
    assert!(text.contains(".huaweicloud/credentials"), "{text}");
}

#[test]
fn broken_credentials_say_what_is_wrong() {
    let half = ProviderContext::from_map([("HUAWEICLOUD_SDK_AK", "HPUAEXAMPLE")], None);
    let err = Client::builder()
        .region("cn-north-4")
        .provider_context(half)
        .build()
        .unwrap_err();
    assert!(
        matches!(&err, Error::Credentials(t) if t.contains("HUAWEICLOUD_SDK_SK is not")),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_default_chain_reads_keys_project_and_iam_endpoint_from_the_environment() {
    let recorder = Recorder::new();
    recorder.push(200, &[], ONE_PROJECT);
    let env = env_with_keys(&[(
        "HUAWEICLOUD_SDK_IAM_ENDPOINT",
        "https://iam.internal.example.com",
    )]);
    let client = Client::builder()
        .region("cn-north-4")
        .http_client(offline(&recorder))
        .provider_context(env)
        .build()
        .unwrap();
    client.project_id().await.unwrap();
    let sent = recorder.requests();
    assert_eq!(
        sent[0].url,
        "https://iam.internal.example.com/v3/projects?name=cn-north-4"
    );
    assert!(
        sent[0]
            .header("authorization")
            .unwrap()
            .contains("Access=HPUAEXAMPLE")
    );

    // A bare host works too, and the project id from the environment skips IAM.
    let recorder = Recorder::new();
    let env = env_with_keys(&[
        ("HUAWEICLOUD_SDK_PROJECT_ID", PROJECT),
        ("HUAWEICLOUD_SDK_IAM_ENDPOINT", "iam.internal.example.com"),
    ]);
    let client = Client::builder()
        .region("cn-north-4")
        .http_client(offline(&recorder))
        .provider_context(env)
        .build()
        .unwrap();
    assert_eq!(client.project_id().await.unwrap(), PROJECT);
    assert!(recorder.requests().is_empty());
}

#[tokio::test]
async fn explicit_credentials_ignore_the_iam_endpoint_variable() {
    let recorder = Recorder::new();
    recorder.push(200, &[], ONE_PROJECT);
    let env = ProviderContext::from_map(
        [(
            "HUAWEICLOUD_SDK_IAM_ENDPOINT",
            "https://iam.internal.example.com",
        )],
        None,
    );
    let client = Client::builder()
        .region("cn-north-4")
        .http_client(offline(&recorder))
        .provider_context(env)
        .credentials_provider(StaticProvider::new(credentials()))
        .build()
        .unwrap();
    client.project_id().await.unwrap();
    assert_eq!(
        recorder.requests()[0].url,
        "https://iam.cn-north-4.myhuaweicloud.com/v3/projects?name=cn-north-4"
    );
}

#[tokio::test]
async fn the_iam_lookup_follows_the_configured_endpoint() {
    let recorder = Recorder::new();
    recorder.push(200, &[], ONE_PROJECT);
    let client = Client::builder()
        .region("cn-north-4")
        .http_client(offline(&recorder))
        .provider_context(ProviderContext::from_map::<&str, &str>([], None))
        .credentials_provider(StaticProvider::new(credentials()))
        .endpoint(Endpoint::parse("https://gateway.example.com").unwrap())
        .build()
        .unwrap();
    client.project_id().await.unwrap();
    // Not the real iam.cn-north-4.myhuaweicloud.com.
    assert_eq!(
        recorder.requests()[0].url,
        "https://gateway.example.com/v3/projects?name=cn-north-4"
    );
}

#[test]
fn a_malformed_iam_endpoint_variable_is_refused() {
    let env = env_with_keys(&[("HUAWEICLOUD_SDK_IAM_ENDPOINT", "ftp://iam.example.com")]);
    let err = Client::builder()
        .region("cn-north-4")
        .provider_context(env)
        .build()
        .unwrap_err();
    assert_eq!(
        invalid_field(&err),
        "HUAWEICLOUD_SDK_IAM_ENDPOINT",
        "{err:?}"
    );
}

#[test]
fn bad_project_ids_and_empty_tokens_are_refused() {
    let err = Client::builder()
        .region("cn-north-4")
        .credentials(credentials())
        .project_id("../admin")
        .build()
        .unwrap_err();
    assert_eq!(invalid_field(&err), "project_id");
    let err = Client::builder()
        .region("cn-north-4")
        .iam_token(" ")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Credentials(_)));
}

#[tokio::test]
async fn eu_west_101_uses_the_eu_domain() {
    let recorder = Recorder::new();
    recorder.push(
        200,
        &[],
        r#"{"projects":[{"id":"eeee","name":"eu-west-101"}]}"#,
    );
    let client = Client::builder()
        .region("eu-west-101")
        .http_client(offline(&recorder))
        .credentials(credentials())
        .build()
        .unwrap();
    client
        .rds()
        .list_backups(&rds::ListBackupsRequest::new("i"))
        .await
        .unwrap();
    let urls: Vec<String> = recorder.requests().into_iter().map(|r| r.url).collect();
    assert_eq!(
        urls,
        [
            "https://iam.eu-west-101.myhuaweicloud.eu/v3/projects?name=eu-west-101",
            "https://rds.eu-west-101.myhuaweicloud.eu/v3/eeee/backups?instance_id=i",
        ]
    );
    assert_eq!(
        client.endpoint(Service::Dds).to_string(),
        "https://dds.eu-west-101.myhuaweicloud.eu"
    );
}

#[tokio::test]
async fn endpoints_can_be_overridden_per_service() {
    let recorder = Recorder::new();
    let client = client_with(&recorder, |b| {
        b.credentials(credentials().with_project_id(PROJECT))
            .endpoint(Endpoint::parse("https://gateway.example.com/huawei").unwrap())
            .service_endpoint(Service::Rds, Endpoint::https("rds.vpc.example.com"))
    });
    list_dds(&client).await.unwrap();
    client
        .rds()
        .list_backups(&rds::ListBackupsRequest::new("i"))
        .await
        .unwrap();
    let sent = recorder.requests();
    assert_eq!(
        sent[0].url,
        "https://gateway.example.com/huawei/v3/0123456789abcdef/backups"
    );
    // The signature covers the prefixed path.
    assert!(
        sent[0]
            .canonical_request()
            .starts_with("GET\n/huawei/v3/0123456789abcdef/backups/\n")
    );
    assert_eq!(
        sent[1].url,
        "https://rds.vpc.example.com/v3/0123456789abcdef/backups?instance_id=i"
    );
}
