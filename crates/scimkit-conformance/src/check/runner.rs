//! Running a selection of checks: order, dependencies, skips, the overall
//! timeout, interruption, and the cleanup that always follows.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::time::{Duration, Instant};

use super::catalog::{CheckInfo, catalog};
use super::client::{self, Req};
use super::cx::{Cx, enc};
use super::report::{Cleanup, Failure, Outcome, Report, Status};
use super::{CheckError, Options, Suite, Target};
use reqwest::Method;

/// What a run reports as it goes (for a progress display).
#[derive(Debug)]
#[non_exhaustive]
pub enum Progress<'a> {
    /// A check starts.
    Started(&'a CheckInfo),
    /// A check is done (or skipped).
    Finished(&'a Outcome),
    /// The checks are done; cleanup starts.
    CleaningUp,
}

/// The id of the check that reads `/ServiceProviderConfig`; a check that
/// needs a feature depends on it.
const SPC_CHECK: &str = "discovery.spc";

/// Runs the checks `options` selects against `target`, then deletes what
/// they created (unless `options.keep`). `progress` hears of each check;
/// when `interrupt` completes (Ctrl-C), the run stops, cleans up and
/// returns a report marked `interrupted`.
///
/// `Err` means the endpoint could not be tested at all: unreachable, or
/// `401`/`403` on `/ServiceProviderConfig`.
pub async fn run(
    target: &Target,
    options: &Options,
    progress: &mut dyn FnMut(Progress<'_>),
    interrupt: impl Future<Output = ()>,
) -> Result<Report, CheckError> {
    let http = reqwest::Client::builder()
        .timeout(options.request_timeout)
        .connect_timeout(options.request_timeout)
        .user_agent(concat!("scimkit-check/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| CheckError::Client(e.to_string()))?;
    let prefix = options.prefix.clone().unwrap_or_else(|| {
        let id = uuid::Uuid::new_v4().simple().to_string();
        format!("scimkit-check-{}", id.get(..8).unwrap_or(&id))
    });
    let cx = Cx::new(
        http,
        target.base_url.clone(),
        target.token.clone(),
        prefix.clone(),
        options.max_response_bytes,
    );
    preflight(&cx, target).await?;

    let mut report = Report {
        base_url: target.base_url.clone(),
        prefix,
        outcomes: Vec::new(),
        interrupted: false,
        timed_out: false,
        cleanup: Cleanup::default(),
    };
    let deadline = tokio::time::Instant::now() + options.timeout;
    let mut interrupt = std::pin::pin!(interrupt);
    let mut passed: BTreeMap<&'static str, bool> = BTreeMap::new();
    for check in select(&options.suites) {
        let started = Instant::now();
        let status = if report.interrupted {
            Status::Skipped("the run was interrupted".to_owned())
        } else if report.timed_out {
            Status::Skipped(format!(
                "the overall timeout ({}s) elapsed",
                options.timeout.as_secs()
            ))
        } else if let Some(reason) = skip_reason(check, options, &cx, &passed) {
            Status::Skipped(reason)
        } else {
            progress(Progress::Started(check));
            tokio::select! {
                r = tokio::time::timeout_at(deadline, (check.run)(&cx)) => match r {
                    Ok(Ok(())) => Status::Passed,
                    Ok(Err(mut f)) => {
                        if f.why.is_empty() {
                            f.why = check.cites.to_owned();
                        }
                        Status::Failed(f)
                    }
                    Err(_) => {
                        report.timed_out = true;
                        Status::Failed(Failure::new(format!(
                            "the check to finish within the overall timeout ({}s)",
                            options.timeout.as_secs()
                        )).with_why("--timeout"))
                    }
                },
                () = &mut interrupt => {
                    report.interrupted = true;
                    Status::Skipped("the run was interrupted".to_owned())
                }
            }
        };
        passed.insert(check.id, status == Status::Passed);
        report.outcomes.push(Outcome {
            id: check.id,
            suite: check.suite,
            title: check.title,
            cites: check.cites,
            status,
            elapsed: started.elapsed(),
        });
        if let Some(o) = report.outcomes.last() {
            progress(Progress::Finished(o));
        }
    }
    if options.keep {
        report.cleanup.kept = true;
    } else if !options.read_only {
        progress(Progress::CleaningUp);
        report.cleanup = cleanup(&cx, options.cleanup_timeout).await;
    }
    Ok(report)
}

/// `GET /ServiceProviderConfig`: no answer or `401`/`403` means the endpoint
/// cannot be tested.
async fn preflight(cx: &Cx, target: &Target) -> Result<(), CheckError> {
    let url = format!("{}/ServiceProviderConfig", target.base_url);
    let (status, body) =
        match client::send(&cx.conn(), Req::new(Method::GET, "/ServiceProviderConfig")).await {
            Ok(ex) => (ex.status, client::trim(&ex.text)),
            // An answer whose body could not be read still says the endpoint
            // is there; `discovery.spc` reports the body.
            Err(e) => match e.status {
                Some(status) => (status, e.detail),
                None => {
                    return Err(CheckError::Unreachable {
                        url,
                        detail: e.detail,
                    });
                }
            },
        };
    if matches!(status, 401 | 403) {
        return Err(CheckError::Unauthorized { url, status, body });
    }
    Ok(())
}

/// The checks of `suites` (all when empty) and, transitively, what they
/// depend on, in catalog order.
fn select(suites: &[Suite]) -> Vec<&'static CheckInfo> {
    let all = catalog();
    let mut wanted: BTreeSet<&str> = all
        .iter()
        .filter(|c| suites.is_empty() || suites.contains(&c.suite))
        .map(|c| c.id)
        .collect();
    // The catalog lists each check after its dependencies: one pass from
    // the end pulls every dependency in.
    for c in all.iter().rev() {
        if wanted.contains(c.id) {
            wanted.extend(c.depends_on.iter().copied());
            if !c.needs.is_empty() {
                wanted.insert(SPC_CHECK);
            }
        }
    }
    all.iter().filter(|c| wanted.contains(c.id)).collect()
}

/// Why `check` cannot run now, if it cannot.
fn skip_reason(
    check: &CheckInfo,
    options: &Options,
    cx: &Cx,
    passed: &BTreeMap<&'static str, bool>,
) -> Option<String> {
    if options.read_only && check.creates {
        return Some("creates resources (not run with --read-only)".to_owned());
    }
    let spc: &[&str] = if check.needs.is_empty() {
        &[]
    } else {
        &[SPC_CHECK]
    };
    for dep in check.depends_on.iter().chain(spc) {
        match passed.get(dep) {
            Some(true) => {}
            Some(false) => return Some(format!("depends on {dep}, which did not pass")),
            None => return Some(format!("depends on {dep}, which did not run")),
        }
    }
    for f in check.features() {
        if cx.advertises(*f) == Some(false) {
            let m = f.member();
            return Some(format!(
                "{m} is not advertised (/ServiceProviderConfig has \"{m}\": {{\"supported\": false}})"
            ));
        }
    }
    None
}

/// Deletes what the run created: what it recorded, and whatever else
/// carries its prefix (a create whose answer was lost), groups first.
async fn cleanup(cx: &Cx, budget: Duration) -> Cleanup {
    let mut out = Cleanup::default();
    let mut todo: Vec<String> = cx.created.lock().map(|c| c.clone()).unwrap_or_default();
    let work = async {
        for (endpoint, attr) in [("Groups", "displayName"), ("Users", "userName")] {
            for id in sweep(cx, endpoint, attr).await {
                let key = format!("{endpoint}/{id}");
                if !todo.contains(&key) {
                    todo.push(key);
                }
            }
        }
        // Groups first: they name users.
        todo.sort_by_key(|k| !k.starts_with("Groups/"));
        let mut done = Vec::new();
        for key in &todo {
            match cx.send(Req::new(Method::DELETE, format!("/{key}"))).await {
                Ok(ex) if matches!(ex.status, 200 | 204 | 404) => done.push((key.clone(), None)),
                Ok(ex) => done.push((key.clone(), Some(format!("HTTP {}", ex.status)))),
                Err(f) => done.push((key.clone(), Some(f.received.unwrap_or_default()))),
            }
        }
        done
    };
    match tokio::time::timeout(budget, work).await {
        Ok(done) => {
            for (key, err) in done {
                match err {
                    None => out.deleted.push(key),
                    Some(e) => out.left.push(format!("{key}: {e}")),
                }
            }
        }
        Err(_) => {
            out.left = todo
                .iter()
                .map(|k| format!("{k}: cleanup timed out ({}s)", budget.as_secs()))
                .collect();
        }
    }
    out
}

/// The most resources of one type the cleanup sweep looks for by prefix
/// (beyond what the run recorded); a run creates about a hundred.
pub const MAX_SWEPT: u64 = 1000;

/// The ids of `endpoint` whose `attr` starts with the run's prefix (at most
/// [`MAX_SWEPT`], in pages of 100).
async fn sweep(cx: &Cx, endpoint: &str, attr: &str) -> Vec<String> {
    let filter = enc(&format!("{attr} sw \"{}\"", cx.prefix));
    let mut ids = Vec::new();
    let mut start = 1;
    while start <= MAX_SWEPT {
        let path =
            format!("/{endpoint}?filter={filter}&attributes=id&startIndex={start}&count=100");
        let Ok(ex) = cx.send(Req::new(Method::GET, path)).await else {
            break;
        };
        let page = ex.json["Resources"].as_array().cloned().unwrap_or_default();
        ids.extend(
            page.iter()
                .filter_map(|r| r["id"].as_str().map(str::to_owned)),
        );
        if page.is_empty()
            || ex.status != 200
            || ex.json["totalResults"].as_u64().unwrap_or(0) <= ids.len() as u64
        {
            break;
        }
        start += 100;
    }
    ids
}
