//! A federated identity (an OIDC id token, as on CCE) as a credential source, against a local
//! fake IAM: the two unsigned IAM calls the official SDKs' `FederalAccessor` makes, exactly; the
//! token file read again at every refresh; the temporary credentials signing the calls; errors
//! naming the source and never quoting a secret.

use std::path::PathBuf;

use cloud_http::FetchCredentials;
use cloud_http::testing::{MockResponse, MockServer, Recorder, assert_temporary};
use rds_huawei::*;
use serde_json::{Value, json};

use crate::{client_on, http, list_dds, offline, refreshing};

const ID_TOKEN: &str = "CANARY-id-token-eyJhbGciOiJSUzI1NiJ9.first";
const ID_TOKEN_2: &str = "CANARY-id-token-eyJhbGciOiJSUzI1NiJ9.second";
const SUBJECT_TOKEN: &str = "CANARY-subject-token-MIIDkgYJKoZIhvcNAQcCoIIDgzCCA38";
const SECRET: &str = "CANARY-federated-secret";
const SECURITY_TOKEN: &str = "CANARY-federated-security-token";
const IDP: &str = "cce-oidc-provider";

/// A token file under the temporary directory, removed when dropped.
struct TokenFile(PathBuf);

impl TokenFile {
    fn new(name: &str, text: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "rds-huawei-federation-{}-{name}",
            std::process::id()
        ));
        let file = TokenFile(path);
        file.write(text);
        file
    }

    fn write(&self, text: &str) {
        std::fs::write(&self.0, text).expect("write the token file");
    }
}

impl Drop for TokenFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// IAM's answer to `CreateTokenWithIdToken`: the federated token in `X-Subject-Token`.
fn token_answer() -> MockResponse {
    MockResponse::json(
        201,
        r#"{"token":{"expires_at":"2030-01-01T00:00:00.000000Z","methods":["mapped"],"issued_at":"2029-12-31T00:00:00.000000Z","user":{"OS-FEDERATION":{"identity_provider":{"id":"cce-oidc-provider"},"protocol":{"id":"oidc"},"groups":[]},"id":"u1","name":"system:serviceaccount:backup:cloud-backup"}}}"#,
    )
    .with_header("X-Subject-Token", SUBJECT_TOKEN)
    .with_header("X-Request-Id", "iam-req-1")
}

/// IAM's answer to `CreateTemporaryAccessKeyByToken`.
fn credential_json(access: &str) -> String {
    format!(
        r#"{{"credential":{{"access":"{access}","expires_at":"2030-01-01T00:00:00.000000Z","secret":"{SECRET}","securitytoken":"{SECURITY_TOKEN}"}}}}"#
    )
}

/// The federation of `file`'s token at the local fake IAM (`http(true)` may reach it).
fn federation(server: &MockServer, file: &TokenFile) -> IdTokenFederation {
    IdTokenFederation::new("cn-north-4", IDP, &file.0)
        .unwrap()
        .iam_endpoint(server.endpoint())
        .http_client(http(true))
}

/// The key id of the credentials `federation` fetches now.
async fn fetched_key_id(federation: &IdTokenFederation) -> String {
    let got = federation.fetch().await.unwrap();
    got.credentials.access_key_id().to_owned()
}

fn body(request: &cloud_http::testing::RecordedRequest) -> Value {
    serde_json::from_slice(&request.body).expect("a JSON body")
}

#[tokio::test]
async fn the_id_token_is_exchanged_at_iam_in_the_official_two_unsigned_calls() {
    let file = TokenFile::new("exchange", &format!("  {ID_TOKEN}\n"));
    let server = MockServer::start().await;
    server.push(token_answer());
    server.push(MockResponse::json(201, &credential_json("FEDAK1")));
    let federation = federation(&server, &file);
    let got = federation.fetch().await.unwrap();
    assert_temporary(&got, "FEDAK1", SECRET, SECURITY_TOKEN, 1_893_456_000);

    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    // 1. CreateTokenWithIdToken: the IdP in X-Idp-Id, the token (trimmed) in the body, unscoped.
    assert_eq!(
        (sent[0].method.as_str(), sent[0].path.as_str()),
        ("POST", "/v3.0/OS-AUTH/id-token/tokens")
    );
    assert_eq!(sent[0].header("x-idp-id"), Some(IDP));
    assert_eq!(
        sent[0].header("content-type"),
        Some("application/json;charset=UTF-8")
    );
    assert_eq!(
        body(&sent[0]),
        json!({"auth": {"id_token": {"id": ID_TOKEN}}})
    );
    // 2. CreateTemporaryAccessKeyByToken: the federated token in the body, for 6 hours.
    assert_eq!(
        (sent[1].method.as_str(), sent[1].path.as_str()),
        ("POST", "/v3.0/OS-CREDENTIAL/securitytokens")
    );
    assert_eq!(
        sent[1].header("content-type"),
        Some("application/json;charset=UTF-8")
    );
    assert_eq!(
        body(&sent[1]),
        json!({"auth": {"identity": {
            "methods": ["token"],
            "token": {"id": SUBJECT_TOKEN, "duration_seconds": 21600},
        }}})
    );
    for request in &sent {
        // Unsigned: the tokens are the proof; nothing else goes along.
        for header in [
            "authorization",
            "x-sdk-date",
            "x-auth-token",
            "x-security-token",
        ] {
            assert_eq!(request.header(header), None, "{header} on {}", request.path);
        }
        assert!(request.query.is_empty());
    }
    assert_eq!(sent[1].header("x-idp-id"), None);

    let shown = format!("{federation:?} {}", federation.describe());
    assert!(!shown.contains("CANARY"), "{shown}");
    assert!(shown.contains(IDP), "{shown}");
}

#[tokio::test]
async fn the_token_file_is_read_again_at_every_refresh() {
    let file = TokenFile::new("reread", ID_TOKEN);
    let server = MockServer::start().await;
    for access in ["FEDAK1", "FEDAK2"] {
        server.push(token_answer());
        server.push(MockResponse::json(201, &credential_json(access)));
    }
    let federation = federation(&server, &file);
    assert_eq!(fetched_key_id(&federation).await, "FEDAK1");
    // The platform rotated the projected token.
    file.write(ID_TOKEN_2);
    assert_eq!(fetched_key_id(&federation).await, "FEDAK2");
    let sent = server.requests();
    assert_eq!(sent.len(), 4);
    assert_eq!(body(&sent[0])["auth"]["id_token"]["id"], ID_TOKEN);
    assert_eq!(body(&sent[2])["auth"]["id_token"]["id"], ID_TOKEN_2);
}

#[tokio::test]
async fn iam_refusals_are_clear_errors_that_never_quote_a_token() {
    // IAM echoing the token, even where its message is cut short.
    let long = format!("{}{ID_TOKEN}", "x".repeat(1010));
    let iam_error = |message: &str| {
        json!({"error": {"code": 401, "title": "Unauthorized", "message": message}}).to_string()
    };
    for (first, second, says) in [
        (
            MockResponse::json(401, &iam_error(&format!("invalid id_token {ID_TOKEN}"))),
            None,
            "CreateTokenWithIdToken failed: 401 (HTTP 401): Unauthorized: invalid id_token <redacted>",
        ),
        (
            MockResponse::json(401, &iam_error(&long)),
            None,
            "CreateTokenWithIdToken failed: 401 (HTTP 401)",
        ),
        (
            MockResponse::text(400, &format!("bad request: {{\"id\":\"{ID_TOKEN}\"}}")),
            None,
            "CreateTokenWithIdToken failed: HTTP.400 (HTTP 400)",
        ),
        (
            MockResponse::json(201, r#"{"token":{"expires_at":"2030-01-01T00:00:00Z"}}"#),
            None,
            "without an X-Subject-Token header",
        ),
        (
            token_answer(),
            Some(MockResponse::json(
                401,
                &iam_error(&format!("token {SUBJECT_TOKEN} of {ID_TOKEN} expired")),
            )),
            "CreateTemporaryAccessKeyByToken failed: 401 (HTTP 401): Unauthorized: token <redacted> of <redacted> expired",
        ),
        (
            token_answer(),
            Some(MockResponse::json(
                201,
                &format!(r#"{{"credential":{{"access":"A","secret":"{SECRET}""#),
            )),
            "is not JSON",
        ),
        (
            token_answer(),
            Some(MockResponse::json(
                201,
                &format!(r#"{{"credential":"{SECRET}"}}"#),
            )),
            "has no credential",
        ),
        (
            token_answer(),
            Some(MockResponse::json(
                201,
                &format!(
                    r#"{{"credential":{{"access":"A","secret":"{SECRET}","expires_at":"2030-01-01T00:00:00Z"}}}}"#
                ),
            )),
            "the answer has no securitytoken",
        ),
    ] {
        let file = TokenFile::new("refusals", ID_TOKEN);
        let server = MockServer::start().await;
        server.push(first);
        if let Some(second) = second {
            server.push(second);
        }
        let err = federation(&server, &file).fetch().await.unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(
            shown.contains(&format!("federated identity provider {IDP}")) && shown.contains(says),
            "{shown}"
        );
        assert!(!shown.contains("CANARY"), "{shown}");
        assert!(matches!(err, Error::Credentials(_)), "{err:?}");
    }
}

#[tokio::test]
async fn a_missing_or_empty_token_file_names_the_file_and_sends_nothing() {
    let server = MockServer::start().await;
    let missing = TokenFile(std::env::temp_dir().join("rds-huawei-federation-no-such-file"));
    let err = federation(&server, &missing)
        .fetch()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("the id token file") && err.contains("rds-huawei-federation-no-such-file"),
        "{err}"
    );
    let empty = TokenFile::new("empty", " \n");
    let err = federation(&server, &empty)
        .fetch()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("is empty"), "{err}");
    assert!(server.requests().is_empty());
}

#[test]
fn the_configuration_of_the_official_chain_gives_the_iam_endpoint_and_names_the_source() {
    let config = |iam: Option<&str>, idp: &str| HuaweiFederation {
        idp_id: idp.into(),
        id_token_file: "/var/run/secrets/tokens/oidc-token".into(),
        project_id: None,
        iam_endpoint: iam.map(str::to_owned),
        origin: "the environment (HUAWEICLOUD_SDK_IDP_ID, HUAWEICLOUD_SDK_ID_TOKEN_FILE)".into(),
    };
    let default = IdTokenFederation::from_config(&config(None, IDP), "eu-west-101").unwrap();
    assert_eq!(
        default.iam().to_string(),
        "https://iam.eu-west-101.myhuaweicloud.eu"
    );
    let bare = IdTokenFederation::from_config(&config(Some("iam.example.com"), IDP), "cn-north-4")
        .unwrap();
    assert_eq!(bare.iam().to_string(), "https://iam.example.com");
    let url =
        IdTokenFederation::from_config(&config(Some("http://127.0.0.1:8080"), IDP), "cn-north-4")
            .unwrap();
    assert_eq!(url.iam().to_string(), "http://127.0.0.1:8080");
    let err = IdTokenFederation::from_config(&config(None, "two words"), "cn-north-4")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("HUAWEICLOUD_SDK_IDP_ID") && err.contains("idp_id"),
        "{err}"
    );
    assert!(IdTokenFederation::new("CN North", IDP, "/t").is_err());
    assert!(IdTokenFederation::new("cn-north-4", IDP, "").is_err());
}

#[tokio::test]
async fn errors_name_where_the_identity_was_configured() {
    let server = MockServer::start().await;
    let config = HuaweiFederation {
        idp_id: IDP.into(),
        id_token_file: std::env::temp_dir().join("rds-huawei-federation-absent"),
        project_id: None,
        iam_endpoint: Some(server.endpoint().to_string()),
        origin: "/home/me/.huaweicloud/credentials (profile basic)".into(),
    };
    let err = IdTokenFederation::from_config(&config, "cn-north-4")
        .unwrap()
        .http_client(http(true))
        .fetch()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("/home/me/.huaweicloud/credentials (profile basic)")
            && err.contains("rds-huawei-federation-absent"),
        "{err}"
    );
}

#[tokio::test]
async fn a_client_looks_up_its_project_and_signs_with_the_federated_credentials() {
    let file = TokenFile::new("client", ID_TOKEN);
    // One transport, recorded: the IAM exchange, the IAM project lookup, the DDS call.
    let recorder = Recorder::new();
    recorder.push(
        201,
        &[("X-Subject-Token", SUBJECT_TOKEN), ("X-Request-Id", "r1")],
        r#"{"token":{"expires_at":"2030-01-01T00:00:00.000000Z"}}"#,
    );
    recorder.push(201, &[], &credential_json("FEDAK3"));
    recorder.push(200, &[], crate::ONE_PROJECT);
    recorder.push(200, &[], r#"{"backups":[],"total_count":0}"#);
    let http = offline(&recorder);
    let federation = IdTokenFederation::new("cn-north-4", IDP, &file.0)
        .unwrap()
        .http_client(http.clone());
    let client = client_on(http, |b| b.auth(refreshing(federation)));
    list_dds(&client).await.unwrap();
    let sent = recorder.requests();
    let urls: Vec<&str> = sent.iter().map(|r| r.redacted_url()).collect();
    assert_eq!(
        urls,
        [
            "https://iam.cn-north-4.myhuaweicloud.com/v3.0/OS-AUTH/id-token/tokens",
            "https://iam.cn-north-4.myhuaweicloud.com/v3.0/OS-CREDENTIAL/securitytokens",
            "https://iam.cn-north-4.myhuaweicloud.com/v3/projects?name=cn-north-4",
            "https://dds.cn-north-4.myhuaweicloud.com/v3/0123456789abcdef/backups",
        ]
    );
    for signed in &sent[2..] {
        let auth = signed.header("authorization").unwrap_or_default();
        assert!(auth.contains("Access=FEDAK3"), "{auth}");
        assert_eq!(signed.header("x-security-token"), Some(SECURITY_TOKEN));
        assert!(!signed.to_snapshot().contains("CANARY"));
    }
    for unsigned in &sent[..2] {
        assert_eq!(unsigned.header("authorization"), None);
        assert!(!format!("{unsigned:?}").contains("CANARY"));
    }
    assert!(!format!("{client:?}").contains("CANARY"));
}

#[tokio::test]
async fn retried_refusals_echoing_the_tokens_leave_them_out_of_the_logs() {
    let capture = cloud_http::testing::TraceCapture::new();
    let _guard = capture.set_default();
    let file = TokenFile::new("logs", ID_TOKEN);
    let recorder = Recorder::new();
    // Each call refused once, echoing its token (retried: the error is logged), then answered.
    recorder.push(
        503,
        &[],
        &format!(r#"{{"error_code":"IAM.0001","error_msg":"busy with {ID_TOKEN}"}}"#),
    );
    recorder.push(
        201,
        &[("X-Subject-Token", SUBJECT_TOKEN)],
        r#"{"token":{"expires_at":"2030-01-01T00:00:00.000000Z"}}"#,
    );
    recorder.push(
        429,
        &[],
        &format!(r#"{{"error_code":"IAM.0002","error_msg":"slow down {SUBJECT_TOKEN}"}}"#),
    );
    recorder.push(201, &[], &credential_json("FEDAK4"));
    let got = IdTokenFederation::new("cn-north-4", IDP, &file.0)
        .unwrap()
        .http_client(offline(&recorder))
        .fetch()
        .await
        .unwrap();
    assert_eq!(got.credentials.access_key_id(), "FEDAK4");
    assert_eq!(recorder.requests().len(), 4, "each refusal retried once");
    let logs = capture.text();
    assert!(logs.contains("retrying"), "{logs}");
    assert!(!logs.contains("CANARY"), "{logs}");
}
