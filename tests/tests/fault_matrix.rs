//! The fault matrix: every fault the emulator injects (and a server clock 20 minutes ahead) ×
//! every vendor × an idempotent and a non-idempotent call, each with its expected outcome
//! written down below, checked against the result and against the emulator's request log (how
//! many attempts reached it). Huawei's DDS/RDS API has reads only, so its second column is
//! another read (`ListBackups`), not a write.
//!
//! Every case runs on a fresh emulator with the fault injected into the next matching request
//! only, and a transport whose backoff sleeps return at once (and whose attempts time out after
//! one second where an answer is delayed by four). All cases run, mismatches are collected and reported together, and a panic hook proves
//! nothing panicked anywhere (client, transport or emulator) along the way.

use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cloud_http::{Error, HttpClient, HttpConfig};
use dbs_aliyun::{DescribeDownloadTaskRequest, LogicalFormat};
use fake_cloud::{FakeCloud, Fault, Route};
use mongodb_tencent::DescribeBackupDownloadTaskRequest;
use rds_huawei::dds;
use tests::{
    SHORT_ATTEMPT, aliyun_download, attempts, dds_links, ids, short_attempts, tencent_download,
    transport,
};

/// What is done to the next matching request.
#[derive(Debug, Clone, Copy)]
enum Case {
    /// `FakeCloud::inject(route, Some(action), fault, 1)`.
    Inject(Fault),
    /// The server's clock runs 20 minutes ahead: beyond every vendor's timestamp window.
    ServerClockAhead,
}

/// An answer delayed well past the attempt timeout of [`short_attempts`].
const SLOW: Fault = Fault::Delay(Duration::from_secs(4));
const SKEW_SECS: i64 = 20 * 60;

/// The kind of error a failed call must end with.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// The service's refusal, with this vendor code.
    Service(&'static str),
    /// The connection broke after the request was sent.
    Transport,
    /// The attempt timed out.
    Timeout,
    /// An answer that is not the JSON it should be.
    Unreadable,
}

/// The expected outcome of one call under one case.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// Retried to success: the call succeeds and two attempts reached the emulator.
    Retried,
    /// The fault does not concern API calls: success at the first attempt.
    Unaffected,
    /// A clear error at once: one attempt, an error of this kind naming the operation.
    ClearError(Kind),
    /// Not resent: the request may have been acted on and the call is not idempotent, so the
    /// error (of this kind) is returned after exactly one attempt.
    NotResent(Kind),
}

use Case::{Inject, ServerClockAhead};
use Expect::{ClearError, NotResent, Retried, Unaffected};
use Kind::{Service, Timeout, Transport, Unreadable};

/// Aliyun DBS: `DescribeDownloadTask` (idempotent) | `CreateDownload` (no token: not resent
/// once it may have reached DBS).
const ALIYUN: &[(Case, Expect, Expect)] = &[
    (
        Inject(Fault::Status(500)),
        Retried,
        NotResent(Service("InternalError")),
    ),
    (
        Inject(Fault::Status(502)),
        Retried,
        NotResent(Service("ServiceUnavailable")),
    ),
    (
        Inject(Fault::Status(503)),
        Retried,
        NotResent(Service("ServiceUnavailable")),
    ),
    // `Throttling.User`: refused without being acted on, so even the create is resent.
    (Inject(Fault::Throttle), Retried, Retried),
    (
        Inject(Fault::ResetBeforeResponse),
        Retried,
        NotResent(Transport),
    ),
    (Inject(Fault::ResetMidBody), Retried, NotResent(Transport)),
    (Inject(Fault::TruncatedBody), Retried, NotResent(Transport)),
    (Inject(SLOW), Retried, NotResent(Timeout)),
    (
        Inject(Fault::MalformedJson),
        ClearError(Unreadable),
        ClearError(Unreadable),
    ),
    (
        Inject(Fault::CorruptBody),
        ClearError(Unreadable),
        ClearError(Unreadable),
    ),
    (Inject(Fault::IgnoreRange), Unaffected, Unaffected),
    (
        ServerClockAhead,
        ClearError(Service("InvalidTimeStamp.Expired")),
        ClearError(Service("InvalidTimeStamp.Expired")),
    ),
];

/// Tencent MongoDB: `DescribeBackupDownloadTask` (idempotent) | `CreateBackupDownloadTask` (no
/// idempotency token: not resent once it may have reached the service).
const TENCENT: &[(Case, Expect, Expect)] = &[
    (
        Inject(Fault::Status(500)),
        Retried,
        NotResent(Service("InternalError")),
    ),
    (
        Inject(Fault::Status(502)),
        Retried,
        NotResent(Service("InternalError")),
    ),
    (
        Inject(Fault::Status(503)),
        Retried,
        NotResent(Service("InternalError")),
    ),
    // `RequestLimitExceeded`: refused without being acted on, so even the create is resent.
    (Inject(Fault::Throttle), Retried, Retried),
    (
        Inject(Fault::ResetBeforeResponse),
        Retried,
        NotResent(Transport),
    ),
    (Inject(Fault::ResetMidBody), Retried, NotResent(Transport)),
    (Inject(Fault::TruncatedBody), Retried, NotResent(Transport)),
    (Inject(SLOW), Retried, NotResent(Timeout)),
    (
        Inject(Fault::MalformedJson),
        ClearError(Unreadable),
        ClearError(Unreadable),
    ),
    (
        Inject(Fault::CorruptBody),
        ClearError(Unreadable),
        ClearError(Unreadable),
    ),
    (Inject(Fault::IgnoreRange), Unaffected, Unaffected),
    // `AuthFailure.SignatureExpire`: the client takes the server's time from the `Date` header
    // and re-signs once; the service did not act on the refused attempt.
    (ServerClockAhead, Retried, Retried),
];

/// Huawei DDS: `ShowBackupDownloadLink` | `ListBackups`. Both are reads (the API has no write).
const HUAWEI: &[(Case, Expect, Expect)] = &[
    // Only 429 and 502/503/504 are retried (the vendor's rule); a 500 is returned at once.
    (
        Inject(Fault::Status(500)),
        ClearError(Service("APIGW.0201")),
        ClearError(Service("APIGW.0201")),
    ),
    (Inject(Fault::Status(502)), Retried, Retried),
    (Inject(Fault::Status(503)), Retried, Retried),
    (Inject(Fault::Throttle), Retried, Retried),
    (Inject(Fault::ResetBeforeResponse), Retried, Retried),
    (Inject(Fault::ResetMidBody), Retried, Retried),
    (Inject(Fault::TruncatedBody), Retried, Retried),
    (Inject(SLOW), Retried, Retried),
    (
        Inject(Fault::MalformedJson),
        ClearError(Unreadable),
        ClearError(Unreadable),
    ),
    (
        Inject(Fault::CorruptBody),
        ClearError(Unreadable),
        ClearError(Unreadable),
    ),
    (Inject(Fault::IgnoreRange), Unaffected, Unaffected),
    // `APIGW.0301`: never retried (five in a row lock the key).
    (
        ServerClockAhead,
        ClearError(Service("APIGW.0301")),
        ClearError(Service("APIGW.0301")),
    ),
];

/// The calls of the matrix.
#[derive(Debug, Clone, Copy)]
enum Call {
    AliyunDescribeDownloadTask,
    AliyunCreateDownload,
    TencentDescribeBackupDownloadTask,
    TencentCreateBackupDownloadTask,
    HuaweiShowBackupDownloadLink,
    HuaweiListBackups,
}

impl Call {
    fn route(self) -> Route {
        match self {
            Call::AliyunDescribeDownloadTask | Call::AliyunCreateDownload => Route::Aliyun,
            Call::TencentDescribeBackupDownloadTask | Call::TencentCreateBackupDownloadTask => {
                Route::Tencent
            }
            Call::HuaweiShowBackupDownloadLink | Call::HuaweiListBackups => Route::Huawei,
        }
    }

    fn action(self) -> &'static str {
        match self {
            Call::AliyunDescribeDownloadTask => "DescribeDownloadTask",
            Call::AliyunCreateDownload => "CreateDownload",
            Call::TencentDescribeBackupDownloadTask => "DescribeBackupDownloadTask",
            Call::TencentCreateBackupDownloadTask => "CreateBackupDownloadTask",
            Call::HuaweiShowBackupDownloadLink => "ShowBackupDownloadLink",
            Call::HuaweiListBackups => "ListBackups",
        }
    }

    /// Makes the call through the vendor crate's public API.
    async fn run(self, cloud: &FakeCloud, http: &HttpClient) -> Result<(), Error> {
        match self {
            Call::AliyunDescribeDownloadTask => tests::aliyun(cloud, http)
                .describe_download_task(&DescribeDownloadTaskRequest::new(ids::ALIYUN_INSTANCE))
                .await
                .map(drop),
            Call::AliyunCreateDownload => tests::aliyun(cloud, http)
                .create_download(&aliyun_download(LogicalFormat::Csv))
                .await
                .map(drop),
            Call::TencentDescribeBackupDownloadTask => tests::tencent(cloud, http)
                .describe_backup_download_task(&DescribeBackupDownloadTaskRequest::new(
                    ids::TENCENT_INSTANCE,
                ))
                .await
                .map(drop),
            Call::TencentCreateBackupDownloadTask => tests::tencent(cloud, http)
                .create_backup_download_task(&tencent_download())
                .await
                .map(drop),
            Call::HuaweiShowBackupDownloadLink => tests::huawei(cloud, http)
                .dds()
                .show_backup_download_link(&dds_links())
                .await
                .map(drop),
            Call::HuaweiListBackups => tests::huawei(cloud, http)
                .dds()
                .list_backups(&dds::ListBackupsRequest::default())
                .await
                .map(drop),
        }
    }
}

fn kind_matches(err: &Error, kind: Kind) -> bool {
    match kind {
        Service(code) => err.code() == Some(code),
        Transport => matches!(err, Error::Transport { .. }),
        Timeout => matches!(
            err,
            Error::Timeout {
                kind: "attempt",
                ..
            }
        ),
        Unreadable => matches!(err, Error::UnreadableResponse { .. }),
    }
}

/// Runs one case and returns what differs from `expect` (nothing when it matches).
async fn check(vendor: &str, case: Case, call: Call, expect: Expect) -> Option<String> {
    let cloud = FakeCloud::builder().backup_size(64 * 1024).start().await;
    // Attempts are cut short only where an answer is delayed: elsewhere a loaded machine must
    // not turn a slow answer into a timeout the table does not expect.
    let config = match case {
        Inject(Fault::Delay(d)) if d > SHORT_ATTEMPT => short_attempts(),
        _ => HttpConfig::default(),
    };
    let t = transport(config);
    match case {
        Inject(fault) => cloud.inject(call.route(), Some(call.action()), fault, 1),
        ServerClockAhead => cloud.set_clock_skew(SKEW_SECS),
    }
    let result = call.run(&cloud, &t.http).await;
    let sent = attempts(&cloud, call.route(), call.action());
    let ok = match (expect, &result) {
        (Retried, Ok(())) => sent == 2,
        (Unaffected, Ok(())) => sent == 1,
        (ClearError(kind), Err(e)) => {
            sent == 1 && kind_matches(e, kind) && e.to_string().contains(call.action())
        }
        (NotResent(kind), Err(e)) => {
            sent == 1
                && kind_matches(e, kind)
                && e.may_have_reached_server()
                && e.to_string().contains(call.action())
        }
        _ => false,
    };
    let mut problems = Vec::new();
    if !ok {
        let got = match &result {
            Ok(()) => "success".to_owned(),
            Err(e) => format!("error {e}"),
        };
        problems.push(format!(
            "expected {expect:?}, got {got} after {sent} attempt(s)"
        ));
    }
    // What the retries waited for: one backoff before a resend (the server's hint, when it
    // gave one), none before re-signing with the server's clock.
    let sleeps = t.sleep.sleeps();
    let offset = t.http.clock_offset_ms();
    problems.extend(match (expect, case) {
        (Retried, ServerClockAhead) => {
            (!sleeps.is_empty() || (offset - SKEW_SECS * 1000).abs() > 60_000).then(|| {
                format!("re-signing slept {sleeps:?}, measured a clock offset of {offset} ms")
            })
        }
        (Retried, Inject(Fault::Throttle)) if vendor == "aliyun" => {
            let hinted = [Duration::from_millis(200)];
            (sleeps != hinted).then(|| format!("x-acs-retry-after (200 ms) ignored: {sleeps:?}"))
        }
        (Retried, _) => {
            (sleeps.len() != 1).then(|| format!("one backoff expected, slept {sleeps:?}"))
        }
        _ => None,
    });
    if let (Retried, ServerClockAhead) = (expect, case) {
        // The measured offset is kept: the next call is right at its first attempt.
        let again = call.run(&cloud, &t.http).await;
        let more = attempts(&cloud, call.route(), call.action()) - sent;
        if again.is_err() || more != 1 {
            problems.push(format!("the next call took {more} attempt(s): {again:?}"));
        }
    }
    (!problems.is_empty()).then(|| {
        format!(
            "{vendor} {} under {case:?}: {}",
            call.action(),
            problems.join("; ")
        )
    })
}

async fn vendor_matrix(
    vendor: &str,
    rows: &[(Case, Expect, Expect)],
    calls: (Call, Call),
) -> Vec<String> {
    let mut mismatches = Vec::new();
    for &(case, first, second) in rows {
        for (call, expect) in [(calls.0, first), (calls.1, second)] {
            mismatches.extend(check(vendor, case, call, expect).await);
        }
    }
    mismatches
}

static PANICS: AtomicUsize = AtomicUsize::new(0);

/// Counts every panic in this process from now on (the default hook still prints it).
fn count_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            previous(info);
        }));
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_on_every_vendor_has_its_written_outcome_and_nothing_panics() {
    count_panics();
    let (aliyun, tencent, huawei) = tokio::join!(
        vendor_matrix(
            "aliyun",
            ALIYUN,
            (Call::AliyunDescribeDownloadTask, Call::AliyunCreateDownload),
        ),
        vendor_matrix(
            "tencent",
            TENCENT,
            (
                Call::TencentDescribeBackupDownloadTask,
                Call::TencentCreateBackupDownloadTask
            ),
        ),
        vendor_matrix(
            "huawei",
            HUAWEI,
            (Call::HuaweiShowBackupDownloadLink, Call::HuaweiListBackups),
        ),
    );
    let mismatches: Vec<String> = [aliyun, tencent, huawei].concat();
    assert!(
        mismatches.is_empty(),
        "{} case(s) differ from the table:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "something panicked");
}

#[test]
fn the_tables_cover_every_fault_once_per_vendor() {
    let faults = [
        Fault::Status(500),
        Fault::Status(502),
        Fault::Status(503),
        Fault::Throttle,
        Fault::ResetBeforeResponse,
        Fault::ResetMidBody,
        Fault::TruncatedBody,
        SLOW,
        Fault::MalformedJson,
        Fault::CorruptBody,
        Fault::IgnoreRange,
    ];
    for (vendor, rows) in [("aliyun", ALIYUN), ("tencent", TENCENT), ("huawei", HUAWEI)] {
        let injected: Vec<Fault> = rows
            .iter()
            .filter_map(|(case, ..)| match case {
                Inject(f) => Some(*f),
                ServerClockAhead => None,
            })
            .collect();
        assert_eq!(injected, faults, "{vendor}: every fault, in order, once");
        let skews = rows
            .iter()
            .filter(|(case, ..)| matches!(case, ServerClockAhead))
            .count();
        assert_eq!(skews, 1, "{vendor}: the skewed clock");
    }
}
