//! # scimkit
//!
//! The scimkit command-line tool. Each area of SCIM has its own subcommand
//! in its own module:
//!
//! | command | what it does |
//! |---|---|
//! | `scimkit filter parse [--json] [--strict] FILTER` | parses a filter (RFC 7644 §3.4.2.2) |
//! | `scimkit filter eval [--strict] [--schema FILE]… --resources FILE FILTER` | prints the ids of the resources that match a filter |
//! | `scimkit path parse [--json] [--strict] PATH` | parses a PATCH path (RFC 7644 §3.5.2) |
//! | `scimkit patch apply --resource FILE --patch FILE [--profile P]` | applies a PATCH request (RFC 7644 §3.5.2) |
//! | `scimkit check TENANT_URL --token TOKEN [--suite S]… [--format text\|json\|junit] [--read-only] [--keep]` | tests a live SCIM endpoint the way Entra ID and Okta use it (exit 0 passed, 1 failed, 2 not testable) |
//!
//! On success the canonical form (or, with `--json`, the syntax tree as JSON)
//! is printed and the exit code is 0. On bad input a SCIM error response body
//! (RFC 7644 §3.12) is printed to standard output and the exit code is 1:
//!
//! ```text
//! $ scimkit filter parse 'userName eq'
//! {"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidFilter","detail":"invalid filter at byte 11: expected a value (true, false, null, a number or a quoted string)"}
//! ```
//!
//! Usage errors (an unknown flag, a missing argument) exit with 2.

mod check_cmd;
mod eval_cmd;
mod filter_cmd;
mod output;
mod patch_cmd;
mod path_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// The SCIM 2.0 toolbox.
#[derive(Debug, Parser)]
#[command(
    name = "scimkit",
    version,
    about = "SCIM 2.0 (RFC 7643/7644) command-line tool",
    long_about = "SCIM 2.0 (RFC 7643/7644) command-line tool.\n\n\
        Parses SCIM filters and PATCH paths and prints their canonical form or \
        their syntax tree as JSON. Bad input prints a SCIM error response body \
        (status 400, scimType invalidFilter or invalidPath) and exits with 1. \
        `scimkit check` tests a live SCIM endpoint the way Entra ID and Okta use it.",
    after_help = "Examples:\n  \
        scimkit filter parse 'userName eq \"bjensen\"'\n  \
        scimkit filter parse --json 'emails[type eq \"work\"].value eq \"a@example.com\"'\n  \
        scimkit path parse 'members[value eq \"2819c223\"].displayName'"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Work with SCIM filters (RFC 7644 §3.4.2.2).
    Filter(filter_cmd::FilterArgs),
    /// Work with PATCH paths (RFC 7644 §3.5.2).
    Path(path_cmd::PathArgs),
    /// Apply PATCH requests to resources (RFC 7644 §3.5.2).
    Patch(patch_cmd::PatchArgs),
    /// Test a live SCIM endpoint the way Entra ID and Okta will use it.
    Check(check_cmd::CheckArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Filter(args) => filter_cmd::run(args),
        Command::Path(args) => path_cmd::run(args),
        Command::Patch(args) => patch_cmd::run(args),
        Command::Check(args) => check_cmd::run(args),
    }
}
