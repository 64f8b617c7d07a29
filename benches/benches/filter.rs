//! Filter parsing benchmarks (see docs/BENCHMARKS.md, "Filter parsing").
//!
//! `cargo bench -p scimkit-benches --bench filter`
//!
//! - `filter/corpus`: the ~1,000 filters of `benches/data/filters.txt`
//!   (Entra ID and Okta lookups, RFC 7644 Figure 2, `or` chains, nesting),
//!   reported per filter (elements/s) and per byte.
//! - `filter/single`: `userName eq "bjensen@example.com"`, the lookup every
//!   identity provider sends before creating a user.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scimkit_filter::{ParseOptions, parse_filter};

const CORPUS: &str = include_str!("../data/filters.txt");

fn corpus() -> Vec<&'static str> {
    CORPUS.lines().filter(|l| !l.is_empty()).collect()
}

fn bench_corpus(c: &mut Criterion) {
    let filters = corpus();
    let bytes: usize = filters.iter().map(|f| f.len()).sum();
    // The corpus holds Entra ID's `emails[type eq "work"].value eq "…"`, which
    // only the lenient (default) options accept.
    for (name, opts) in [("lenient", ParseOptions::lenient())] {
        // Every corpus entry must parse, or the benchmark would time errors.
        for f in &filters {
            if let Err(e) = parse_filter(f, &opts) {
                panic!("corpus entry does not parse ({name}):\n{}", e.render(f));
            }
        }
        let mut g = c.benchmark_group("filter/corpus");
        g.throughput(Throughput::Elements(filters.len() as u64));
        g.bench_function(format!("{name}/filters"), |b| {
            b.iter(|| {
                for f in &filters {
                    let _ = black_box(parse_filter(black_box(f), &opts));
                }
            })
        });
        g.throughput(Throughput::Bytes(bytes as u64));
        g.bench_function(format!("{name}/bytes"), |b| {
            b.iter(|| {
                for f in &filters {
                    let _ = black_box(parse_filter(black_box(f), &opts));
                }
            })
        });
        g.finish();
    }
}

fn bench_single(c: &mut Criterion) {
    let input = r#"userName eq "bjensen@example.com""#;
    let mut g = c.benchmark_group("filter/single");
    g.throughput(Throughput::Elements(1));
    for (name, opts) in [
        ("lenient", ParseOptions::lenient()),
        ("strict", ParseOptions::strict()),
    ] {
        g.bench_function(format!("{name}/userName eq"), |b| {
            b.iter(|| black_box(parse_filter(black_box(input), &opts)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench_corpus, bench_single);
criterion_main!(benches);
