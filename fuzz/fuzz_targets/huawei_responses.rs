//! Every `rds_huawei::Client` operation (DDS and RDS, and the IAM project lookup) answered with
//! the fuzz input.
#![no_main]

mod common;

use common::SECRET;
use rds_huawei::{Client, Credentials, HttpClient, dds, rds};

const OPS: usize = 5;
const PROJECT: &str = "0123456789abcdef";

/// With `project`, the project id is configured; without, it is looked up through IAM (the
/// lookup answered by the fuzz input too).
fn client(http: HttpClient, project: bool) -> Client {
    let mut credentials = Credentials::new("HPUAFUZZEXAMPLE", SECRET);
    if project {
        credentials = credentials.with_project_id(PROJECT);
    }
    Client::builder()
        .region("cn-north-4")
        .credentials(credentials)
        .http_client(http)
        .build()
        .expect("client")
}

crate::responses_target!(OPS, std::convert::identity, |c, op| {
    match op {
        0 => {
            let c = client(c.clone(), true);
            let req = dds::ShowBackupDownloadLinkRequest::new(
                "befb1cfe1f96403780396b0c54f85d11in02",
                "bd062e1af2d248b3bb4cd3dbb4183888br02",
            );
            ck!(c.dds().show_backup_download_link(&req).await);
        }
        1 => {
            let c = client(c.clone(), true);
            let req = dds::ListBackupsRequest::default();
            ck!(c.dds().list_backups(&req).await);
        }
        2 => {
            let c = client(c.clone(), true);
            let req =
                rds::ShowBackupDownloadLinkRequest::new("c0c9f155c7b7423a9d30f0175998b63bbr01");
            ck!(c.rds().show_backup_download_link(&req).await);
        }
        3 => {
            let c = client(c.clone(), true);
            let req = rds::ListBackupsRequest::new("c0c9f155c7b7423a9d30f0175998b63bin01");
            ck!(c.rds().list_backups(&req).await);
        }
        _ => {
            // The IAM lookup, then (with the same answer) a DDS call under the found project.
            let c = client(c.clone(), false);
            let found = c.project_id().await.map(str::to_owned);
            let ok = found.is_ok();
            ck!(found);
            if ok {
                let req = dds::ListBackupsRequest::default();
                ck!(c.dds().list_backups(&req).await);
            }
        }
    }
});
