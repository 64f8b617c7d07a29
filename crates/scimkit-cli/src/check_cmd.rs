//! `scimkit check TENANT_URL --token TOKEN`: tests a live SCIM endpoint the
//! way Entra ID and Okta use it (`scimkit_conformance::check`), reports as
//! text, JSON or JUnit XML, and exits 0 (all passed), 1 (a check failed) or
//! 2 (the endpoint could not be tested: unreachable, token refused, or the
//! run was interrupted).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use scimkit_conformance::check::{self, Options, Progress, Report, Status, Suite, Target};

/// Test a SCIM endpoint the way Entra ID and Okta will use it.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes: 0 all checks passed (or were skipped), 1 a check failed, \
    2 the endpoint could not be tested (unreachable, token refused on /ServiceProviderConfig, \
    interrupted).\n\nExamples:\n  \
    SCIMKIT_TOKEN=s3cret scimkit check http://127.0.0.1:8080/scim/v2\n  \
    scimkit check https://scim.example.com/scim/v2 --token \"$TOKEN\" --suite entra --format junit > scim.xml\n  \
    scimkit check https://scim.example.com/scim/v2 --read-only"
)]
pub(crate) struct CheckArgs {
    /// The SCIM base URL: Entra's Tenant URL, Okta's SCIM connector base URL
    /// (e.g. https://scim.example.com/scim/v2).
    tenant_url: String,
    /// The bearer token. Prefer the SCIMKIT_TOKEN environment variable: it
    /// stays out of the shell history and the process list.
    #[arg(long, env = "SCIMKIT_TOKEN", hide_env_values = true)]
    token: String,
    /// A suite to run (repeatable; default all): discovery, rfc, entra, okta.
    /// Checks other suites' checks depend on run too.
    #[arg(long = "suite", value_enum)]
    suites: Vec<SuiteArg>,
    /// The report: a readable text with progress, JSON, or JUnit XML for CI.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Run only the checks that create nothing (for production endpoints).
    #[arg(long)]
    read_only: bool,
    /// Leave the users and groups the run created (they carry its prefix).
    #[arg(long)]
    keep: bool,
    /// The whole run's budget, in seconds (cleanup has its own).
    #[arg(long, value_name = "SECS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    timeout: u64,
    /// One request's budget, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 15,
          value_parser = clap::value_parser!(u64).range(1..=600))]
    request_timeout: u64,
    /// The cleanup's budget after the checks, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 120,
          value_parser = clap::value_parser!(u64).range(1..=3_600))]
    cleanup_timeout: u64,
    /// The most of one response body read, in bytes; a larger body fails the
    /// check that asked for it.
    #[arg(long, value_name = "BYTES", default_value_t = 4 * 1024 * 1024,
          value_parser = clap::value_parser!(u64).range(1024..=1024 * 1024 * 1024))]
    max_response_bytes: u64,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum SuiteArg {
    Discovery,
    Rfc,
    Entra,
    Okta,
}

impl From<SuiteArg> for Suite {
    fn from(s: SuiteArg) -> Suite {
        match s {
            SuiteArg::Discovery => Suite::Discovery,
            SuiteArg::Rfc => Suite::Rfc,
            SuiteArg::Entra => Suite::Entra,
            SuiteArg::Okta => Suite::Okta,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
    Junit,
}

pub(crate) fn run(args: CheckArgs) -> ExitCode {
    let target = match Target::new(&args.tenant_url, args.token.clone()) {
        Ok(t) => t,
        Err(e) => return cannot_test(&e.to_string()),
    };
    let options = Options::default()
        .with_suites(args.suites.iter().copied().map(Suite::from))
        .with_read_only(args.read_only)
        .with_keep(args.keep)
        .with_timeout(Duration::from_secs(args.timeout))
        .with_request_timeout(Duration::from_secs(args.request_timeout))
        .with_cleanup_timeout(Duration::from_secs(args.cleanup_timeout))
        .with_max_response_bytes(usize::try_from(args.max_response_bytes).unwrap_or(usize::MAX));
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return cannot_test(&format!("cannot start the async runtime: {e}")),
    };
    let mut display = Display::new(args.format);
    let result = runtime.block_on(async {
        let interrupt = async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        check::run(&target, &options, &mut |p| display.progress(p), interrupt).await
    });
    let report = match result {
        Ok(r) => r,
        Err(e) => return cannot_test(&e.to_string()),
    };
    let mut out = std::io::stdout().lock();
    let _ = match args.format {
        Format::Text => write!(out, "{}", display.summary(&report)),
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report.to_json()).unwrap_or_default()
        ),
        Format::Junit => write!(out, "{}", report.to_junit()),
    };
    let _ = out.flush();
    if report.interrupted {
        ExitCode::from(2)
    } else if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Exit 2 with the reason on standard error.
fn cannot_test(why: &str) -> ExitCode {
    eprintln!("scimkit check: cannot test the endpoint: {why}");
    ExitCode::from(2)
}

/// The text report as the run goes: a line per check; on a terminal, a
/// transient line naming the check that runs.
struct Display {
    format: Format,
    tty: bool,
    done: usize,
}

impl Display {
    fn new(format: Format) -> Self {
        Display {
            format,
            tty: std::io::stderr().is_terminal(),
            done: 0,
        }
    }

    fn progress(&mut self, p: Progress<'_>) {
        if self.format != Format::Text {
            return;
        }
        match p {
            Progress::Started(c) if self.tty => {
                eprint!("\r\x1b[2K  … {} {}", c.id(), c.title());
                let _ = std::io::stderr().flush();
            }
            Progress::Finished(o) => {
                self.done += 1;
                if self.tty {
                    eprint!("\r\x1b[2K");
                }
                let mut out = std::io::stdout().lock();
                let (mark, note) = match &o.status {
                    Status::Passed => ("PASS", String::new()),
                    Status::Failed(f) => ("FAIL", format!("\n{}", indent(&f.to_text()))),
                    Status::Skipped(r) => ("SKIP", format!(" ({r})")),
                    _ => ("????", String::new()),
                };
                let _ = writeln!(out, "{mark} {} — {}{note}", o.id, o.title);
                let _ = out.flush();
            }
            Progress::CleaningUp if self.tty => {
                eprint!("\r\x1b[2K  … deleting what the run created");
                let _ = std::io::stderr().flush();
            }
            _ => {}
        }
    }

    fn summary(&self, report: &Report) -> String {
        if self.tty {
            eprint!("\r\x1b[2K");
        }
        let mut s = format!(
            "\n{} passed, {} failed, {} skipped ({})\n",
            report.count_passed(),
            report.count_failed(),
            report.count_skipped(),
            report.base_url
        );
        if report.interrupted {
            s.push_str("interrupted: the remaining checks did not run\n");
        }
        if report.timed_out {
            s.push_str("the overall timeout elapsed: the remaining checks did not run\n");
        }
        if report.cleanup.kept {
            s.push_str(&format!(
                "kept what the run created: names start with {}\n",
                report.prefix
            ));
        } else {
            s.push_str(&format!(
                "cleanup: deleted {} resources (prefix {})\n",
                report.cleanup.deleted.len(),
                report.prefix
            ));
            for left in &report.cleanup.left {
                s.push_str(&format!("  NOT deleted: {left}\n"));
            }
        }
        s
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
