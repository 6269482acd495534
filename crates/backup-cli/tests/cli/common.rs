//! Runs the built `cloud-backup` against a `fake-cloud` started in the test process.
//!
//! Every command starts from an empty environment (`env_clear`, then `PATH`), with `HOME` an
//! empty temporary directory, so a developer's real credentials, profiles and regions never
//! leak into a test.

use std::path::Path;

use assert_cmd::Command;
use assert_cmd::assert::Assert;
use fake_cloud::{FakeCloud, FakeCloudBuilder, HUAWEI_PROJECT_ID, LoggedRequest, Route};
use serde_json::Value;
use tempfile::TempDir;

/// The binary with nothing configured: no credentials, an empty `HOME`, a fixed help width.
pub fn bare(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("cloud-backup").expect("the cloud-backup binary is built");
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("COLUMNS", "100");
    cmd
}

/// Runs `cmd`, expects success, and returns what it printed on stdout (UTF-8).
pub fn stdout(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

/// `configure list ARGS` in `home` with `env`: its standard output.
pub fn configure_list(home: &Path, env: &[(&str, &str)], args: &[&str]) -> String {
    let mut cmd = bare(home);
    cmd.envs(env.iter().copied());
    stdout(cmd.args(["configure", "list"]).args(args))
}

/// A runtime for a server the tests run beside the binary.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// A running emulator, the runtime it runs on, and an empty home directory.
pub struct Cloud {
    // Fields drop in order: the emulator stops before its runtime.
    pub cloud: FakeCloud,
    _runtime: tokio::runtime::Runtime,
    pub home: TempDir,
}

impl Cloud {
    /// An emulator whose tasks finish at the first poll.
    pub fn start() -> Self {
        Cloud::with(FakeCloud::builder().task_pace(1))
    }

    /// An emulator with these settings.
    pub fn with(builder: FakeCloudBuilder) -> Self {
        let runtime = runtime();
        let cloud = runtime.block_on(builder.start());
        Cloud {
            cloud,
            _runtime: runtime,
            home: tempfile::tempdir().expect("a temporary home"),
        }
    }

    /// The binary pointed at the emulator, with no credentials.
    pub fn without_credentials(&self) -> Command {
        let mut cmd = bare(self.home.path());
        cmd.args(["--endpoint", &self.cloud.endpoint(), "--allow-http"]);
        cmd
    }

    /// Runs `args` against the emulator with no keys and `env` (a machine with only instance
    /// credentials, say); asserts success (`ok`) or failure and returns the output.
    pub fn keyless(&self, env: &[(&str, &str)], args: &[&str], ok: bool) -> std::process::Output {
        let mut cmd = self.without_credentials();
        for (k, v) in env {
            cmd.env(k, v);
        }
        let assert = cmd.args(args).assert();
        let assert = if ok {
            assert.success()
        } else {
            assert.failure()
        };
        assert.get_output().clone()
    }

    /// The binary pointed at the emulator, with its credentials in every vendor's variables.
    pub fn cmd(&self) -> Command {
        let mut cmd = self.without_credentials();
        let (aliyun, tencent, huawei) = (
            self.cloud.aliyun_credentials(),
            self.cloud.tencent_credentials(),
            self.cloud.huawei_credentials(),
        );
        cmd.env("ALIBABA_CLOUD_ACCESS_KEY_ID", aliyun.access_key_id())
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", aliyun.secret().expose())
            .env("TENCENTCLOUD_SECRET_ID", tencent.access_key_id())
            .env("TENCENTCLOUD_SECRET_KEY", tencent.secret().expose())
            .env("HUAWEICLOUD_SDK_AK", huawei.access_key_id())
            .env("HUAWEICLOUD_SDK_SK", huawei.secret().expose())
            .env("HUAWEICLOUD_SDK_PROJECT_ID", HUAWEI_PROJECT_ID);
        cmd
    }

    /// Runs `args` with the emulator's credentials in `region`, expects success with nothing on
    /// stderr (no progress display off a terminal, no logs without `-v`), and parses the JSON
    /// printed on stdout.
    pub fn json(&self, region: &str, args: &[&str]) -> Value {
        let output = self
            .cmd()
            .args(["--region", region])
            .args(args)
            .assert()
            .success()
            .get_output()
            .clone();
        assert!(
            output.stderr.is_empty(),
            "nothing on stderr for {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout of {args:?} is not JSON ({e}): {}",
                String::from_utf8_lossy(&output.stdout)
            )
        })
    }

    /// An Aliyun command in cn-hangzhou.
    pub fn aliyun(&self, args: &[&str]) -> Value {
        self.json("cn-hangzhou", &[&["aliyun"], args].concat())
    }

    /// A Tencent command in ap-guangzhou.
    pub fn tencent(&self, args: &[&str]) -> Value {
        self.json("ap-guangzhou", &[&["tencent"], args].concat())
    }

    /// A Huawei command in cn-north-4.
    pub fn huawei(&self, args: &[&str]) -> Value {
        self.json("cn-north-4", &[&["huawei"], args].concat())
    }

    /// The requests the emulator received for `action` on `route`.
    pub fn requests(&self, route: Route, action: &str) -> Vec<LoggedRequest> {
        self.cloud
            .requests()
            .into_iter()
            .filter(|r| r.route == route && r.action == action)
            .collect()
    }

    /// The single request the emulator received for `action` on `route`.
    pub fn request(&self, route: Route, action: &str) -> LoggedRequest {
        let mut found = self.requests(route, action);
        assert_eq!(found.len(), 1, "one {action} request: {found:?}");
        found.remove(0)
    }
}

/// The decoded value of query parameter `name` of a logged request.
pub fn query(request: &LoggedRequest, name: &str) -> Option<String> {
    request.query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| percent_decode(v))
    })
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What a failed command printed on stderr, after checking its exit code.
pub fn failure(assert: Assert, code: i32) -> String {
    let output = assert.code(code).get_output().clone();
    assert!(
        output.stdout.is_empty(),
        "a failed command prints nothing on stdout: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8(output.stderr).expect("stderr is UTF-8")
}

/// Checks an error line: one line, naming the pieces given.
pub fn assert_one_line_error(stderr: &str, parts: &[&str]) {
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.starts_with("cloud-backup: error: "),
        "prefixed: {stderr}"
    );
    for part in parts {
        assert!(stderr.contains(part), "{part:?} in {stderr}");
    }
}

/// A fake instance metadata service answering `answers` in order, and the runtime it runs on
/// (keep both alive while the binary asks it).
pub fn metadata(
    answers: Vec<cloud_http::testing::MockResponse>,
) -> (tokio::runtime::Runtime, cloud_http::testing::MockServer) {
    let runtime = runtime();
    let server = runtime.block_on(cloud_http::testing::MockServer::start());
    for a in answers {
        server.push(a);
    }
    (runtime, server)
}
