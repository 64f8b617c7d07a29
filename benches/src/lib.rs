//! Shared corpora for scimkit's criterion benchmarks (see `benches/benches/`).
