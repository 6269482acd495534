//! The Aliyun database products' listings through `dbs-aliyun`'s public API against the
//! emulator: find an instance's newest usable backup, read its links, download them with the
//! workspace's downloader, and check them against the listing (RDS's `Checksum`, sizes); and a
//! cloud-disk RDS instance or a PolarDB cluster, whose snapshots go through DBS instead.

use dbs_aliyun::{
    BackupMethod, BackupSetStatus, MongoDbDescribeClusterBackupsRequest,
    PolarDbDescribeBackupsRequest, RdsDescribeBackupsRequest,
    RdsDescribeDbInstanceAttributeRequest,
};
use fake_cloud::FakeCloud;
use tests::{default_transport, download_and_compare};
use time::macros::datetime;

/// Backups of 300 KB: several ranges per download, still fast.
const SIZE: u64 = 300 * 1024;

#[tokio::test]
async fn rds_local_disk_list_every_page_pick_the_newest_and_download_its_link() {
    let cloud = FakeCloud::builder().backup_size(SIZE).start().await;
    let t = default_transport();
    let client = tests::aliyun(&cloud, &t.http);
    let attribute = client
        .rds()
        .describe_db_instance_attribute(&RdsDescribeDbInstanceAttributeRequest::new(
            "rm-bp1local0001",
        ))
        .await
        .unwrap();
    assert_eq!(attribute.items[0].is_cloud_disk(), Some(false));

    let mut request = RdsDescribeBackupsRequest::new("rm-bp1local0001");
    request.backup_status = Some(BackupSetStatus::Success);
    let listing = client.rds().describe_backups_all(&request).await.unwrap();
    let newest = listing
        .items
        .iter()
        .filter(|b| b.succeeded())
        .max_by_key(|b| b.backup_end_time)
        .expect("a usable backup");
    assert_eq!(newest.backup_method, Some(BackupMethod::Physical));
    let url = newest
        .backup_download_url
        .as_ref()
        .expect("a local-disk backup has a link");
    assert!(
        !format!("{newest:?}").contains("Signature"),
        "Debug hides the link's signature"
    );
    let dir = tempfile::tempdir().unwrap();
    let report = download_and_compare(&cloud, url.expose(), dir.path(), "newest.xb").await;
    assert!(
        report.verified.contains(&"crc64ecma"),
        "{:?}",
        report.verified
    );
    assert_eq!(Some(report.bytes), newest.backup_size);
    let object = cloud
        .object(&tests::object_key(url.expose()))
        .expect("the link's object");
    assert_eq!(
        newest.crc64(),
        Some(object.checksums().0),
        "Checksum is the file's CRC-64"
    );
}

#[tokio::test]
async fn rds_cloud_disk_and_polardb_list_snapshots_to_export_through_dbs() {
    let cloud = FakeCloud::start().await;
    let t = default_transport();
    let client = tests::aliyun(&cloud, &t.http);
    let attribute = client
        .rds()
        .describe_db_instance_attribute(&RdsDescribeDbInstanceAttributeRequest::new(
            "rm-bp1cloud0001",
        ))
        .await
        .unwrap();
    assert_eq!(attribute.items[0].is_cloud_disk(), Some(true));
    let mut request = RdsDescribeBackupsRequest::new("rm-bp1cloud0001");
    request.page_size = Some(30);
    let all = client.rds().describe_backups_all(&request).await.unwrap();
    assert_eq!(all.items.len(), 35, "two pages of 30");
    assert!(all.items.iter().all(
        |b| b.backup_download_url.is_none() && b.backup_method == Some(BackupMethod::Snapshot)
    ));

    let polar = client
        .polardb()
        .describe_backups(&PolarDbDescribeBackupsRequest::new(
            "pc-bp1polar0001",
            datetime!(2026-01-01 0:00 UTC),
            datetime!(2026-02-01 0:00 UTC),
        ))
        .await
        .unwrap();
    let newest = &polar.items[0];
    assert!(newest.succeeded());
    let source = newest.download_source();
    assert!(
        matches!(&source, dbs_aliyun::DownloadSource::BackupSet { size: Some(s), .. } if *s == 1 << 20),
        "{source:?}"
    );
}

#[tokio::test]
async fn mongodb_sharded_cluster_download_every_shards_set() {
    let cloud = FakeCloud::builder().backup_size(SIZE).start().await;
    let t = default_transport();
    let client = tests::aliyun(&cloud, &t.http);
    let clusters = client
        .mongodb()
        .describe_cluster_backups_all(&MongoDbDescribeClusterBackupsRequest::new(
            "dds-bp1cluster01",
        ))
        .await
        .unwrap();
    let newest = clusters
        .cluster_backups
        .iter()
        .filter(|c| c.succeeded())
        .max_by_key(|c| c.cluster_backup_end_time)
        .expect("a usable cluster backup");
    assert_eq!(newest.backups.len(), 2, "one set per shard");
    let dir = tempfile::tempdir().unwrap();
    for shard in &newest.backups {
        let url = shard
            .backup_download_url
            .as_ref()
            .expect("a link per shard");
        let report = download_and_compare(&cloud, url.expose(), dir.path(), &shard.backup_id).await;
        assert_eq!(Some(report.bytes), shard.backup_size);
    }
}
