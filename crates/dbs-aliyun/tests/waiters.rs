//! Waiters poll with the transport's injected sleep (instant and recorded), report progress on
//! every poll and end on the task's final state.

mod common;

use std::time::Duration;

use cloud_http::testing::Recorder;
use common::{offline, query_param};
use dbs_aliyun::*;

const TASK: &str = "dt-7hq2xk3m0001";

fn task_json(id: &str, status: &str, progress: &str) -> String {
    format!(
        r#"{{"TaskId":"{id}","DownloadStatus":"{status}","Progress":"{progress}","GmtCreate":"1767225600000","TargetType":"URL","Format":"csv"}}"#
    )
}

fn listing(tasks: &[String], total_pages: u32) -> String {
    format!(
        r#"{{"RequestId":"L","Success":"true","Data":{{"PageNumber":1,"PageSize":50,"TotalPages":{total_pages},"Content":{{"List":[{}]}}}}}}"#,
        tasks.join(",")
    )
}

fn key() -> DownloadTaskKey {
    DownloadTaskKey {
        region_code: None,
        instance_name: "rm-bp1xxxxxxxx".into(),
        task_id: TASK.into(),
        created: Some(time::macros::datetime!(2026-01-01 0:00 UTC)),
        cluster_name: None,
    }
}

fn config() -> WaiterConfig {
    WaiterConfig {
        min_delay: Duration::from_secs(4),
        max_delay: Duration::from_secs(10),
        max_wait: Duration::from_secs(600),
    }
}

#[tokio::test]
async fn a_download_is_polled_until_finished_reporting_progress() {
    let recorder = Recorder::new();
    let other = task_json("dt-other", "failed", "0/0");
    recorder.push(
        200,
        &[],
        &listing(&[other.clone(), task_json(TASK, "queuing", "0/0")], 1),
    );
    recorder.push(200, &[], &listing(&[task_json(TASK, "running", "3/10")], 1));
    recorder.push(200, &[], &listing(&[task_json(TASK, "running", "7/10")], 1));
    recorder.push(
        200,
        &[],
        &listing(&[task_json(TASK, "finished", "10/10"), other], 1),
    );
    let f = offline(&recorder);
    let mut seen = Vec::new();
    let task = f
        .client
        .wait_for_download(&key(), &config(), |t| {
            seen.push(format!(
                "{} {}",
                t.status,
                t.progress.as_deref().unwrap_or("")
            ))
        })
        .await
        .unwrap();
    assert_eq!(task.task_id, TASK);
    assert_eq!(task.status, DownloadStatus::Finished);
    assert_eq!(
        seen,
        [
            "queueing 0/0",
            "running 3/10",
            "running 7/10",
            "finished 10/10"
        ]
    );
    // min 4 s doubling to max 10 s, times the fixture's jitter factor 0.75.
    assert_eq!(
        f.sleep.sleeps(),
        [
            Duration::from_secs(3),
            Duration::from_secs(6),
            Duration::from_millis(7500)
        ]
    );
    let polls = recorder.requests();
    assert_eq!(polls.len(), 4);
    let q = polls[0].url.split_once('?').unwrap().1.to_owned();
    assert_eq!(
        query_param(&q, "InstanceName").as_deref(),
        Some("rm-bp1xxxxxxxx")
    );
    assert_eq!(
        query_param(&q, "RegionCode").as_deref(),
        Some("cn-hangzhou")
    );
    assert_eq!(
        query_param(&q, "StartTime").as_deref(),
        Some("1767225300000"),
        "created - 5 min"
    );
    assert_eq!(query_param(&q, "OrderDirect").as_deref(), Some("desc"));
    assert_eq!(query_param(&q, "CurrentPage").as_deref(), Some("1"));
    assert_eq!(
        polls[0].header("x-acs-action"),
        Some("DescribeDownloadTask")
    );
}

#[tokio::test]
async fn a_failed_or_expired_download_is_a_task_failure() {
    for state in ["failed", "expired"] {
        let recorder = Recorder::new();
        recorder.push(200, &[], &listing(&[task_json(TASK, "running", "1/2")], 1));
        recorder.push(200, &[], &listing(&[task_json(TASK, state, "1/2")], 1));
        let f = offline(&recorder);
        let err = f
            .client
            .wait_for_download(&key(), &config(), |_| {})
            .await
            .unwrap_err();
        match &err {
            Error::TaskFailed { what, state: s } => {
                assert_eq!(what, &format!("DBS download task {TASK}"));
                assert_eq!(s, state);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(recorder.requests().len(), 2);
    }
}

#[tokio::test]
async fn a_task_on_a_later_page_is_found() {
    let recorder = Recorder::new();
    let fillers: Vec<String> = (0..50)
        .map(|i| task_json(&format!("dt-filler{i:02}"), "finished", "1/1"))
        .collect();
    recorder.push(200, &[], &listing(&fillers, 2));
    recorder.push(200, &[], &listing(&[task_json(TASK, "finished", "4/4")], 2));
    let f = offline(&recorder);
    let task = f
        .client
        .wait_for_download(&key(), &config(), |_| {})
        .await
        .unwrap();
    assert_eq!(task.tables(), Some((4, 4)));
    let polls = recorder.requests();
    assert_eq!(polls.len(), 2);
    let q = polls[1].url.split_once('?').unwrap().1.to_owned();
    assert_eq!(query_param(&q, "CurrentPage").as_deref(), Some("2"));
    assert!(f.sleep.sleeps().is_empty(), "one poll, two pages");
}

#[tokio::test]
async fn a_task_never_listed_times_out_with_its_last_state() {
    let recorder = Recorder::new();
    for _ in 0..100 {
        recorder.push(200, &[], &listing(&[], 1));
    }
    let f = offline(&recorder);
    let config = WaiterConfig {
        min_delay: Duration::from_secs(10),
        max_delay: Duration::from_secs(10),
        max_wait: Duration::from_secs(60),
    };
    let err = f
        .client
        .wait_for_download(&key(), &config, |_| panic!("nothing to report"))
        .await
        .unwrap_err();
    match err {
        Error::WaitTimeout {
            waited, last_state, ..
        } => {
            assert_eq!(last_state, "not listed yet");
            assert_eq!(waited, Duration::from_secs(60));
        }
        other => panic!("{other:?}"),
    }
}

fn restore_json(status: &str, progress: u32, err: &str) -> String {
    format!(
        r#"{{"Success":true,"RequestId":"R","PageNum":0,"PageSize":30,"TotalElements":1,"Items":{{"RestoreTaskDetail":[{{"RestoreTaskId":"s1r9","RestoreStatus":"{status}","FullDataRestoreProgress":{progress},"ErrMessage":"{err}"}}]}}}}"#
    )
}

#[tokio::test]
async fn a_restore_is_polled_until_it_ends() {
    let recorder = Recorder::new();
    recorder.push(200, &[], &restore_json("check_pass", 0, "NULL"));
    recorder.push(200, &[], &restore_json("running", 40, "NULL"));
    recorder.push(200, &[], &restore_json("pause", 40, "NULL"));
    recorder.push(200, &[], &restore_json("finish", 100, "NULL"));
    let f = offline(&recorder);
    let mut progress = Vec::new();
    let task = f
        .client
        .wait_for_restore("s1r9", &config(), |t| {
            progress.push(t.full_data_restore_progress.unwrap())
        })
        .await
        .unwrap();
    assert_eq!(task.restore_status, RestoreStatus::Finished);
    assert_eq!(progress, [0, 40, 40, 100], "a paused job is waited for");
    let polls = recorder.requests();
    assert!(
        polls[0].url.contains("RestoreTaskId=s1r9"),
        "{}",
        polls[0].url
    );
    assert_eq!(polls[0].header("x-acs-version"), Some("2019-03-06"));
}

#[tokio::test]
async fn a_stopped_restore_is_a_task_failure_with_its_message() {
    let recorder = Recorder::new();
    recorder.push(200, &[], &restore_json("running", 10, "NULL"));
    recorder.push(
        200,
        &[],
        &restore_json("stop", 10, "can not connect to rm-bp1restore01"),
    );
    let f = offline(&recorder);
    let err = f
        .client
        .wait_for_restore("s1r9", &config(), |_| {})
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "DBS restore task s1r9: ended in state stop (can not connect to rm-bp1restore01)"
    );
}

#[test]
fn the_client_futures_are_send() {
    fn is_send<T: Send>(_: &T) {}
    let recorder = Recorder::new();
    let f = offline(&recorder);
    let key = key();
    let config = config();
    is_send(&f.client.wait_for_download(&key, &config, |_| {}));
    is_send(&f.client.wait_for_restore("s1r9", &config, |_| {}));
    let req = StartRestoreTaskRequest::new("s1r9");
    is_send(&f.client.start_restore_task(&req));
}
