//! The messages of one feed record: normally one, whose body is the record's
//! JSON (`ChangeRecord::to_json`). A record larger than
//! `--webhook-max-body` is sent without its `resource`; a membership record
//! still larger is split into parts, each with a slice of `members` and
//! `"part"` / `"parts"` (1-based), so no member id is lost and every body
//! fits.

use serde_json::Value;

/// One message: its `webhook-id` (the same on every retry) and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Message {
    pub(crate) id: String,
    pub(crate) body: Vec<u8>,
}

fn to_vec(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

/// The messages of the record `json` at `cursor`, each body at most
/// `max_body` bytes where that is possible (a record that does not fit even
/// without its resource, and has no members to split, goes as it is).
pub(crate) fn messages(json: &Value, cursor: &str, max_body: usize) -> Vec<Message> {
    let id = format!("msg_{cursor}");
    let body = to_vec(json);
    if body.len() <= max_body {
        return vec![Message { id, body }];
    }
    let mut slim = json.clone();
    if let Some(o) = slim.as_object_mut() {
        o.remove("resource");
    }
    let body = to_vec(&slim);
    if body.len() <= max_body {
        return vec![Message { id, body }];
    }
    let Some(members) = slim.get("members").and_then(Value::as_array).cloned() else {
        return vec![Message { id, body }];
    };
    // The size of the record without members, with room for the part
    // numbers, then members packed greedily.
    let mut frame = slim.clone();
    frame["members"] = Value::Array(Vec::new());
    frame["part"] = Value::from(u32::MAX);
    frame["parts"] = Value::from(u32::MAX);
    let frame_len = to_vec(&frame).len();
    let mut chunks: Vec<Vec<Value>> = Vec::new();
    let mut current: Vec<Value> = Vec::new();
    let mut len = frame_len;
    for m in members {
        let add = to_vec(&m).len() + usize::from(!current.is_empty());
        if !current.is_empty() && len + add > max_body {
            chunks.push(std::mem::take(&mut current));
            len = frame_len;
        }
        len += to_vec(&m).len() + usize::from(!current.is_empty());
        current.push(m);
    }
    chunks.push(current);
    let parts = chunks.len();
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let mut part = slim.clone();
            part["members"] = Value::Array(chunk);
            part["part"] = Value::from(i + 1);
            part["parts"] = Value::from(parts);
            Message {
                id: format!("{id}_{}", i + 1),
                body: to_vec(&part),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::{Value, json};

    use super::messages;

    #[test]
    fn a_small_record_is_one_message_with_its_json() {
        let r = json!({"cursor": "c1", "kind": "created", "resource": {"userName": "a"}});
        let m = messages(&r, "c1", 1024);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].id, "msg_c1");
        assert_eq!(serde_json::from_slice::<Value>(&m[0].body).unwrap(), r);
    }

    #[test]
    fn a_large_resource_is_left_out() {
        let r = json!({"cursor": "c1", "kind": "created", "resource": {"x": "y".repeat(5000)}});
        let m = messages(&r, "c1", 1024);
        assert_eq!(m.len(), 1);
        let body: Value = serde_json::from_slice(&m[0].body).unwrap();
        assert!(body.get("resource").is_none());
        assert_eq!(body["kind"], "created");
    }

    /// At the edge: every part fits, all members arrive once, in order.
    #[test]
    fn a_large_membership_change_is_split_into_parts_that_fit() {
        let members: Vec<String> = (0..500).map(|i| format!("{i:036}")).collect();
        let r = json!({"cursor": "c9", "kind": "membersAdded", "members": members});
        for max in [1024, 4096, 10_000] {
            let m = messages(&r, "c9", max);
            assert!(m.len() > 1, "{max}");
            let mut seen = Vec::new();
            for (i, msg) in m.iter().enumerate() {
                assert!(msg.body.len() <= max, "{} > {max}", msg.body.len());
                assert_eq!(msg.id, format!("msg_c9_{}", i + 1));
                let body: Value = serde_json::from_slice(&msg.body).unwrap();
                assert_eq!(body["part"], i + 1);
                assert_eq!(body["parts"], m.len());
                assert_eq!(body["kind"], "membersAdded");
                for id in body["members"].as_array().unwrap() {
                    seen.push(id.as_str().unwrap().to_owned());
                }
            }
            assert_eq!(seen, members);
        }
        let whole = serde_json::to_vec(&r).unwrap().len();
        assert_eq!(messages(&r, "c9", whole).len(), 1);
        assert_eq!(messages(&r, "c9", whole - 1).len(), 2);
    }
}
