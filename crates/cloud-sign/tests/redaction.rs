//! Canary tests: a recognisable secret and token must never show up in `Debug`, `Display` or an
//! error, whichever path they took (credentials, signer output, provider context, broken files).

use cloud_sign::{
    Credentials, CredentialsError, EnvironmentProvider, Payload, ProfileFileProvider,
    ProvideCredentials, ProviderContext, SecretString, SignableRequest, SigningOutput, Vendor,
    aliyun, huawei, tencent,
};
use time::macros::datetime;

const SECRET: &str = "CANARY-SECRET-7f3a9";
const TOKEN: &str = "CANARY-TOKEN-51c2e";

/// Fails when `text` (what `what` printed) contains the secret or the token.
#[track_caller]
fn assert_clean(what: &str, text: &str) {
    for canary in [SECRET, TOKEN] {
        assert!(!text.contains(canary), "{what} leaks {canary}:\n{text}");
    }
    // Also catch a secret cut in half by formatting (for example `CANARY-SECRET` alone).
    assert!(
        !text.contains("CANARY"),
        "{what} leaks part of a canary:\n{text}"
    );
}

fn creds(with_token: bool) -> Credentials {
    let c = Credentials::new("AKIDEXAMPLEID", SECRET).with_project_id("0123456789abcdef");
    if with_token {
        c.with_session_token(TOKEN)
    } else {
        c
    }
}

#[test]
fn secret_string_and_credentials_debug_are_redacted() {
    let s = SecretString::new(SECRET);
    assert_clean("SecretString Debug", &format!("{s:?}"));
    assert_clean("SecretString Debug (alternate)", &format!("{s:#?}"));
    assert_eq!(format!("{s:?}"), "** redacted **");
    for with_token in [false, true] {
        let c = creds(with_token);
        let shown = format!("{c:?}");
        assert_clean("Credentials Debug", &shown);
        assert_clean("Credentials Debug (alternate)", &format!("{c:#?}"));
        // What is not secret is still shown, so the output stays useful.
        assert!(shown.contains("AKIDEXAMPLEID"), "{shown}");
        assert!(shown.contains("0123456789abcdef"), "{shown}");
        assert!(shown.contains("** redacted **"), "{shown}");
        // The secret is still there for the signers.
        assert_eq!(c.secret().expose(), SECRET);
    }
}

/// Checks everything a signer returns that may be printed.
#[track_caller]
fn check_output(what: &str, out: &SigningOutput, token_is_signed: bool) {
    let debug = format!("{out:?}");
    assert_clean(&format!("{what}: Debug"), &debug);
    assert_clean(&format!("{what}: Debug (alternate)"), &format!("{out:#?}"));
    assert!(
        !debug.contains(out.signature()),
        "{what}: Debug shows the signature:\n{debug}"
    );
    assert_clean(
        &format!("{what}: canonical_request_redacted"),
        &out.canonical_request_redacted(),
    );
    assert_clean(&format!("{what}: string_to_sign"), out.string_to_sign());
    // The canonical request itself is documented to hold the token when the algorithm signs it
    // (Aliyun, Huawei), and never the secret.
    assert!(!out.canonical_request().contains(SECRET), "{what}");
    assert_eq!(
        out.canonical_request().contains(TOKEN),
        token_is_signed,
        "{what}: canonical_request"
    );
    if token_is_signed {
        assert!(
            out.canonical_request_redacted().contains("** redacted **"),
            "{what}"
        );
    }
    // The headers to send carry the token (the server needs it) but never the secret.
    for (name, value) in out.headers() {
        assert!(!value.contains(SECRET), "{what}: header {name}");
    }
}

fn request<'a>(
    method: &'a str,
    host: &'a str,
    query: &'a [(&'a str, &'a str)],
    headers: &'a [(&'a str, &'a str)],
    body: &'a [u8],
) -> SignableRequest<'a> {
    SignableRequest::new(method, host, "/")
        .with_query(query)
        .with_headers(headers)
        .with_payload(Payload::Bytes(body))
}

#[test]
fn aliyun_output_is_redacted() {
    let query = [("RegionCode", "cn-hangzhou"), ("InstanceName", "rm-canary")];
    let req = request("POST", "dbs-api.cn-hangzhou.aliyuncs.com", &query, &[], b"");
    let params = aliyun::AcsParams {
        action: "CreateDownload",
        version: "2021-01-01",
        time: datetime!(2026-01-01 0:00 UTC),
        nonce: "0123456789abcdef0123456789abcdef",
    };
    for with_token in [false, true] {
        let out = aliyun::sign(&req, &params, &creds(with_token));
        check_output(&format!("aliyun (token: {with_token})"), &out, with_token);
    }
}

#[test]
fn tencent_output_is_redacted() {
    let headers = [
        ("content-type", "application/json; charset=utf-8"),
        ("X-TC-Action", "CreateBackupDownloadTask"),
    ];
    let body = br#"{"InstanceId":"cmgo-canary"}"#;
    let req = request("POST", "mongodb.tencentcloudapi.com", &[], &headers, body);
    let params = tencent::Tc3Params {
        service: "mongodb",
        time: datetime!(2026-01-01 0:00 UTC),
        extra_signed_headers: &["x-tc-action"],
    };
    let signer = tencent::Tc3Signer::new();
    assert_clean("Tc3Signer Debug (empty)", &format!("{signer:?}"));
    for with_token in [false, true] {
        // TC3 sends the token in X-TC-Token without signing it.
        let out = tencent::sign(&req, &params, &creds(with_token));
        check_output(&format!("tencent::sign (token: {with_token})"), &out, false);
        let out = signer.sign(&req, &params, &creds(with_token));
        check_output(&format!("Tc3Signer (token: {with_token})"), &out, false);
        // The cached derived key does not show either.
        assert_clean("Tc3Signer Debug (cached key)", &format!("{signer:?}"));
    }
}

#[test]
fn huawei_output_is_redacted() {
    let query = [("instance_id", "canary-instance")];
    let headers = [
        ("Content-Type", "application/json"),
        ("X-Project-Id", "0123456789abcdef"),
    ];
    let req = request(
        "GET",
        "dds.cn-north-4.myhuaweicloud.com",
        &query,
        &headers,
        b"",
    );
    for with_token in [false, true] {
        let out = huawei::sign(&req, datetime!(2026-01-01 0:00 UTC), &creds(with_token));
        check_output(&format!("huawei (token: {with_token})"), &out, with_token);
    }
}

#[test]
fn unsigned_output_is_redacted() {
    // Token-authenticated requests (a Huawei IAM token) carry the token as a header.
    let out = SigningOutput::unsigned(vec![
        ("X-Auth-Token", TOKEN.to_owned()),
        ("Authorization", format!("Bearer {SECRET}")),
        ("X-Project-Id", "0123456789abcdef".to_owned()),
    ]);
    let debug = format!("{out:?}");
    assert_clean("SigningOutput::unsigned Debug", &debug);
    assert_clean(
        "SigningOutput::unsigned Debug (alternate)",
        &format!("{out:#?}"),
    );
    assert!(debug.contains("0123456789abcdef"), "{debug}");
    assert_eq!(
        out.headers()[0].1,
        TOKEN,
        "the header itself keeps the token"
    );
}

#[test]
fn provider_context_debug_hides_the_environment() {
    let ctx = ProviderContext::from_map(
        [
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET),
            ("ALIBABA_CLOUD_SECURITY_TOKEN", TOKEN),
        ],
        Some("/home/canary-user".into()),
    );
    assert_clean("ProviderContext Debug", &format!("{ctx:?}"));
    assert_clean("ProviderContext Debug (alternate)", &format!("{ctx:#?}"));
    let creds = EnvironmentProvider::new(Vendor::Aliyun)
        .provide(&ctx)
        .unwrap()
        .unwrap();
    assert_clean("Credentials from the environment", &format!("{creds:?}"));
}

/// Writes `text` as `vendor`'s profile file in a fresh home and returns the provider's error.
fn error_from_file(vendor: Vendor, text: &str, profile: Option<&str>) -> CredentialsError {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join(vendor.profile_file());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    let ctx = ProviderContext::from_map([("UNRELATED", SECRET)], Some(home.path().to_owned()));
    let mut provider = ProfileFileProvider::new(vendor);
    if let Some(p) = profile {
        provider = provider.with_profile(p);
    }
    match provider.provide(&ctx) {
        Err(e) => e,
        Ok(c) => panic!("expected an error for {text:?}, got {c:?}"),
    }
}

#[track_caller]
fn check_error(what: &str, e: &CredentialsError) {
    assert_clean(&format!("{what}: Display"), &e.to_string());
    assert_clean(&format!("{what}: Debug"), &format!("{e:?}"));
    assert_clean(&format!("{what}: Debug (alternate)"), &format!("{e:#?}"));
    assert_clean(&format!("{what}: problem"), e.problem());
}

#[test]
fn ini_errors_never_quote_the_file() {
    let cases: &[(Vendor, String, &str)] = &[
        // A line without '=': the secret pasted alone.
        (
            Vendor::Tencent,
            format!("[default]\nsecret_id = AKID\n{SECRET}\n"),
            "malformed line",
        ),
        // A line with ':' instead of '='.
        (
            Vendor::Tencent,
            format!("[default]\nsecret_id = AKID\nsecret_key: {SECRET}\ntoken: {TOKEN}\n"),
            "colon instead of equals",
        ),
        // An unterminated section header made of the secret.
        (
            Vendor::Huawei,
            format!("[{SECRET}\nak = a\nsk = {SECRET}\n"),
            "unterminated header",
        ),
        // A key before any section.
        (
            Vendor::Huawei,
            format!("sk = {SECRET}\n[basic]\nak = a\n"),
            "key outside a section",
        ),
        // The secret in the wrong key, the id empty.
        (
            Vendor::Huawei,
            format!("[basic]\nak =\nsecurity_token = {TOKEN}\nsk = {SECRET}\n"),
            "empty ak",
        ),
        // The secret as the id, the key empty.
        (
            Vendor::Tencent,
            format!("[default]\nsecret_id = {SECRET}\nsecret_key =\n"),
            "empty secret_key",
        ),
    ];
    for (vendor, text, what) in cases {
        let e = error_from_file(*vendor, text, None);
        check_error(what, &e);
    }
}

#[test]
fn json_errors_never_quote_the_file() {
    let cases: &[(String, &str)] = &[
        (
            format!(
                r#"{{"profiles": [{{"name": "default", "mode": "AK", "access_key_id": "{SECRET}",
                   "access_key_secret": 12, "sts_token": "{TOKEN}"}}]}}"#
            ),
            "type error next to the secret",
        ),
        (
            format!(r#"{{"profiles": "{SECRET}"}}"#),
            "the secret where a list belongs",
        ),
        (
            format!(r#"{{"current": ["{SECRET}"], "profiles": []}}"#),
            "the secret inside a wrong type",
        ),
        (
            format!(r#"{{"profiles": [{{"name": "default", "access_key_secret": "{SECRET}" "#),
            "truncated after the secret",
        ),
        (
            format!(
                r#"{{"profiles": [{{"name": "default", "access_key_secret": "{SECRET}\q"}}]}}"#
            ),
            "bad escape inside the secret",
        ),
        (
            format!(r#"{{"profiles": [{{"name": "default", "access_key_secret": {SECRET}}}]}}"#),
            "unquoted secret",
        ),
        (
            format!(
                r#"{{"profiles": [{{"name": "default", "mode": "AK", "access_key_id": "",
                   "access_key_secret": "{SECRET}"}}]}}"#
            ),
            "empty id next to the secret",
        ),
        (
            format!(
                r#"{{"profiles": [{{"name": "default", "mode": "StsToken", "access_key_id": "STS.x",
                   "access_key_secret": "{SECRET}", "sts_token": " "}}]}}"#
            ),
            "blank token",
        ),
        (
            format!(
                r#"{{"profiles": [{{"name": "default", "mode": "RamRoleArn", "access_key_id": "x",
                   "access_key_secret": "{SECRET}", "sts_token": "{TOKEN}"}}]}}"#
            ),
            "unsupported mode",
        ),
    ];
    for (text, what) in cases {
        let e = error_from_file(Vendor::Aliyun, text, None);
        check_error(what, &e);
    }
}

#[test]
fn environment_errors_never_quote_values() {
    for v in [Vendor::Aliyun, Vendor::Tencent, Vendor::Huawei] {
        let (id, secret) = v.key_variables();
        for env in [
            vec![(secret, SECRET)],
            vec![(id, " "), (secret, SECRET)],
            vec![(id, SECRET)],
        ] {
            let ctx = ProviderContext::from_map(env, None);
            let e = EnvironmentProvider::new(v).provide(&ctx).unwrap_err();
            check_error("environment", &e);
        }
    }
}
