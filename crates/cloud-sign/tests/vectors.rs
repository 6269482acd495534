//! Every vector of `shared/reference/signing.md`, with the canonical request (or its hash), the
//! string-to-sign and the signature checked separately.

use cloud_sign::{Credentials, Payload, SignableRequest, aliyun, canonical_query, huawei, tencent};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::datetime;

fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn header<'a>(out: &'a cloud_sign::SigningOutput, name: &str) -> &'a str {
    out.headers()
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} header"))
}

// ---------------------------------------------------------------- Aliyun ACS3-HMAC-SHA256

const DBS_HOST: &str = "dbs-api.cn-hangzhou.aliyuncs.com";
const DBS_NONCE: &str = "0123456789abcdef0123456789abcdef";
const DBS_TIME: OffsetDateTime = datetime!(2024-01-01 0:00 UTC);

fn dbs_sign(
    action: &str,
    version: &str,
    query: &[(&str, &str)],
    creds: &Credentials,
) -> cloud_sign::SigningOutput {
    let req = SignableRequest::new("POST", DBS_HOST, "/").with_query(query);
    let params = aliyun::AcsParams {
        action,
        version,
        time: DBS_TIME,
        nonce: DBS_NONCE,
    };
    aliyun::sign(&req, &params, creds)
}

const A1_QUERY: &[(&str, &str)] = &[
    ("InstanceName", "rm-bp1example"),
    ("BakSetId", "1234567890"),
    ("BakSetType", "full"),
    ("FormatType", "csv"),
    ("RegionCode", "cn-hangzhou"),
    ("TargetType", "URL"),
];

fn check_acs(out: &cloud_sign::SigningOutput, cr_hash: &str, signature: &str) {
    assert_eq!(
        sha256_hex(out.canonical_request()),
        cr_hash,
        "canonical request hash"
    );
    assert_eq!(
        out.string_to_sign(),
        format!("ACS3-HMAC-SHA256\n{cr_hash}"),
        "string to sign"
    );
    assert_eq!(out.signature(), signature, "signature");
}

#[test]
fn a1_create_download() {
    let out = dbs_sign(
        "CreateDownload",
        "2021-01-01",
        A1_QUERY,
        &Credentials::new("LTAI5tExample", "exampleSecret"),
    );
    let expected_cr = "POST\n/\n\
        BakSetId=1234567890&BakSetType=full&FormatType=csv&InstanceName=rm-bp1example&RegionCode=cn-hangzhou&TargetType=URL\n\
        host:dbs-api.cn-hangzhou.aliyuncs.com\n\
        x-acs-action:CreateDownload\n\
        x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
        x-acs-date:2024-01-01T00:00:00Z\n\
        x-acs-signature-nonce:0123456789abcdef0123456789abcdef\n\
        x-acs-version:2021-01-01\n\
        \n\
        host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n\
        e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assert_eq!(out.canonical_request(), expected_cr);
    check_acs(
        &out,
        "438f96cf3bb6dfe7a74e6c615e24c3db8e55ffdf2a7ebc131e88d925a9eb001b",
        "b13ae079c979e30ff30d1edea22bad1828d3bb915ac754a4e398d927d5a0fca4",
    );
    assert_eq!(
        header(&out, "Authorization"),
        "ACS3-HMAC-SHA256 Credential=LTAI5tExample,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=b13ae079c979e30ff30d1edea22bad1828d3bb915ac754a4e398d927d5a0fca4"
    );
    assert_eq!(header(&out, "x-acs-date"), "2024-01-01T00:00:00Z");
    assert_eq!(header(&out, "x-acs-signature-nonce"), DBS_NONCE);
}

#[test]
fn a2_create_download_with_security_token() {
    let creds = Credentials::new("LTAI5tExample", "exampleSecret")
        .with_session_token("exampleSecurityToken");
    let out = dbs_sign("CreateDownload", "2021-01-01", A1_QUERY, &creds);
    assert!(out.canonical_request().contains(
        "x-acs-date:2024-01-01T00:00:00Z\nx-acs-security-token:exampleSecurityToken\nx-acs-signature-nonce:"
    ));
    assert!(out.canonical_request().contains(
        "\nhost;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version\n"
    ));
    check_acs(
        &out,
        "12499b4e910b2fdff73376c1960363d1255b639c712c80801f50e43ef4b3d2b2",
        "3204f9a2aeb2e74f7724a69c64c62674e0ba5d77045a5344cab97b95df9c5102",
    );
    assert_eq!(header(&out, "x-acs-security-token"), "exampleSecurityToken");
}

#[test]
fn a3_create_restore_task_with_awkward_characters() {
    let query = [
        ("BackupPlanId", "dbstooi01ex****"),
        ("ClientToken", "a b"),
        ("DestinationEndpointInstanceType", "RDS"),
        (
            "RestoreObjects",
            r#"[{"DBName":"db1","NewDBName":"db1_恢复"}]"#,
        ),
        ("RestoreTaskName", "my task *~/+=&"),
        ("RestoreTime", "1554560477000"),
    ];
    let out = dbs_sign(
        "CreateRestoreTask",
        "2019-03-06",
        &query,
        &Credentials::new("LTAI5tExample", "exampleSecret"),
    );
    let expected_query = "BackupPlanId=dbstooi01ex%2A%2A%2A%2A&ClientToken=a%20b&DestinationEndpointInstanceType=RDS&RestoreObjects=%5B%7B%22DBName%22%3A%22db1%22%2C%22NewDBName%22%3A%22db1_%E6%81%A2%E5%A4%8D%22%7D%5D&RestoreTaskName=my%20task%20%2A~%2F%2B%3D%26&RestoreTime=1554560477000";
    assert_eq!(canonical_query(&query), expected_query);
    assert_eq!(
        out.canonical_request().lines().nth(2),
        Some(expected_query),
        "the canonical query line"
    );
    check_acs(
        &out,
        "b4519d964c0422d919cfc17b19e8920a1ba44423956b19d96266a600b64b01c8",
        "2a08c5f633b2c44dc1ca2aa0eb3e26dee5a67f0fe9d106eb234e3a069167df91",
    );
}

#[test]
fn aliyun_documentation_example_run_instances() {
    let query = [
        (
            "ImageId",
            "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
        ),
        ("RegionId", "cn-shanghai"),
    ];
    let req = SignableRequest::new("POST", "ecs.cn-shanghai.aliyuncs.com", "/").with_query(&query);
    let params = aliyun::AcsParams {
        action: "RunInstances",
        version: "2014-05-26",
        time: datetime!(2023-10-26 10:22:32 UTC),
        nonce: "3156853299f313e23d1673dc12e1703d",
    };
    let out = aliyun::sign(
        &req,
        &params,
        &Credentials::new("YourAccessKeyId", "YourAccessKeySecret"),
    );
    check_acs(
        &out,
        "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259",
        "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0",
    );
}

#[test]
fn aliyun_sdk_unit_vector_repeated_header() {
    let payload_hash = "55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23";
    let (canonical, signed_headers) = aliyun::canonical_request(
        "GET",
        "/",
        &[("test", "ok"), ("empty", "")],
        [("x-acs-test", "http"), ("x-acs-TEST", "https")],
        payload_hash,
    );
    assert_eq!(
        canonical,
        format!("GET\n/\nempty=&test=ok\nx-acs-test:http,https\n\nx-acs-test\n{payload_hash}")
    );
    assert_eq!(signed_headers, "x-acs-test");
    let sts = aliyun::string_to_sign(&canonical);
    assert_eq!(sts, format!("ACS3-HMAC-SHA256\n{}", sha256_hex(&canonical)));
    assert_eq!(
        aliyun::signature("secret", &sts),
        "d16b30a7699ae9e43875b13195b2f81bcc3ed10c14a9b5eb780e51619aa50be1"
    );
}

#[test]
fn aliyun_encoding_check() {
    assert_eq!(cloud_sign::percent_encode(" ~/*-+"), "%20~%2F%2A-%2B");
}

// ---------------------------------------------------------------- Tencent TC3-HMAC-SHA256

const CVM_BODY: &str =
    r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
const CVM_TIME: OffsetDateTime = datetime!(2019-02-25 16:44:25 UTC);

#[allow(clippy::too_many_arguments)]
fn tc3(
    host: &str,
    service: &str,
    content_type: &str,
    body: &str,
    time: OffsetDateTime,
    extra: &[&str],
    action: &str,
    creds: &Credentials,
) -> cloud_sign::SigningOutput {
    let headers = [("Content-Type", content_type), ("X-TC-Action", action)];
    let req = SignableRequest::new("POST", host, "/")
        .with_headers(&headers)
        .with_payload(Payload::Bytes(body.as_bytes()));
    let params = tencent::Tc3Params {
        service,
        time,
        extra_signed_headers: extra,
    };
    tencent::sign(&req, &params, creds)
}

fn check_tc3(
    out: &cloud_sign::SigningOutput,
    timestamp: &str,
    scope: &str,
    cr_hash: &str,
    signature: &str,
) {
    assert_eq!(
        sha256_hex(out.canonical_request()),
        cr_hash,
        "canonical request hash"
    );
    assert_eq!(
        out.string_to_sign(),
        format!("TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{cr_hash}"),
        "string to sign"
    );
    assert_eq!(out.signature(), signature, "signature");
}

#[test]
fn tencent_documentation_international() {
    assert_eq!(CVM_TIME.unix_timestamp(), 1551113065);
    let out = tc3(
        "cvm.tencentcloudapi.com",
        "cvm",
        "application/json; charset=utf-8",
        CVM_BODY,
        CVM_TIME,
        &[],
        "DescribeInstances",
        &Credentials::new(
            "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
            "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
        ),
    );
    assert_eq!(
        out.canonical_request(),
        "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\n\
         content-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
    );
    check_tc3(
        &out,
        "1551113065",
        "2019-02-25/cvm/tc3_request",
        "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031",
        "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
    );
    assert_eq!(
        header(&out, "Authorization"),
        "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
    );
    assert_eq!(header(&out, "X-TC-Timestamp"), "1551113065");
}

#[test]
fn tencent_documentation_masked() {
    let out = tc3(
        "cvm.tencentcloudapi.com",
        "cvm",
        "application/json; charset=utf-8",
        CVM_BODY,
        CVM_TIME,
        &[],
        "DescribeInstances",
        &Credentials::new(
            "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******",
            "Gu5t9xGARNpq86cd98joQYCN3*******",
        ),
    );
    check_tc3(
        &out,
        "1551113065",
        "2019-02-25/cvm/tc3_request",
        "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031",
        "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c",
    );
}

#[test]
fn tencent_documentation_current_signs_action() {
    let id = format!("AKID{}", "*".repeat(32));
    let out = tc3(
        "cvm.tencentcloudapi.com",
        "cvm",
        "application/json; charset=utf-8",
        CVM_BODY,
        CVM_TIME,
        &["x-tc-action"],
        "DescribeInstances",
        &Credentials::new(id, "*".repeat(32)),
    );
    assert!(
        out.canonical_request()
            .contains("\nx-tc-action:describeinstances\n\ncontent-type;host;x-tc-action\n")
    );
    check_tc3(
        &out,
        "1551113065",
        "2019-02-25/cvm/tc3_request",
        "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84",
        "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f",
    );
}

const MONGO_TIME: OffsetDateTime = datetime!(2026-01-01 0:00 UTC);

#[test]
fn t1_create_backup_download_task() {
    let body = r#"{"InstanceId": "cmgo-p8vnipr5", "BackupName": "cmgo-p8vnipr5_2021-03-26 10:44", "BackupSets": [{"ReplicaSetId": "cmgo-p8vnipr5_0"}]}"#;
    let creds = Credentials::new("AKIDEXAMPLE", "exampleSecretKey");
    let out = tc3(
        "mongodb.tencentcloudapi.com",
        "mongodb",
        "application/json",
        body,
        MONGO_TIME,
        &[],
        "CreateBackupDownloadTask",
        &creds,
    );
    assert!(
        out.canonical_request()
            .ends_with("\n08130561ed5394d2be735265740022d6d31133a79359e1a21587027284b51658")
    );
    check_tc3(
        &out,
        "1767225600",
        "2026-01-01/mongodb/tc3_request",
        "637d3708626dee3c1bed9258f355de5c1f944c5d46163688e7227ab126f5be58",
        "a26cd636f2a1e74eb47b304becc328c3ba166bbaedd9f6f892a0db245f95f924",
    );
    // X-TC-Token is sent but not signed: a token does not change the signature.
    let with_token = tc3(
        "mongodb.tencentcloudapi.com",
        "mongodb",
        "application/json",
        body,
        MONGO_TIME,
        &[],
        "CreateBackupDownloadTask",
        &creds.clone().with_session_token("exampleToken"),
    );
    assert_eq!(with_token.signature(), out.signature());
    assert_eq!(header(&with_token, "X-TC-Token"), "exampleToken");
}

#[test]
fn t2_compact_body_and_charset() {
    let body = r#"{"InstanceId":"cmgo-p8vnipr5","BackupName":"cmgo-p8vnipr5_2021-03-26 10:44","BackupSets":[{"ReplicaSetId":"cmgo-p8vnipr5_0"}]}"#;
    let out = tc3(
        "mongodb.tencentcloudapi.com",
        "mongodb",
        "application/json; charset=utf-8",
        body,
        MONGO_TIME,
        &[],
        "CreateBackupDownloadTask",
        &Credentials::new("AKIDEXAMPLE", "exampleSecretKey"),
    );
    assert!(
        out.canonical_request()
            .ends_with("\n9bef526ee0fda456b063ccbcb7214797c8f766f93042eb528ec831a51ae4c3ba")
    );
    check_tc3(
        &out,
        "1767225600",
        "2026-01-01/mongodb/tc3_request",
        "483b6d85b4e36c6ba55ca2ad2270703272243da619708b3355fe05895c2c1307",
        "7a56b2d8558ae34fb4de88e28dbca6d67612f6d15f624ed9b6d34ae3d00fa91c",
    );
}

#[test]
fn tc3_cached_signer_matches_and_rederives_on_new_day() {
    let body = r#"{"InstanceId":"cmgo-p8vnipr5"}"#;
    let headers = [("Content-Type", "application/json")];
    let req = SignableRequest::new("POST", "mongodb.tencentcloudapi.com", "/")
        .with_headers(&headers)
        .with_payload(Payload::Bytes(body.as_bytes()));
    let creds = Credentials::new("AKIDEXAMPLE", "exampleSecretKey");
    let signer = tencent::Tc3Signer::new();
    for time in [
        MONGO_TIME,
        datetime!(2026-01-01 23:59:59 UTC),
        datetime!(2026-01-02 0:00 UTC),
        MONGO_TIME,
    ] {
        let params = tencent::Tc3Params {
            service: "mongodb",
            time,
            extra_signed_headers: &[],
        };
        assert_eq!(
            signer.sign(&req, &params, &creds).signature(),
            tencent::sign(&req, &params, &creds).signature(),
            "cached key differs at {time}"
        );
    }
}

#[test]
fn tc3_cached_signer_rederives_when_the_secret_changes_under_the_same_id() {
    // Temporary credentials may be renewed with the same id and a new secret.
    let headers = [("Content-Type", "application/json")];
    let req = SignableRequest::new("POST", "mongodb.tencentcloudapi.com", "/")
        .with_headers(&headers)
        .with_payload(Payload::Bytes(b"{}"));
    let params = tencent::Tc3Params {
        service: "mongodb",
        time: MONGO_TIME,
        extra_signed_headers: &[],
    };
    let signer = tencent::Tc3Signer::new();
    let first = Credentials::new("AKIDtmp", "secret-one");
    let second = Credentials::new("AKIDtmp", "secret-two");
    let a = signer.sign(&req, &params, &first).signature().to_owned();
    let b = signer.sign(&req, &params, &second).signature().to_owned();
    assert_ne!(a, b);
    assert_eq!(b, tencent::sign(&req, &params, &second).signature());
}

// ---------------------------------------------------------------- Huawei SDK-HMAC-SHA256

const HW_PROJECT: &str = "0123456789abcdef";
const HW_TIME: OffsetDateTime = datetime!(2026-01-01 0:00 UTC);

fn check_sdk(out: &cloud_sign::SigningOutput, date: &str, signed_headers: &str, signature: &str) {
    let cr_hash = sha256_hex(out.canonical_request());
    assert_eq!(
        out.canonical_request().lines().rev().nth(1),
        Some(signed_headers),
        "signed headers line"
    );
    assert_eq!(
        out.string_to_sign(),
        format!("SDK-HMAC-SHA256\n{date}\n{cr_hash}"),
        "string to sign"
    );
    assert_eq!(out.signature(), signature, "signature");
    let auth = header(out, "Authorization");
    assert!(auth.starts_with("SDK-HMAC-SHA256 Access="), "{auth}");
    assert!(
        auth.ends_with(&format!(
            ", SignedHeaders={signed_headers}, Signature={signature}"
        )),
        "authorization header"
    );
}

fn hw_sign(
    method: &str,
    host: &str,
    path: &str,
    query: &[(&str, &str)],
    headers: &[(&str, &str)],
    body: &[u8],
    creds: &Credentials,
) -> cloud_sign::SigningOutput {
    let req = SignableRequest::new(method, host, path)
        .with_query(query)
        .with_headers(headers)
        .with_payload(Payload::Bytes(body));
    huawei::sign(&req, HW_TIME, creds)
}

fn hw_creds() -> Credentials {
    Credentials::new("HPUAEXAMPLE", "exampleSecretKey")
}

const H1_QUERY: &[(&str, &str)] = &[
    ("instance_id", "befb1cfe1f96403780396b0c54f85d11in02"),
    ("backup_id", "bd062e1af2d248b3bb4cd3dbb4183888br02"),
];

#[test]
fn h1_dds_show_backup_download_link() {
    let out = hw_sign(
        "GET",
        "dds.cn-north-4.myhuaweicloud.com",
        "/v3/0123456789abcdef/backups/download-file",
        H1_QUERY,
        &[("X-Project-Id", HW_PROJECT)],
        b"",
        &hw_creds(),
    );
    assert_eq!(
        out.canonical_request(),
        "GET\n/v3/0123456789abcdef/backups/download-file/\n\
         backup_id=bd062e1af2d248b3bb4cd3dbb4183888br02&instance_id=befb1cfe1f96403780396b0c54f85d11in02\n\
         host:dds.cn-north-4.myhuaweicloud.com\nx-project-id:0123456789abcdef\nx-sdk-date:20260101T000000Z\n\n\
         host;x-project-id;x-sdk-date\n\
         e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        sha256_hex(out.canonical_request()),
        "f199b57cd65afb25e1153cf7ebe777ca22f8bc2b25dba86afc71c1a8e0250184"
    );
    check_sdk(
        &out,
        "20260101T000000Z",
        "host;x-project-id;x-sdk-date",
        "d4a3867882957ae46be4dd97e68daa6fb4087381c008a7a26ec3952c09eca356",
    );
    assert_eq!(header(&out, "X-Sdk-Date"), "20260101T000000Z");
}

#[test]
fn h2_with_security_token() {
    let out = hw_sign(
        "GET",
        "dds.cn-north-4.myhuaweicloud.com",
        "/v3/0123456789abcdef/backups/download-file",
        H1_QUERY,
        &[("X-Project-Id", HW_PROJECT)],
        b"",
        &hw_creds().with_session_token("exampleSecurityToken"),
    );
    assert!(
        out.canonical_request()
            .contains("x-security-token:exampleSecurityToken\n")
    );
    check_sdk(
        &out,
        "20260101T000000Z",
        "host;x-project-id;x-sdk-date;x-security-token",
        "0fd33be2f6f16bf5db94ac9c76dabea2287ffba37711c3eed011061c6e9f5d2c",
    );
    assert_eq!(header(&out, "X-Security-Token"), "exampleSecurityToken");
}

#[test]
fn h3_rds_backup_files() {
    let out = hw_sign(
        "GET",
        "rds.cn-north-4.myhuaweicloud.com",
        "/v3/0123456789abcdef/backup-files",
        &[("backup_id", "c0c9f155c7b7423a9d30f0175998b63bbr01")],
        &[("X-Project-Id", HW_PROJECT)],
        b"",
        &hw_creds(),
    );
    assert!(out.canonical_request().starts_with(
        "GET\n/v3/0123456789abcdef/backup-files/\nbackup_id=c0c9f155c7b7423a9d30f0175998b63bbr01\n"
    ));
    check_sdk(
        &out,
        "20260101T000000Z",
        "host;x-project-id;x-sdk-date",
        "d0dcb8dacf243b0a7066d143caed1302da2d322bceab14a77a8925f1a581bb22",
    );
}

#[test]
fn h4_awkward_query() {
    let query = [
        ("name", "a b+c/d*e~f"),
        ("zh", "备份"),
        ("eq", "x=y&z"),
        ("limit", "10"),
        ("flag", "true"),
        ("multi", "b"),
        ("multi", "a"),
    ];
    let out = hw_sign(
        "GET",
        "dds.cn-north-4.myhuaweicloud.com",
        "/v3/0123456789abcdef/backups",
        &query,
        &[("X-Project-Id", HW_PROJECT)],
        b"",
        &hw_creds(),
    );
    assert_eq!(
        out.canonical_request().lines().nth(2),
        Some(
            "eq=x%3Dy%26z&flag=true&limit=10&multi=a&multi=b&name=a%20b%2Bc%2Fd%2Ae~f&zh=%E5%A4%87%E4%BB%BD"
        )
    );
    check_sdk(
        &out,
        "20260101T000000Z",
        "host;x-project-id;x-sdk-date",
        "7b06c99f5bccb36f548882232e19bf36dd7bd5be212014efe2d34c47a24ece35",
    );
}

#[test]
fn h5_post_with_json_body() {
    let body = br#"{"backup":{"instance_id":"befb1cfe1f96403780396b0c54f85d11in02","name":"b1"}}"#;
    let out = hw_sign(
        "POST",
        "dds.cn-north-4.myhuaweicloud.com",
        "/v3/0123456789abcdef/backups",
        &[],
        &[
            ("Content-Type", "application/json"),
            ("X-Project-Id", HW_PROJECT),
        ],
        body,
        &hw_creds(),
    );
    assert!(
        out.canonical_request()
            .ends_with("\ned4a1bcaa91ee18c4804ac67d10bcef399e461ba9a90e654329ab338d67a18dd")
    );
    check_sdk(
        &out,
        "20260101T000000Z",
        "content-type;host;x-project-id;x-sdk-date",
        "dcb33f62036ea26eb36a95c2e06672f6ee9332be7363185e2609eda885d9552b",
    );
}

#[test]
fn h6_iam_projects_without_project_header() {
    let out = hw_sign(
        "GET",
        "iam.cn-north-4.myhuaweicloud.com",
        "/v3/projects",
        &[("name", "cn-north-4")],
        &[],
        b"",
        &hw_creds(),
    );
    check_sdk(
        &out,
        "20260101T000000Z",
        "host;x-sdk-date",
        "5bccfd72fe6fbf5c7421306e2821951c99b9f34321147b4c944707bf90bcdc69",
    );
}

#[test]
fn huawei_signing_guide_example() {
    let req_time = datetime!(2019-11-15 3:36:55 UTC);
    let query = [
        ("limit", "2"),
        ("marker", "13551d6b-755d-4757-b956-536f674975c0"),
    ];
    let headers = [("Content-Type", "application/json")];
    let req = SignableRequest::new(
        "GET",
        "service.region.example.com",
        "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
    )
    .with_query(&query)
    .with_headers(&headers);
    let out = huawei::sign(
        &req,
        req_time,
        &Credentials::new(
            "QTWAOYTTINDUT2QVKYUC",
            "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
        ),
    );
    assert_eq!(
        sha256_hex(out.canonical_request()),
        "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
    );
    check_sdk(
        &out,
        "20191115T033655Z",
        "content-type;host;x-sdk-date",
        "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe",
    );
}

#[test]
fn huawei_sdk_canonical_query_test() {
    let query = [
        ("limit", "1"),
        ("enable", "true"),
        ("test", "一 (&=?!#%.*)"),
        ("path", "/tmp/123"),
        ("multi", "1"),
        ("multi", "2"),
        ("multi", "3"),
    ];
    assert_eq!(
        canonical_query(&query),
        "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29"
    );
}
