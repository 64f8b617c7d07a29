//! `scimkit filter …`: SCIM filters (RFC 7644 §3.4.2.2).

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::output::{ParseFlags, print_parse};

/// `scimkit filter`.
#[derive(Debug, Args)]
pub(crate) struct FilterArgs {
    #[command(subcommand)]
    command: FilterCommand,
}

#[derive(Debug, Subcommand)]
enum FilterCommand {
    /// Parse a filter and print its canonical form (or its JSON syntax tree).
    #[command(after_help = "Examples:\n  \
        scimkit filter parse 'userName eq \"bjensen\"'\n  \
        scimkit filter parse --json 'title pr and userType eq \"Employee\"'\n  \
        scimkit filter parse --strict 'active eq True'   # fails: literals are lower-case\n\n\
        On bad input prints a SCIM error body (scimType invalidFilter) and exits with 1.")]
    Parse(ParseArgs),
    /// Evaluate a filter against resources and print the ids that match.
    Eval(crate::eval_cmd::EvalArgs),
}

#[derive(Debug, Args)]
struct ParseArgs {
    #[command(flatten)]
    flags: ParseFlags,
    /// The filter, e.g. 'emails[type eq "work" and value co "@example.com"]'.
    filter: String,
}

/// Runs a `filter` subcommand.
pub(crate) fn run(args: FilterArgs) -> ExitCode {
    match args.command {
        FilterCommand::Parse(a) => print_parse(
            scimkit_filter::parse_filter(&a.filter, &a.flags.options()),
            a.flags.json,
        ),
        FilterCommand::Eval(a) => crate::eval_cmd::run(a),
    }
}
