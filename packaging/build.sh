#!/usr/bin/env bash
# Build the one-folder bundle into dist/voucher-batches/ (run from anywhere; see packaging/README.md).
#
# It installs the app and PyInstaller into the environment it builds with: $PYTHON if set, else
# the checkout's .venv (the README's commands make it; made here if missing, because Debian's and
# Ubuntu's python3 refuse `pip install` outside a virtual environment).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${PYTHON:-}" ]; then
  python="$PYTHON"
else
  if [ ! -d .venv ]; then
    python3 -m venv .venv
  fi
  if [ -x .venv/bin/python ]; then python=.venv/bin/python; else python=.venv/Scripts/python.exe; fi  # Windows: Git Bash
fi

started=$SECONDS
"$python" -m pip install -q -e ".[bundle]"
"$python" -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build packaging/voucher-batches.spec
echo "Built dist/voucher-batches/ in $((SECONDS - started)) s ($(du -sh dist/voucher-batches | cut -f1)): voucher-batches (the window; on Linux also the command line), voucher-batches-cli (the command line)"
