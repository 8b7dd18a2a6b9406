#!/usr/bin/env python3
"""Writes the seed corpora of fuzz/corpus/<harness>/ (committed; fuzz/README.md "Corpora").

Seeds are the inputs the tests already use: the families' own examples, the tests' frames, configs, Link headers
and URLs, and answers shaped like the test fakes' (tests/support/fake_*.cpp) and the providers' documentation
(docs/platforms.md). Raw string literals R"(...)" of the named test files are taken as they are.
Run from the repository root: python3 fuzz/make_seeds.py
"""
import hashlib
import json
import pathlib
import re

root = pathlib.Path(__file__).resolve().parent.parent
corpus = root / "fuzz" / "corpus"


def write(harness, data):
    if isinstance(data, str):
        data = data.encode()
    d = corpus / harness
    d.mkdir(parents=True, exist_ok=True)
    (d / ("seed-" + hashlib.sha1(data).hexdigest()[:16])).write_bytes(data)


def raw_strings(path):
    text = (root / path).read_text()
    return [m.group(2) for m in re.finditer(r'R"(\w*)\((.*?)\)\1"', text, re.S)]


def string_literals(path, pattern):
    text = (root / path).read_text()
    out = []
    for m in re.finditer(pattern + r'\("((?:[^"\\]|\\.)*)"', text):
        out.append(bytes(m.group(1), "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8", "replace"))
    return out


# --- command: the families' examples, and the tokenizer tests' texts.
for spec in sorted((root / "commands").glob("*/spec*.cpp")):
    for group in re.findall(r'\.examples = \{([^}]*)\}', spec.read_text()):
        for example in re.findall(r'"((?:[^"\\]|\\.)*)"', group):
            write("command", bytes(example, "utf-8").decode("unicode_escape").encode("latin-1"))
for s in raw_strings("tests/unit/commands/tokenizer_test.cpp"):
    write("command", s)
for s in string_literals("tests/unit/commands/tokenizer_test.cpp", r'tokenize'):
    write("command", s)
for s in ['lock web production "hotfix in progress"', "rollback api 8f2c1d3e", "web --dry-run",
          "\u201cquoted smart\u201d and \u2018single\u2019", "help", "--help", "audit 5", "audit A-12",
          "rotate OPENAI_API_KEY --break-glass=\"prod is down\"", "api staging", ""]:
    write("command", s)

# --- socket_mode: the frame tests' frames, docs/slack.md examples, button values.
for s in raw_strings("tests/unit/slack/socket_mode_frames_test.cpp") + raw_strings("tests/unit/bot/block_action_test.cpp"):
    write("socket_mode", s)
slack_md = (root.parent.parent / "shared" / "reference" / "slack.md")
if slack_md.exists():
    for block in re.findall(r"```json\n(.*?)```", slack_md.read_text(), re.S):
        write("socket_mode", block)
digest = "ab" * 32
envelopes = [
    {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"},
     "debug_info": {"approximate_connection_time": 18060}},
    {"type": "disconnect", "reason": "refresh_requested"},
    {"type": "slash_commands", "envelope_id": "e1", "accepts_response_payload": True,
     "payload": {"user_id": "U01", "channel_id": "C0123OPS", "command": "/deploy", "text": "status",
                 "response_url": "https://hooks.slack.test/r"}},
    {"type": "interactive", "envelope_id": "e2", "payload": {
        "type": "block_actions", "user": {"id": "U02"}, "channel": {"id": "C0123OPS"},
        "container": {"message_ts": "1700000000.000100", "channel_id": "C0123OPS"},
        "actions": [{"action_id": "approve", "value": "A-7:" + digest, "action_ts": "1700000001.0001"}],
        "response_url": "https://hooks.slack.test/a"}},
    {"type": "events_api", "envelope_id": "e3", "retry_attempt": 1, "payload": {"event_id": "Ev1",
                                                                                 "event": {"type": "app_mention"}}},
]
for e in envelopes:
    write("socket_mode", json.dumps(e))
write("socket_mode", "A-7:" + digest)
write("socket_mode", '{"type":"slash_commands","envelope_id":"e\u00e9","payload":{"text":"\u201cx\u201d \U0001F680"}}')

# --- config: the example stack description and the config tests' texts.
write("config", (root / "manifest" / "opsbot.example.jsonc").read_text())
for path in ["tests/unit/config/config_test.cpp", "tests/unit/config/watch_test.cpp"]:
    for s in raw_strings(path):
        write("config", s)
for s in ["15m", "30s", "2h", "1d", "1h30m"]:
    write("config", s)

# --- url: the Link header and URL tests' values.
for path in ["tests/unit/adapters/link_header_test.cpp", "tests/unit/adapters/http_url_test.cpp"]:
    for s in raw_strings(path):
        write("url", s)
for s in string_literals("tests/unit/adapters/http_url_test.cpp", r'parse_request_url'):
    write("url", s)
for s in ['<https://api.github.com/repositories/1/commits?page=2>; rel="next", <https://api.github.com/x?page=5>; rel="last"',
          'https://sentry.io/api/0/organizations/acme/issues/\n/api/0/organizations/acme/issues/?cursor=0:100:0',
          '<https://sentry.io/api/0/organizations/acme/issues/?cursor=0:100:0>; rel="next"; results="true"; cursor="0:100:0"',
          "http://127.0.0.1:8080/health", "https://[::1]:8443/v1/x?y=1", "120", "Wed, 21 Oct 2015 07:28:00 GMT",
          "https://api.vercel.com/v9/projects\nhttps://api.vercel.com:443/v9/other"]:
    write("url", s)

# --- audit: anchors, --since times, monitoring timestamps, detail JSON.
for s in ["42:3f9a0c1d2e4b", "1:" + "0" * 64, "7:ABCDEF012345", "2026-09-21", "2026-09-21T12:34:56.789Z",
          "2026-09-21T12:34+02:00", "2026-11-26T10:05:00Z", "2026-11-26T10:05:00.123456-05:30",
          '{"b":[1,2.5,{"z":null,"a":true}],"a":"\u00e9\\u0000"}', '2026-01-01\n{"service":"web","environment":"production"}']:
    write("audit", s)

# --- adapters: a selector byte, then answers (status byte, body[, 0x01 Link]) separated by 0x00.
OK, CREATED, NOT_FOUND, SERVER_ERROR, RATE_LIMITED = b"H", b"L", b"S", b"W", b"V"


def answers(*parts):
    return b"\x00".join(parts)


def adapter(harness, op, *parts):
    write(harness, bytes([op]) + answers(*parts))


def js(value):
    return json.dumps(value).encode()


vercel_dep = {"uid": "dpl_A1", "name": "web", "url": "web-a1.vercel.app", "created": 1790000000000,
              "state": "READY", "readyState": "READY", "readySubstate": "PROMOTED", "target": "production",
              "meta": {"githubCommitSha": "de8b89f0", "githubCommitRef": "main"}, "isRollbackCandidate": True}
older = dict(vercel_dep, uid="dpl_B2", created=1789990000000, readySubstate="STAGED")
errored = dict(vercel_dep, uid="dpl_C3", state="ERROR", readyState="ERROR")
listing = {"deployments": [vercel_dep, errored, older], "pagination": {"count": 3, "next": None, "prev": 1790000000000}}
paged = {"deployments": [vercel_dep], "pagination": {"count": 1, "next": 1789999999999}}
single = dict(vercel_dep, id="dpl_A1")
del single["uid"]
vercel_error = {"error": {"code": "conflict", "message": "A rollback is already in progress"}}
for op, parts in [
    (0, [OK + js(listing)]), (0, [OK + js(paged), OK + js({"deployments": [older]})]),
    (0, [OK + b'{"deployments": "nope"}']), (0, [RATE_LIMITED + js(vercel_error)]),
    (1, [OK + js(single)]), (1, [NOT_FOUND + js({"error": {"code": "not_found", "message": "Deployment not found"}})]),
    (2, [OK + js(listing)]), (3, [CREATED + b"{}"]), (3, [b"T" + js(vercel_error)]), (4, [CREATED + b""]),
    (5, [OK + js({"lastAliasRequest": {"fromDeploymentId": "dpl_A1", "toDeploymentId": "dpl_B2",
                                        "jobStatus": "in-progress", "requestedAt": 1790000000000, "type": "rollback"}})]),
    (5, [OK + b'{"lastAliasRequest": null}']), (6, [OK + js({"id": "dpl_NEW", "readyState": "QUEUED"})]),
    (7, [CREATED + js({"created": [{"key": "KEY"}], "failed": []})]),
    (7, [CREATED + js({"created": [], "failed": [{"error": {"code": "ENV_CONFLICT", "message": "target clash",
                                                            "key": "X"}}]})]),
    (8, [OK + js({"envs": [{"id": "env_1", "key": "OPENAI_API_KEY", "type": "encrypted",
                            "target": ["production", "preview"]}], "pagination": {"next": None}})]),
    (8, [OK + b'{"envs": {"not": "a list"}}']),
]:
    adapter("platform_adapters", op, *parts)

node = {"id": "dep-1", "status": "SUCCESS", "createdAt": "2026-11-26T10:00:00.000Z", "canRollback": True,
        "canRedeploy": True, "meta": {"commitHash": "abc123", "commitMessage": "fix", "branch": "main"}}
removed = dict(node, id="dep-0", status="REMOVED", createdAt="2026-11-25T10:00:00.000Z")
railway_list = {"data": {"deployments": {"edges": [{"node": node}, {"node": removed}]}}}
for op, parts in [
    (0x20, [OK + js(railway_list)]), (0x20, [OK + b'{"extensions":{}}']),
    (0x20, [OK + js({"errors": [{"message": "Not Authorized"}], "data": None})]),
    (0x21, [OK + js({"data": {"serviceInstance": {"latestDeployment": node}}})]),
    (0x22, [OK + js({"data": {"deployment": {"status": "BUILDING"}}})]),
    (0x23, [OK + js({"data": {"deploymentRollback": True}})]),
    (0x24, [OK + js({"data": {"serviceInstanceDeployV2": "dep-2"}})]),
    (0x25, [OK + js({"data": {"deploymentRedeploy": {"id": "dep-3", "status": "INITIALIZING"}}})]),
    (0x26, [OK + js({"data": {"variableCollectionUpsert": True}})]),
    (0x27, [OK + js({"data": {"variables": {"DATABASE_URL": "postgres://x", "KEY": "v"}}})]),
    (0x27, [OK + b'{"data":{"variables":"nope"}}']),
]:
    adapter("platform_adapters", op, *parts)

issue = {"id": "1", "shortId": "WEB-1", "title": "TypeError", "culprit": "app/page", "permalink": "https://s/1",
         "level": "error", "status": "unresolved", "count": "12", "userCount": 3,
         "firstSeen": "2026-11-26T10:05:00Z", "lastSeen": "2026-11-26T10:06:00.123Z"}
sentry_next = b'\x01<https://sentry.test/api/0/organizations/org/issues/?cursor=0:100:0>; rel="next"; results="true"; cursor="0:100:0"'
monitor = {"id": "1", "type": "monitor", "attributes": {"pronounceable_name": "API", "url": "https://api.test/health",
                                                         "status": "up", "last_checked_at": "2026-11-26T10:05:00Z"}}
check_runs = {"total_count": 2, "check_runs": [
    {"name": "build", "status": "completed", "conclusion": "success", "html_url": "https://gh/1", "head_sha": "abc"},
    {"name": "test", "status": "in_progress", "conclusion": None, "details_url": "https://gh/2", "head_sha": "abc"}]}
combined = {"state": "success", "sha": "abc", "total_count": 1,
            "statuses": [{"context": "ci/vercel", "state": "success", "target_url": "https://v/1"}]}
openai_accounts = {"object": "list", "data": [{"id": "svc_1", "name": "opsbot-OPENAI"}, {"id": "svc_old", "name": "x"}],
                   "has_more": False}
openai_created = {"id": "svc_2", "name": "opsbot", "api_key": {"id": "key_2", "value": "sk-proj-abc"}}
resend_keys = {"data": [{"id": "k1", "name": "opsbot-2026"}, {"id": "k2", "name": "other"}], "has_more": False}
for op, parts in [
    (0, [OK + js([issue]) + sentry_next, OK + js([])]), (0, [OK + b'{"detail":"not a list"}']),
    (0, [OK + b'[{"id":"1","count":"many","firstSeen":"2026-11-26T10:05:00Z"}]']),
    (0, [RATE_LIMITED + b'{"detail":"slow down"}']),
    (1, [OK + js({"data": [monitor], "pagination": {"next": None}})]),
    (1, [OK + js({"data": [monitor], "pagination": {"next": "https://uptime.betterstack.test/api/v2/monitors?page=2"}}),
         OK + js({"data": [], "pagination": {"next": None}})]),
    (1, [OK + b'[{"id":"1"}]']),
    (2, [OK + js(check_runs), OK + js(combined)]), (2, [SERVER_ERROR + b'{"message":"Server Error"}']),
    (3, [OK + js(openai_accounts)]), (11, [CREATED + js(openai_created)]), (19, [OK + js(openai_accounts), OK + b"{}"]),
    (27, [OK + js({"object": "list", "data": []})]), (35, [OK + b'{"deleted": true}']),
    (4, [OK + js(resend_keys)]), (12, [CREATED + js({"id": "k3", "token": "re_abc"})]),
    (12, [CREATED + b'{"id":"only-an-id"}']), (20, [OK + js(resend_keys), OK + b""]), (28, [OK + b"{}"]),
    (36, [NOT_FOUND + b'{"message":"not found"}']),
    (13, [OK + js({"id": 1, "api_token": "phc_abc"})]), (13, [OK + b'{"id": 12345, "name": "no token here"}']),
    (6, [OK + b'{"status":"ok","timestamp":"2026-11-26T10:05:00Z","checks":{"db":"ok","redis":"ok"}}']),
    (6, [b"X" + b'{"status":"error","checks":{"db":"down","redis":"ok"}}']),
]:
    adapter("monitoring_adapters", op, *parts)
for s in raw_strings("tests/integration/health_adapter_test.cpp"):
    write("monitoring_adapters", b"\x07" + s.encode())
    write("monitoring_adapters", b"\x7f" + s.encode())
