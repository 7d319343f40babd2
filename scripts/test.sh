#!/usr/bin/env bash
# `npm test`: typecheck, lint, then the four jest projects (jest.config.js). The unit and
# integration projects run in the foreground on three workers (on two cores they wait on DynamoDB
# Local and timers as much as they compute); beside them, one background job
# typechecks and lints (~20 s of one core), another packages both regions (`package:all`, ~30 s,
# mostly osls waiting on itself) and then runs the template project, the one that reads what it
# produced. The end-to-end project runs last and alone (--runInBand): two embedded runtimes at
# once starve a health probe (README, "Performance").
set -euo pipefail
cd "$(dirname "$0")/.."

checks_log=$(mktemp)
package_log=$(mktemp)
(npm run --silent typecheck && npm run --silent lint) >"$checks_log" 2>&1 &
checks_pid=$!
(npm run --silent package:all && npx jest --ci --selectProjects template) >"$package_log" 2>&1 &
package_pid=$!
# A failing step stops the run; the background jobs it leaves behind are stopped with it.
trap 'kill "$checks_pid" "$package_pid" 2>/dev/null || true; rm -f "$checks_log" "$package_log"' EXIT

# Waits for a background job and prints its output; a failed job fails the run.
finish() {
  local pid=$1 log=$2 what=$3
  if ! wait "$pid"; then
    cat "$log" >&2
    echo "error: $what failed (above)" >&2
    exit 1
  fi
  cat "$log"
}

bash scripts/ensure-chromium.sh
npx jest --ci --maxWorkers=3 --selectProjects unit integration
finish "$checks_pid" "$checks_log" "the typecheck or the lint"
finish "$package_pid" "$package_log" "package:all or the template project"
npx jest --ci --selectProjects e2e --runInBand
