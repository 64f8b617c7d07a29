//! `scimkit patch …`: apply a PATCH request to a resource (RFC 7644 §3.5.2).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use scimkit_schema::messages::PatchOp;
use scimkit_schema::patch::{self, PatchLimits};
use scimkit_schema::{Profile, Registry, Resource, ScimError};

/// `scimkit patch`.
#[derive(Debug, Args)]
pub(crate) struct PatchArgs {
    #[command(subcommand)]
    command: PatchCommand,
}

#[derive(Debug, Subcommand)]
enum PatchCommand {
    /// Apply a PATCH request to a resource and print the resource afterwards.
    #[command(
        long_about = "Apply a PATCH request (RFC 7644 §3.5.2) to a resource and print the \
            resource afterwards as pretty JSON.\n\n\
            The resource type (User, Group) is chosen from the resource's `schemas`. \
            This is the server's whole PATCH pipeline: the budgets (10,000 operations, \
            10,000 values per operation), every operation (all or none), then the \
            validation of the result under the same profile (a PATCH that removes \
            userName fails as it would on a server). On error the SCIM error body \
            (urn:ietf:params:scim:api:messages:2.0:Error, with status and scimType) \
            is printed to standard output and the exit code is 1.",
        after_help = "Examples:\n  \
            scimkit patch apply --resource user.json --patch disable.json\n  \
            scimkit patch apply --resource group.json --patch members.json --profile strict\n\n\
            where disable.json holds, as Entra ID sends it:\n  \
            {\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\n   \
            \"Operations\":[{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}]}"
    )]
    Apply(ApplyArgs),
}

#[derive(Debug, Args)]
struct ApplyArgs {
    /// The resource as JSON, e.g. user.json holding
    /// {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"1","userName":"bjensen"}.
    #[arg(long, value_name = "FILE")]
    resource: PathBuf,
    /// The whole PATCH request body as JSON, e.g. patch.json holding
    /// {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"nickName","value":"Babs"}]}.
    #[arg(long, value_name = "FILE")]
    patch: PathBuf,
    /// Which client leniencies to accept: `strict` (RFC 7644 to the letter),
    /// `interoperable` (every documented leniency, the default), `entra`
    /// (Microsoft Entra ID's needs, e.g. "Replace" and "False") or `okta`.
    /// Example: --profile strict.
    #[arg(long, value_name = "PROFILE", default_value = "interoperable")]
    profile: Profile,
}

/// Runs a `patch` subcommand.
pub(crate) fn run(args: PatchArgs) -> ExitCode {
    match args.command {
        PatchCommand::Apply(a) => match apply(&a) {
            Ok(text) => {
                println!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                match serde_json::to_string(&e) {
                    Ok(text) => println!("{text}"),
                    Err(_) => println!("{e}"),
                }
                ExitCode::FAILURE
            }
        },
    }
}

fn apply(a: &ApplyArgs) -> Result<String, ScimError> {
    let resource: serde_json::Value = serde_json::from_slice(&read(&a.resource)?).map_err(|e| {
        ScimError::invalid_syntax(format!("{}: not JSON: {e}", a.resource.display()))
    })?;
    let resource = Resource::from_value(resource)?;
    let body = PatchOp::from_slice(&read(&a.patch)?)?;
    let registry = Registry::core();
    let rs = resource
        .schemas()
        .into_iter()
        .find_map(|uri| registry.resource_type_by_schema(uri))
        .cloned()
        .ok_or_else(|| {
            ScimError::invalid_syntax(
                "the resource's schemas name no known resource type (User, Group)",
            )
        })?;
    // The server's own pipeline: budgets, operations, then validation of the
    // result under the same profile, so the CLI answers what a server answers.
    let patched = patch::run(
        &resource,
        &body,
        &rs,
        &a.profile.compat(),
        &PatchLimits::default(),
    )?;
    serde_json::to_string_pretty(&patched.resource)
        .map_err(|e| ScimError::internal(format!("cannot print the resource: {e}")))
}

fn read(path: &Path) -> Result<Vec<u8>, ScimError> {
    std::fs::read(path)
        .map_err(|e| ScimError::bad_request(format!("cannot read {}: {e}", path.display())))
}
