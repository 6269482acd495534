//! `cloud-backup configure list`: where each vendor's credentials and region would come from
//! now, with key ids masked and secrets never shown.

use backup_core::cloud_sign::{ChainProvider, ProvideCredentials, ProviderContext, Vendor};
use clap::Subcommand;

use crate::cli::{Context, Output, region_variable};
use crate::output::{Json, Object};

/// `configure` subcommands.
#[derive(Debug, Subcommand)]
pub enum Configure {
    /// Show, per vendor, where credentials and the region come from (secrets masked)
    List,
}

impl Configure {
    /// Runs the subcommand.
    pub fn run(self, ctx: &Context) -> Output {
        let Configure::List = self;
        let os = ProviderContext::from_os();
        let mut out = Object::new();
        for (name, vendor) in [
            ("aliyun", Vendor::Aliyun),
            ("tencent", Vendor::Tencent),
            ("huawei", Vendor::Huawei),
        ] {
            out = out.field(name, vendor_view(vendor, ctx, &os));
        }
        Ok(out.build())
    }
}

/// The instance credentials a vendor's commands fall back to without keys (not with a named
/// profile): Aliyun's RAM role named by `ALIBABA_CLOUD_ECS_METADATA`, Tencent's CVM role named by
/// `TENCENTCLOUD_CAM_ROLE_NAME`, Huawei's ECS agency when `CLOUD_BACKUP_USE_INSTANCE_CREDENTIALS`
/// is set.
fn instance_source(vendor: Vendor, profile: Option<&str>, os: &ProviderContext) -> Option<String> {
    if profile.is_some() {
        return None;
    }
    let set = |var: &str| os.var(var).filter(|v| !v.trim().is_empty());
    match vendor {
        Vendor::Aliyun => set(backup_core::aliyun::ECS_ROLE_VARIABLE).map(|role| {
            format!(
                "ECS RAM role {} ({}; from the metadata service at the first call)",
                backup_core::terminal::escape(&role),
                backup_core::aliyun::ECS_ROLE_VARIABLE
            )
        }),
        Vendor::Huawei => set(crate::cli::INSTANCE_CREDENTIALS_VARIABLE).map(|_| {
            format!(
                "ECS agency ({}; from the metadata service at the first call)",
                crate::cli::INSTANCE_CREDENTIALS_VARIABLE
            )
        }),
        Vendor::Tencent => set(backup_core::tencent::CVM_ROLE_VARIABLE).map(|role| {
            format!(
                "CVM role {} ({}; from the metadata service at the first call)",
                backup_core::terminal::escape(&role),
                backup_core::tencent::CVM_ROLE_VARIABLE
            )
        }),
    }
}

/// The first characters of a key id, the rest masked.
fn mask(id: &str) -> String {
    let shown: String = id.chars().take(4).collect();
    format!("{shown}****")
}

fn vendor_view(vendor: Vendor, ctx: &Context, os: &ProviderContext) -> Json {
    let (id_var, secret_var) = vendor.key_variables();
    let file = format!("~/{}", vendor.profile_file());
    let profile = ctx.profile();
    // The very chain the commands use: a named profile wins, else the environment, then the
    // profile files.
    let credentials = match ChainProvider::default_for(vendor, profile).provide(os) {
        Ok(Some(c)) => {
            let named = profile.unwrap_or("default");
            let source = match c.source() {
                "environment" => format!("environment ({id_var}, {secret_var})"),
                "tccli profile" => format!("~/.tccli/{named}.credential (tccli profile {named})"),
                _ => format!("{file} (profile {named})"),
            };
            Object::new()
                .field("source", source)
                .field("access_key_id", mask(c.access_key_id()))
        }
        Ok(None) => match instance_source(vendor, profile, os) {
            Some(source) => Object::new().field("source", source),
            None => Object::new()
                .field("source", "none")
                .field("hint", vendor.setup_hint()),
        },
        Err(e) => Object::new()
            .field("source", e.origin().to_owned())
            .field("error", e.to_string()),
    };
    let variable = region_variable(vendor);
    let region = match (
        ctx.region_flag(),
        os.var(variable).filter(|r| !r.trim().is_empty()),
        ctx.profile_region_from(vendor),
    ) {
        (Some(r), _, _) => Object::new().field("value", r).field("source", "--region"),
        (None, Some(r), _) => Object::new().field("value", r).field("source", variable),
        (None, None, Some((r, from))) => Object::new().field("value", r).field("source", from),
        (None, None, None) => Object::new()
            .field("value", Json::Null)
            .field("source", format!("none: pass --region or set {variable}")),
    };
    Object::new()
        .field("credentials", credentials.build())
        .field("region", region.build())
        .build()
}
