//! Concurrent writers (RFC 7644 §3.14): parallel member additions lose
//! nothing; two writers with the same `If-Match` see exactly one success.

use serde_json::json;

use super::client::Suite;
use super::fixture::{group, patch, user};

pub(super) async fn run(s: &Suite) {
    let g = s
        .req("POST", "/Groups")
        .json(group("busy-group"))
        .check(201)
        .await;
    let gid = g.id();
    let n = 24;
    // Members are Users of this tenant (RFC 7643 §4.2).
    let mut want = Vec::with_capacity(n);
    for i in 0..n {
        let u = s
            .req("POST", "/Users")
            .json(user(&format!("member-{i:02}")))
            .check(201)
            .await;
        want.push(u.id());
    }
    // Membership-only PATCHes (the store's hook) and general PATCHes that
    // also touch another attribute (the compare-and-swap loop), all at once.
    let reqs = (0..n).map(|i| {
        let path = format!("/Groups/{gid}");
        let mut ops =
            vec![json!({"op": "add", "path": "members", "value": [{"value": want[i].clone()}]})];
        if i % 2 == 1 {
            ops.push(json!({"op": "replace", "path": "externalId", "value": format!("x-{i}")}));
        }
        async move {
            s.req("PATCH", &path)
                .json(patch(json!(ops)))
                .check(200)
                .await
        }
    });
    futures_join(reqs).await;
    let got = s.req("GET", &format!("/Groups/{gid}")).check(200).await;
    let mut members: Vec<String> = got.json["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].as_str().unwrap().to_owned())
        .collect();
    members.sort();
    want.sort();
    assert_eq!(members, want, "no member addition is lost");

    // Two writers with the same If-Match: one 200, one 412 (PUT and PATCH).
    let u = s
        .req("POST", "/Users")
        .json(user("contended"))
        .check(201)
        .await;
    let id = u.id();
    for round in 0..2 {
        let cur = s
            .req("GET", &format!("/Users/{id}"))
            .check(200)
            .await
            .etag();
        let path = format!("/Users/{id}");
        let send = |i: usize| {
            let path = path.clone();
            let cur = cur.clone();
            async move {
                let mut body = user("contended");
                body["displayName"] = json!(format!("writer {round}-{i}"));
                let req = if round == 0 {
                    s.req("PUT", &path).json(body)
                } else {
                    s.req("PATCH", &path).json(patch(json!([
                        {"op": "replace", "path": "displayName", "value": format!("writer {round}-{i}")}
                    ])))
                };
                let resp = req.header("If-Match", &cur);
                // Either outcome is valid for one writer; count them below.
                let r = resp.check_any().await;
                r.status
            }
        };
        let statuses = futures_join((0..2).map(send)).await;
        let mut st = statuses.clone();
        st.sort();
        assert_eq!(st, [200, 412], "round {round}: {statuses:?}");
    }
}

/// Runs futures concurrently on the current task and collects their outputs in order.
async fn futures_join<F: std::future::Future>(futs: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futs {
        set.push(Box::pin(f));
    }
    let mut out: Vec<Option<F::Output>> = (0..set.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(|o| o.expect("done")).collect()
}
