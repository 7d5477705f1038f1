#!/usr/bin/env bash
# The Windows build, on this Linux machine (see packaging/README.md, "Windows"):
#   dist/windows/voucher-batches/voucher-batches.exe       the one-folder bundle (PyInstaller, run by the
#                                                          official Windows CPython 3.11.9 under Wine)
#   dist/windows/VoucherBatches-Setup-<version>.exe        its installer (Debian's makensis)
# The Windows CPython, its wheels and the Wine prefix come from tools/windows/common.sh (.cache/windows).
set -euo pipefail
. "$(dirname "$0")/../../tools/windows/common.sh"
cd "$windows_root"
started=$SECONDS
command -v makensis >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nsis >/dev/null; }
windows_setup packaging/windows/requirements.txt
version="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' app/__init__.py)"

rm -rf dist/windows build/windows
mkdir -p dist/windows build/windows
# PyInstaller on Windows CPython: it finds Qt's DLLs, the Python DLL and the bootloader as on Windows
win_python -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$(to_windows dist/windows)" --workpath "$(to_windows build/windows)" \
  "$(to_windows packaging/voucher-batches.spec)" | tee build/windows/pyinstaller.log | grep -v -E "^(fixme|err):" || true
bundle=dist/windows/voucher-batches
[ -f "$bundle/voucher-batches.exe" ] && [ -f "$bundle/voucher-batches-cli.exe" ] || {
  echo "PyInstaller made no bundle (see build/windows/pyinstaller.log)" >&2
  exit 1
}
echo "Built $bundle/ in $((SECONDS - started)) s ($(du -sh "$bundle" | cut -f1))"

# the installer: Start menu, optional desktop shortcut, uninstaller, the firewall rule for private networks
makensis -V2 -DVERSION="$version" -DSOURCE="$(realpath "$bundle")" \
  -DOUTFILE="$(realpath dist/windows)/VoucherBatches-Setup-$version.exe" packaging/windows/installer.nsi
echo "Built dist/windows/VoucherBatches-Setup-$version.exe ($(du -h "dist/windows/VoucherBatches-Setup-$version.exe" | cut -f1)) in $((SECONDS - started)) s in all"
