#!/usr/bin/env bash
# The whole test suite: lint, migrations check, pytest on SQLite and on PostgreSQL
# (browser tests included), then the demo database and its audit chain.
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh" test
OUT="$ROOT/test-output"
mkdir -p "$OUT"
export GONGHUI_TEST_OUTPUT="$OUT"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

# apt-get while another package manager (unattended-upgrades on a fresh Ubuntu) holds the lock
# fails at once: wait for it, saying so, for up to ten minutes.
apt_install() {
  local tries=0
  until as_root apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null 2>/tmp/gonghui-apt.err; do
    tries=$((tries + 1))
    if ! grep -qi "lock" /tmp/gonghui-apt.err || [ $tries -ge 120 ]; then cat /tmp/gonghui-apt.err >&2; return 1; fi
    [ $tries -eq 1 ] && echo "   等待其他程序（如系统自动更新）释放软件包锁……"
    sleep 5
  done
  DEBIAN_FRONTEND=noninteractive as_root apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null
}

# Browser tests drive Debian's chromium (Playwright's own browser download cannot work here);
# the .docx tests convert with LibreOffice headless and read the PDF back with poppler.
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto sans cjk" \
   || ! command -v soffice >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1; then
  echo "== installing chromium, LibreOffice Writer, poppler and CJK fonts"
  apt_install chromium fonts-noto-cjk libreoffice-writer-nogui poppler-utils
fi

echo "== ruff"
ruff check .

echo "== migrations are up to date"
GONGHUI_DATA_DIR="$(mktemp -d)" gonghui makemigrations --check --dry-run

echo "== pytest on SQLite"
unset DATABASE_URL
status=0
pytest -p no:randomly --durations=15 "$@" || status=$?
[ $status -eq 0 ] || { echo "SQLite run failed"; exit $status; }

echo "== pytest on PostgreSQL"
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt_install postgresql
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "   starting the local PostgreSQL server"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
export DATABASE_URL="${GONGHUI_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/gonghui_ci}"
pytest -p no:randomly --create-db --durations=15 "$@" || status=$?
unset DATABASE_URL
[ $status -eq 0 ] || { echo "PostgreSQL run failed"; exit $status; }

echo "== demo database and audit chain"
DEMO_DIR="$(mktemp -d)"
GONGHUI_DATA_DIR="$DEMO_DIR" gonghui demo --no-serve >/dev/null
GONGHUI_DATA_DIR="$DEMO_DIR" gonghui audit verify
rm -rf "$DEMO_DIR"
echo "== all checks passed"
