#!/usr/bin/env bash
# Scores the answer banks (eval/bank/) on the starter base and on nci-pdq, printing only each
# bank's summary line (the frozen test half is reported, never read case by case).
# Usage: scripts/bank-eval.sh EVIDENT_BIN STARTER_DATA_DIR PDQ_DATA_DIR [BANK...]
set -euo pipefail
bin="$1"; starter="$2"; pdq="$3"; shift 3
banks=("$@")
[ ${#banks[@]} -gt 0 ] || banks=(eval/bank/tune-a.jsonl eval/bank/tune-b.jsonl eval/bank/test.jsonl)
for corpus in starter nci-pdq; do
  dir="$starter"; [ "$corpus" = nci-pdq ] && dir="$pdq"
  for bank in "${banks[@]}"; do
    line=$("$bin" --data-dir "$dir" eval answers --cases "$bank" --corpus "$corpus" 2>/dev/null | grep '^summary:')
    printf '%-8s %-28s %s\n' "$corpus" "$(basename "$bank")" "${line#summary: }"
  done
done
