//! The result of a run: one [`Outcome`] per check, and the report as JSON or
//! JUnit XML.

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Value, json};

use super::Suite;

/// Why a check failed: what was sent, what came back, what was expected and
/// why (the RFC section or the IdP's documentation).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Failure {
    /// The request (`METHOD URL` and the body, trimmed), when there was one.
    pub sent: Option<String>,
    /// The answer (status, headers that matter, body, trimmed).
    pub received: Option<String>,
    /// What the check expected.
    pub expected: String,
    /// Why: the RFC section or IdP document (the check's citation unless the
    /// failure names a more precise one).
    pub why: String,
}

impl Failure {
    /// A failure that expected `expected`.
    pub fn new(expected: impl Into<String>) -> Self {
        Failure {
            sent: None,
            received: None,
            expected: expected.into(),
            why: String::new(),
        }
    }

    /// With the request.
    pub fn with_sent(mut self, sent: impl Into<String>) -> Self {
        self.sent = Some(sent.into());
        self
    }

    /// With the answer.
    pub fn with_received(mut self, received: impl Into<String>) -> Self {
        self.received = Some(received.into());
        self
    }

    /// With the reason.
    pub fn with_why(mut self, why: impl Into<String>) -> Self {
        self.why = why.into();
        self
    }

    /// The failure as indented text (what the text report prints).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let block = |out: &mut String, label: &str, text: &str| {
            let _ = writeln!(out, "{label}:");
            for line in text.lines() {
                let _ = writeln!(out, "    {line}");
            }
        };
        if let Some(s) = &self.sent {
            block(&mut out, "sent", s);
        }
        if let Some(r) = &self.received {
            block(&mut out, "received", r);
        }
        block(&mut out, "expected", &self.expected);
        if !self.why.is_empty() {
            block(&mut out, "why", &self.why);
        }
        out
    }
}

/// What became of one check.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Status {
    /// The endpoint did what the check expects.
    Passed,
    /// It did not.
    Failed(Failure),
    /// The check could not apply; the reason says why.
    Skipped(String),
}

/// One check's result.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Outcome {
    /// The check's id (`rfc.users.create`).
    pub id: &'static str,
    /// Its suite.
    pub suite: Suite,
    /// Its title.
    pub title: &'static str,
    /// What it cites.
    pub cites: &'static str,
    /// Passed, failed or skipped.
    pub status: Status,
    /// How long it ran.
    pub elapsed: Duration,
}

/// A whole run.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Report {
    /// The base URL tested.
    pub base_url: String,
    /// The prefix of every name the run created.
    pub prefix: String,
    /// Every selected check, in the order they ran.
    pub outcomes: Vec<Outcome>,
    /// The run was interrupted (the remaining checks are skipped).
    pub interrupted: bool,
    /// The overall timeout elapsed (the remaining checks are skipped).
    pub timed_out: bool,
    /// What cleanup did: resources deleted, and the ones it could not delete
    /// (`Users/<id>: why`); both empty with `keep`.
    pub cleanup: Cleanup,
}

/// What the cleanup after a run did.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Cleanup {
    /// Resources deleted (`Users/<id>`).
    pub deleted: Vec<String>,
    /// Resources left behind, with the reason.
    pub left: Vec<String>,
    /// Cleanup was skipped (`keep`).
    pub kept: bool,
}

impl Report {
    /// Every check passed or was skipped, and the run was neither
    /// interrupted nor out of time.
    pub fn passed(&self) -> bool {
        !self.interrupted && !self.timed_out && self.count_failed() == 0
    }

    /// The ids of the failed checks.
    pub fn failed_ids(&self) -> Vec<&'static str> {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.status, Status::Failed(_)))
            .map(|o| o.id)
            .collect()
    }

    /// How many checks passed.
    pub fn count_passed(&self) -> usize {
        self.count(|s| matches!(s, Status::Passed))
    }

    /// How many checks failed.
    pub fn count_failed(&self) -> usize {
        self.count(|s| matches!(s, Status::Failed(_)))
    }

    /// How many checks were skipped.
    pub fn count_skipped(&self) -> usize {
        self.count(|s| matches!(s, Status::Skipped(_)))
    }

    fn count(&self, f: impl Fn(&Status) -> bool) -> usize {
        self.outcomes.iter().filter(|o| f(&o.status)).count()
    }

    /// The report as JSON: `{"baseUrl", "passed", "summary", "checks": [...],
    /// "cleanup"}`; each check has `id`, `suite`, `title`, `cites`, `status`
    /// (`passed`, `failed`, `skipped`), `elapsedMs`, and `failure` or `reason`.
    pub fn to_json(&self) -> Value {
        let checks: Vec<Value> = self
            .outcomes
            .iter()
            .map(|o| {
                let mut v = json!({
                    "id": o.id,
                    "suite": o.suite.name(),
                    "title": o.title,
                    "cites": o.cites,
                    "elapsedMs": u64::try_from(o.elapsed.as_millis()).unwrap_or(u64::MAX),
                });
                match &o.status {
                    Status::Passed => v["status"] = json!("passed"),
                    Status::Skipped(r) => {
                        v["status"] = json!("skipped");
                        v["reason"] = json!(r);
                    }
                    Status::Failed(f) => {
                        v["status"] = json!("failed");
                        v["failure"] = json!({
                            "sent": f.sent, "received": f.received,
                            "expected": f.expected, "why": f.why,
                        });
                    }
                }
                v
            })
            .collect();
        json!({
            "baseUrl": self.base_url,
            "prefix": self.prefix,
            "passed": self.passed(),
            "interrupted": self.interrupted,
            "timedOut": self.timed_out,
            "summary": {
                "passed": self.count_passed(),
                "failed": self.count_failed(),
                "skipped": self.count_skipped(),
            },
            "checks": checks,
            "cleanup": {
                "kept": self.cleanup.kept,
                "deleted": self.cleanup.deleted.len(),
                "left": self.cleanup.left,
            },
        })
    }

    /// The report as JUnit XML: one `<testsuite>` per suite, one
    /// `<testcase>` per check (`classname` the suite, `name` the id), with
    /// `<failure>` or `<skipped>`.
    pub fn to_junit(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            out,
            "<testsuites name=\"scimkit check\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">",
            self.outcomes.len(),
            self.count_failed(),
            self.count_skipped()
        );
        for suite in Suite::ALL {
            let cases: Vec<&Outcome> = self.outcomes.iter().filter(|o| o.suite == suite).collect();
            if cases.is_empty() {
                continue;
            }
            let failures = cases
                .iter()
                .filter(|o| matches!(o.status, Status::Failed(_)))
                .count();
            let skipped = cases
                .iter()
                .filter(|o| matches!(o.status, Status::Skipped(_)))
                .count();
            let secs: f64 = cases.iter().map(|o| o.elapsed.as_secs_f64()).sum();
            let _ = writeln!(
                out,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{secs:.3}\">",
                suite.name(),
                cases.len()
            );
            for o in cases {
                let _ = write!(
                    out,
                    "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
                    suite.name(),
                    xml(o.id),
                    o.elapsed.as_secs_f64()
                );
                match &o.status {
                    Status::Passed => out.push_str("/>\n"),
                    Status::Skipped(r) => {
                        let _ = writeln!(out, ">\n      <skipped message=\"{}\"/>", xml(r));
                        out.push_str("    </testcase>\n");
                    }
                    Status::Failed(f) => {
                        let _ = writeln!(
                            out,
                            ">\n      <failure message=\"{}: expected {}\">{}</failure>",
                            xml(o.title),
                            xml(&f.expected),
                            xml(&f.to_text())
                        );
                        out.push_str("    </testcase>\n");
                    }
                }
            }
            out.push_str("  </testsuite>\n");
        }
        out.push_str("</testsuites>\n");
        out
    }
}

/// `s` escaped for XML text and attribute values; characters XML 1.0 cannot
/// hold are replaced.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
