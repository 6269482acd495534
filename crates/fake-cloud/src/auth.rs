//! Server-side signature checks for the three algorithms, answering with each vendor's real
//! error codes.

use std::collections::{HashMap, HashSet};

use cloud_sign::{Credentials, Payload, SignableRequest, aliyun, huawei, tencent};
use time::OffsetDateTime;

use crate::http::Request;

/// A refusal: HTTP status, vendor code, message.
pub(crate) type Refusal = (u16, &'static str, String);

/// The three parts every algorithm's `Authorization` carries: the key id (or credential
/// scope), the signed header names and the signature. `None` when the header is missing, uses
/// another algorithm, or lacks a part.
fn parse_authorization<'a>(
    req: &'a Request,
    algorithm: &str,
    id_field: &str,
) -> Option<(&'a str, &'a str, &'a str)> {
    let rest = req
        .header("authorization")?
        .strip_prefix(algorithm)?
        .strip_prefix(' ')?;
    let f = auth_fields(rest);
    Some((
        f.get(id_field)?,
        f.get("SignedHeaders")?,
        f.get("Signature")?,
    ))
}

fn auth_fields(value: &str) -> HashMap<&str, &str> {
    value
        .split([',', ' '])
        .filter_map(|p| p.trim().split_once('='))
        .collect()
}

fn query_refs(req: &Request) -> Vec<(&str, &str)> {
    req.query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn signed_header_values<'a>(req: &'a Request, signed: &str) -> Vec<(&'a str, &'a str)> {
    let mut out = Vec::new();
    for name in signed.split(';') {
        for (n, v) in &req.headers {
            if n == name {
                out.push((n.as_str(), v.as_str()));
            }
        }
    }
    out
}

/// Checks an Aliyun ACS3 request. `nonces` remembers every nonce seen.
pub(crate) fn aliyun(
    req: &Request,
    creds: &Credentials,
    now: OffsetDateTime,
    nonces: &mut HashSet<String>,
) -> Result<(), Refusal> {
    let Some((ak, signed, sig)) = parse_authorization(req, "ACS3-HMAC-SHA256", "Credential") else {
        return Err((
            400,
            "IncompleteSignature",
            "The request signature does not conform to Aliyun standards.".into(),
        ));
    };
    if ak != creds.access_key_id() {
        return Err((
            404,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.".into(),
        ));
    }
    for required in [
        "host",
        "x-acs-action",
        "x-acs-version",
        "x-acs-date",
        "x-acs-signature-nonce",
    ] {
        if !signed.split(';').any(|s| s == required) {
            return Err((
                400,
                "IncompleteSignature",
                format!("{required} must be signed"),
            ));
        }
    }
    let date = req.header("x-acs-date").unwrap_or("");
    let when = OffsetDateTime::parse(date, &time::format_description::well_known::Rfc3339)
        .map_err(|_| {
            (
                400,
                "InvalidTimeStamp.Format",
                format!("Specified time stamp {date} is not valid."),
            )
        })?;
    if (now - when).whole_seconds().abs() > 15 * 60 {
        return Err((
            400,
            "InvalidTimeStamp.Expired",
            format!("Specified time stamp or date value is expired. server time {now}"),
        ));
    }
    let nonce = req.header("x-acs-signature-nonce").unwrap_or("");
    if !nonces.insert(nonce.to_owned()) {
        return Err((
            400,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.".into(),
        ));
    }
    if let Some(token) = creds.session_token()
        && req.header("x-acs-security-token") != Some(token.expose())
    {
        return Err((
            400,
            "InvalidSecurityToken.Mismatch",
            "Specified SecurityToken is invalid.".into(),
        ));
    }
    let payload_hash = Payload::Bytes(&req.body).sha256_hex();
    if req
        .header("x-acs-content-sha256")
        .is_some_and(|h| h != payload_hash)
    {
        return Err((
            400,
            "SignatureDoesNotMatch",
            "x-acs-content-sha256 does not match the body.".into(),
        ));
    }
    let (canonical, _) = aliyun::canonical_request(
        &req.method,
        &req.path,
        &query_refs(req),
        signed_header_values(req, signed),
        &payload_hash,
    );
    let expected = aliyun::signature(creds.secret().expose(), &aliyun::string_to_sign(&canonical));
    if expected != sig {
        return Err((
            400,
            "SignatureDoesNotMatch",
            "Specified signature is not matched with our calculation.".into(),
        ));
    }
    Ok(())
}

/// Checks a Tencent TC3 request.
pub(crate) fn tencent(
    req: &Request,
    creds: &Credentials,
    now: OffsetDateTime,
) -> Result<(), Refusal> {
    let Some((credential, signed, sig)) = parse_authorization(req, "TC3-HMAC-SHA256", "Credential")
    else {
        return Err((
            200,
            "AuthFailure.InvalidAuthorization",
            "Authorization is missing, not TC3-HMAC-SHA256, or lacks fields.".into(),
        ));
    };
    let mut parts = credential.split('/');
    let (id, date, service) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    if id != creds.access_key_id() {
        return Err((
            200,
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found.".into(),
        ));
    }
    let ts: i64 = req
        .header("x-tc-timestamp")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let when = OffsetDateTime::from_unix_timestamp(ts).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    if (now - when).whole_seconds().abs() > 5 * 60 {
        return Err((
            200,
            "AuthFailure.SignatureExpire",
            format!(
                "Signature expired. Timestamp {ts}, server time {}.",
                now.unix_timestamp()
            ),
        ));
    }
    if date != tencent::scope_date(when) {
        return Err((
            200,
            "AuthFailure.SignatureFailure",
            "The credential scope date does not match the timestamp.".into(),
        ));
    }
    if let Some(token) = creds.session_token()
        && req.header("x-tc-token") != Some(token.expose())
    {
        return Err((
            200,
            "AuthFailure.TokenFailure",
            "The token is invalid.".into(),
        ));
    }
    let host = req.header("host").unwrap_or("");
    let headers: Vec<(&str, &str)> = signed_header_values(req, signed)
        .into_iter()
        .filter(|(n, _)| *n != "host")
        .collect();
    let extra: Vec<&str> = signed
        .split(';')
        .filter(|n| *n != "host" && *n != "content-type")
        .collect();
    let query = query_refs(req);
    let signable = SignableRequest::new(&req.method, host, &req.path)
        .with_query(&query)
        .with_headers(&headers)
        .with_payload(Payload::Bytes(&req.body));
    let params = tencent::Tc3Params {
        service,
        time: when,
        extra_signed_headers: &extra,
    };
    let out = tencent::sign(&signable, &params, creds);
    if out.signature() != sig {
        return Err((200, "AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct.".into()));
    }
    Ok(())
}

/// Checks a Huawei SDK-HMAC-SHA256 request, or an IAM token.
pub(crate) fn huawei(
    req: &Request,
    creds: &Credentials,
    iam_token: &str,
    now: OffsetDateTime,
) -> Result<(), Refusal> {
    if let Some(token) = req.header("x-auth-token") {
        return if token == iam_token {
            Ok(())
        } else {
            Err((
                401,
                "APIGW.0301",
                "Incorrect IAM authentication information: token invalid".into(),
            ))
        };
    }
    let bad = |m: &str| {
        (
            401,
            "APIGW.0301",
            format!("Incorrect IAM authentication information: {m}"),
        )
    };
    let Some((ak, signed, sig)) = parse_authorization(req, "SDK-HMAC-SHA256", "Access") else {
        return Err(bad(
            "Authorization is missing, not SDK-HMAC-SHA256, or lacks fields",
        ));
    };
    if ak != creds.access_key_id() {
        return Err(bad("ak not found"));
    }
    let date = req.header("x-sdk-date").unwrap_or("");
    let when = time::PrimitiveDateTime::parse(
        date,
        time::macros::format_description!("[year][month][day]T[hour][minute][second]Z"),
    )
    .map(|d| d.assume_utc())
    .map_err(|_| bad("x-sdk-date is malformed"))?;
    if (now - when).whole_seconds().abs() > 15 * 60 {
        return Err(bad(
            "the request time is more than 15 minutes off the server time",
        ));
    }
    let mut creds = creds.clone();
    if let Some(t) = req.header("x-security-token") {
        creds = creds.with_session_token(t);
    }
    let host = req.header("host").unwrap_or("");
    let headers: Vec<(&str, &str)> = signed_header_values(req, signed)
        .into_iter()
        .filter(|(n, _)| !matches!(*n, "host" | "x-sdk-date" | "x-security-token"))
        .collect();
    let query = query_refs(req);
    let signable = SignableRequest::new(&req.method, host, &req.path)
        .with_query(&query)
        .with_headers(&headers)
        .with_payload(Payload::Bytes(&req.body));
    let out = huawei::sign(&signable, when, &creds);
    if out.signature() != sig {
        return Err(bad("verify aksk signature fail"));
    }
    Ok(())
}
