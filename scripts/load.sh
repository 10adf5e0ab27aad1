#!/usr/bin/env bash
# Load benchmark of `evident serve` (not a test): 50 concurrent clients ask varied questions
# for a while, then approved-article reads. Needs wrk (Debian package) and a release build.
#
#   scripts/load.sh DATA_DIR [SECONDS]
#
# DATA_DIR holds an index (e.g. `evident --data-dir DATA_DIR ingest ../shared/data/nci-pdq`).
# Questions come from ../shared/eval/answers-dev.jsonl and ../shared/data/bioasq/queries.jsonl
# when present. The articles database is a fresh SQLite file in a temporary directory unless
# EVIDENT_DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:?usage: scripts/load.sh DATA_DIR [SECONDS]}"
seconds="${2:-60}"
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
bin=target/release/evident
[ -x "$bin" ] || cargo build --release -p evident-cli
work="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
shared=../shared

# Request bodies, one JSON object per line.
python3 - "$work/questions.jsonl" "$shared" <<'PY'
import json, os, sys
out, shared = sys.argv[1], sys.argv[2]
questions = []
for path in [f"{shared}/eval/answers-dev.jsonl", f"{shared}/data/bioasq/queries.jsonl"]:
    if os.path.exists(path):
        for line in open(path):
            d = json.loads(line)
            q = d.get("question") or d.get("text")
            if q:
                questions.append(q)
questions = questions[:600] or ["Next step for a presacral recurrence of rectal cancer after chemoradiation?"]
with open(out, "w") as f:
    for q in questions:
        f.write(json.dumps({"question": q}) + "\n")
print(f"{len(questions)} questions", file=sys.stderr)
PY

# A private copy of the data directory's index would be large: share it, but keep the
# articles database in the work directory.
export EVIDENT_DATABASE_URL="${EVIDENT_DATABASE_URL:-sqlite://$work/evident.db?mode=rwc}"
reviewer="$("$bin" --data-dir "$data" user add "load-reviewer-$port" --role reviewer | tail -1)"
"$bin" --data-dir "$data" serve --addr "127.0.0.1:$port" --public-ask \
  --ask-per-minute 10000000 --request-timeout 120 2>"$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break
  sleep 0.2
done

echo "== ask: 50 clients, ${seconds}s"
EVIDENT_LOAD_QUESTIONS="$work/questions.jsonl" \
  wrk -t2 -c50 -d"${seconds}s" --timeout 60s -s scripts/load-ask.lua "http://127.0.0.1:$port" | tail -1

# One approved article, then read it as readers do.
slug="$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/ask" -H 'content-type: application/json' \
  -d '{"question": "What is the load benchmark article about screening?"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["article"]["slug"])')"
for to in under_review approved; do
  curl -sf -X POST "http://127.0.0.1:$port/api/v1/articles/$slug/transitions" \
    -H "authorization: Bearer $reviewer" -H 'content-type: application/json' \
    -d "{\"to\": \"$to\"}" >/dev/null
done
read_seconds=$(( seconds < 20 ? seconds : 20 ))
for path in "/api/v1/articles/$slug" "/articles/$slug"; do
  echo "== approved-article reads: GET $path, 50 clients, ${read_seconds}s"
  wrk -t2 -c50 -d"${read_seconds}s" --latency "http://127.0.0.1:$port$path" \
    | grep -E "Requests/sec|Non-2xx|^ +50%|^ +99%"
done
kill -TERM $server
wait $server 2>/dev/null || true
echo "server: $(tail -1 "$work/serve.log")"
