#!/usr/bin/env bash
# The merge Job: every shard file into one result.
set -euo pipefail
: "${GRIDRISK:=target/release/gridrisk}"
: "${OUT_DIR:=shards}"
: "${RESULT:=result.json}"
"$GRIDRISK" merge "$OUT_DIR"/shard-*.json --format json --out "$RESULT"
