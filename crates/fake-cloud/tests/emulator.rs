//! The emulator on its own: signature checks, nonce reuse, clock windows, object storage with
//! ranges and expiry, faults and the request log. (The vendor clients against it are in the
//! workspace's end-to-end tests.)

use std::time::Duration;

use cloud_sign::{Credentials, Payload, SignableRequest, aliyun, canonical_query, huawei, tencent};
use fake_cloud::{FakeCloud, Fault, Route};
use serde_json::Value;
use time::OffsetDateTime;

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn host(cloud: &FakeCloud) -> String {
    cloud.endpoint().trim_start_matches("http://").to_owned()
}

async fn aliyun_call(
    cloud: &FakeCloud,
    creds: &Credentials,
    action: &str,
    query: &[(&str, &str)],
    nonce: &str,
    time: OffsetDateTime,
) -> (u16, Value) {
    let host = host(cloud);
    let req = SignableRequest::new("POST", &host, "/").with_query(query);
    let version = match action {
        "CreateRestoreTask"
        | "StartRestoreTask"
        | "DescribeRestoreTaskList"
        | "DescribeBackupPlanList"
        | "DescribeFullBackupList" => "2019-03-06",
        _ => "2021-01-01",
    };
    let params = aliyun::AcsParams {
        action,
        version,
        time,
        nonce,
    };
    let out = aliyun::sign(&req, &params, creds);
    let mut r = client().post(format!("{}/?{}", cloud.endpoint(), canonical_query(query)));
    for (n, v) in out.headers() {
        r = r.header(*n, v);
    }
    let resp = r.send().await.unwrap();
    let status = resp.status().as_u16();
    (
        status,
        serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap(),
    )
}

#[tokio::test]
async fn aliyun_signatures_nonces_and_time_window_are_checked() {
    let cloud = FakeCloud::start().await;
    let good = cloud.aliyun_credentials();
    let q = [
        ("RegionCode", "cn-hangzhou"),
        ("InstanceName", "rm-bp1example"),
    ];
    let now = OffsetDateTime::now_utc();

    let (status, body) = aliyun_call(&cloud, &good, "DescribeDownloadTask", &q, "n1", now).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Success"], "true");

    let (status, body) = aliyun_call(&cloud, &good, "DescribeDownloadTask", &q, "n1", now).await;
    assert_eq!(
        (status, body["Code"].as_str()),
        (400, Some("SignatureNonceUsed"))
    );

    let wrong = Credentials::new(good.access_key_id(), "not-the-secret");
    let (status, body) = aliyun_call(&cloud, &wrong, "DescribeDownloadTask", &q, "n2", now).await;
    assert_eq!(
        (status, body["Code"].as_str()),
        (400, Some("SignatureDoesNotMatch"))
    );

    let unknown = Credentials::new("LTAIunknown", "x");
    let (status, body) = aliyun_call(&cloud, &unknown, "DescribeDownloadTask", &q, "n3", now).await;
    assert_eq!(
        (status, body["Code"].as_str()),
        (404, Some("InvalidAccessKeyId.NotFound"))
    );

    let old = now - time::Duration::minutes(20);
    let (status, body) = aliyun_call(&cloud, &good, "DescribeDownloadTask", &q, "n4", old).await;
    assert_eq!(
        (status, body["Code"].as_str()),
        (400, Some("InvalidTimeStamp.Expired"))
    );

    // A business error comes with HTTP 200.
    let (status, body) = aliyun_call(&cloud, &good, "CreateDownload", &q, "n5", now).await;
    assert_eq!(status, 200);
    assert_eq!(body["Success"], "false");
    assert_eq!(body["ErrCode"], "DBS.ParamIsInValid");

    let log = cloud.requests();
    assert_eq!(log.len(), 6);
    assert!(log.iter().all(|r| r.route == Route::Aliyun));
}

#[tokio::test]
async fn aliyun_answers_have_the_shapes_of_the_sdk_models() {
    let cloud = FakeCloud::builder().task_pace(1).start().await;
    let creds = cloud.aliyun_credentials();
    let now = OffsetDateTime::now_utc();
    let instance = [
        ("RegionCode", "cn-hangzhou"),
        ("InstanceName", "rm-bp1example"),
    ];

    // `Data` is the text "true" / "false".
    let (_, v) = aliyun_call(
        &cloud,
        &creds,
        "DescribeDownloadSupport",
        &instance,
        "s1",
        now,
    )
    .await;
    assert_eq!(v["Data"], "true", "{v}");

    let create = [
        instance[0],
        instance[1],
        ("BakSetId", "1234567890"),
        ("FormatType", "csv"),
    ];
    let (_, v) = aliyun_call(&cloud, &creds, "CreateDownload", &create, "s2", now).await;
    let task = v["Data"]["TaskId"].as_str().unwrap().to_owned();
    // Task fields come as text, paging fields as integers.
    let (_, v) = aliyun_call(&cloud, &creds, "DescribeDownloadTask", &instance, "s3", now).await;
    assert!(
        v["Data"]["Content"]["List"][0]["GmtCreate"].is_string(),
        "{v}"
    );
    assert_eq!(v["Data"]["PageNumber"], 1);
    assert_eq!(v["Data"]["TotalElements"], 1);

    // `Data` of RetryDownloadTask is a string (the task id).
    let retry = [instance[0], instance[1], ("TaskId", task.as_str())];
    let (_, v) = aliyun_call(&cloud, &creds, "RetryDownloadTask", &retry, "s4", now).await;
    assert_eq!(v["Data"], task.as_str(), "{v}");

    // The 2019-03-06 listings: `Success` a boolean, items under `Items`, documented states.
    let plan = [("BackupPlanId", "dbsplan-rm-bp1example")];
    let (_, v) = aliyun_call(&cloud, &creds, "DescribeFullBackupList", &plan, "s5", now).await;
    assert_eq!(v["Success"], true);
    assert_eq!(
        v["Items"]["FullBackupFile"][0]["BackupStatus"], "finish",
        "{v}"
    );
    assert_eq!(v["PageSize"], 30);
    let (_, v) = aliyun_call(
        &cloud,
        &creds,
        "DescribeFullBackupList",
        &[plan[0], ("PageSize", "40")],
        "s6",
        now,
    )
    .await;
    assert_eq!(v["Success"], false, "PageSize is 30, 50 or 100");

    // An unknown instance is the documented business error.
    let unknown = [
        instance[0],
        ("InstanceName", "rm-unknown"),
        create[2],
        create[3],
    ];
    let (status, v) = aliyun_call(&cloud, &creds, "CreateDownload", &unknown, "s7", now).await;
    assert_eq!(
        (status, v["ErrCode"].as_str()),
        (200, Some("Forbidden.InstanceNotFound"))
    );
}

async fn tencent_call(cloud: &FakeCloud, action: &str, body: &str, time: OffsetDateTime) -> Value {
    let host = host(cloud);
    let headers = [("content-type", "application/json")];
    let req = SignableRequest::new("POST", &host, "/")
        .with_headers(&headers)
        .with_payload(Payload::Bytes(body.as_bytes()));
    let params = tencent::Tc3Params {
        service: "mongodb",
        time,
        extra_signed_headers: &[],
    };
    let out = tencent::sign(&req, &params, &cloud.tencent_credentials());
    let mut r = client()
        .post(format!("{}/", cloud.endpoint()))
        .header("content-type", "application/json")
        .header("X-TC-Action", action)
        .header("X-TC-Version", "2019-07-25")
        .header("X-TC-Region", "ap-guangzhou")
        .body(body.to_owned());
    for (n, v) in out.headers() {
        r = r.header(*n, v);
    }
    serde_json::from_slice(&r.send().await.unwrap().bytes().await.unwrap()).unwrap()
}

#[tokio::test]
async fn tencent_tasks_progress_to_a_url_and_a_skewed_clock_is_refused() {
    let cloud = FakeCloud::builder().task_pace(2).start().await;
    let now = OffsetDateTime::now_utc();
    let create = r#"{"InstanceId":"cmgo-p8vnipr5","BackupName":"cmgo-p8vnipr5_2021-03-26 10:44","BackupSets":[{"ReplicaSetId":"cmgo-p8vnipr5_0"}]}"#;
    let v = tencent_call(&cloud, "CreateBackupDownloadTask", create, now).await;
    assert_eq!(v["Response"]["Tasks"][0]["Status"], 0, "{v}");

    let describe = r#"{"InstanceId":"cmgo-p8vnipr5"}"#;
    let v = tencent_call(&cloud, "DescribeBackupDownloadTask", describe, now).await;
    assert_eq!(v["Response"]["Tasks"][0]["Status"], 0);
    let v = tencent_call(&cloud, "DescribeBackupDownloadTask", describe, now).await;
    assert_eq!(v["Response"]["Tasks"][0]["Status"], 2);
    let url = v["Response"]["Tasks"][0]["Url"]
        .as_str()
        .unwrap()
        .to_owned();
    let bytes = client()
        .get(&url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(bytes.len(), 1 << 20);

    cloud.set_clock_skew(1200);
    let v = tencent_call(&cloud, "DescribeBackupDownloadTask", describe, now).await;
    assert_eq!(
        v["Response"]["Error"]["Code"],
        "AuthFailure.SignatureExpire"
    );
}

async fn huawei_link(cloud: &FakeCloud) -> (u16, Value, Option<String>) {
    let host = host(cloud);
    let project = fake_cloud::HUAWEI_PROJECT_ID;
    let path = format!("/v3/{project}/backups/download-file");
    let query = [
        ("instance_id", "befb1cfe1f96403780396b0c54f85d11in02"),
        ("backup_id", "bd062e1af2d248b3bb4cd3dbb4183888br02"),
    ];
    let headers = [("X-Project-Id", project)];
    let req = SignableRequest::new("GET", &host, &path)
        .with_query(&query)
        .with_headers(&headers);
    let out = huawei::sign(&req, OffsetDateTime::now_utc(), &cloud.huawei_credentials());
    let mut r = client()
        .get(format!(
            "{}{path}?{}",
            cloud.endpoint(),
            canonical_query(&query)
        ))
        .header("X-Project-Id", project);
    for (n, v) in out.headers() {
        r = r.header(*n, v);
    }
    let resp = r.send().await.unwrap();
    let status = resp.status().as_u16();
    let rid = resp
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_owned());
    (
        status,
        serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap(),
        rid,
    )
}

#[tokio::test]
async fn storage_serves_ranges_etags_head_and_expires() {
    let cloud = FakeCloud::builder()
        .backup_size(100_000)
        .huawei_link_ttl(Duration::from_secs(60))
        .start()
        .await;
    let (status, v, rid) = huawei_link(&cloud).await;
    assert_eq!(status, 200, "{v}");
    assert!(rid.is_some());
    let files = v["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "one file per shard");
    assert_eq!(files[0]["size"], 98, "KB, rounded up");
    let url = files[0]["download_link"].as_str().unwrap().to_owned();
    let key = url
        .split("/objects/")
        .nth(1)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let object = cloud.object(&key).unwrap();
    let content = object.content();

    let head = client().head(&url).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-length"], "100000");
    let etag = head.headers()["etag"].to_str().unwrap().to_owned();

    let part = client()
        .get(&url)
        .header("range", "bytes=1000-1999")
        .header("if-range", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(part.headers()["content-range"], "bytes 1000-1999/100000");
    assert_eq!(part.bytes().await.unwrap(), &content[1000..2000]);

    // A stale If-Range gets the whole (new) object.
    let full = client()
        .get(&url)
        .header("range", "bytes=1000-1999")
        .header("if-range", "\"stale\"")
        .send()
        .await
        .unwrap();
    assert_eq!(full.status(), 200);

    let tampered = url.replace("Signature=", "Signature=0");
    assert_eq!(client().get(&tampered).send().await.unwrap().status(), 403);

    cloud.set_clock_skew(120);
    let expired = client().get(&url).send().await.unwrap();
    assert_eq!(expired.status(), 403);
    assert!(expired.text().await.unwrap().contains("expired"));

    let storage = cloud.requests_to(Route::Storage);
    assert_eq!(storage.len(), 5);
}

#[tokio::test]
async fn faults_hit_the_next_matching_requests_only() {
    let cloud = FakeCloud::start().await;
    cloud.inject(Route::Huawei, None, Fault::Throttle, 1);
    cloud.inject(
        Route::Huawei,
        Some("ShowBackupDownloadLink"),
        Fault::Status(503),
        1,
    );
    let (status, v, _) = huawei_link(&cloud).await;
    assert_eq!(
        (status, v["error_code"].as_str()),
        (429, Some("APIGW.0308"))
    );
    let (status, v, _) = huawei_link(&cloud).await;
    assert_eq!(
        (status, v["error_code"].as_str()),
        (503, Some("APIGW.0201"))
    );
    let (status, _, _) = huawei_link(&cloud).await;
    assert_eq!(status, 200);

    cloud.inject(Route::Huawei, None, Fault::ResetBeforeResponse, 1);
    let host = host(&cloud);
    let err = client()
        .get(format!("http://{host}/v3/x/backups"))
        .send()
        .await
        .unwrap_err();
    assert!(
        !err.is_connect(),
        "the request was sent; the answer never came"
    );

    cloud.inject(Route::Huawei, None, Fault::MalformedJson, 1);
    let (_, body) = {
        let r = client()
            .get(format!("http://{host}/v3/x/backups"))
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    };
    assert!(serde_json::from_str::<Value>(&body).is_err());
}

#[tokio::test]
async fn truncated_and_reset_downloads_fail_mid_body() {
    let cloud = FakeCloud::builder().backup_size(200_000).start().await;
    let (_, v, _) = huawei_link(&cloud).await;
    let url = v["files"][0]["download_link"].as_str().unwrap().to_owned();
    for fault in [Fault::TruncatedBody, Fault::ResetMidBody] {
        cloud.inject(Route::Storage, None, fault, 1);
        let resp = client().get(&url).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert!(resp.bytes().await.is_err(), "{fault:?} must break the body");
    }
    let ok = client()
        .get(&url)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(ok.len(), 200_000);
}
