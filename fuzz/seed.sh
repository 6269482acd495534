#!/usr/bin/env bash
# Rebuilds the fuzz corpora, fuzz/corpus/<target>/ (git-ignored), from:
#   - the vendors' example responses (the seed API documents, $SEEDS_DIR, default ../shared/seeds
#     beside the repository; skipped when absent),
#   - the workspace's test fixtures (crates/*/tests/fixtures) and the JSON raw strings
#     (r#"{...}"#) in each vendor crate's tests,
#   - the hand-written seeds in fuzz/seeds/<vendor or target>/ (error envelopes, headers, names),
#   - a few resume states, sealed here the way backup-core seals them.
# For the *_responses targets each body is written once per operation with status 200 (first
# byte = operation), and each error body also with statuses 400, 403, 404, 429, 500 and 503.
# Usage: fuzz/seed.sh            (then: cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run <target>)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
seeds_dir=${SEEDS_DIR:-$root/../shared/seeds}
exec python3 - "$here" "$root" "$seeds_dir" <<'PY'
import glob, hashlib, json, os, re, shutil, sys

fuzz, root, seeds_dir = sys.argv[1:4]
corpus = os.path.join(fuzz, "corpus")

# Must match fuzz_targets/: operations per target, and the status table's high nibbles.
OPS = {"aliyun_responses": 12, "tencent_responses": 5, "huawei_responses": 5}
NIBBLE = {200: 0, 400: 6, 403: 8, 404: 9, 429: 11, 500: 12, 503: 14}
VENDORS = {
    "aliyun_responses": ("aliyun", "crates/dbs-aliyun"),
    "tencent_responses": ("tencent", "crates/mongodb-tencent"),
    "huawei_responses": ("huawei", "crates/rds-huawei"),
}
ERROR_KEYS = ("Error", "ErrCode", "Code", "error_code", "error", "error_msg")

def write(target, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)

def json_blocks(text):
    """Every top-level JSON object or array in a text."""
    dec, i, out = json.JSONDecoder(), 0, []
    while i < len(text):
        if text[i] in "{[":
            try:
                value, end = dec.raw_decode(text, i)
                if isinstance(value, (dict, list)) and value:
                    out.append(text[i:end])
                    i = end
                    continue
            except ValueError:
                pass
        i += 1
    return out

def is_error(body):
    try:
        v = json.loads(body)
    except ValueError:
        return False
    if not isinstance(v, dict):
        return False
    v = v.get("Response", v) if isinstance(v.get("Response"), dict) else v
    return any(k in v for k in ERROR_KEYS) or v.get("Success") in (False, "false")

if os.path.isdir(corpus):
    shutil.rmtree(corpus)

for target, (vendor, crate) in VENDORS.items():
    bodies = []
    for f in sorted(glob.glob(os.path.join(seeds_dir, vendor + "-*.txt"))):
        bodies += json_blocks(open(f, encoding="utf-8").read())
    for f in sorted(glob.glob(os.path.join(root, crate, "tests/fixtures/**/*.json"), recursive=True)):
        bodies.append(open(f, encoding="utf-8").read())
    for f in sorted(glob.glob(os.path.join(root, crate, "tests/**/*.rs"), recursive=True)):
        for m in re.finditer(r'r#"(.*?)"#', open(f, encoding="utf-8").read(), re.S):
            try:
                if isinstance(json.loads(m.group(1)), (dict, list)):
                    bodies.append(m.group(1))
            except ValueError:
                pass
    for f in sorted(glob.glob(os.path.join(fuzz, "seeds", vendor, "*"))):
        bodies.append(open(f, encoding="utf-8").read())
    for body in bodies:
        statuses = [200] + ([400, 403, 404, 429, 500, 503] if is_error(body) else [])
        for op in range(OPS[target]):
            for status in statuses:
                write(target, bytes([NIBBLE[status] << 4 | op]) + body.encode())

for target in ("probe_headers", "names"):
    for f in sorted(glob.glob(os.path.join(fuzz, "seeds", target, "*"))):
        write(target, open(f, "rb").read())

# Resume states: serde_json's compact form of backup-core's `Meta` (validators flattened
# first), sealed with SHA-256 over the prefix and the state with an empty `check`.
def sealed(meta):
    meta = dict(meta, check="")
    raw = json.dumps(meta, separators=(",", ":"), ensure_ascii=False).encode()
    meta["check"] = hashlib.sha256(b"cloud-backup resume state v2\n" + raw).hexdigest()
    return json.dumps(meta, separators=(",", ":"), ensure_ascii=False).encode()

MIB = 1 << 20
states = [
    {"etag": '"d41d8cd98f00b204e9800998ecf8427e"', "last_modified": "Thu, 01 Jan 2026 00:00:00 GMT",
     "crc64": 5981764153023615706, "size": 10 * MIB, "chunk_size": 4 * MIB,
     "written": [4 * MIB, MIB, 0], "part": [2049, 131074]},
    {"etag": '"abc-2"', "last_modified": None, "crc64": None, "size": 100, "chunk_size": 100,
     "written": [37], "part": [1, 2]},
    {"etag": None, "last_modified": None, "crc64": None, "size": 0, "chunk_size": 65536,
     "written": [0], "part": [0, 0]},
]
for s in states:
    write("resume_state", sealed(s))
    write("resume_state", json.dumps(dict(s, check="0" * 64), separators=(",", ":")).encode())

for target in sorted(os.listdir(corpus)):
    print(f"{target}: {len(os.listdir(os.path.join(corpus, target)))} seeds")
PY
