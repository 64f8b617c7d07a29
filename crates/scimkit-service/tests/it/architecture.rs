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

/// The source files of this crate under `src/` whose path (relative to
/// `src`, `/`-separated) satisfies `pick`, with their text.
fn sources(pick: impl Fn(&str) -> bool) -> Vec<(String, String)> {
    fn walk(dir: &Path, rel: &str, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let rel = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            if path.is_dir() {
                walk(&path, &rel, out);
            } else if rel.ends_with(".rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((rel, text));
            }
        }
    }
    let mut all = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        "",
        &mut all,
    );
    all.retain(|(rel, _)| pick(rel));
    assert!(!all.is_empty(), "no source file picked");
    all
}

/// The code of a file: its lines without comments (doc links may name
/// anything).
fn code(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .filter(|l| !l.trim().is_empty())
}

/// The modules of this crate a file names (`crate::x…` gives `x`).
fn crate_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in code(text) {
        for (i, _) in line.match_indices("crate::") {
            let rest = &line[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out
}

/// The first segment of each `use` path of a file (`use http::HeaderMap` gives `http`).
fn use_roots(text: &str) -> Vec<String> {
    code(text)
        .map(str::trim)
        .filter_map(|l| {
            l.strip_prefix("pub use ")
                .or_else(|| l.strip_prefix("use "))
        })
        .map(|l| {
            l.split([':', ';', ' ', '{'])
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .collect()
}

#[test]
fn endpoints_depend_on_the_context_not_on_the_service() {
    // service.rs -> endpoints -> context: one way.
    for (file, text) in sources(|f| f == "endpoints.rs" || f.starts_with("endpoints/")) {
        for m in crate_paths(&text) {
            assert!(
                m != "service",
                "{file} names crate::service; use crate::context"
            );
        }
        assert!(
            !text.contains("super::super"),
            "{file} reaches above endpoints"
        );
    }
    for (file, text) in sources(|f| f == "context.rs") {
        for m in crate_paths(&text) {
            assert!(
                !["service", "endpoints"].contains(&m.as_str()),
                "{file} is a leaf: it must not name crate::{m}"
            );
        }
    }
}

#[test]
fn the_traits_others_implement_name_only_leaves() {
    // What docs/ARCHITECTURE.md promises about store.rs, auth.rs, events.rs.
    let traits = |f: &str| {
        ["store.rs", "auth.rs", "events.rs", "feed.rs"].contains(&f)
            || f.starts_with("store/")
            || f.starts_with("auth/")
            || f.starts_with("feed/")
    };
    let leaves = ["tenant.rs", "time.rs", "etag.rs"];
    const CRATES: [&str; 14] = [
        "std",
        "async_trait",
        "futures_util",
        "serde",
        "tokio",
        "chrono",
        "http",
        "scimkit_filter",
        "scimkit_schema",
        "serde_json",
        "sha2",
        "subtle",
        "super",
        "crate",
    ];
    for (file, text) in sources(traits) {
        // Its own submodules (`mod fetch;` then `pub use fetch::Fetch;`).
        let own: Vec<String> = code(&text)
            .filter_map(|l| {
                let l = l.trim();
                let l = l.strip_prefix("pub(crate) ").unwrap_or(l);
                l.strip_prefix("mod ")?.strip_suffix(';').map(str::to_owned)
            })
            .collect();
        for root in use_roots(&text) {
            assert!(
                CRATES.contains(&root.as_str()) || own.contains(&root),
                "{file} uses {root}"
            );
        }
        for m in crate_paths(&text) {
            assert!(
                [
                    "TenantId", "tenant", "time", "etag", "store", "auth", "events", "feed"
                ]
                .contains(&m.as_str()),
                "{file} names crate::{m}: the trait files name only the leaves {leaves:?}"
            );
        }
    }
    for (file, text) in sources(|f| leaves.contains(&f)) {
        assert!(crate_paths(&text).is_empty(), "{file} must stay a leaf");
    }
}
