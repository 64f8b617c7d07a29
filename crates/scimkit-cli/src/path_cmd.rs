//! `scimkit path …`: PATCH paths (RFC 7644 §3.5.2).

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::output::{ParseFlags, print_parse};

/// `scimkit path`.
#[derive(Debug, Args)]
pub(crate) struct PathArgs {
    #[command(subcommand)]
    command: PathCommand,
}

#[derive(Debug, Subcommand)]
enum PathCommand {
    /// Parse a PATCH path and print its canonical form (or its JSON syntax tree).
    #[command(after_help = "Examples:\n  \
        scimkit path parse name.familyName\n  \
        scimkit path parse --json 'members[value eq \"2819c223\"].displayName'\n  \
        scimkit path parse 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value'\n\n\
        On bad input prints a SCIM error body (scimType invalidPath, or invalidFilter \
        for the filter inside brackets) and exits with 1.")]
    Parse(ParseArgs),
}

#[derive(Debug, Args)]
struct ParseArgs {
    #[command(flatten)]
    flags: ParseFlags,
    /// The path, e.g. 'addresses[type eq "work"].streetAddress'.
    path: String,
}

/// Runs a `path` subcommand.
pub(crate) fn run(args: PathArgs) -> ExitCode {
    match args.command {
        PathCommand::Parse(a) => print_parse(
            scimkit_filter::parse_patch_path(&a.path, &a.flags.options()),
            a.flags.json,
        ),
    }
}
