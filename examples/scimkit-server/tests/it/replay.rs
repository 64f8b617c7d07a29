//! The replay runner for `tests/data/*.json` (format in
//! `tests/data/README.md`): ordered steps, `${var}` substitution, status,
//! header prefixes, JSON subsets (arrays paired one to one in any order),
//! absent pointers and captures.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::harness::{Client, Reply};

type Vars = BTreeMap<String, String>;

/// Replaces every `${name}` in `s`.
fn subst(s: &str, vars: &Vars) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| format!("unclosed ${{ in {s:?}"))?;
        let name = &after[..end];
        let v = vars
            .get(name)
            .ok_or_else(|| format!("unknown variable ${{{name}}}"))?;
        out.push_str(v);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

fn subst_json(v: &Value, vars: &Vars) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => Value::String(subst(s, vars)?),
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| subst_json(x, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| Ok((k.clone(), subst_json(x, vars)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// Whether `actual` matches the `expected` subset.
pub(crate) fn matches(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .all(|(k, ev)| a.get(k).is_some_and(|av| matches(ev, av))),
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && pair(e, a, &mut vec![false; a.len()])
        }
        (Value::Number(e), Value::Number(a)) => e.as_f64() == a.as_f64(),
        _ => expected == actual,
    }
}

/// One-to-one pairing of expected and actual elements (backtracking).
fn pair(e: &[Value], a: &[Value], used: &mut Vec<bool>) -> bool {
    let Some((first, rest)) = e.split_first() else {
        return true;
    };
    for i in 0..a.len() {
        if !used[i] && matches(first, &a[i]) {
            used[i] = true;
            if pair(rest, a, used) {
                return true;
            }
            used[i] = false;
        }
    }
    false
}

/// Whether a pointer is absent (missing, `null` or `[]`, RFC 7643 §2.5).
fn absent(body: &Value, pointer: &str) -> bool {
    match body.pointer(pointer) {
        None | Some(Value::Null) => true,
        Some(Value::Array(a)) => a.is_empty(),
        Some(_) => false,
    }
}

fn check_step(step: &Value, reply: &Reply, vars: &mut Vars) -> Result<(), String> {
    let expect = &step["expect"];
    let ok_status = match &expect["status"] {
        Value::Array(list) => list
            .iter()
            .any(|s| s.as_u64() == Some(u64::from(reply.status))),
        s => s.as_u64() == Some(u64::from(reply.status)),
    };
    if !ok_status {
        return Err(format!(
            "status {} (expected {})",
            reply.status, expect["status"]
        ));
    }
    if reply.status == 204 && !reply.text.is_empty() {
        return Err("a 204 with a body".into());
    }
    if matches!(reply.status, 404 | 409)
        && !matches(
            &serde_json::json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "status": reply.status.to_string()
            }),
            &reply.json,
        )
    {
        return Err("not a SCIM Error body".into());
    }
    // Captures first: a step's expectations may name what it captures.
    if let Some(caps) = expect["capture"].as_object() {
        for (name, pointer) in caps {
            let p = pointer.as_str().unwrap_or_default();
            let v = reply
                .json
                .pointer(p)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("capture {name}: {p} is not a string"))?;
            vars.insert(name.clone(), v.to_owned());
        }
    }
    if let Some(headers) = expect["headers"].as_object() {
        for (name, want) in headers {
            let want = subst(want.as_str().unwrap_or_default(), vars)?;
            let got = reply
                .headers
                .get(name.as_str())
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !got.starts_with(&want) {
                return Err(format!(
                    "header {name}: {got:?} does not start with {want:?}"
                ));
            }
        }
    }
    if !expect["json"].is_null() {
        let want = subst_json(&expect["json"], vars)?;
        if !matches(&want, &reply.json) {
            return Err(format!("body does not match {want}"));
        }
    }
    if let Some(list) = expect["absent"].as_array() {
        for p in list {
            let p = p.as_str().unwrap_or_default();
            if !absent(&reply.json, p) {
                return Err(format!("{p} is present"));
            }
        }
    }
    Ok(())
}

/// Replays `steps` against `client`; the error names the failing step.
pub(crate) async fn replay(client: &Client, steps: &[Value]) -> Result<usize, String> {
    let mut vars = Vars::new();
    vars.insert("baseUrl".into(), client.base.clone());
    for (i, step) in steps.iter().enumerate() {
        let name = step["name"].as_str().unwrap_or("?");
        let method = step["method"].as_str().unwrap_or("GET");
        let fail = |e: String, reply: Option<&Reply>| {
            format!(
                "step {i} {name:?} ({method} {}): {e}\nresponse: {}",
                step["path"],
                reply.map_or("-", |r| r.text.as_str())
            )
        };
        let path =
            subst(step["path"].as_str().unwrap_or_default(), &vars).map_err(|e| fail(e, None))?;
        let body = match &step["body"] {
            Value::Null => None,
            b => Some(subst_json(b, &vars).map_err(|e| fail(e, None))?),
        };
        let reply = client
            .send(method, &path, body.as_ref())
            .await
            .map_err(|e| fail(e.to_string(), None))?;
        check_step(step, &reply, &mut vars).map_err(|e| fail(e, Some(&reply)))?;
    }
    Ok(steps.len())
}

#[test]
fn subsets_pair_array_elements_in_any_order() {
    use serde_json::json;
    let cases = [
        (json!({"a": 1}), json!({"a": 1.0, "b": 2}), true),
        (json!({"a": 1}), json!({"b": 1}), false),
        (
            json!([{"v": "x"}, {"v": "y"}]),
            json!([{"v": "y", "d": 1}, {"v": "x"}]),
            true,
        ),
        (json!([{"v": "x"}]), json!([{"v": "x"}, {"v": "y"}]), false),
        (
            json!([{}, {"v": "x"}]),
            json!([{"v": "x"}, {"v": "z"}]),
            true,
        ),
        (
            json!([{"v": "x"}, {"v": "x"}]),
            json!([{"v": "x"}, {"v": "z"}]),
            false,
        ),
    ];
    for (want, got, ok) in cases {
        assert_eq!(matches(&want, &got), ok, "{want} vs {got}");
    }
}
