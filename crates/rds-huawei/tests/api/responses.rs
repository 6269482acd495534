//! Each parsed response, as JSON (the vendor's field names, what the CLI prints) and as `Debug`
//! (what a log would show: links without their query).

use cloud_http::testing::Recorder;
use rds_huawei::dds::BackupType;
use rds_huawei::{BackupStatus, rds};
use time::macros::datetime;

use crate::*;

async fn dds_links(body: &str) -> rds_huawei::BackupDownloadLinks {
    let recorder = Recorder::new();
    recorder.push(200, &[("X-Request-Id", "req-1")], body);
    show_h1(&client(&recorder)).await.unwrap()
}

#[tokio::test]
async fn seed_example_parses_with_its_malformed_date_salvaged() {
    let links = dds_links(SEED_DDS_LINKS).await;
    let file = &links.files[0];
    assert_eq!(file.size_kb, 2803);
    assert_eq!(file.size_bytes(), 2803 * 1024);
    let expiry = file.link_expired_time.as_ref().unwrap();
    assert_eq!(expiry.raw(), "2018-08-016T10:15:14+0000");
    assert_eq!(expiry.datetime(), Some(datetime!(2018-08-16 10:15:14 UTC)));
    // JSON keeps the vendor's names and the raw text.
    let json = serde_json::to_value(&links).unwrap();
    assert_eq!(json["files"][0]["size"], 2803);
    assert_eq!(
        json["files"][0]["link_expired_time"],
        "2018-08-016T10:15:14+0000"
    );
    insta::assert_json_snapshot!("dds_links_seed_json", links);
    insta::assert_debug_snapshot!("dds_links_seed_debug", links);
}

#[tokio::test]
async fn dds_cluster_links_have_one_file_per_shard() {
    let links = dds_links(
        r#"{"files":[
            {"name":"shard1.tar.gz","size":"1024","download_link":"https://obs.cn-north-4.myhuaweicloud.com/dds-bucket/shard1.tar.gz?AccessKeyId=EXAMPLEAK&Expires=1767226500&Signature=EXAMPLESIG","link_expired_time":"2026-01-01T00:15:00+0000","group_id":"2d5e6ea5ac6b4c0f96d33b5a0a8f6b7agr02","group_name":"shard_1"},
            {"name":"shard2.tar.gz","size":512.0,"download_link":"https://obs.cn-north-4.myhuaweicloud.com/dds-bucket/shard2.tar.gz?AccessKeyId=EXAMPLEAK&Expires=1767226500&Signature=EXAMPLESIG","link_expired_time":"whenever","group_id":"8f0c5b7d1e2a4c3b9a6d7e8f9a0b1c2dgr02","group_name":"shard_2"}
        ],"bucket":"dds-bucket"}"#,
    )
    .await;
    assert_eq!(links.files.len(), 2);
    assert_eq!(links.files[0].group_name.as_deref(), Some("shard_1"));
    assert_eq!(links.files[1].size_bytes(), 512 * 1024);
    let unparsed = links.files[1].link_expired_time.as_ref().unwrap();
    assert_eq!((unparsed.raw(), unparsed.datetime()), ("whenever", None));
    assert!(
        links.files[0]
            .download_link
            .as_str()
            .ends_with("Signature=EXAMPLESIG")
    );
    insta::assert_debug_snapshot!("dds_links_cluster_debug", links);
}

#[tokio::test]
async fn rds_links_parse_with_database_names() {
    let recorder = Recorder::new();
    recorder.push(
        200,
        &[],
        r#"{"files":[{"name":"43e4feaab48f11e89039fa163ebaa7e4br01.xxx","size":2803,"download_link":"https://obs.domainname.com/rdsbucket.username.1/xxxxxx?AccessKeyId=EXAMPLEAK&Expires=1767226500&Signature=EXAMPLESIG","link_expired_time":"2026-01-01T00:15:00Z","database_name":"orders"}],"bucket":"rdsbucket.bucketname"}"#,
    );
    let links = client(&recorder)
        .rds()
        .show_backup_download_link(&rds::ShowBackupDownloadLinkRequest::new(RDS_BACKUP))
        .await
        .unwrap();
    assert_eq!(links.files[0].database_name.as_deref(), Some("orders"));
    assert_eq!(
        links.files[0]
            .link_expired_time
            .as_ref()
            .unwrap()
            .datetime(),
        Some(datetime!(2026-01-01 0:15 UTC))
    );
    insta::assert_debug_snapshot!("rds_links_debug", links);
}

#[tokio::test]
async fn dds_backup_list_parses_known_and_unknown_values() {
    let recorder = Recorder::new();
    recorder.push(
        200,
        &[],
        r#"{"backups":[
            {"id":"43e4feaab48f11e89039fa163ebaa7e4br01","name":"backup-test","instance_id":"befb1cfe1f96403780396b0c54f85d11in02","instance_name":"cluster-test","datastore":{"type":"DDS-Community","version":"4.0"},"type":"Auto","begin_time":"2018-08-06 10:41:14","end_time":"2018-08-06 10:48:14","status":"COMPLETED","size":2803,"description":"backup description"},
            {"id":"a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5br02","name":"weekly","instance_id":"befb1cfe1f96403780396b0c54f85d11in02","instance_name":"cluster-test","datastore":{"type":"DDS-Enhanced","version":"4.2"},"type":"Snapshot","begin_time":"2018-08-016 10:41:14","end_time":null,"status":"ARCHIVING","size":"1.5","description":"","storage_type":"OBS"}
        ],"total_count":2}"#,
    );
    let list = list_dds(&client(&recorder)).await.unwrap();
    assert_eq!(list.total_count, 2);
    let [first, second] = list.backups.as_slice() else {
        panic!("two backups")
    };
    assert_eq!(first.backup_type, Some(BackupType::Auto));
    assert_eq!(first.status, Some(BackupStatus::Completed));
    assert_eq!(
        first.begin_time.as_ref().unwrap().datetime(),
        Some(datetime!(2018-08-06 10:41:14 UTC))
    );
    assert_eq!(first.size_bytes(), 2803 * 1024);
    assert_eq!(
        second.backup_type,
        Some(BackupType::Unknown("Snapshot".into()))
    );
    assert_eq!(
        second.status,
        Some(BackupStatus::Unknown("ARCHIVING".into()))
    );
    assert_eq!(second.size_kb, 1);
    assert_eq!(second.other["storage_type"], "OBS");
    // Unknown values and fields print back as they came.
    let json = serde_json::to_value(&list).unwrap();
    assert_eq!(json["backups"][1]["type"], "Snapshot");
    assert_eq!(json["backups"][1]["storage_type"], "OBS");
    insta::assert_json_snapshot!("dds_list_backups_json", list);
    insta::assert_debug_snapshot!("dds_list_backups_debug", list);
}

#[tokio::test]
async fn rds_backup_list_parses() {
    let recorder = Recorder::new();
    recorder.push(
        200,
        &[],
        r#"{"backups":[{"id":"43e4feaab48f11e89039fa163ebaa7e4br01","name":"xxxx.xxx","type":"auto","size":2803,"status":"COMPLETED","begin_time":"2018-08-06T12:41:14+0800","end_time":"2018-08-06T12:43:14+0800","datastore":{"type":"MySQL","version":"5.6"},"databases":[{"name":"user01"}],"instance_id":"a48e43ff268f4c0e879652d65e63d0fbin01","associated_with_ddm":false}],"total_count":1}"#,
    );
    let list = client(&recorder)
        .rds()
        .list_backups(&rds::ListBackupsRequest::new(
            "a48e43ff268f4c0e879652d65e63d0fbin01",
        ))
        .await
        .unwrap();
    let backup = &list.backups[0];
    assert_eq!(backup.backup_type, Some(rds::BackupType::Auto));
    assert_eq!(backup.databases[0].name, "user01");
    assert_eq!(
        backup.end_time.as_ref().unwrap().datetime(),
        Some(datetime!(2018-08-06 04:43:14 UTC))
    );
    insta::assert_json_snapshot!("rds_list_backups_json", list);
    insta::assert_debug_snapshot!("rds_list_backups_debug", list);
}

#[tokio::test]
async fn a_success_that_is_not_json_is_unreadable() {
    let recorder = Recorder::new();
    recorder.push(
        200,
        &[("X-Request-Id", "req-html")],
        "<html>see https://login.example.com/?ticket=SECRET</html>",
    );
    let err = list_dds(&client(&recorder)).await.unwrap_err();
    assert!(
        matches!(err, rds_huawei::Error::UnreadableResponse { .. }),
        "{err:?}"
    );
    assert_eq!(err.request_id(), Some("req-html"));
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("SECRET"), "{shown}");
    assert_eq!(recorder.requests().len(), 1);
}
