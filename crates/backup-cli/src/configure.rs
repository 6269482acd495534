//! `cloud-backup configure list`: where each vendor's credentials and region would come from
//! now, with key ids masked and secrets never shown.

use backup_core::cloud_http::CredentialSource;
use backup_core::cloud_sign::{ProviderContext, Vendor};
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

/// The first characters of a key id, the rest masked.
fn mask(id: &str) -> String {
    let shown: String = id.chars().take(4).collect();
    format!("{shown}****")
}

fn vendor_view(vendor: Vendor, ctx: &Context, os: &ProviderContext) -> Json {
    let (id_var, secret_var) = vendor.key_variables();
    let file = format!("~/{}", vendor.profile_file());
    let profile = ctx.profile();
    // The very resolution the commands use.
    let resolved = match vendor {
        Vendor::Aliyun => crate::aliyun::credential_source(ctx),
        Vendor::Tencent => crate::tencent::credential_source(ctx),
        Vendor::Huawei => crate::huawei::credential_source(ctx),
    };
    let credentials = match resolved {
        Ok(Some(CredentialSource::Fixed(c))) => {
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
        Ok(Some(CredentialSource::Refreshing(r))) => Object::new().field(
            "source",
            format!("{}; fetched at the first call", r.describe()),
        ),
        Ok(None) => Object::new()
            .field("source", "none")
            .field("hint", vendor.setup_hint()),
        Err(e) => Object::new()
            .field("source", "error")
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
