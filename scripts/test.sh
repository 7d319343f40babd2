#!/usr/bin/env bash
# `npm test`: typecheck, lint, then the four jest projects (jest.config.js). Packaging both
# regions (`package:all`, ~30 s, mostly osls waiting on itself, under half a core) runs beside the
# typecheck, the lint and the unit and integration projects; only the template project reads what
# it produced, so that one runs after it. The end-to-end project runs last and alone (--runInBand):
# two embedded runtimes at once starve a health probe (README, "Performance").
set -euo pipefail
cd "$(dirname "$0")/.."

package_log=$(mktemp)
npm run --silent package:all >"$package_log" 2>&1 &
package_pid=$!
# A failing step stops the run; the packaging it leaves behind is stopped with it.
trap 'kill "$package_pid" 2>/dev/null || true; rm -f "$package_log"' EXIT

npm run --silent typecheck
npm run --silent lint
bash scripts/ensure-chromium.sh
npx jest --ci --maxWorkers=2 --selectProjects unit integration

if ! wait "$package_pid"; then
  cat "$package_log" >&2
  echo "error: package:all failed (above)" >&2
  exit 1
fi
cat "$package_log"
npx jest --ci --selectProjects template
npx jest --ci --selectProjects e2e --runInBand
