#!/usr/bin/env bash
# Sets up (if needed), builds the app, and serves build/web/ on http://127.0.0.1:8080 with the
# cross-origin isolation headers. PORT=n changes the port. Extra arguments go to scripts/serve.mjs
# (e.g. --no-isolation to try the service-worker path).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$here/scripts/setup.sh"
"$here/scripts/build-web.sh"
exec node "$here/scripts/serve.mjs" --root "$here/build/web" --port "${PORT:-8080}" "$@"
