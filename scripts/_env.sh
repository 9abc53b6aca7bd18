# Sourced by demo.sh and test.sh: a virtualenv in .venv with gonghui installed (editable).
# Re-installs only when pyproject.toml changed since the last install (or the test tools are
# wanted and only the app was installed).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${GONGHUI_PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "需要 Python 3.11 或更高版本（当前：$("$PY" --version 2>&1)）" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
STAMP=.venv/.gonghui-installed
# The stamp names pyproject.toml's hash and what was installed: "test" (with the test tools)
# serves the demo as well, so switching between the two scripts does not reinstall.
HASH="$(sha256sum pyproject.toml | cut -d' ' -f1)"
MODE="${1:-run}"
if ! grep -qx -- "$HASH-test" "$STAMP" 2>/dev/null && ! { [ "$MODE" = run ] && grep -qx -- "$HASH-run" "$STAMP" 2>/dev/null; }; then
  echo "正在把 gonghui 及其依赖安装到 .venv（首次约需一两分钟，请稍候）…"
  .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
  if [ "$MODE" = "test" ]; then
    .venv/bin/python -m pip install --quiet -e '.[test]'
  else
    .venv/bin/python -m pip install --quiet -e .
  fi
  echo "$HASH-$MODE" > "$STAMP"
  echo "安装完成。"
fi
export PATH="$ROOT/.venv/bin:$PATH"
