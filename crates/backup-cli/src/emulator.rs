//! `cloud-backup emulator`: `fake-cloud` in the foreground, so every command can be tried by
//! hand or scripted against it (`--endpoint URL --allow-http`), until Ctrl-C.

use backup_core::cloud_sign::Credentials;
use clap::Args;
use fake_cloud::{AliyunProduct, FakeCloud, HUAWEI_PROJECT_ID, Route};

use crate::error::Failure;
use crate::output::{Json, Object};

/// Flags of `emulator`.
#[derive(Debug, Args)]
pub struct Emulator {
    /// The port on 127.0.0.1 to listen on [default: any free port]
    #[arg(long, value_name = "N", default_value_t = 0)]
    port: u16,
    /// The size of every backup file, in bytes (for benchmarks) [default: 1 MiB]
    #[arg(long, value_name = "BYTES")]
    backup_size: Option<u64>,
}

impl Emulator {
    /// Starts the emulator, prints one JSON line (endpoint, credentials as the vendors'
    /// variables, regions, the catalogue's ids), and serves until interrupted.
    pub async fn run(self) -> Result<(), Failure> {
        let mut builder = FakeCloud::builder().port(self.port);
        if let Some(size) = self.backup_size {
            builder = builder.backup_size(size);
        }
        let cloud = builder
            .try_start()
            .await
            .map_err(|e| Failure::usage(format!("--port {}: cannot listen: {e}", self.port)))?;
        let line = serde_json::to_string(&describe(&cloud))
            .map_err(|e| Failure::service(format!("cannot render the emulator's details: {e}")))?;
        crate::output::write_stdout(format!("{line}\n").as_bytes())?;
        tracing::info!(endpoint = %cloud.endpoint(), "emulator running; Ctrl-C stops it");
        tokio::signal::ctrl_c()
            .await
            .map_err(|e| Failure::service(format!("cannot wait for Ctrl-C: {e}")))?;
        Ok(())
    }
}

/// What a user needs to talk to `cloud`.
fn describe(cloud: &FakeCloud) -> Json {
    // These are the emulator's own, published test credentials (fake-cloud's docs list them):
    // printing them is the point of this command.
    let pair = |c: &Credentials| (c.access_key_id().to_owned(), c.secret().expose().to_owned());
    let (a, t, h) = (
        pair(&cloud.aliyun_credentials()),
        pair(&cloud.tencent_credentials()),
        pair(&cloud.huawei_credentials()),
    );
    let env = Object::new()
        .field("ALIBABA_CLOUD_ACCESS_KEY_ID", a.0)
        .field("ALIBABA_CLOUD_ACCESS_KEY_SECRET", a.1)
        .field("ALIBABA_CLOUD_REGION_ID", "cn-hangzhou")
        .field("TENCENTCLOUD_SECRET_ID", t.0)
        .field("TENCENTCLOUD_SECRET_KEY", t.1)
        .field("TENCENTCLOUD_REGION", "ap-guangzhou")
        .field("HUAWEICLOUD_SDK_AK", h.0)
        .field("HUAWEICLOUD_SDK_SK", h.1)
        .field("HUAWEICLOUD_SDK_PROJECT_ID", HUAWEI_PROJECT_ID)
        .field("HUAWEICLOUD_SDK_REGION", "cn-north-4");
    let mut catalogue: Vec<Json> = cloud
        .backups()
        .iter()
        .map(|b| {
            let cloud = match b.route {
                Route::Aliyun => "aliyun",
                Route::Tencent => "tencent",
                _ => "huawei",
            };
            let mut o = Object::new()
                .field("cloud", cloud)
                .field("instance", b.instance_id.as_str())
                .field("backup", b.backup_id.as_str());
            if b.route == Route::Huawei {
                o = o.field("service", b.service);
            }
            if b.route == Route::Tencent {
                o = o.field("backup_name", b.name.as_str());
            }
            let parts: Vec<Json> = b.parts.iter().map(Json::from).collect();
            o.field("parts", parts).build()
        })
        .collect();
    // The RDS, PolarDB and MongoDB instances, for `aliyun rds-...`, `polardb-...`, `mongodb-...`.
    catalogue.extend(cloud.aliyun_instances().iter().map(|i| {
        let product = match i.product {
            AliyunProduct::Rds => "rds",
            AliyunProduct::PolarDb => "polardb",
            AliyunProduct::MongoDb => "mongodb",
        };
        let backups: Vec<Json> = i.backups.iter().map(|b| Json::from(&b.backup_id)).collect();
        let mut o = Object::new()
            .field("cloud", "aliyun")
            .field("product", product)
            .field("instance", i.instance_id.as_str())
            .field("backups", backups);
        if !i.shards.is_empty() {
            o = o.field(
                "shards",
                i.shards.iter().map(Json::from).collect::<Vec<_>>(),
            );
        }
        o.build()
    }));
    Object::new()
        .field("endpoint", cloud.endpoint())
        .field(
            "flags",
            format!("--endpoint {} --allow-http", cloud.endpoint()),
        )
        .field("env", env.build())
        .field("catalogue", catalogue)
        .build()
}
