//! Lists on the SQL stores: the same pages as the evaluator's full sort,
//! memory bounded by the page (counted with `SqlStore::read_stats`), the
//! in-memory scan budget (`400 tooMany`), and `excludedAttributes=members`
//! reading no member row.

use scimkit_filter::{parse_attr_path, parse_filter};
use scimkit_schema::eval::{CompiledFilter, SortKey};
use scimkit_schema::{Compat, Registry, Resource, ResourceSchema};
use scimkit_service::{
    Fetch, ListQuery, Member, ResourceStore, SortSpec, StoreError, StoredResource, TenantId,
    finish_list,
};
use scimkit_sql::SqlStore;
use serde_json::{Value, json};

const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const ENT: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const ENT_DEPARTMENT: &str =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department";

/// Rows a streamed list reads per statement (`scan::SCAN_BATCH`).
const SCAN_BATCH: u64 = 500;

fn tenant() -> TenantId {
    TenantId::new(format!("t-{}", uuid::Uuid::new_v4().simple()))
}

/// Given names that sort differently under ASCII and Unicode lowercasing,
/// ties, empty and missing values.
const GIVEN: [Option<&str>; 12] = [
    Some("bob"),
    Some("Alice"),
    Some("Émile"),
    Some("émile"),
    Some("ALICE"),
    Some("\u{212A}arl"), // KELVIN SIGN: lowercases to ASCII "karl"
    Some("karl"),
    Some("Zoë"),
    None,
    Some(""),
    Some("zoe"),
    Some("Ärger"),
];

fn user(i: usize, ascii_only: bool) -> Resource {
    let dept = ["Sales", "sales", "Ops", "ops"][i % 4];
    let mut v = json!({
        "schemas": [USER, ENT],
        "userName": format!("user{i:05}"),
        "title": format!("t{}", i % 3),
        "emails": [{"value": format!("{}@example.com", 100_000 - i)}],
        ENT: {"department": dept},
    });
    let g = GIVEN[i % GIVEN.len()];
    let g = if ascii_only {
        g.filter(|g| g.is_ascii())
    } else {
        g
    };
    if let Some(g) = g {
        v["name"] = json!({"givenName": g});
    }
    Resource::from_value(v).unwrap()
}

struct Case {
    filter: Option<&'static str>,
    sort: Option<(&'static str, bool)>,
    start: u64,
    count: u64,
}

fn query_parts(
    rs: &ResourceSchema,
    c: &Case,
) -> (
    Option<scimkit_filter::Filter<'static>>,
    Option<CompiledFilter>,
    Option<SortSpec>,
) {
    let compat = Compat::default();
    let parsed = c
        .filter
        .map(|f| parse_filter(f, &compat.parse).unwrap().into_owned());
    let compiled = parsed
        .as_ref()
        .map(|f| CompiledFilter::new(f, rs, &compat).unwrap());
    let spec = c.sort.map(|(by, desc)| {
        let path = parse_attr_path(by, &compat.parse).unwrap().into_owned();
        let key = SortKey::new(&path, rs).unwrap();
        SortSpec::new(path, key, desc)
    });
    (parsed, compiled, spec)
}

/// The page and total the store gives, through `finish_list`.
async fn store_page(
    s: &SqlStore,
    t: &TenantId,
    rs: &ResourceSchema,
    c: &Case,
    max_scan: u64,
) -> Result<(Vec<String>, u64), StoreError> {
    let (parsed, compiled, spec) = query_parts(rs, c);
    let mut q = ListQuery::all(rs, c.count);
    q.filter = parsed.as_ref();
    q.compiled = compiled.as_ref();
    q.sort = spec.as_ref();
    q.start_index = c.start;
    q.max_scan = max_scan;
    let r = s.list(t, &q).await?;
    let (page, total) = finish_list(&q, r)?;
    Ok((page.iter().map(|r| r.id.clone()).collect(), total))
}

/// The page and total by the evaluator: filter, stable sort in insertion
/// order, skip and take.
fn want_page(all: &[StoredResource], rs: &ResourceSchema, c: &Case) -> (Vec<String>, u64) {
    let (_, compiled, spec) = query_parts(rs, c);
    let mut m: Vec<&StoredResource> = all
        .iter()
        .filter(|r| compiled.as_ref().is_none_or(|f| f.matches(&r.resource)))
        .collect();
    if let Some(s) = &spec {
        m.sort_by(|a, b| {
            let o = s.key.compare(&a.resource, &b.resource);
            if s.descending { o.reverse() } else { o }
        });
    }
    let total = m.len() as u64;
    let page = m
        .into_iter()
        .skip(c.start as usize - 1)
        .take(c.count as usize)
        .map(|r| r.id.clone())
        .collect();
    (page, total)
}

fn case(
    filter: Option<&'static str>,
    sort: Option<(&'static str, bool)>,
    start: u64,
    count: u64,
) -> Case {
    Case {
        filter,
        sort,
        start,
        count,
    }
}

/// Every kind of sort and filter gives the evaluator's page, ties in
/// insertion order, on a tenant larger than one streamed batch.
async fn pages_agree_with_the_evaluator(s: SqlStore) {
    let reg = Registry::core();
    let rs = reg.resource_type("User").unwrap();
    let t = tenant();
    let mut all = Vec::new();
    for i in 0..(SCAN_BATCH as usize + 120) {
        all.push(s.create(&t, rs, user(i, false)).await.unwrap());
    }
    let given = "name.givenName";
    let cases = [
        case(None, Some((given, false)), 1, 15),
        case(None, Some((given, true)), 1, 15),
        case(None, Some((given, false)), 600, 30),
        case(None, Some((given, true)), 300, 7),
        case(Some(r#"title eq "t1""#), Some((given, false)), 3, 20),
        case(Some(r#"title eq "t1""#), Some((given, true)), 190, 20),
        case(None, Some((ENT_DEPARTMENT, false)), 1, 10),
        case(None, Some(("department", true)), 50, 10),
        case(None, Some(("emails", false)), 1, 5),
        case(None, Some(("meta.resourceType", false)), 10, 5),
        // A filter SQL can only narrow (a non-ASCII case-insensitive needle).
        case(Some(r#"name.givenName eq "ÉMILE""#), None, 1, 1000),
        case(
            Some(r#"name.givenName eq "ÉMILE""#),
            Some(("userName", true)),
            5,
            3,
        ),
        case(
            Some(r#"name.givenName eq "ÉMILE" or title eq "t2""#),
            Some((given, false)),
            2,
            9,
        ),
        case(None, None, 601, 50),
    ];
    for c in &cases {
        let got = store_page(&s, &t, rs, c, u64::MAX).await.unwrap();
        let want = want_page(&all, rs, c);
        assert_eq!(
            got, want,
            "filter {:?} sort {:?} start {} count {}",
            c.filter, c.sort, c.start, c.count
        );
    }
    s.close().await;
}

/// What one list holds is bounded by its page (and one streamed batch),
/// not by the tenant's size; what would examine more than `max_scan`
/// resources in memory is `400 tooMany`.
async fn memory_is_bounded_by_the_page(s: SqlStore) {
    let reg = Registry::core();
    let rs = reg.resource_type("User").unwrap();
    let t = tenant();
    let n = 3 * SCAN_BATCH as usize;
    for i in 0..n {
        s.create(&t, rs, user(i, true)).await.unwrap();
    }
    let given = "name.givenName";
    // (case, the most held at once after it, rows read by it at most)
    let cases = [
        // Case-insensitive sort, all ASCII: SQL orders and pages.
        (case(None, Some((given, false)), 1, 1), 1, 1),
        (case(None, Some((given, true)), 1_000, 5), 5, 5),
        (
            case(Some(r#"title eq "t1""#), Some((given, false)), 1, 5),
            5,
            5,
        ),
        (case(None, Some(("department", false)), 1, 5), 5, 5),
        // A multi-valued sort streams: one batch and the top-k.
        (
            case(None, Some(("emails", false)), 1, 3),
            SCAN_BATCH + 64,
            n as u64,
        ),
    ];
    for (c, held, rows) in &cases {
        let before = s.read_stats();
        let got = store_page(&s, &t, rs, c, 50_000).await.unwrap();
        let after = s.read_stats();
        let total = if c.filter.is_some() { n / 3 } else { n };
        assert_eq!(got.1, total as u64, "{:?}", c.sort);
        assert!(
            after.most_held <= *held,
            "{:?}: held {}",
            c.sort,
            after.most_held
        );
        let read = after.rows_read - before.rows_read;
        assert!(read <= *rows, "{:?}: read {read}", c.sort);
    }
    // Past the budget.
    for c in [
        case(None, Some(("emails", false)), 1, 3),
        case(Some(r#"name.givenName eq "ÉMILE""#), None, 1, 3),
    ] {
        let e = store_page(&s, &t, rs, &c, n as u64 - 1).await.unwrap_err();
        let e = scimkit_schema::ScimError::from(e);
        assert_eq!(e.status, 400, "{e:?}");
        assert!(format!("{e:?}").contains("TooMany"), "{e:?}");
        store_page(&s, &t, rs, &c, n as u64).await.unwrap();
    }
    s.close().await;
}

/// `excludedAttributes=members`: neither a lookup by id nor a list reads a
/// member row.
async fn excluded_members_read_no_member_row(s: SqlStore) {
    let reg = Registry::core();
    let gs = reg.resource_type("Group").unwrap();
    let t = tenant();
    let g = Resource::from_value(json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Engineering",
    }))
    .unwrap();
    let g = s.create(&t, gs, g).await.unwrap();
    let members: Vec<Member> = (0..40).map(|i| Member::new(format!("m{i}"))).collect();
    s.add_members(&t, gs, &g.id, &members).await.unwrap();
    let compat = Compat::default();
    let f = parse_filter(r#"displayName eq "engineering""#, &compat.parse)
        .unwrap()
        .into_owned();
    let cf = CompiledFilter::new(&f, gs, &compat).unwrap();
    for fetch in [Fetch::without_members(), Fetch::all()] {
        let want = if fetch.skip_members { 0 } else { 40 };
        let before = s.read_stats().member_rows_read;
        let got = s.get_with(&t, gs, &g.id, fetch).await.unwrap().unwrap();
        assert_eq!(s.read_stats().member_rows_read - before, want);
        let n = got
            .resource
            .as_map()
            .get("members")
            .map_or(0, |m| m.as_array().unwrap().len());
        assert_eq!(n as u64, want);

        let before = s.read_stats().member_rows_read;
        let mut q = ListQuery::all(gs, 10);
        q.filter = Some(&f);
        q.compiled = Some(&cf);
        q.fetch = fetch;
        let r = s.list(&t, &q).await.unwrap();
        let (page, total) = finish_list(&q, r).unwrap();
        assert_eq!((page.len(), total), (1, 1));
        assert_eq!(s.read_stats().member_rows_read - before, want, "{fetch:?}");
        let v: &Value = page[0]
            .resource
            .as_map()
            .get("members")
            .unwrap_or(&Value::Null);
        assert_eq!(v.as_array().map_or(0, Vec::len) as u64, want);
    }
    s.close().await;
}

/// Filters at the parser's budgets (1,000 terms, 64 levels) and past the
/// databases' limits (with the budgets raised) give the evaluator's answer:
/// never a database error. An `or` of `eq` on one column is one `IN` list;
/// other chains nest `log2(n)` deep; a translation that would bind more
/// values than the database allows is evaluated in memory.
async fn large_filters_give_the_evaluators_answer(s: SqlStore) {
    let reg = Registry::core();
    let rs = reg.resource_type("User").unwrap();
    let t = tenant();
    let mut all = Vec::new();
    for i in 0..60 {
        all.push(s.create(&t, rs, user(i, false)).await.unwrap());
    }
    let defaults = scimkit_filter::ParseOptions::default();
    let terms = defaults.max_terms;
    let join =
        |f: &dyn Fn(usize) -> String, n: usize| (0..n).map(f).collect::<Vec<_>>().join(" or ");
    // As deep as the parser accepts: alternating `not (…)` and `(… or …)`.
    let mut nested = String::from(r#"userName eq "USER00007""#);
    for i in 1.. {
        let next = if i % 2 == 0 {
            format!("not (not ({nested}))")
        } else {
            format!(r#"({nested} or title eq "t{}")"#, i % 3)
        };
        if parse_filter(&next, &defaults).is_err() {
            break;
        }
        nested = next;
    }
    let cases: Vec<(String, usize)> = vec![
        // One column: an IN list.
        (
            join(&|i| format!(r#"userName eq "USER{:05}""#, i * 7), terms),
            terms,
        ),
        // JSON attributes of several kinds: a balanced tree.
        (
            join(
                &|i| match i % 4 {
                    0 => format!(r#"title eq "t{}""#, i % 5),
                    1 => format!(r#"name.givenName eq "zoe{i}""#),
                    2 => format!(r#"emails.value eq "{}@example.com""#, 100_000 - i),
                    _ => format!(r#"externalId eq "x{i}""#),
                },
                terms,
            ),
            terms,
        ),
        (nested, defaults.max_depth),
        // Budgets raised past both databases' parameter limits.
        (
            join(&|i| format!(r#"userName eq "user{:05}""#, i), 70_000),
            70_000,
        ),
    ];
    for (text, n) in &cases {
        let opts = defaults.with_max_terms(70_000).with_max_len(4 << 20);
        let f = parse_filter(text, &opts).unwrap().into_owned();
        let compat = Compat::default();
        let cf = CompiledFilter::new(&f, rs, &compat).unwrap();
        let mut q = ListQuery::all(rs, 1000);
        q.filter = Some(&f);
        q.compiled = Some(&cf);
        let r = s
            .list(&t, &q)
            .await
            .unwrap_or_else(|e| panic!("{n} terms: {e:?}"));
        let (page, total) = finish_list(&q, r).unwrap();
        let want: Vec<&String> = all
            .iter()
            .filter(|r| cf.matches(&r.resource))
            .map(|r| &r.id)
            .collect();
        let got: Vec<&String> = page.iter().map(|r| &r.id).collect();
        assert_eq!((got, total), (want.clone(), want.len() as u64), "{n} terms");
        assert!(!want.is_empty(), "{n} terms match nothing");
    }
    s.close().await;
}

// Each check on SQLite and on PostgreSQL, one test per database.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_agree_with_the_evaluator_sqlite() {
    let (s, _dir) = crate::backends::sqlite_store().await;
    pages_agree_with_the_evaluator(s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_agree_with_the_evaluator_postgres() {
    pages_agree_with_the_evaluator(crate::backends::postgres_store().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_is_bounded_by_the_page_sqlite() {
    let (s, _dir) = crate::backends::sqlite_store().await;
    memory_is_bounded_by_the_page(s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_is_bounded_by_the_page_postgres() {
    memory_is_bounded_by_the_page(crate::backends::postgres_store().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn excluded_members_read_no_member_row_sqlite() {
    let (s, _dir) = crate::backends::sqlite_store().await;
    excluded_members_read_no_member_row(s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn excluded_members_read_no_member_row_postgres() {
    excluded_members_read_no_member_row(crate::backends::postgres_store().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_filters_give_the_evaluators_answer_sqlite() {
    let (s, _dir) = crate::backends::sqlite_store().await;
    large_filters_give_the_evaluators_answer(s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_filters_give_the_evaluators_answer_postgres() {
    large_filters_give_the_evaluators_answer(crate::backends::postgres_store().await).await;
}
