//! How requests are authenticated: AK/SK signing or an IAM token, both through the shared
//! transport.

use cloud_http::{
    ApiRequest, AttemptContext, Classification, Endpoint, HttpClient, Operation, Protocol,
    RawResponse,
};
use cloud_sign::{Credentials, SecretString, SignableRequest, SigningOutput, huawei};

use crate::{Error, Result, errors};

/// How the client proves who it is. `Debug` never shows the secret key, the security token or
/// the IAM token.
#[derive(Debug, Clone)]
pub enum Auth {
    /// Access key and secret key (optionally temporary, with a security token), signed with
    /// `SDK-HMAC-SHA256` on every attempt. The usual choice.
    AkSk(Credentials),
    /// An IAM user token (from IAM `POST /v3/auth/tokens`), sent as `X-Auth-Token` on every
    /// request, unsigned. Tokens are valid for 24 hours and bound to a project scope; this crate
    /// does not renew them.
    IamToken(SecretString),
    /// Temporary AK/SK with a security token, fetched (and fetched again before they expire) by
    /// a [`cloud_http::RefreshingCredentials`]: the ECS instance's agency credentials
    /// ([`EcsAgency`](crate::EcsAgency)) or a federated identity's
    /// ([`IdTokenFederation`](crate::IdTokenFederation)), for two.
    Refreshing(std::sync::Arc<cloud_http::RefreshingCredentials>),
}

impl Auth {
    /// The project id carried by AK/SK credentials (`HUAWEICLOUD_SDK_PROJECT_ID`, the profile's
    /// `project_id`), if any.
    pub(crate) fn project_id(&self) -> Option<&str> {
        match self {
            Auth::AkSk(c) => c.project_id().filter(|p| !p.trim().is_empty()),
            Auth::IamToken(_) | Auth::Refreshing(_) => None,
        }
    }

    /// Sends `request` through the shared transport, signing or stamping every attempt as this
    /// method of authentication requires.
    pub(crate) async fn send(
        &self,
        http: &HttpClient,
        endpoint: &Endpoint,
        operation: &Operation,
        request: &ApiRequest,
    ) -> Result<RawResponse> {
        match self {
            Auth::Refreshing(source) => {
                let current = Auth::AkSk(source.get().await?);
                http.send(endpoint, operation, request, &Huawei(&current))
                    .await
            }
            _ => http.send(endpoint, operation, request, &Huawei(self)).await,
        }
    }
}

/// The [`Protocol`] of every Huawei request: `SDK-HMAC-SHA256` or `X-Auth-Token`, Huawei error
/// shapes.
struct Huawei<'a>(&'a Auth);

impl Protocol for Huawei<'_> {
    fn sign(
        &self,
        request: &SignableRequest<'_>,
        attempt: &AttemptContext<'_>,
    ) -> Result<SigningOutput> {
        match self.0 {
            Auth::AkSk(credentials) => Ok(huawei::sign(request, attempt.time, credentials)),
            // `Auth::send` resolves these to AK/SK before sending.
            Auth::Refreshing(_) => Err(Error::Credentials(
                "temporary credentials were not resolved before signing".into(),
            )),
            Auth::IamToken(token) => {
                let token = token.expose();
                // What an HTTP header value may carry: visible ASCII, space and tab.
                if !token
                    .bytes()
                    .all(|b| b == b'\t' || (b' '..=b'~').contains(&b))
                {
                    return Err(Error::Credentials(
                        "the IAM token contains characters an HTTP header cannot carry".into(),
                    ));
                }
                Ok(SigningOutput::unsigned(vec![(
                    "X-Auth-Token",
                    token.to_owned(),
                )]))
            }
        }
    }

    fn classify(&self, response: &RawResponse) -> Classification {
        errors::classify(response)
    }

    fn request_id(&self, response: &RawResponse) -> Option<String> {
        errors::request_id(response)
    }
}
