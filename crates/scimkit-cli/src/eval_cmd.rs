//! `scimkit filter eval`: which resources of a JSON array match a filter
//! (RFC 7644 §3.4.2.2, evaluated against each resource's schema).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use scimkit_filter::parse_filter;
use scimkit_schema::eval::CompiledFilter;
use scimkit_schema::{Compat, Profile, Registry, Resource, ResourceSchema, ScimError};
use serde_json::Value;

/// `scimkit filter eval`.
#[derive(Debug, Args)]
#[command(
    long_about = "Evaluate a filter (RFC 7644 §3.4.2.2) against resources and print the `id` \
        of each resource that matches, one per line, in input order.\n\n\
        The resources are a JSON array of User and Group resources (or of any resource \
        type whose base schema is known); each one's `schemas` chooses its resource type. \
        Attribute types, caseExact and extensions come from the schemas: `userName` \
        compares case-insensitively, `externalId` case-sensitively, dateTimes as instants. \
        With resources of several types (as in a search at the service root), an attribute \
        one type does not define matches nothing for that type. \
        On error (a bad filter, an attribute no resource type defines, a comparison of the \
        wrong type, a bad file) the SCIM error body \
        (urn:ietf:params:scim:api:messages:2.0:Error, with status and scimType) is printed \
        to standard output and the exit code is 1.",
    after_help = "Examples:\n  \
        scimkit filter eval --resources users.json 'userName sw \"j\"'\n  \
        scimkit filter eval --resources users.json 'emails[type eq \"work\" and value ew \"@example.com\"]'\n  \
        scimkit filter eval --resources users.json --schema badge.json \\\n      \
        'urn:example:scim:Badge:level gt 2'\n  \
        scimkit filter eval --strict --resources users.json 'meta.lastModified gt \"2011-05-13T04:42:34Z\"'\n\n\
        where users.json holds:\n  \
        [{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"id\":\"1\",\"userName\":\"jsmith\"},\n   \
        {\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"id\":\"2\",\"userName\":\"alice\"}]"
)]
pub(crate) struct EvalArgs {
    /// Follow RFC 7643/7644 to the letter: every leniency off, in the parser
    /// (no extra spaces, lower-case true/false/null) and in evaluation
    /// (the profile `strict`). Example: --strict.
    #[arg(long)]
    strict: bool,
    /// A custom extension schema in its RFC 7643 §7 JSON form (repeatable). It
    /// is attached to the resource types whose resources list its id in
    /// `schemas`, or to User when none does. Example: --schema badge.json holding
    /// {"id":"urn:example:scim:Badge","name":"Badge","attributes":[{"name":"level","type":"integer"}]}.
    #[arg(long, value_name = "FILE")]
    schema: Vec<PathBuf>,
    /// The resources: a JSON array of resources, each with `schemas` and `id`.
    /// Example: --resources users.json.
    #[arg(long, value_name = "FILE")]
    resources: PathBuf,
    /// The filter, e.g. 'emails[type eq "work" and value co "@example.com"]'.
    filter: String,
}

/// Runs `scimkit filter eval`.
pub(crate) fn run(args: EvalArgs) -> ExitCode {
    match eval(&args) {
        Ok(ids) => {
            for id in ids {
                println!("{id}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            match serde_json::to_string(&e) {
                Ok(text) => println!("{text}"),
                Err(_) => println!("{e}"),
            }
            ExitCode::FAILURE
        }
    }
}

fn eval(a: &EvalArgs) -> Result<Vec<String>, ScimError> {
    let compat: Compat = if a.strict {
        Profile::Strict.compat()
    } else {
        Profile::Interoperable.compat()
    };
    let resources = read_resources(&a.resources)?;
    let registry = registry(&a.schema, &resources)?;
    let filter = parse_filter(&a.filter, &compat.parse).map_err(|e| ScimError::from_parse(&e))?;
    let types = resources
        .iter()
        .enumerate()
        .map(|(i, r)| resource_type(&registry, r, i))
        .collect::<Result<Vec<_>, _>>()?;
    let compiled = compile_per_type(&filter, &types, &compat)?;
    let mut ids = Vec::new();
    for (i, (r, rs)) in resources.iter().zip(&types).enumerate() {
        let Some((_, c)) = compiled.iter().find(|(t, _)| Arc::ptr_eq(t, rs)) else {
            continue;
        };
        if c.matches(r) {
            ids.push(
                r.id()
                    .ok_or_else(|| {
                        ScimError::invalid_value(format!(
                            "resource {i} matches but has no string id"
                        ))
                    })?
                    .to_owned(),
            );
        }
    }
    Ok(ids)
}

/// Compiles the filter once for each resource type present. With several
/// types (as in a search at the service root, RFC 7644 §3.4.2.1), an attribute
/// that one type does not define matches nothing for that type; it is an
/// error only when no type defines it. Type errors are always errors.
fn compile_per_type(
    filter: &scimkit_filter::Filter<'_>,
    types: &[Arc<ResourceSchema>],
    compat: &Compat,
) -> Result<Vec<(Arc<ResourceSchema>, CompiledFilter)>, ScimError> {
    let mut out: Vec<(Arc<ResourceSchema>, CompiledFilter)> = Vec::new();
    let mut first_err = None;
    let mut failed = 0;
    for rs in types {
        if out.iter().any(|(t, _)| Arc::ptr_eq(t, rs)) {
            continue;
        }
        let c = match CompiledFilter::new(filter, rs, compat) {
            Ok(c) => c,
            Err(e) => {
                let mut lenient = *compat;
                lenient.unknown_filter_attr_matches_nothing = true;
                let c = CompiledFilter::new(filter, rs, &lenient)?;
                first_err.get_or_insert(e);
                failed += 1;
                c
            }
        };
        out.push((rs.clone(), c));
    }
    match first_err {
        Some(e) if failed == out.len() => Err(e),
        _ => Ok(out),
    }
}

fn read_resources(path: &Path) -> Result<Vec<Resource>, ScimError> {
    let value: Value = serde_json::from_slice(&read(path)?)
        .map_err(|e| ScimError::invalid_syntax(format!("{}: not JSON: {e}", path.display())))?;
    let Value::Array(items) = value else {
        return Err(ScimError::invalid_syntax(format!(
            "{}: expected a JSON array of resources",
            path.display()
        )));
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            Resource::from_value(v).map_err(|e| {
                ScimError::invalid_syntax(format!("{}: resource {i}: {}", path.display(), e.detail))
            })
        })
        .collect()
}

/// The core registry plus the custom schemas, each attached to the resource
/// types whose resources list it (or to User).
fn registry(schemas: &[PathBuf], resources: &[Resource]) -> Result<Registry, ScimError> {
    let mut registry = Registry::core();
    for path in schemas {
        let json: Value = serde_json::from_slice(&read(path)?)
            .map_err(|e| ScimError::invalid_syntax(format!("{}: not JSON: {e}", path.display())))?;
        let id = json
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ScimError::invalid_syntax(format!("{}: a schema needs a string id", path.display()))
            })?
            .to_owned();
        let bad = |e: scimkit_schema::RegistryError| {
            ScimError::invalid_syntax(format!("{}: {e}", path.display()))
        };
        registry.add_schema_json(&json).map_err(bad)?;
        let mut types: Vec<String> = Vec::new();
        for r in resources {
            let uris = r.schemas();
            if !uris.iter().any(|u| u.eq_ignore_ascii_case(&id)) {
                continue;
            }
            for u in uris {
                if let Some(rs) = registry.resource_type_by_schema(u) {
                    let name = rs.name().to_owned();
                    if !types.contains(&name) {
                        types.push(name);
                    }
                }
            }
        }
        if types.is_empty() {
            types.push("User".to_owned());
        }
        for t in types {
            registry.add_extension(&t, &id, false).map_err(bad)?;
        }
    }
    Ok(registry)
}

/// The resource type whose base schema the resource lists in `schemas`.
fn resource_type(
    registry: &Registry,
    r: &Resource,
    i: usize,
) -> Result<Arc<ResourceSchema>, ScimError> {
    r.schemas()
        .into_iter()
        .find_map(|u| registry.resource_type_by_schema(u))
        .cloned()
        .ok_or_else(|| {
            ScimError::invalid_syntax(format!(
                "resource {i}: schemas {:?} name no known resource type",
                r.schemas()
            ))
        })
}

fn read(path: &Path) -> Result<Vec<u8>, ScimError> {
    std::fs::read(path)
        .map_err(|e| ScimError::invalid_value(format!("cannot read {}: {e}", path.display())))
}
