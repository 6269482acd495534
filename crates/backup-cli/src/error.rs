//! Failures, the one line each prints on stderr, and the exit codes they map to.

use std::fmt;
use std::process::ExitCode;

use backup_core::cloud_http::{self, Error as ApiError, ServiceError};
use backup_core::cloud_sign::Vendor;
use backup_core::download::DownloadError;

/// The exit codes, as `--help` shows them.
pub const EXIT_CODES: &str = "\
Exit codes:
    0  success
    1  service or network error (the service's code, message and request id are on stderr)
    2  usage error (a missing, invalid or contradictory flag)
    3  credentials missing or invalid
    4  partly done: export downloaded some files, others failed (the report on stdout names them)
  130  interrupted (Ctrl-C); partial downloads resume when the same command runs again";

/// What went wrong, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Exit 1: the service refused the call, the network failed, or a task failed.
    Service,
    /// Exit 2: the command line is wrong; nothing was sent.
    Usage,
    /// Exit 3: credentials are missing, or the service rejected them.
    Credentials,
    /// Exit 4: some of the work was done, some failed (an export's files).
    Partial,
    /// Exit 130 (128 + SIGINT): the user pressed Ctrl-C.
    Interrupted,
}

/// A failed command: its kind and a one-line message.
#[derive(Debug)]
pub struct Failure {
    kind: Kind,
    message: String,
    /// The service's error code and request id, when the service answered.
    service: Option<(String, Option<String>)>,
}

impl Failure {
    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            kind: Kind::Usage,
            message: message.into(),
            service: None,
        }
    }

    /// A service, network or local failure (exit 1).
    pub fn service(message: impl Into<String>) -> Self {
        Failure {
            kind: Kind::Service,
            message: message.into(),
            service: None,
        }
    }

    /// Some of the work done, some failed (exit 4).
    pub fn partial(message: impl Into<String>) -> Self {
        Failure {
            kind: Kind::Partial,
            message: message.into(),
            service: None,
        }
    }

    /// Ctrl-C (exit 130). Downloads keep their `.part` file and resume state on disk.
    pub fn interrupted() -> Self {
        Failure {
            kind: Kind::Interrupted,
            message: "interrupted; partial downloads are kept in their .part files and resume \
                      when the same command runs again"
                .into(),
            service: None,
        }
    }

    /// Prefixes the message with what it concerns (a file name).
    pub fn prefix(&mut self, what: &str) {
        self.message = format!("{what}: {}", self.message);
    }

    /// The process exit code: 1, 2, 3, 4 or 130.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code())
    }

    fn code(&self) -> u8 {
        match self.kind {
            Kind::Service => 1,
            Kind::Usage => 2,
            Kind::Credentials => 3,
            Kind::Partial => 4,
            Kind::Interrupted => 130,
        }
    }

    /// Prints the failure as one line on stderr.
    pub fn report(&self) {
        eprintln!("cloud-backup: error: {self}");
    }

    /// The failure as one JSON object (for `--output json`): exit code, kind, message, and the
    /// service's code and request id when it answered.
    pub fn to_json(&self) -> serde_json::Value {
        let kind = match self.kind {
            Kind::Service => "service",
            Kind::Usage => "usage",
            Kind::Credentials => "credentials",
            Kind::Partial => "partial",
            Kind::Interrupted => "interrupted",
        };
        let mut error = serde_json::json!({
            "exit_code": self.code(),
            "kind": kind,
            "message": self.to_string(),
        });
        if let Some((c, rid)) = &self.service {
            error["code"] = backup_core::terminal::escape(c).into();
            error["request_id"] = rid.as_deref().map(backup_core::terminal::escape).into();
        }
        serde_json::json!({ "error": error })
    }

    /// Prints the failure on stderr: one line, or with `json` one JSON object.
    pub fn report_as(&self, json: bool) {
        if json {
            eprintln!("{}", self.to_json());
        } else {
            self.report();
        }
    }
}

impl fmt::Display for Failure {
    /// One line, with every URL's query string (a download link's signature) cut.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Messages carry API-provided text: control characters are escaped so that nothing a
        // server sends can drive the terminal.
        let text = cloud_http::redact_urls(&self.message);
        let line: Vec<&str> = text.split_whitespace().collect();
        f.write_str(&backup_core::terminal::escape(&line.join(" ")))
    }
}

/// Service codes that mean "these credentials are wrong", not "this call is wrong".
fn rejects_credentials(error: &ServiceError) -> bool {
    const CODES: &[&str] = &[
        // Alibaba Cloud
        "SignatureDoesNotMatch",
        "IncompleteSignature",
        // Tencent Cloud
        "AuthFailure.SecretIdNotFound",
        "AuthFailure.SignatureFailure",
        "AuthFailure.TokenFailure",
        "AuthFailure.InvalidSecretId",
        "AuthFailure.InvalidAuthorization",
        // Huawei Cloud (401: bad AK/SK, signature or token)
        "APIGW.0301",
    ];
    const PREFIXES: &[&str] = &["InvalidAccessKeyId", "InvalidSecurityToken"];
    error.http_status == 401
        || CODES.contains(&error.code.as_str())
        || PREFIXES.iter().any(|p| error.code.starts_with(p))
}

/// The cloud an operation name (`aliyun-dbs`, `tencent-mongodb`, `huawei-dds`) belongs to.
fn vendor_of(operation_vendor: &str) -> Option<Vendor> {
    [
        ("aliyun", Vendor::Aliyun),
        ("tencent", Vendor::Tencent),
        ("huawei", Vendor::Huawei),
    ]
    .into_iter()
    .find(|(prefix, _)| operation_vendor.starts_with(prefix))
    .map(|(_, v)| v)
}

/// The flag a library field name stands for: its last dotted segment in kebab-case
/// (`Duration` → `--duration`, `BackupSets.N.ReplicaSetId` → `--replica-set-id`,
/// `allow_http` → `--allow-http`); a name with a space is not a flag and stays as it is.
pub fn flag_of(field: &str) -> String {
    if field.contains(' ') || field.is_empty() {
        return field.to_owned();
    }
    let last = field
        .split('.')
        .rfind(|s| !s.is_empty() && !s.bytes().all(|b| b.is_ascii_digit()) && *s != "N")
        .unwrap_or(field);
    let chars: Vec<char> = last.chars().collect();
    let mut out = String::from("--");
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' {
            out.push('-');
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('-');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        let kind = match &e {
            ApiError::InvalidInput { .. } => Kind::Usage,
            ApiError::Credentials(_) => Kind::Credentials,
            ApiError::Service { error, .. } if rejects_credentials(error) => Kind::Credentials,
            _ => Kind::Service,
        };
        let service = match &e {
            ApiError::Service { error, .. } => Some((error.code.clone(), error.request_id.clone())),
            _ => None,
        };
        // Invalid input speaks in flags: `--duration must be ...`, not `Duration: ...`.
        let mut message = match &e {
            ApiError::InvalidInput { field, rule } => format!("{} {rule}", flag_of(field)),
            _ => e.to_string(),
        };
        if let (Kind::Credentials, ApiError::Service { operation, .. }) = (kind, &e)
            && let Some(vendor) = vendor_of(operation.vendor)
        {
            let (id, secret) = vendor.key_variables();
            message.push_str(&format!(
                "; the service rejected the credentials: check {id} and {secret} or ~/{}",
                vendor.profile_file()
            ));
        }
        Failure {
            kind,
            message,
            service,
        }
    }
}

impl From<DownloadError> for Failure {
    fn from(e: DownloadError) -> Self {
        let (kind, message) = match &e {
            DownloadError::InvalidInput { field, rule } => {
                (Kind::Usage, format!("{} {rule}", flag_of(field)))
            }
            _ => (Kind::Service, e.to_string()),
        };
        Failure {
            kind,
            message,
            service: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_fields_become_flags() {
        for (field, flag) in [
            ("Duration", "--duration"),
            ("BakSetId", "--bak-set-id"),
            ("BackupSets.N.ReplicaSetId", "--replica-set-id"),
            ("allow_http", "--allow-http"),
            ("DBInstanceId", "--db-instance-id"),
            ("instance_id", "--instance-id"),
            ("region", "--region"),
            ("http client", "http client"),
        ] {
            assert_eq!(flag_of(field), flag, "{field}");
        }
        let f = Failure::from(ApiError::invalid(
            "Duration",
            "must be 300 to 86400 (got 10)",
        ));
        assert_eq!(f.to_string(), "--duration must be 300 to 86400 (got 10)");
    }

    #[test]
    fn api_text_in_an_error_cannot_drive_the_terminal() {
        let f = Failure::service("NoSuchKey: \u{1b}]0;pwned\u{7}\u{1b}[2J gone\r\nfake line");
        let shown = f.to_string();
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert!(shown.contains("\\u{1b}]0;pwned"), "{shown}");
    }
    use backup_core::cloud_http::OperationName;

    fn service(code: &str, status: u16) -> ApiError {
        ApiError::Service {
            operation: OperationName {
                vendor: "tencent-mongodb",
                action: "DescribeDBBackups",
            },
            error: ServiceError {
                code: code.into(),
                message: "m".into(),
                request_id: Some("r-1".into()),
                http_status: status,
            },
            attempts: 1,
        }
    }

    #[test]
    fn exit_codes_follow_the_kind_of_failure() {
        let code = |e: ApiError| Failure::from(e).kind;
        assert_eq!(code(service("InternalError", 500)), Kind::Service);
        assert_eq!(
            code(service("AuthFailure.SignatureFailure", 200)),
            Kind::Credentials
        );
        assert_eq!(
            code(service("InvalidAccessKeyId.NotFound", 400)),
            Kind::Credentials
        );
        assert_eq!(code(service("APIGW.0303", 401)), Kind::Credentials);
        assert_eq!(code(ApiError::invalid("BakSetId", "empty")), Kind::Usage);
        assert_eq!(
            code(ApiError::Credentials("none".into())),
            Kind::Credentials
        );
    }

    #[test]
    fn rejected_credentials_name_the_variables() {
        let f = Failure::from(service("AuthFailure.SecretIdNotFound", 200));
        let text = f.to_string();
        assert!(text.contains("[request id r-1]"), "{text}");
        assert!(text.contains("TENCENTCLOUD_SECRET_ID"), "{text}");
    }

    #[test]
    fn messages_are_one_line_without_link_signatures() {
        let f = Failure::service("failed:\n  https://b.example.com/f.tar?Signature=abc\n");
        assert_eq!(
            f.to_string(),
            "failed: https://b.example.com/f.tar?<redacted>"
        );
    }
}
