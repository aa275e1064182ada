#!/usr/bin/env bash
# Label Studio for curate's review loop, in its own virtual environment (it pins its own Django,
# pandas, numpy...; ~1 GB, ~5 minutes to install).
#
#   scripts/labelstudio.sh install      create .venv-labelstudio/ and pip install label-studio
#   scripts/labelstudio.sh serve        run the server in the foreground (tests start it this way)
#   scripts/labelstudio.sh start        run it in the background, wait until /health answers
#   scripts/labelstudio.sh stop         stop the background server
#
# Settings (environment): LABEL_STUDIO_PORT (8089), LABEL_STUDIO_DATA (out/labelstudio),
# LABEL_STUDIO_USERNAME (curate@example.com), LABEL_STUDIO_PASSWORD (curate-review),
# LABEL_STUDIO_VENV (.venv-labelstudio), LABEL_STUDIO_SPEC (label-studio>=1.23,<1.24).
# The server listens on 127.0.0.1 only (--internal-host; `--host` only names the public URL),
# does not ask PyPI for a newer version, and admits new users only through an invite link.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${LABEL_STUDIO_VENV:-.venv-labelstudio}
SPEC=${LABEL_STUDIO_SPEC:-label-studio>=1.23,<1.24}
PORT=${LABEL_STUDIO_PORT:-8089}
DATA=${LABEL_STUDIO_DATA:-out/labelstudio}
USERNAME=${LABEL_STUDIO_USERNAME:-curate@example.com}
PASSWORD=${LABEL_STUDIO_PASSWORD:-curate-review}
PIDFILE="$DATA/server.pid"
URL="http://127.0.0.1:$PORT"

install() {
  if [ -x "$VENV/bin/label-studio" ]; then
    echo "label-studio already installed in $VENV"
    return
  fi
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q "$SPEC"
  echo "installed $("$VENV/bin/python" -m pip show label-studio 2>/dev/null | grep ^Version) in $VENV"
}

serve() {
  [ -x "$VENV/bin/label-studio" ] || { echo "label-studio is not installed: run $0 install" >&2; exit 3; }
  mkdir -p "$DATA"
  export LABEL_STUDIO_BASE_DATA_DIR="$DATA" LATEST_VERSION_CHECK=false
  export LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK=true SENTRY_DSN= FRONTEND_SENTRY_DSN=
  exec "$VENV/bin/label-studio" start --no-browser --internal-host 127.0.0.1 --host "$URL" --port "$PORT" \
    --username "$USERNAME" --password "$PASSWORD"
}

start() {
  mkdir -p "$DATA"
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    echo "already running: $URL (pid $(cat "$PIDFILE"))"
    return
  fi
  nohup "$0" serve >"$DATA/server.log" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 120); do
    if "$VENV/bin/python" -c "import urllib.request as u; u.urlopen('$URL/health', timeout=2)" 2>/dev/null; then
      echo "Label Studio at $URL (user $USERNAME, data $DATA, log $DATA/server.log)"
      return
    fi
    kill -0 "$(cat "$PIDFILE")" 2>/dev/null || break
    sleep 1
  done
  echo "Label Studio did not answer at $URL/health; log: $DATA/server.log" >&2
  tail -20 "$DATA/server.log" >&2
  exit 1
}

stop() {
  if [ -f "$PIDFILE" ]; then
    kill "$(cat "$PIDFILE")" 2>/dev/null || true
    rm -f "$PIDFILE"
    echo "stopped"
  fi
}

case "${1:-}" in
  install) install ;;
  serve) serve ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 install|serve|start|stop" >&2; exit 2 ;;
esac
