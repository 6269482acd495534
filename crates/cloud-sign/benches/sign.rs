//! Time to sign one typical request with each of our algorithms, next to `aws-sigv4` signing
//! requests of the same shape, in one criterion group so they share a run.
//!
//! ```text
//! cargo bench -p cloud-sign --bench sign -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! Our requests are the signing.md vectors A1 (DBS `CreateDownload`), T1 (MongoDB
//! `CreateBackupDownloadTask`) and H1 (DDS download link); each is checked against its published
//! signature before it is timed. The `aws-sigv4` requests copy their shape: method, number of
//! query parameters, body, caller headers. Every iteration builds the borrowed request and signs
//! it, for both libraries (`aws-sigv4`'s `SignableRequest` is consumed by `sign`, and building it
//! parses the URI; ours is a struct of borrows).

// `criterion_group!` defines an undocumented `pub fn`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials as AwsCredentials;
use aws_sigv4::http_request::{
    SignableBody, SignableRequest as AwsRequest, SigningParams as AwsSigningParams,
    SigningSettings, sign as aws_sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use cloud_sign::{Credentials, Payload, SignableRequest, aliyun, huawei, tencent};
use criterion::{Criterion, criterion_group, criterion_main};
use time::OffsetDateTime;
use time::macros::datetime;

// --- Aliyun ACS3: signing.md A1 -----------------------------------------------------------------

const DBS_HOST: &str = "dbs-api.cn-hangzhou.aliyuncs.com";
const DBS_QUERY: &[(&str, &str)] = &[
    ("BakSetId", "1234567890"),
    ("BakSetType", "full"),
    ("FormatType", "csv"),
    ("InstanceName", "rm-bp1example"),
    ("RegionCode", "cn-hangzhou"),
    ("TargetType", "URL"),
];
const DBS_TIME: OffsetDateTime = datetime!(2024-01-01 0:00 UTC);
const DBS_NONCE: &str = "0123456789abcdef0123456789abcdef";
const A1_SIGNATURE: &str = "b13ae079c979e30ff30d1edea22bad1828d3bb915ac754a4e398d927d5a0fca4";

fn dbs_params() -> aliyun::AcsParams<'static> {
    aliyun::AcsParams {
        action: "CreateDownload",
        version: "2021-01-01",
        time: DBS_TIME,
        nonce: DBS_NONCE,
    }
}

// --- Tencent TC3: signing.md T1 -----------------------------------------------------------------

const MONGO_HOST: &str = "mongodb.tencentcloudapi.com";
const MONGO_BODY: &str = r#"{"InstanceId": "cmgo-p8vnipr5", "BackupName": "cmgo-p8vnipr5_2021-03-26 10:44", "BackupSets": [{"ReplicaSetId": "cmgo-p8vnipr5_0"}]}"#;
/// What the transport sends besides the body; only `Content-Type` (and `host`) are signed.
const MONGO_HEADERS: &[(&str, &str)] = &[
    ("Content-Type", "application/json"),
    ("X-TC-Action", "CreateBackupDownloadTask"),
    ("X-TC-Version", "2019-07-25"),
    ("X-TC-Region", "ap-guangzhou"),
];
const MONGO_TIME: OffsetDateTime = datetime!(2026-01-01 0:00 UTC);
const T1_SIGNATURE: &str = "a26cd636f2a1e74eb47b304becc328c3ba166bbaedd9f6f892a0db245f95f924";

fn mongo_params() -> tencent::Tc3Params<'static> {
    tencent::Tc3Params {
        service: "mongodb",
        time: MONGO_TIME,
        extra_signed_headers: &[],
    }
}

// --- Huawei SDK-HMAC-SHA256: signing.md H1 ------------------------------------------------------

const DDS_HOST: &str = "dds.cn-north-4.myhuaweicloud.com";
const DDS_PATH: &str = "/v3/0123456789abcdef/backups/download-file";
const DDS_QUERY: &[(&str, &str)] = &[
    ("instance_id", "befb1cfe1f96403780396b0c54f85d11in02"),
    ("backup_id", "bd062e1af2d248b3bb4cd3dbb4183888br02"),
];
const DDS_HEADERS: &[(&str, &str)] = &[("X-Project-Id", "0123456789abcdef")];
const DDS_TIME: OffsetDateTime = datetime!(2026-01-01 0:00 UTC);
const H1_SIGNATURE: &str = "d4a3867882957ae46be4dd97e68daa6fb4087381c008a7a26ec3952c09eca356";

// --- aws-sigv4: the same shapes ------------------------------------------------------------------

/// Shape of A1: POST, six query parameters, empty body, no caller headers.
const AWS_POST_6Q_URI: &str = "https://dbs.us-east-1.amazonaws.com/?BakSetId=1234567890&BakSetType=full&FormatType=csv&InstanceName=rm-bp1example&RegionCode=us-east-1&TargetType=URL";
/// Shape of T1: POST `/`, no query, the same JSON body, content type and three unsigned-by-us
/// `X-*` headers (aws-sigv4 signs every header it is given, so this costs it more header work).
const AWS_POST_JSON_URI: &str = "https://mongodb.us-east-1.amazonaws.com/";
const AWS_JSON_HEADERS: &[(&str, &str)] = &[
    ("content-type", "application/json"),
    ("x-amz-target", "CreateBackupDownloadTask"),
    ("x-api-version", "2019-07-25"),
    ("x-api-region", "us-east-1"),
];
/// Shape of H1: GET, two query parameters, one project header, empty body.
const AWS_GET_2Q_URI: &str = "https://dds.us-east-1.amazonaws.com/v3/0123456789abcdef/backups/download-file?instance_id=befb1cfe1f96403780396b0c54f85d11in02&backup_id=bd062e1af2d248b3bb4cd3dbb4183888br02";
const AWS_GET_HEADERS: &[(&str, &str)] = &[("x-project-id", "0123456789abcdef")];
/// The reference request: POST, six query parameters and T1's 132-byte JSON body.
const AWS_REFERENCE_HEADERS: &[(&str, &str)] = &[("content-type", "application/json")];

fn aws_time() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_767_225_600)
}

fn aws_params<'a>(identity: &'a Identity, service: &'a str) -> AwsSigningParams<'a> {
    v4::SigningParams::builder()
        .identity(identity)
        .region("us-east-1")
        .name(service)
        .time(aws_time())
        .settings(SigningSettings::default())
        .build()
        .expect("complete signing params")
        .into()
}

fn aws_sign_once(
    params: &AwsSigningParams<'_>,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> String {
    let request = AwsRequest::new(
        black_box(method),
        black_box(uri),
        black_box(headers).iter().copied(),
        SignableBody::Bytes(black_box(body)),
    )
    .expect("valid request");
    let (instructions, signature) = aws_sign(request, params).expect("signs").into_parts();
    black_box(instructions);
    signature
}

fn bench_sign(c: &mut Criterion) {
    let dbs_creds = Credentials::new("LTAI5tExample", "exampleSecret");
    let mongo_creds = Credentials::new("AKIDEXAMPLE", "exampleSecretKey");
    let hw_creds = Credentials::new("HPUAEXAMPLE", "exampleSecretKey");

    let aws_identity: Identity = AwsCredentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        None,
        None,
        "bench",
    )
    .into();
    let aws_dbs = aws_params(&aws_identity, "dbs");
    let aws_mongo = aws_params(&aws_identity, "mongodb");
    let aws_dds = aws_params(&aws_identity, "dds");

    // Check every request signs to its published vector before timing it.
    let a1 = || {
        let req =
            SignableRequest::new("POST", black_box(DBS_HOST), "/").with_query(black_box(DBS_QUERY));
        aliyun::sign(&req, black_box(&dbs_params()), black_box(&dbs_creds))
    };
    let t1_request = || {
        SignableRequest::new("POST", black_box(MONGO_HOST), "/")
            .with_headers(black_box(MONGO_HEADERS))
            .with_payload(Payload::Bytes(black_box(MONGO_BODY.as_bytes())))
    };
    let tc3_signer = tencent::Tc3Signer::new();
    let h1 = || {
        let req = SignableRequest::new("GET", black_box(DDS_HOST), black_box(DDS_PATH))
            .with_query(black_box(DDS_QUERY))
            .with_headers(black_box(DDS_HEADERS));
        huawei::sign(&req, black_box(DDS_TIME), black_box(&hw_creds))
    };
    assert_eq!(a1().signature(), A1_SIGNATURE);
    assert_eq!(
        tencent::sign(&t1_request(), &mongo_params(), &mongo_creds).signature(),
        T1_SIGNATURE
    );
    assert_eq!(
        tc3_signer
            .sign(&t1_request(), &mongo_params(), &mongo_creds)
            .signature(),
        T1_SIGNATURE
    );
    assert_eq!(h1().signature(), H1_SIGNATURE);
    assert_eq!(
        aws_sign_once(&aws_dbs, "POST", AWS_POST_6Q_URI, &[], b"").len(),
        64
    );

    let mut group = c.benchmark_group("sign");
    group.bench_function("aliyun_acs3/CreateDownload_post_6q", |b| b.iter(a1));
    group.bench_function(
        "tencent_tc3_cached/CreateBackupDownloadTask_post_json",
        |b| {
            b.iter(|| {
                tc3_signer.sign(
                    &t1_request(),
                    black_box(&mongo_params()),
                    black_box(&mongo_creds),
                )
            })
        },
    );
    group.bench_function(
        "tencent_tc3_uncached/CreateBackupDownloadTask_post_json",
        |b| {
            b.iter(|| {
                tencent::sign(
                    &t1_request(),
                    black_box(&mongo_params()),
                    black_box(&mongo_creds),
                )
            })
        },
    );
    group.bench_function("huawei_sdk/dds_download_link_get_2q", |b| b.iter(h1));
    group.bench_function("aws_sigv4/reference_post_6q_json", |b| {
        b.iter(|| {
            aws_sign_once(
                &aws_dbs,
                "POST",
                AWS_POST_6Q_URI,
                AWS_REFERENCE_HEADERS,
                MONGO_BODY.as_bytes(),
            )
        })
    });
    group.bench_function("aws_sigv4/shape_of_aliyun_post_6q", |b| {
        b.iter(|| aws_sign_once(&aws_dbs, "POST", AWS_POST_6Q_URI, &[], b""))
    });
    group.bench_function("aws_sigv4/shape_of_tencent_post_json", |b| {
        b.iter(|| {
            aws_sign_once(
                &aws_mongo,
                "POST",
                AWS_POST_JSON_URI,
                AWS_JSON_HEADERS,
                MONGO_BODY.as_bytes(),
            )
        })
    });
    group.bench_function("aws_sigv4/shape_of_huawei_get_2q", |b| {
        b.iter(|| aws_sign_once(&aws_dds, "GET", AWS_GET_2Q_URI, AWS_GET_HEADERS, b""))
    });
    group.finish();
}

criterion_group!(benches, bench_sign);
criterion_main!(benches);
