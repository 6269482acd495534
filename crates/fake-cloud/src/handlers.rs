//! The three vendors' APIs: authentication, validation, state changes and answers in each
//! vendor's real shapes.

use std::sync::Arc;

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::http::{Request, Response};
use crate::storage::{self, Object};
use crate::{AliyunTask, Backup, RestoreTask, Route, State, TencentTask, auth};

pub(crate) fn handle(
    st: &mut State,
    port: u16,
    route: Route,
    action: &str,
    req: &Request,
) -> Response {
    match route {
        Route::Aliyun => aliyun(st, port, action, req),
        Route::Tencent => tencent(st, port, action, req),
        Route::Huawei | Route::Iam => huawei(st, port, route, req),
        Route::Storage => {
            let key = req.path.trim_start_matches("/objects/");
            let object = st.objects.get(key).cloned();
            storage::serve(req, object, st.now().unix_timestamp(), false)
        }
        Route::Any => Response::json(
            404,
            &json!({"error_code": "APIGW.0101", "error_msg": "The API does not exist or has not been published in the environment"}),
        ),
    }
}

/// The vendor's error shape for an injected HTTP status.
pub(crate) fn vendor_error(route: Route, status: u16, message: Option<&str>) -> Response {
    let msg = message.unwrap_or("injected fault");
    match route {
        // The gateway's codes: InternalError is a 500, ServiceUnavailable a 503 (and any other
        // 5xx), Request.Forbidden a 403.
        Route::Aliyun => aliyun_gateway_error(status, match status {
            500 => "InternalError",
            403 => "Request.Forbidden",
            s if s > 500 => "ServiceUnavailable",
            _ => "InvalidParameter",
        }, msg),
        Route::Tencent => Response::json(status, &json!({"Response": {"Error": {"Code": "InternalError", "Message": msg}, "RequestId": "fake-tencent-fault"}})),
        Route::Huawei | Route::Iam => Response::json(status, &json!({"error_code": "APIGW.0201", "error_msg": msg, "request_id": "fake-huawei-fault"}))
            .with_header("x-request-id", "fake-huawei-fault"),
        _ => Response::raw(status, "application/xml", format!("<Error><Code>InternalError</Code><Message>{msg}</Message></Error>").into_bytes()),
    }
}

/// The vendor's throttling answer.
pub(crate) fn throttle(route: Route) -> Response {
    match route {
        Route::Aliyun => aliyun_gateway_error(400, "Throttling.User", "Request was denied due to user flow control.")
            .with_header("x-acs-retry-after", "200"),
        Route::Tencent => Response::json(200, &json!({"Response": {"Error": {"Code": "RequestLimitExceeded", "Message": "Your current request times equals to `21` in a second, which exceeds the frequency limit `20` for a second. Please reduce the frequency of calls."}, "RequestId": "fake-tencent-throttle"}})),
        Route::Huawei | Route::Iam => Response::json(429, &json!({"error_code": "APIGW.0308", "error_message": "The request is throttled.", "request_id": "fake-huawei-throttle"}))
            .with_header("x-request-id", "fake-huawei-throttle"),
        _ => Response::raw(503, "application/xml", b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>".to_vec()),
    }
}

// ------------------------------------------------------------------ links

pub(crate) fn link(st: &mut State, port: u16, key: String, size: u64, expires: i64) -> String {
    let seed = st.objects.get(&key).map(|o| o.seed).unwrap_or_else(|| {
        key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
    });
    st.objects
        .entry(key.clone())
        .or_insert_with(|| Arc::new(Object::new(key.clone(), size, seed)));
    format!(
        "http://127.0.0.1:{port}/objects/{}?Expires={expires}&Signature={}",
        cloud_sign::encode_path(&key),
        storage::link_signature(&key, expires)
    )
}

// ------------------------------------------------------------------ Aliyun DBS

fn aliyun_gateway_error(status: u16, code: &str, message: &str) -> Response {
    Response::json(
        status,
        &json!({"RequestId": "fake-aliyun-gw", "HostId": "dbs-api.cn-hangzhou.aliyuncs.com", "Code": code, "Message": message, "Recommend": "https://api.aliyun.com/troubleshoot"}),
    )
    .with_header("x-acs-request-id", "fake-aliyun-gw")
}

fn aliyun_business_error(
    request_id: &str,
    code: &str,
    message: &str,
    bool_success: bool,
) -> Response {
    let success = if bool_success {
        json!(false)
    } else {
        json!("false")
    };
    Response::json(
        200,
        &json!({"RequestId": request_id, "Success": success, "ErrCode": code, "ErrMessage": message, "Code": code, "Message": message}),
    )
}

fn task_status(polls: u32, pace: u32) -> &'static str {
    match polls {
        p if p >= pace => "finished",
        0 => "initializing",
        1 => "queueing",
        _ => "running",
    }
}

fn aliyun(st: &mut State, port: u16, action: &str, req: &Request) -> Response {
    let now = st.now();
    let creds = st.aliyun_creds.clone();
    if let Err((status, code, msg)) = auth::aliyun(req, &creds, now, &mut st.nonces) {
        return aliyun_gateway_error(status, code, &msg);
    }
    let version = req.header("x-acs-version").unwrap_or("");
    // RDS, PolarDB and MongoDB: their own listings, by action and version.
    if let Some(answer) = crate::products::answer(st, port, action, version, req) {
        return answer;
    }
    let expected = match action {
        "CreateDownload"
        | "DescribeDownloadTask"
        | "DescribeDownloadBackupSetStorageInfo"
        | "DescribeDownloadSupport"
        | "RetryDownloadTask" => "2021-01-01",
        "CreateRestoreTask"
        | "StartRestoreTask"
        | "DescribeRestoreTaskList"
        | "DescribeBackupPlanList"
        | "DescribeFullBackupList" => "2019-03-06",
        _ => {
            return aliyun_gateway_error(
                404,
                "InvalidAction.NotFound",
                &format!("Specified api {action} is not found, please check your url and method."),
            );
        }
    };
    if version != expected {
        return aliyun_gateway_error(
            400,
            "InvalidVersion",
            &format!("Specified parameter Version {version} is not valid for {action}."),
        );
    }
    let rid = format!("FAKE-ALIYUN-{:08}", st.next_id());
    let q = |n: &str| req.query_value(n).map(str::to_owned);
    let new_api = expected == "2021-01-01";
    let missing = |name: &str| {
        aliyun_business_error(
            &rid,
            "DBS.ParamIsInValid",
            &format!("{name} can not be empty"),
            !new_api,
        )
    };
    // 2021-01-01: `Success` as text, `Code`/`Message` beside `ErrCode`/`ErrMessage`, the
    // answer under `Data`. 2019-03-06: `Success` a boolean, `HttpStatusCode`, the answer's
    // fields at the top level.
    let ok = |data: Value| {
        let mut v = if new_api {
            json!({"RequestId": rid, "Success": "true", "Code": "200", "ErrCode": "", "ErrMessage": "", "Message": "", "Data": data})
        } else {
            json!({"RequestId": rid, "Success": true, "HttpStatusCode": 200, "ErrCode": "", "ErrMessage": ""})
        };
        if let (false, Value::Object(m), Value::Object(d)) = (new_api, &mut v, data) {
            m.extend(d);
        }
        Response::json(200, &v).with_header("x-acs-request-id", rid.clone())
    };
    // DBS exports the catalogue's Aliyun backups and the database products' backup sets.
    let find_instance = |st: &State, name: &str| {
        st.backups
            .iter()
            .any(|b| b.route == Route::Aliyun && b.instance_id == name)
            || st.aliyun_instances.iter().any(|i| i.instance_id == name)
    };
    match action {
        "CreateDownload" => {
            for required in ["RegionCode", "InstanceName", "FormatType"] {
                if q(required).is_none() {
                    return missing(required);
                }
            }
            let instance = q("InstanceName").unwrap_or_default();
            if !find_instance(st, &instance) {
                // The code CreateDownload documents for an unknown instance.
                return aliyun_business_error(
                    &rid,
                    "Forbidden.InstanceNotFound",
                    "instance not found",
                    false,
                );
            }
            let kind = q("BakSetType").unwrap_or_else(|| "full".into());
            let bak = match kind.as_str() {
                "full" => {
                    let Some(id) = q("BakSetId") else {
                        return missing("BakSetId");
                    };
                    if dbs_set_size(st, &instance, &id).is_none() {
                        // CreateDownload documents no "not found" code for a backup set;
                        // this is its code for a backup set it cannot use.
                        return aliyun_business_error(
                            &rid,
                            "DBS.DownloadTask.BakSetError",
                            "DBS download task bak set error.",
                            false,
                        );
                    }
                    id
                }
                "pitr" => {
                    if q("DownloadPointInTime").is_none() {
                        return missing("DownloadPointInTime");
                    }
                    st.backups
                        .iter()
                        .find(|b| b.instance_id == instance)
                        .map(|b| b.backup_id.clone())
                        .unwrap_or_default()
                }
                other => {
                    return aliyun_business_error(
                        &rid,
                        "DBS.ParamIsInValid",
                        &format!("BakSetType {other} is not valid"),
                        false,
                    );
                }
            };
            if q("TargetType").as_deref() == Some("OSS") {
                for required in ["TargetBucket", "TargetPath", "TargetOssRegion"] {
                    if q(required).is_none() {
                        return missing(required);
                    }
                }
            }
            if st
                .aliyun_tasks
                .iter()
                .any(|t| t.instance == instance && t.bak_set_id == bak && t.polls < st.task_pace)
            {
                return aliyun_business_error(
                    &rid,
                    "DBS.DownloadTask.JobAlreadyExist",
                    "a download task for this backup set is already running",
                    false,
                );
            }
            let task_id = format!("dt-fake{:06}", st.next_id());
            let created_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
            let format = q("FormatType").unwrap_or_default();
            st.aliyun_tasks.push(AliyunTask {
                task_id: task_id.clone(),
                instance: instance.clone(),
                bak_set_id: bak.clone(),
                polls: 0,
                format: format.clone(),
                created_ms,
                retried: false,
            });
            ok(json!({
                "BakSetId": bak, "DownloadStatus": "initializing", "Progress": "0/0",
                "BackupSetTime": created_ms - 3_600_000, "RegionCode": q("RegionCode"),
                "TargetPath": q("TargetPath").unwrap_or_default(), "DbList": "testdb",
                "ExportDataSize": 0, "ImportDataSize": 0, "GmtCreate": created_ms,
                "TaskId": task_id, "Format": format, "TargetType": q("TargetType").unwrap_or_else(|| "URL".into()),
            }))
        }
        "DescribeDownloadTask" => {
            for required in ["RegionCode", "InstanceName"] {
                if q(required).is_none() {
                    return missing(required);
                }
            }
            let instance = q("InstanceName").unwrap_or_default();
            let number =
                |name: &str, default: i64| q(name).map_or(Some(default), |v| v.parse::<i64>().ok());
            let (Some(page), Some(size), Some(from), Some(until)) = (
                number("CurrentPage", 1),
                number("PageSize", 20),
                number("StartTime", i64::MIN),
                number("EndTime", i64::MAX),
            ) else {
                return aliyun_business_error(
                    &rid,
                    "DBS.ParamIsInValid",
                    "CurrentPage, PageSize, StartTime and EndTime must be integers",
                    false,
                );
            };
            if page < 1 || !(1..=100).contains(&size) {
                return aliyun_business_error(
                    &rid,
                    "DBS.ParamIsInValid",
                    "CurrentPage must be at least 1 and PageSize between 1 and 100",
                    false,
                );
            }
            let pace = st.task_pace;
            // Newest first unless asked otherwise, as the service does.
            let mut matching: Vec<&mut AliyunTask> = st
                .aliyun_tasks
                .iter_mut()
                .filter(|t| {
                    t.instance == instance
                        && q("BackupSetId").is_none_or(|b| b == t.bak_set_id)
                        && (from..=until).contains(&t.created_ms)
                })
                .collect();
            matching.sort_by_key(|t| std::cmp::Reverse(t.created_ms));
            if q("OrderDirect").as_deref() == Some("asc") {
                matching.reverse();
            }
            let total = matching.len() as i64;
            let list: Vec<Value> = matching
                .into_iter()
                .skip(((page - 1) * size) as usize)
                .take(size as usize)
                .map(|t| {
                    t.polls += 1;
                    let status = task_status(t.polls, pace);
                    json!({
                        "TaskId": t.task_id, "DownloadStatus": status,
                        "Progress": format!("{}/{}", t.polls.min(pace), pace),
                        "BakSetId": t.bak_set_id, "BackupSetTime": (t.created_ms - 3_600_000).to_string(),
                        "DbList": "testdb", "ExportDataSize": "1024", "ImportDataSize": "1024",
                        "Format": t.format, "GmtCreate": t.created_ms.to_string(),
                        "RegionCode": q("RegionCode"), "TargetPath": "", "TargetType": "URL",
                    })
                })
                .collect();
            let pages = (total + size - 1) / size;
            // The paging fields are integers (the SDKs model them as int64); the task fields
            // above come as text.
            ok(json!({
                "Content": {"List": list}, "PageNumber": page, "PageSize": size,
                "TotalElements": total, "TotalPages": pages, "Extra": "",
            }))
        }
        "DescribeDownloadBackupSetStorageInfo" => {
            let Some(duration) = q("Duration").and_then(|d| d.parse::<i64>().ok()) else {
                return missing("Duration");
            };
            if !(300..=86400).contains(&duration) {
                return aliyun_business_error(
                    &rid,
                    "DBS.ParamIsInValid",
                    "Duration must be between 300 and 86400",
                    false,
                );
            }
            let pace = st.task_pace;
            let task = match q("TaskId") {
                Some(id) => st.aliyun_tasks.iter().find(|t| t.task_id == id),
                None => {
                    let (Some(b), Some(i)) = (q("BackupSetId"), q("InstanceName")) else {
                        return missing("TaskId");
                    };
                    st.aliyun_tasks
                        .iter()
                        .rev()
                        .find(|t| t.bak_set_id == b && t.instance == i)
                }
            };
            let Some(task) = task else {
                return aliyun_business_error(
                    &rid,
                    "DBS.DownloadTask.CannotFind",
                    "Can not find download task.",
                    false,
                );
            };
            if task.polls < pace {
                return aliyun_business_error(
                    &rid,
                    "DBS.DownloadTask.NotFinished",
                    "The download task has not finished.",
                    false,
                );
            }
            let size = dbs_set_size(st, &task.instance, &task.bak_set_id).unwrap_or(0);
            let key = format!(
                "aliyun/{}/{}.{}",
                task.task_id,
                task.bak_set_id,
                task.format.to_ascii_lowercase()
            );
            let expires = now.unix_timestamp() + duration;
            let url = link(st, port, key, size, expires);
            ok(
                json!({"PublicUrl": url, "PrivateUrl": url.replace("127.0.0.1", "localhost"), "ExpirationTime": expires * 1000}),
            )
        }
        "DescribeDownloadSupport" => {
            for required in ["RegionCode", "InstanceName"] {
                if q(required).is_none() {
                    return missing(required);
                }
            }
            // `Data` is the text "true" or "false" (the SDKs model it as a string).
            let supported = find_instance(st, &q("InstanceName").unwrap_or_default());
            ok(json!(supported.to_string()))
        }
        "RetryDownloadTask" => {
            for required in ["RegionCode", "InstanceName", "TaskId"] {
                if q(required).is_none() {
                    return missing(required);
                }
            }
            let id = q("TaskId").unwrap_or_default();
            let instance = q("InstanceName").unwrap_or_default();
            match st
                .aliyun_tasks
                .iter_mut()
                .find(|t| t.task_id == id && t.instance == instance)
            {
                Some(t) => {
                    t.polls = 0;
                    t.retried = true;
                    // `Data` is a string (the SDKs model it so); the task id, in practice.
                    ok(json!(id))
                }
                None => aliyun_business_error(
                    &rid,
                    "DBS.DownloadTask.CannotFind",
                    "Can not find download task.",
                    false,
                ),
            }
        }
        "CreateRestoreTask" => {
            for required in [
                "BackupPlanId",
                "RestoreTaskName",
                "DestinationEndpointInstanceType",
            ] {
                if q(required).is_none() {
                    return missing(required);
                }
            }
            if q("BackupSetId").is_some() == q("RestoreTime").is_some() {
                return aliyun_business_error(
                    &rid,
                    "Param.NotFound",
                    "exactly one of BackupSetId and RestoreTime is required",
                    true,
                );
            }
            let token = q("ClientToken");
            if let Some(existing) = token.as_ref().and_then(|t| {
                st.restore_tasks
                    .iter()
                    .find(|r| r.client_token.as_ref() == Some(t))
            }) {
                return ok(json!({"RestoreTaskId": existing.id}));
            }
            let id = format!("s1fake{:05}", st.next_id());
            st.restore_tasks.push(RestoreTask {
                id: id.clone(),
                plan: q("BackupPlanId").unwrap_or_default(),
                name: q("RestoreTaskName").unwrap_or_default(),
                started: false,
                polls: 0,
                client_token: token,
            });
            ok(json!({"RestoreTaskId": id}))
        }
        "StartRestoreTask" => {
            let Some(id) = q("RestoreTaskId") else {
                return missing("RestoreTaskId");
            };
            match st.restore_tasks.iter_mut().find(|r| r.id == id) {
                Some(r) => {
                    r.started = true;
                    ok(json!({"RestoreTaskId": id}))
                }
                None => aliyun_business_error(
                    &rid,
                    "Param.NotFound",
                    &format!("restore task {id} not found"),
                    true,
                ),
            }
        }
        "DescribeRestoreTaskList" => {
            let ids: Option<Vec<String>> =
                q("RestoreTaskId").map(|i| i.split(',').map(str::to_owned).collect());
            let plan = q("BackupPlanId");
            if ids.is_some() == plan.is_some() {
                // The service wants exactly one of the two selectors.
                return aliyun_business_error(
                    &rid,
                    "Param.NotFound",
                    "specify either RestoreTaskId or BackupPlanId",
                    true,
                );
            }
            let pace = st.task_pace;
            let items: Vec<Value> = st
                .restore_tasks
                .iter_mut()
                .filter(|r| {
                    ids.as_ref().is_none_or(|ids| ids.contains(&r.id))
                        && plan.as_ref().is_none_or(|p| *p == r.plan)
                })
                .map(|r| {
                    if r.started {
                        r.polls += 1;
                    }
                    // DBS documents no list of restore states; `finish` is the word its backup
                    // jobs use for completion (`BackupStatus`), so the emulator uses it too.
                    let status = if !r.started { "init" } else if r.polls >= pace { "finish" } else { "running" };
                    json!({"RestoreTaskId": r.id, "RestoreTaskName": r.name, "BackupPlanId": r.plan, "RestoreStatus": status,
                           "FullDataRestoreProgress": (r.polls.min(pace) * 100 / pace), "RestoreTaskCreateTime": 1_700_000_000_000i64,
                           "RestoreTaskFinishTime": if status == "finish" { json!(1_700_000_600_000i64) } else { json!(0) }, "ErrMessage": "NULL"})
                })
                .collect();
            match paged(&rid, "RestoreTaskDetail", items, &q, |n| {
                (1..=100).contains(&n)
            }) {
                Ok(v) => ok(v),
                Err(e) => e,
            }
        }
        "DescribeBackupPlanList" => {
            let ids: Option<Vec<String>> =
                q("BackupPlanId").map(|i| i.split(',').map(str::to_owned).collect());
            let plans: Vec<Value> = st.backups.iter().filter(|b| b.route == Route::Aliyun)
                .map(|b| (format!("dbsplan-{}", b.instance_id), b))
                .filter(|(id, _)| ids.as_ref().is_none_or(|ids| ids.contains(id)))
                .map(|(id, b)| json!({"BackupPlanId": id, "BackupPlanName": b.name, "SourceEndpointInstanceID": b.instance_id, "BackupPlanStatus": "running", "SourceEndpointInstanceType": "RDS", "SourceEndpointRegion": "cn-hangzhou", "DatabaseType": "MySQL", "BackupMethod": "logical", "ErrMessage": ""}))
                .collect();
            match paged(&rid, "BackupPlanDetail", plans, &q, |n| {
                (1..=100).contains(&n)
            }) {
                Ok(v) => ok(v),
                Err(e) => e,
            }
        }
        "DescribeFullBackupList" => {
            let Some(plan) = q("BackupPlanId") else {
                return missing("BackupPlanId");
            };
            // `BackupStatus` values are documented: schedule, running, finish, stop, pause.
            let sets: Vec<Value> = st.backups.iter()
                .filter(|b| b.route == Route::Aliyun && plan == format!("dbsplan-{}", b.instance_id) && q("BackupSetId").is_none_or(|s| s == b.backup_id))
                .map(|b| json!({"BackupSetId": b.backup_id, "BackupStatus": "finish", "BackupSize": b.size_bytes, "CreateTime": 1_699_999_990_000i64, "StartTime": 1_700_000_000_000i64, "EndTime": 1_700_000_590_000i64, "FinishTime": 1_700_000_600_000i64, "BackupObjects": "[{\"DBName\":\"testdb\"}]", "SourceEndpointIpPort": "127.0.0.1:3306", "StorageMethod": "Standard", "ErrMessage": "NULL"}))
                .collect();
            match paged(&rid, "FullBackupFile", sets, &q, |n| {
                [30, 50, 100].contains(&n)
            }) {
                Ok(v) => ok(v),
                Err(e) => e,
            }
        }
        _ => unreachable!("filtered above"),
    }
}

/// One page of a 2019-03-06 listing: `PageNum` from 0, a `PageSize` (default 30) that passes
/// `valid_size`,
/// the items under `Items.<name>` with the counts beside them. A bad paging parameter is the
/// listing's business error.
fn paged(
    rid: &str,
    name: &str,
    items: Vec<Value>,
    q: &dyn Fn(&str) -> Option<String>,
    valid_size: fn(i64) -> bool,
) -> Result<Value, Response> {
    let number =
        |name: &str, default: i64| q(name).map_or(Some(default), |v| v.parse::<i64>().ok());
    let (Some(num), Some(size)) = (number("PageNum", 0), number("PageSize", 30)) else {
        return Err(aliyun_business_error(
            rid,
            "Param.NotFound",
            "PageNum and PageSize must be integers",
            true,
        ));
    };
    if num < 0 || !valid_size(size) {
        return Err(aliyun_business_error(
            rid,
            "Param.NotFound",
            &format!("PageSize {size} or PageNum {num} is not valid"),
            true,
        ));
    }
    let total = items.len() as i64;
    let page: Vec<Value> = items
        .into_iter()
        .skip((num * size) as usize)
        .take(size as usize)
        .collect();
    Ok(
        json!({"Items": {name: page}, "TotalElements": total, "PageNum": num, "PageSize": size, "TotalPages": (total + size - 1) / size}),
    )
}

// ------------------------------------------------------------------ Tencent MongoDB

fn tencent_error(rid: &str, code: &str, message: &str) -> Response {
    Response::json(
        200,
        &json!({"Response": {"Error": {"Code": code, "Message": message}, "RequestId": rid}}),
    )
}

/// `Offset` (default 0) and `Limit` (1 to 100, default 20) of a Tencent listing.
fn tencent_page(rid: &str, body: &Value) -> Result<(usize, usize), Response> {
    let limit = body["Limit"].as_u64().unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(tencent_error(
            rid,
            "InvalidParameterValue",
            "Limit must be between 1 and 100.",
        ));
    }
    Ok((
        body["Offset"].as_u64().unwrap_or(0) as usize,
        limit as usize,
    ))
}

fn tencent_time(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second]"
    ))
    .unwrap_or_default()
}

/// `DescribeDBInstances`: every Tencent instance of the catalogue, in its order, with the parts
/// of its backups as `ReplicaSets` (several make a sharded cluster), filtered, sorted and paged
/// as the request says. Each shard's `UsedVolume` is its largest backup file, in MB.
fn tencent_instances(
    backups: &[Backup],
    rid: &str,
    body: &Value,
    region: &str,
) -> Result<Value, Response> {
    let (offset, limit) = tencent_page(rid, body)?;
    let bad = |field: &str, rule: &str| {
        tencent_error(
            rid,
            "InvalidParameterValue",
            &format!("The value of `{field}` {rule}."),
        )
    };
    // `""` is no filter, as the official example sends it.
    let text = |name: &str| -> Result<Option<String>, Response> {
        match &body[name] {
            Value::Null => Ok(None),
            Value::String(s) if s.is_empty() => Ok(None),
            Value::String(s) => Ok(Some(s.clone())),
            _ => Err(bad(name, "must be a string")),
        }
    };
    let int = |name: &str, valid: &[i64]| -> Result<Option<i64>, Response> {
        match &body[name] {
            Value::Null => Ok(None),
            v => match v.as_i64() {
                Some(n) if valid.contains(&n) => Ok(Some(n)),
                _ => Err(bad(name, &format!("must be one of {valid:?}"))),
            },
        }
    };
    let array = |name: &str| -> Result<Vec<Value>, Response> {
        match &body[name] {
            Value::Null => Ok(Vec::new()),
            Value::Array(a) => Ok(a.clone()),
            _ => Err(bad(name, "must be an array")),
        }
    };
    let ids = array("InstanceIds")?
        .iter()
        .map(|v| v.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| bad("InstanceIds", "must be an array of strings"))?;
    let statuses = array("Status")?
        .iter()
        .map(Value::as_i64)
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| bad("Status", "must be an array of integers"))?;
    let projects = array("ProjectIds")?
        .iter()
        .map(Value::as_u64)
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| bad("ProjectIds", "must be an array of integers"))?;
    let tags = array("Tags")?;
    let cluster = int("ClusterType", &[-1, 0, 1])?.filter(|c| *c != -1);
    let kind = int("InstanceType", &[-1, 0, 1, 2, 3])?;
    let pay = int("PayMode", &[-1, 0, 1])?.filter(|p| *p != -1);
    let (vpc, subnet, search) = (text("VpcId")?, text("SubnetId")?, text("SearchKey")?);
    if subnet.is_some() && vpc.is_none() {
        return Err(bad("SubnetId", "requires `VpcId`"));
    }
    let order_by = text("OrderBy")?;
    if let Some(o) = &order_by
        && !["ProjectId", "InstanceName", "CreateTime"].contains(&o.as_str())
    {
        return Err(bad(
            "OrderBy",
            "must be ProjectId, InstanceName or CreateTime",
        ));
    }
    let descending = match text("OrderByType")?.map(|o| o.to_ascii_uppercase()) {
        None => false,
        Some(o) if o == "ASC" => false,
        Some(o) if o == "DESC" => true,
        Some(_) => return Err(bad("OrderByType", "must be ASC or DESC")),
    };

    // The instances of the catalogue: first appearance order, parts in order, no duplicates.
    let mut instances: Vec<(&str, Vec<&str>, u64)> = Vec::new();
    for b in backups.iter().filter(|b| b.route == Route::Tencent) {
        let at = match instances.iter().position(|i| i.0 == b.instance_id) {
            Some(at) => at,
            None => {
                instances.push((&b.instance_id, Vec::new(), 0));
                instances.len() - 1
            }
        };
        let entry = &mut instances[at];
        for p in &b.parts {
            if !entry.1.contains(&p.as_str()) {
                entry.1.push(p);
            }
        }
        entry.2 = entry.2.max(b.size_bytes);
    }
    let details: Vec<Value> = instances
        .iter()
        .enumerate()
        .map(|(i, (id, sets, size))| {
            let sharded = sets.len() > 1;
            let used = *size as f64 / (1 << 20) as f64;
            let replica_sets: Vec<Value> = sets
                .iter()
                .map(|s| json!({"ReplicaSetId": s, "ReplicaSetName": s, "RealReplicaSetId": s, "Memory": 4096,
                                "Volume": 10240, "UsedVolume": used, "OplogSize": 1024, "SecondaryNum": 2}))
                .collect();
            let n = sets.len() as u64;
            let mut detail = json!({
                "InstanceId": id, "InstanceName": format!("fake-cloud {id}"), "PayMode": 0, "ProjectId": 0,
                "ClusterType": if sharded { 1 } else { 0 }, "Region": region, "Zone": format!("{region}-3"),
                "NetType": 1, "VpcId": "vpc-fakecld1", "SubnetId": "subnet-fakecld1", "Status": 2,
                "Vip": format!("10.0.0.{}", 10 + i), "Vport": 27017,
                "CreateTime": format!("2021-03-{:02} 10:00:00", 1 + i % 28), "DeadLine": "2071-03-01 10:00:00",
                "MongoVersion": "MONGO_44_WT", "Memory": 4096, "Volume": 10240 * n, "CpuNum": 2,
                "MachineType": "HIO10G", "SecondaryNum": 2, "ReplicationSetNum": n, "AutoRenewFlag": 0,
                "UsedVolume": (used * n as f64).ceil() as u64, "MaintenanceStart": "04:00:00", "MaintenanceEnd": "05:00:00",
                "ReplicaSets": replica_sets, "ReadonlyInstances": [], "StandbyInstances": [], "CloneInstances": [],
                "RelatedInstance": {"InstanceId": "", "Region": ""}, "Tags": [], "InstanceVer": 4,
                "ClusterVer": 1, "Protocol": 1, "InstanceType": 1, "InstanceStatusDesc": "Running",
                "RealInstanceId": id, "ReadonlyNodeNum": 0
            });
            // The mongos and config servers of a sharded cluster (none for a replica set).
            let s = u64::from(sharded);
            for (k, v) in [
                ("MongosNodeNum", 3 * s),
                ("MongosMemory", 2048 * s),
                ("MongosCpuNum", s),
                ("ConfigServerNodeNum", 3),
                ("ConfigServerMemory", 2048 * s),
                ("ConfigServerVolume", 20480 * s),
                ("ConfigServerCpuNum", s),
            ] {
                detail[k] = json!(v);
            }
            detail
        })
        .collect();
    let is = |d: &Value, field: &str, want: &str| d[field].as_str() == Some(want);
    let mut matching: Vec<Value> = details
        .into_iter()
        .filter(|d| ids.is_empty() || ids.iter().any(|id| is(d, "InstanceId", id)))
        .filter(|d| cluster.is_none_or(|c| d["ClusterType"] == c))
        .filter(|d| statuses.is_empty() || statuses.iter().any(|s| d["Status"] == *s))
        .filter(|d| pay.is_none_or(|p| d["PayMode"] == p))
        .filter(|d| projects.is_empty() || projects.iter().any(|p| d["ProjectId"] == *p))
        .filter(|d| match kind {
            None | Some(0) => true,
            Some(-1) => [1, 3, 4].iter().any(|k| d["InstanceType"] == *k),
            Some(k) => d["InstanceType"] == k,
        })
        .filter(|d| vpc.as_ref().is_none_or(|v| is(d, "VpcId", v)))
        .filter(|d| subnet.as_ref().is_none_or(|s| is(d, "SubnetId", s)))
        .filter(|d| {
            search.as_ref().is_none_or(|k| {
                ["InstanceId", "InstanceName"]
                    .iter()
                    .any(|f| d[*f].as_str().is_some_and(|v| v.contains(k.as_str())))
                    || d["Vip"]
                        .as_str()
                        .is_some_and(|v| v.split(';').any(|ip| ip == k))
            })
        })
        .filter(|d| {
            tags.iter()
                .all(|t| d["Tags"].as_array().is_some_and(|have| have.contains(t)))
        })
        .collect();
    if let Some(field) = &order_by {
        let key = |d: &Value| match &d[field.as_str()] {
            Value::String(s) => s.clone(),
            other => format!("{:020}", other.as_u64().unwrap_or(0)),
        };
        matching.sort_by(|a, b| {
            let order = key(a).cmp(&key(b));
            if descending { order.reverse() } else { order }
        });
    }
    let total = matching.len();
    let page: Vec<Value> = matching.into_iter().skip(offset).take(limit).collect();
    Ok(json!({"TotalCount": total, "InstanceDetails": page}))
}

fn tencent(st: &mut State, port: u16, action: &str, req: &Request) -> Response {
    let now = st.now();
    let rid = format!("fake-tencent-{:08}", st.next_id());
    if let Err((_, code, msg)) = auth::tencent(req, &st.tencent_creds.clone(), now) {
        return tencent_error(&rid, code, &msg);
    }
    if req.header("x-tc-version") != Some("2019-07-25") {
        return tencent_error(&rid, "NoSuchVersion", "The API version does not exist.");
    }
    if req.header("x-tc-region").is_none_or(str::is_empty) {
        return tencent_error(
            &rid,
            "MissingParameter",
            "The request is missing a required parameter `Region`.",
        );
    }
    let body: Value = match serde_json::from_slice(&req.body) {
        Ok(v) => v,
        Err(_) => {
            return tencent_error(
                &rid,
                "InvalidParameter",
                "The request body is not valid JSON.",
            );
        }
    };
    let ok = |mut v: Value| {
        v["RequestId"] = json!(rid);
        Response::json(200, &json!({"Response": v}))
    };
    if action == "DescribeDBInstances" {
        let region = req.header("x-tc-region").unwrap_or_default();
        return match tencent_instances(&st.backups, &rid, &body, region) {
            Ok(v) => ok(v),
            Err(e) => e,
        };
    }
    let Some(instance) = body["InstanceId"].as_str().map(str::to_owned) else {
        return tencent_error(
            &rid,
            "MissingParameter",
            "The request is missing a required parameter `InstanceId`.",
        );
    };
    let backups: Vec<Backup> = st
        .backups
        .iter()
        .filter(|b| b.route == Route::Tencent && b.instance_id == instance)
        .cloned()
        .collect();
    if backups.is_empty() {
        return tencent_error(
            &rid,
            "InvalidParameterValue.NotFoundInstance",
            "The instance was not found.",
        );
    }
    match action {
        "CreateBackupDownloadTask" => {
            let Some(name) = body["BackupName"].as_str() else {
                return tencent_error(
                    &rid,
                    "MissingParameter",
                    "The request is missing a required parameter `BackupName`.",
                );
            };
            let Some(backup) = backups.iter().find(|b| b.name == name) else {
                return tencent_error(
                    &rid,
                    "InvalidParameterValue.BackupFileNotFound",
                    "The backup file was not found.",
                );
            };
            let sets: Vec<String> = body["BackupSets"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s["ReplicaSetId"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            if sets.is_empty() {
                return tencent_error(
                    &rid,
                    "MissingParameter",
                    "The request is missing a required parameter `BackupSets`.",
                );
            }
            if let Some(bad) = sets.iter().find(|s| !backup.parts.contains(s)) {
                return tencent_error(
                    &rid,
                    "InvalidParameterValue",
                    &format!("Replica set {bad} does not belong to the instance."),
                );
            }
            let mut tasks = Vec::new();
            for s in sets {
                st.tencent_tasks.retain(|t| {
                    !(t.instance == instance && t.backup_name == name && t.replica_set == s)
                });
                st.tencent_tasks.push(TencentTask {
                    instance: instance.clone(),
                    backup_name: name.to_owned(),
                    replica_set: s.clone(),
                    polls: 0,
                    created: now,
                });
                tasks.push(json!({"ReplicaSetId": s, "Status": 0}));
            }
            ok(json!({"Tasks": tasks}))
        }
        "DescribeBackupDownloadTask" => {
            let (offset, limit) = match tencent_page(&rid, &body) {
                Ok(p) => p,
                Err(e) => return e,
            };
            let pace = st.task_pace;
            let ttl = st.tencent_link_ttl.as_secs() as i64;
            let name_filter = body["BackupName"].as_str().map(str::to_owned);
            let status_of = |polls: u32| {
                if polls >= pace {
                    2
                } else if polls <= 1 {
                    0
                } else {
                    1
                }
            };
            // Listed tasks advance one poll; `Status` filters on the state they advance to.
            let wanted_status: Option<Vec<u64>> = body["Status"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_u64).collect());
            let mut matching: Vec<&mut TencentTask> = st
                .tencent_tasks
                .iter_mut()
                .filter(|t| {
                    t.instance == instance
                        && name_filter.as_ref().is_none_or(|n| *n == t.backup_name)
                        && wanted_status
                            .as_ref()
                            .is_none_or(|s| s.contains(&status_of(t.polls + 1)))
                })
                .collect();
            matching.sort_by_key(|t| t.created);
            if body["OrderByType"].as_str() == Some("desc") {
                matching.reverse();
            }
            let total = matching.len();
            let mut out = Vec::new();
            for t in matching.into_iter().skip(offset).take(limit) {
                t.polls += 1;
                out.push((
                    t.backup_name.clone(),
                    t.replica_set.clone(),
                    status_of(t.polls),
                    t.polls.min(pace) * 100 / pace,
                    t.created,
                ));
            }
            let mut tasks = Vec::new();
            for (name, set, status, percent, created) in out {
                let size = backups
                    .iter()
                    .find(|b| b.name == name)
                    .map(|b| b.size_bytes)
                    .unwrap_or(0);
                let url = if status == 2 {
                    let key = format!(
                        "tencent/{instance}/{set}/{}.tar",
                        name.replace([' ', ':'], "_")
                    );
                    link(st, port, key, size, now.unix_timestamp() + ttl)
                } else {
                    String::new()
                };
                tasks.push(json!({"CreateTime": tencent_time(created), "BackupName": name, "ReplicaSetId": set, "BackupSize": size, "Status": status,
                                  "Percent": percent, "TimeSpend": 3, "Url": url, "BackupMethod": 0, "BackupDesc": "", "Region": req.header("x-tc-region"), "Bucket": "fake-cos-bucket"}));
            }
            ok(json!({"TotalCount": total, "Tasks": tasks}))
        }
        "DescribeDBBackups" => {
            let (offset, limit) = match tencent_page(&rid, &body) {
                Ok(p) => p,
                Err(e) => return e,
            };
            let list: Vec<Value> = backups.iter().skip(offset).take(limit).map(|b| json!({
                "InstanceId": b.instance_id, "BackupType": 0, "BackupName": b.name, "BackupDesc": "", "BackupSize": b.size_bytes.div_ceil(1024),
                "StartTime": "2021-03-26 10:44:00", "EndTime": "2021-03-26 10:50:00", "Status": 2, "BackupMethod": 0, "BackId": 1, "DeleteTime": "", "BackupRegion": "ap-guangzhou", "RestoreTime": ""
            })).collect();
            ok(json!({"BackupList": list, "TotalCount": backups.len()}))
        }
        other => tencent_error(
            &rid,
            "InvalidAction",
            &format!("The action {other} does not exist."),
        ),
    }
}

// ------------------------------------------------------------------ Huawei DDS / RDS / IAM

fn huawei_error(status: u16, rid: &str, code: &str, msg: &str) -> Response {
    Response::json(status, &json!({"error_code": code, "error_msg": msg}))
        .with_header("x-request-id", rid)
}

fn huawei(st: &mut State, port: u16, route: Route, req: &Request) -> Response {
    let now = st.now();
    let rid = format!("fake-huawei-{:08}", st.next_id());
    if let Err((status, code, msg)) =
        auth::huawei(req, &st.huawei_creds.clone(), &st.iam_token.clone(), now)
    {
        return Response::json(
            status,
            &json!({"error_msg": msg, "error_code": code, "request_id": rid}),
        )
        .with_header("x-request-id", rid);
    }
    let host = req.header("host").unwrap_or("");
    let ok = |v: Value| Response::json(200, &v).with_header("x-request-id", rid.clone());
    if route == Route::Iam {
        let name = req.query_value("name").unwrap_or("");
        let projects = if name.is_empty() || name.contains("unknown") {
            json!([])
        } else if name.contains("multi") {
            json!([{"id": "p1", "name": name}, {"id": "p2", "name": name}])
        } else {
            json!([{"id": st.project_id, "name": name, "enabled": true, "domain_id": "fake-domain"}])
        };
        return ok(
            json!({"projects": projects, "links": {"self": format!("https://{host}/v3/projects")}}),
        );
    }
    let mut segs = req.path.trim_start_matches('/').split('/');
    let (_v3, project) = (segs.next(), segs.next().unwrap_or(""));
    if project != st.project_id {
        return huawei_error(
            400,
            &rid,
            "DBS.200001",
            "The project id does not match the credentials.",
        );
    }
    if req
        .header("x-project-id")
        .is_some_and(|p| p != st.project_id)
    {
        return huawei_error(
            400,
            &rid,
            "APIGW.0303",
            "X-Project-Id does not match the path.",
        );
    }
    // The real services are told apart by host. Behind one emulator endpoint the paths tell
    // ShowBackupDownloadLink apart, but ListBackups has the same path on both: an instance id
    // from the RDS catalogue (RDS requires one) makes it an RDS listing.
    let rds_instance = req.query_value("instance_id").is_some_and(|i| {
        st.backups
            .iter()
            .any(|b| b.route == Route::Huawei && b.service == "rds" && b.instance_id == i)
    });
    let service = if host.starts_with("rds")
        || req.path.ends_with("/backup-files")
        || (!host.starts_with("dds") && rds_instance)
    {
        "rds"
    } else {
        "dds"
    };
    let backups: Vec<Backup> = st
        .backups
        .iter()
        .filter(|b| b.route == Route::Huawei && b.service == service)
        .cloned()
        .collect();
    let ttl = st.huawei_link_ttl.as_secs() as i64;
    if req.path.ends_with("/backups/download-file") || req.path.ends_with("/backup-files") {
        let Some(backup_id) = req.query_value("backup_id") else {
            return huawei_error(400, &rid, "DBS.200001", "backup_id is required");
        };
        if service == "dds" && req.query_value("instance_id").is_none() {
            return huawei_error(400, &rid, "DBS.200001", "instance_id is required");
        }
        let Some(b) = backups.iter().find(|b| {
            b.backup_id == backup_id
                && req
                    .query_value("instance_id")
                    .is_none_or(|i| i == b.instance_id)
        }) else {
            return huawei_error(404, &rid, "DBS.200002", "The backup does not exist.");
        };
        let expires = now.unix_timestamp() + ttl;
        let expired_text = (now + time::Duration::seconds(ttl))
            .format(format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]+0000"
            ))
            .unwrap_or_default();
        let files: Vec<Value> = b.parts.iter().map(|p| {
            let name = format!("{}_{p}.tar.gz", b.backup_id);
            let url = link(st, port, format!("huawei/{service}/{name}"), b.size_bytes, expires);
            let mut f = json!({"name": name, "size": b.size_bytes.div_ceil(1024), "download_link": url, "link_expired_time": expired_text});
            if service == "dds" && b.parts.len() > 1 {
                f["group_id"] = json!(format!("group-{p}"));
                f["group_name"] = json!(p);
            } else if service == "rds" {
                f["database_name"] = json!("");
            }
            f
        }).collect();
        return ok(json!({"files": files, "bucket": format!("fake-obs-{service}")}));
    }
    // ListBackups
    let limit: u64 = req
        .query_value("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(100);
    if !(1..=100).contains(&limit) {
        return huawei_error(400, &rid, "DBS.200001", "limit must be between 1 and 100");
    }
    let offset: usize = match req.query_value("offset").map(str::parse) {
        None => 0,
        Some(Ok(o)) => o,
        Some(Err(_)) => {
            return huawei_error(400, &rid, "DBS.200001", "offset must be a number");
        }
    };
    // DDS writes `yyyy-mm-dd hh:mm:ss` (UTC); RDS `yyyy-mm-ddThh:mm:ss+0000`.
    let (begin, end) = if service == "dds" {
        ("2026-01-01 00:00:00", "2026-01-01 00:10:00")
    } else {
        ("2026-01-01T00:00:00+0000", "2026-01-01T00:10:00+0000")
    };
    let matching: Vec<&Backup> = backups
        .iter()
        .filter(|b| {
            req.query_value("instance_id")
                .is_none_or(|i| i == b.instance_id)
                && req
                    .query_value("backup_id")
                    .is_none_or(|i| i == b.backup_id)
        })
        .collect();
    let total = matching.len();
    let list: Vec<Value> = matching.into_iter().skip(offset).take(limit as usize)
        .map(|b| {
            let mut v = json!({"id": b.backup_id, "name": b.name, "instance_id": b.instance_id, "type": if service == "dds" { "Auto" } else { "auto" },
                "begin_time": begin, "end_time": end, "status": "COMPLETED", "size": b.size_bytes.div_ceil(1024),
                "datastore": {"type": if service == "dds" { "DDS-Community" } else { "MySQL" }, "version": if service == "dds" { "4.0" } else { "8.0" }}});
            if service == "dds" {
                v["instance_name"] = json!(format!("{}-name", b.instance_id));
                v["description"] = json!("");
            } else {
                v["databases"] = json!([]);
            }
            v
        })
        .collect();
    ok(json!({"backups": list, "total_count": total}))
}

/// The size of a backup set DBS can export: one of the catalogue's Aliyun backups, or a
/// successful backup set of a database product's instance (RDS, PolarDB, MongoDB).
fn dbs_set_size(st: &State, instance: &str, id: &str) -> Option<u64> {
    st.backups
        .iter()
        .find(|b| b.route == Route::Aliyun && b.instance_id == instance && b.backup_id == id)
        .map(|b| b.size_bytes)
        .or_else(|| {
            st.aliyun_instances
                .iter()
                .filter(|i| i.instance_id == instance)
                .flat_map(|i| &i.backups)
                .find(|b| b.backup_id == id && b.status == "Success")
                .map(|b| b.size_bytes)
        })
}
