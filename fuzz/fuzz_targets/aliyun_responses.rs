//! Every `dbs_aliyun::Client` operation (and both waiters) answered with the fuzz input.
#![no_main]

mod common;

use std::time::Duration;

use common::{SECRET, waiter};
use dbs_aliyun::*;

const KEY_ID: &str = "LTAI5tFuzzKeyId";
const OPS: usize = 12;

fn client(http: HttpClient) -> Client {
    Client::builder()
        .region("cn-hangzhou")
        .credentials(Credentials::new(KEY_ID, SECRET))
        .http_client(http)
        .build()
        .expect("client")
}

fn key() -> DownloadTaskKey {
    DownloadTaskKey {
        region_code: Some("cn-hangzhou".into()),
        instance_name: "rm-bp1xxxxxxxx".into(),
        task_id: "dt-qxnsfq5s****".into(),
        created: None,
        cluster_name: None,
    }
}

/// A restore to an ECS-hosted database with a secret password (the canary of `check`), so that
/// every answer is checked for echoing it.
fn restore_request() -> CreateRestoreTaskRequest {
    let destination = RestoreDestination::Ecs {
        region: "cn-shanghai".into(),
        instance_id: "i-uf6fuzz".into(),
        port: 3306,
    };
    let source = RestoreSource::BackupSet("fuzz-set-1".into());
    let mut r = CreateRestoreTaskRequest::new("dbsfuzzplan", "fuzz-restore", source, destination);
    r.account = Some(DatabaseAccount::new("restorer", SECRET));
    r
}

crate::responses_target!(OPS, client, |c, op| {
    match op {
        0 => {
            let req = CreateDownloadRequest::new(
                "rm-wz994c1t1xxxx",
                DownloadSource::backup_set("1460051234"),
                Export::Logical(LogicalFormat::Csv),
                DownloadTarget::Url,
            );
            ck!(c.create_download(&req).await);
        }
        1 => {
            let req = DescribeDownloadTaskRequest::new("rm-bp1xxxxxxxx");
            ck!(c.describe_download_task(&req).await);
        }
        2 => {
            let req = StorageInfoRequest::for_task("dt-7hq2xk3m0001", Duration::from_secs(7200));
            ck!(c.describe_download_backup_set_storage_info(&req).await);
        }
        3 => {
            let req = DescribeDownloadSupportRequest::new("rm-bp1xxxxxxxx");
            ck!(c.describe_download_support(&req).await);
        }
        4 => {
            let req = RetryDownloadTaskRequest::for_task(&key());
            ck!(c.retry_download_task(&req).await);
        }
        5 => ck!(c.create_restore_task(&restore_request()).await),
        6 => {
            let req = StartRestoreTaskRequest::new("s1r9k2w4b0007");
            ck!(c.start_restore_task(&req).await);
        }
        7 => {
            let req = DescribeRestoreTaskListRequest::task("s1r9k2w4b0007");
            ck!(c.describe_restore_task_list(&req).await);
        }
        8 => {
            let req = DescribeBackupPlanListRequest::default();
            ck!(c.describe_backup_plan_list(&req).await);
        }
        9 => {
            let req = DescribeFullBackupListRequest::new("dbs1hvb0w1234");
            ck!(c.describe_full_backup_list(&req).await);
        }
        10 => {
            let r = c
                .wait_for_download(&key(), &waiter(), |t| {
                    let _ = format!("{t:?}");
                })
                .await;
            ck!(r);
        }
        _ => {
            let r = c
                .wait_for_restore("s102h*****", &waiter(), |t| {
                    let _ = format!("{t:?}");
                })
                .await;
            ck!(r);
        }
    }
});
