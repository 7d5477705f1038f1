#!/usr/bin/env bash
# Build the one-folder bundle into dist/voucher-batches/ (run from anywhere).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q -e . pyinstaller
python3 -m PyInstaller --noconfirm --clean --distpath dist --workpath build packaging/voucher-batches.spec
echo "Built dist/voucher-batches/voucher-batches"
