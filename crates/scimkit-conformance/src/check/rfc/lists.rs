//! Lists: empty results, filters, paging and sorting (RFC 7644 §3.4.2).

use super::check_error;
use crate::check::cx::{Cx, check_list, enc, ensure};
use crate::check::report::Failure;

/// A filter that matches nothing is `200` with `totalResults: 0`, never `404`
/// (RFC 7644 §3.4.2).
pub(crate) async fn empty_list(cx: &Cx) -> Result<(), Failure> {
    let filter = format!("userName eq \"{}\"", cx.user_name("nobody"));
    let (ex, found) = cx.list(&format!("/Users?filter={}", enc(&filter))).await?;
    ensure(ex.json["totalResults"] == 0 && found.is_empty(), || {
        ex.fail("\"totalResults\": 0 and no Resources")
    })
}

/// `userName eq` finds the user whatever the case (RFC 7644 §3.4.2.2,
/// `userName` is `caseExact: false`).
pub(crate) async fn filter_eq(cx: &Cx) -> Result<(), Failure> {
    let (id, body) = cx.create_user("eq").await?;
    let name = body["userName"].as_str().unwrap_or("").to_uppercase();
    let filter = format!("userName eq \"{name}\"");
    let (ex, found) = cx.list(&format!("/Users?filter={}", enc(&filter))).await?;
    ensure(
        ex.json["totalResults"] == 1 && found.len() == 1 && found[0]["id"] == id.as_str(),
        || {
            ex.fail(format!(
                "exactly the user {id} (userName matches case-insensitively)"
            ))
        },
    )
}

/// `sw`, `co`, `pr`, `and`, `or`, `not` and a value filter select what they
/// should (RFC 7644 §3.4.2.2).
pub(crate) async fn filter_operators(cx: &Cx) -> Result<(), Failure> {
    let (a, body_a) = cx.create_user("ops-a").await?;
    let (b, _) = cx.create_user("ops-b").await?;
    let base = format!("{}-ops-", cx.prefix);
    let a_name = body_a["userName"].as_str().unwrap_or("");
    let cases: [(String, Vec<&str>); 5] = [
        (format!("userName sw \"{base}\""), vec![&a, &b]),
        (
            format!("userName sw \"{base}\" and name.familyName co \"ops-a\""),
            vec![&a],
        ),
        (
            format!("userName sw \"{base}\" and (userName eq \"{a_name}\" or title pr)"),
            vec![&a],
        ),
        (
            format!("userName sw \"{base}\" and not (userName eq \"{a_name}\")"),
            vec![&b],
        ),
        (
            format!("emails[type eq \"work\" and value eq \"{a_name}\"]"),
            vec![&a],
        ),
    ];
    for (filter, want) in cases {
        let (ex, found) = cx.list(&format!("/Users?filter={}", enc(&filter))).await?;
        let mut got: Vec<&str> = found.iter().filter_map(|r| r["id"].as_str()).collect();
        got.sort_unstable();
        let mut want = want;
        want.sort_unstable();
        ensure(got == want, || {
            ex.fail(format!(
                "exactly the users {want:?} for the filter {filter}"
            ))
        })?;
    }
    Ok(())
}

/// A malformed filter is `400 invalidFilter` (RFC 7644 §3.4.2.2, §3.12).
pub(crate) async fn filter_invalid(cx: &Cx) -> Result<(), Failure> {
    let ex = cx
        .get(format!("/Users?filter={}", enc("userName eq")))
        .await?;
    ex.status_in(&[400], "a filter without a value")?;
    check_error(&ex)?;
    ensure(ex.json["scimType"] == "invalidFilter", || {
        ex.fail("\"scimType\": \"invalidFilter\"")
    })
}

/// A filter on an attribute the server does not define is `400
/// invalidFilter` or an empty list, never a `5xx` (RFC 7644 §3.4.2.2; Entra
/// and Okta filter on the attributes of their own mappings).
pub(crate) async fn filter_unknown_attribute(cx: &Cx) -> Result<(), Failure> {
    let filter =
        "urn:ietf:params:scim:schemas:extension:scimkitcheck:2.0:User:costCenterCode eq \"x\"";
    let ex = cx.get(format!("/Users?filter={}", enc(filter))).await?;
    match ex.status {
        400 => {
            check_error(&ex)?;
            ensure(ex.json["scimType"] == "invalidFilter", || {
                ex.fail("\"scimType\": \"invalidFilter\"")
            })
        }
        _ => {
            check_list(&ex)?;
            ensure(ex.json["totalResults"] == 0, || {
                ex.fail("400 invalidFilter, or 200 with \"totalResults\": 0")
            })
        }
    }
}

/// `startIndex` / `count` page a filtered list; `totalResults` counts every
/// match, `itemsPerPage` the page (RFC 7644 §3.4.2.4).
pub(crate) async fn paging(cx: &Cx) -> Result<(), Failure> {
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(cx.create_user(&format!("page{i}")).await?.0);
    }
    let filter = format!("userName sw \"{}-page\"", cx.prefix);
    let mut seen = Vec::new();
    for (start, want) in [(1, 2), (3, 1)] {
        let (ex, page) = cx
            .list(&format!(
                "/Users?filter={}&startIndex={start}&count=2",
                enc(&filter)
            ))
            .await?;
        ensure(
            ex.json["totalResults"] == 3
                && ex.json["itemsPerPage"] == want
                && ex.json["startIndex"] == start
                && page.len() == want,
            || {
                ex.fail(format!(
                    "\"totalResults\": 3, \"startIndex\": {start}, \"itemsPerPage\": {want} and {want} Resources"
                ))
            },
        )?;
        seen.extend(
            page.iter()
                .filter_map(|r| r["id"].as_str().map(str::to_owned)),
        );
    }
    seen.sort();
    ids.sort();
    ensure(seen == ids, || {
        Failure::new(format!(
            "the two pages together to hold each of {ids:?} once; they held {seen:?}"
        ))
    })
}

/// `sortBy=userName&sortOrder=descending` orders the list (RFC 7644 §3.4.2.3).
pub(crate) async fn sorting(cx: &Cx) -> Result<(), Failure> {
    for what in ["sort-b", "sort-c", "sort-a"] {
        cx.create_user(what).await?;
    }
    let filter = format!("userName sw \"{}-sort-\"", cx.prefix);
    let (ex, found) = cx
        .list(&format!(
            "/Users?filter={}&sortBy=userName&sortOrder=descending",
            enc(&filter)
        ))
        .await?;
    let names: Vec<String> = found
        .iter()
        .map(|r| r["userName"].as_str().unwrap_or("").to_owned())
        .collect();
    let mut want = names.clone();
    want.sort_by_key(|n| std::cmp::Reverse(n.to_lowercase()));
    ensure(names.len() == 3 && names == want, || {
        ex.fail("the three users, by userName descending")
    })
}
