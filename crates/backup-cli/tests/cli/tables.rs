//! Tables for people: times in RFC 3339 (UTC, or local with `--local-time`), sizes with units,
//! states by name, links shortened; JSON keeps the vendor's values.

use crate::common::{Cloud, stdout};

fn table(cloud: &Cloud, env: &[(&str, &str)], args: &[&str]) -> String {
    let mut cmd = cloud.cmd();
    cmd.envs(env.iter().copied());
    stdout(cmd.args(["--output", "table"]).args(args))
}

#[test]
fn huawei_tables_show_utc_times_and_kilobytes_as_sizes() {
    let cloud = Cloud::start();
    let args = [
        "--region",
        "cn-north-4",
        "huawei",
        "dds-list-backups",
        "--instance-id",
        "befb1cfe1f96403780396b0c54f85d11in02",
    ];
    let text = table(&cloud, &[], &args);
    assert!(text.contains("2026-01-01T00:00:00Z"), "{text}");
    assert!(text.contains(" KiB") || text.contains(" MiB"), "{text}");
    // The same answer as JSON: the vendor's values, untouched.
    let json = cloud.huawei(&args[3..]);
    let backup = &json["backups"][0];
    assert_eq!(backup["begin_time"], "2026-01-01 00:00:00", "{json}");
    assert!(backup["size"].is_u64(), "{json}");

    // --local-time: the machine's zone.
    let text = table(
        &cloud,
        &[("TZ", "CST-8")],
        &[&["--local-time"][..], &args].concat(),
    );
    assert!(text.contains("2026-01-01T08:00:00+08:00"), "{text}");
}

#[test]
fn tencent_tables_name_the_states_and_links_lose_their_query() {
    let cloud = Cloud::start();
    let base = ["--region", "ap-guangzhou", "tencent"];
    let backups = table(
        &cloud,
        &[],
        &[
            &base[..],
            &["describe-db-backups", "--instance-id", "cmgo-p8vnipr5"],
        ]
        .concat(),
    );
    assert!(backups.contains("succeeded"), "{backups}");
    let create = cloud.tencent(&[
        "create-backup-download-task",
        "--instance-id",
        "cmgo-p8vnipr5",
        "--backup-name",
        "cmgo-p8vnipr5_2021-03-26 10:44",
        "--replica-set-id",
        "cmgo-p8vnipr5_0",
    ]);
    assert!(create["Tasks"].is_array(), "{create}");
    let tasks = table(
        &cloud,
        &[],
        &[
            &base[..],
            &[
                "describe-backup-download-task",
                "--instance-id",
                "cmgo-p8vnipr5",
            ],
        ]
        .concat(),
    );
    assert!(
        ["waiting", "downloading", "finished"]
            .iter()
            .any(|s| tasks.contains(s)),
        "{tasks}"
    );
    assert!(
        !tasks.contains("Signature=") && !tasks.contains("sign="),
        "{tasks}"
    );
}
