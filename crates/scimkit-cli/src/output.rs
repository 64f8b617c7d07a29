//! What every subcommand prints: a result, or a SCIM error response body.

use std::fmt::Display;
use std::process::ExitCode;

use scimkit_filter::{ParseError, ParseOptions};
use serde::Serialize;

/// The flags shared by the `parse` subcommands.
#[derive(Debug, Clone, Copy, clap::Args)]
pub(crate) struct ParseFlags {
    /// Print the syntax tree as JSON instead of the canonical text,
    /// e.g. {"cmp":"eq","path":{"attr":"userName"},"value":"bjensen"}.
    #[arg(long)]
    pub(crate) json: bool,
    /// Follow the RFC 7644 ABNF to the letter: no extra spaces, lower-case
    /// true/false/null only, no Entra-style `emails[type eq "work"].value eq "x"`.
    /// Without it every documented leniency is on.
    #[arg(long)]
    pub(crate) strict: bool,
}

impl ParseFlags {
    /// The parser options the flags select.
    pub(crate) fn options(self) -> ParseOptions {
        if self.strict {
            ParseOptions::strict()
        } else {
            ParseOptions::lenient()
        }
    }
}

/// A SCIM error response body (RFC 7644 §3.12), fields in the RFC's order.
#[derive(Serialize)]
struct ScimError<'a> {
    schemas: [&'static str; 1],
    status: &'static str,
    #[serde(rename = "scimType")]
    scim_type: &'a str,
    detail: String,
}

/// Prints the outcome of a parse: the tree (text or JSON) and exit code 0,
/// or the SCIM error body and exit code 1.
pub(crate) fn print_parse<T: Display + Serialize>(
    result: Result<T, ParseError>,
    json: bool,
) -> ExitCode {
    match result {
        Ok(tree) if json => match serde_json::to_string(&tree) {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("scimkit: cannot serialize the syntax tree: {e}");
                ExitCode::FAILURE
            }
        },
        Ok(tree) => {
            println!("{tree}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            let body = ScimError {
                schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
                status: "400",
                scim_type: e.scim_type(),
                detail: e.to_string(),
            };
            match serde_json::to_string(&body) {
                Ok(text) => println!("{text}"),
                Err(_) => println!("{e}"),
            }
            ExitCode::FAILURE
        }
    }
}
