//! Every `mongodb_tencent::Client` operation (and the waiter) answered with the fuzz input.
#![no_main]

mod common;

use common::{SECRET, waiter};
use mongodb_tencent::*;

const OPS: usize = 5;

fn client(http: HttpClient) -> Client {
    Client::builder()
        .region("ap-guangzhou")
        .credentials(Credentials::new("AKIDFUZZEXAMPLE", SECRET))
        .http_client(http)
        .build()
        .expect("client")
}

fn create_request() -> CreateBackupDownloadTaskRequest {
    CreateBackupDownloadTaskRequest::new(
        "cmgo-dygv1rnp",
        "cmgo-dygv1rnp_2021-03-26 10:44",
        ["cmgo-dygv1rnp_0", "cmgo-dygv1rnp_1"],
    )
}

crate::responses_target!(OPS, client, |c, op| {
    match op {
        0 => ck!(c.create_backup_download_task(&create_request()).await),
        1 => {
            let req = DescribeBackupDownloadTaskRequest::new("cmgo-dygv1rnp");
            ck!(c.describe_backup_download_task(&req).await);
        }
        2 => {
            let req = DescribeDbBackupsRequest::new("cmgo-dygv1rnp");
            ck!(c.describe_db_backups(&req).await);
        }
        3 => ck!(c.find_backup_download_tasks(&create_request()).await),
        _ => {
            let r = c
                .wait_for_backup_download(&create_request(), &waiter(), |tasks| {
                    let _ = format!("{tasks:?}");
                })
                .await;
            ck!(r);
        }
    }
});
