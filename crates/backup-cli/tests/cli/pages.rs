//! `--all` on the listings: every page, in order, as one listing; the page flags refused with it.

use fake_cloud::{Backup, FakeCloud, Route, default_catalogue};

use crate::common::{Cloud, query};

/// The default catalogue plus five DDS backups of `dds-many` and five Tencent backups of
/// `cmgo-many`.
fn many() -> Cloud {
    let mut backups = default_catalogue(1024);
    for i in 0..5 {
        backups.push(Backup {
            route: Route::Huawei,
            service: "dds",
            instance_id: "dds-many".into(),
            backup_id: format!("dds-backup-{i}"),
            name: format!("dds backup {i}"),
            size_bytes: 1024,
            parts: vec!["shard-0".into()],
        });
        backups.push(Backup {
            route: Route::Tencent,
            service: "",
            instance_id: "cmgo-many".into(),
            backup_id: format!("cmgo-many_backup_{i}"),
            name: format!("cmgo-many_backup_{i}"),
            size_bytes: 1024,
            parts: vec!["cmgo-many_0".into()],
        });
    }
    Cloud::with(FakeCloud::builder().task_pace(1).catalogue(backups))
}

#[test]
fn huawei_all_follows_the_offsets_to_the_end() {
    let cloud = many();
    let one = cloud.huawei(&[
        "dds-list-backups",
        "--instance-id",
        "dds-many",
        "--limit",
        "2",
    ]);
    assert_eq!(one["backups"].as_array().unwrap().len(), 2, "{one}");
    cloud.cloud.clear_requests();
    let all = cloud.huawei(&[
        "dds-list-backups",
        "--instance-id",
        "dds-many",
        "--limit",
        "2",
        "--all",
    ]);
    let ids: Vec<&str> = all["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 5, "{all}");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 5, "each backup once: {ids:?}");
    assert_eq!(all["total_count"], 5);
    let offsets: Vec<String> = cloud
        .requests(Route::Huawei, "ListBackups")
        .iter()
        .map(|r| query(r, "offset").unwrap_or_default())
        .collect();
    assert_eq!(offsets, ["0", "2", "4"]);
}

#[test]
fn tencent_all_gathers_every_backup() {
    let cloud = many();
    let all = cloud.tencent(&[
        "describe-db-backups",
        "--instance-id",
        "cmgo-many",
        "--limit",
        "2",
        "--all",
    ]);
    let list = all["BackupList"].as_array().unwrap();
    assert_eq!(list.len(), 5, "{all}");
    assert_eq!(all["TotalCount"], 5);
    assert_eq!(cloud.requests(Route::Tencent, "DescribeDBBackups").len(), 3);
}

#[test]
fn aliyun_all_walks_the_page_numbers() {
    let cloud = many();
    let all = cloud.aliyun(&["describe-backup-plan-list", "--page-size", "1", "--all"]);
    let plans = all["Items"]["BackupPlanDetail"].as_array().unwrap();
    assert_eq!(plans.len(), 2, "{all}");
    assert_ne!(plans[0]["BackupPlanId"], plans[1]["BackupPlanId"]);
    let pages: Vec<String> = cloud
        .requests(Route::Aliyun, "DescribeBackupPlanList")
        .iter()
        .map(|r| query(r, "PageNum").unwrap_or_default())
        .collect();
    assert_eq!(pages, ["0", "1"]);
}

#[test]
fn all_with_a_page_flag_is_a_usage_error() {
    let cloud = many();
    for args in [
        &[
            "aliyun",
            "describe-backup-plan-list",
            "--page-num",
            "1",
            "--all",
        ][..],
        &[
            "tencent",
            "describe-db-backups",
            "--instance-id",
            "x",
            "--offset",
            "2",
            "--all",
        ],
        &[
            "huawei",
            "rds-list-backups",
            "--instance-id",
            "x",
            "--offset",
            "2",
            "--all",
        ],
    ] {
        let out = cloud.cmd().args(args).assert().code(2).get_output().clone();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--all") && err.contains("cannot be used with"),
            "{err}"
        );
    }
    assert!(cloud.cloud.requests().is_empty(), "nothing sent");
}
