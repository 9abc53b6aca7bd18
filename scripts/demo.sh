#!/usr/bin/env bash
# Start the demo on the embedded default (SQLite in ./var): installs what is needed,
# builds the demo database on first run, prints the logins and serves
# http://127.0.0.1:8000. Extra arguments go to `gonghui demo` (e.g. --reset).
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh" run
unset DATABASE_URL
exec gonghui demo "$@"
