//! The dependency arrows of docs/ARCHITECTURE.md, checked against the
//! manifests: what each crate may depend on, and what it must never know.

use std::path::Path;

/// The names in a manifest's `[dependencies]` section (not dev-dependencies).
fn dependencies(krate: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(krate)
        .join("Cargo.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == "[dependencies]";
            continue;
        }
        if inside && !line.is_empty() && !line.starts_with('#') {
            let name = line.split(['=', '.', ' ']).next().unwrap_or("");
            out.push(name.to_owned());
        }
    }
    out
}

fn check(krate: &str, allowed_scimkit: &[&str], forbidden: &[&str]) {
    let deps = dependencies(krate);
    for d in &deps {
        if d.starts_with("scimkit") {
            assert!(
                allowed_scimkit.contains(&d.as_str()),
                "{krate} must not depend on {d}"
            );
        }
        assert!(
            !forbidden.contains(&d.as_str()),
            "{krate} must not depend on {d}"
        );
    }
}

const WEB: [&str; 4] = ["axum", "actix-web", "hyper", "tower"];
const DB: [&str; 3] = ["sqlx", "rusqlite", "tokio-postgres"];

#[test]
fn arrows_point_down() {
    check(
        "scimkit-filter",
        &[],
        &["serde_json", "http", "axum", "actix-web", "sqlx"],
    );
    check(
        "scimkit-schema",
        &["scimkit-filter"],
        &[&WEB[..], &DB[..], &["http"]].concat(),
    );
    check(
        "scimkit-service",
        &["scimkit-filter", "scimkit-schema"],
        &[&WEB[..], &DB[..]].concat(),
    );
    check(
        "scimkit-axum",
        &["scimkit-service", "scimkit-schema"],
        &[&DB[..], &["actix-web"]].concat(),
    );
    check(
        "scimkit-actix",
        &["scimkit-service", "scimkit-schema"],
        &[&DB[..], &["axum"]].concat(),
    );
}
