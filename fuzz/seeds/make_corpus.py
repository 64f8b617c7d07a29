#!/usr/bin/env python3
"""Seeds fuzz/corpus/{patch,request} from the repository's test data:
the PATCH bodies of crates/scimkit-schema/tests/data/patch/*.json, and the
IdP requests of examples/scimkit-server/tests/data/*.json (as
`METHOD TARGET\\ncontent-type: application/scim+json\\n\\nBODY`)."""
import glob, hashlib, json, os

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

def write(kind, data):
    d = os.path.join(root, "fuzz", "corpus", kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)

def walk(v, found):
    if isinstance(v, dict):
        if "Operations" in v:
            found.append(v)
        for x in v.values():
            walk(x, found)
    elif isinstance(v, list):
        for x in v:
            walk(x, found)

for path in glob.glob(os.path.join(root, "crates/scimkit-schema/tests/data/patch/*.json")):
    found = []
    walk(json.load(open(path)), found)
    for body in found:
        write("patch", json.dumps(body).encode())

for path in glob.glob(os.path.join(root, "examples/scimkit-server/tests/data/*.json")):
    for step in json.load(open(path)):
        if not isinstance(step, dict) or "method" not in step:
            continue
        target = "/scim/v2" + step["path"]
        head = f"{step['method']} {target}\ncontent-type: application/scim+json"
        body = json.dumps(step["body"]) if step.get("body") is not None else ""
        write("request", (head + "\n\n" + body).encode())
