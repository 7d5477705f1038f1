#!/usr/bin/env bash
# The Windows pass: the test suite on the official Windows CPython 3.11.9 under Wine (see
# packaging/README.md, "The Windows pass"). Everything it needs is fetched once into .cache/windows/.
#
#   bash tools/windows/test.sh                  core, web (without the Chromium tests), CLI and GUI tests
#   bash tools/windows/test.sh tests/core -x    any pytest arguments instead
#
# Isolated: the tests' own conftest points platformdirs (WIN_PD_OVERRIDE_*) and %APPDATA%/%LOCALAPPDATA%
# at a temporary folder; this script also gives Wine a HOME and %USERPROFILE% of its own.
set -euo pipefail
. "$(dirname "$0")/common.sh"
cd "$windows_root"
windows_setup

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/home"
# the Wine prefix stays in the cache; what a run leaves in its user profile does not carry over
export HOME="$scratch/home" USERPROFILE='C:\users\vbtest'
unset VOUCHER_BATCHES_DB VOUCHER_BATCHES_TEST_DB PYTHONUTF8 PYTHONIOENCODING  # the console's code page, as a store's PC has it
PYTHONPATH="$(to_windows "$windows_root")"
export PYTHONPATH
export PYTHONDONTWRITEBYTECODE=1    # no Windows .pyc files in the checkout's __pycache__

# what Windows leaves out (the Linux deployment recipe's checks, the browser tests) is tests/conftest.py's
[ $# -gt 0 ] || set -- tests -p no:cacheprovider
# what a run could leave in the prefix's registry (the tests keep to their own keys; an older run may not have)
wine reg delete 'HKCU\Software\Voucher Batches' /f </dev/null >/dev/null 2>&1 || true
wine reg delete 'HKCU\Software\VoucherBatchesTests' /f </dev/null >/dev/null 2>&1 || true
started=$SECONDS
# Qt's offscreen platform needs no display, but Wine's user32 wants one for the message windows Qt makes
set +e
xvfb-run -a -s "-screen 0 1400x900x24" bash -c '. tools/windows/common.sh; win_python -m pytest "$@"' _ "$@" \
  | tee "$scratch/pytest.out"
code=${PIPESTATUS[0]}
set -e
# a Windows process that crashed may leave Wine's exit code 0: pytest's own closing line decides too
summary="$(grep -E "^=* ?[0-9]+ (passed|failed|error).* in [0-9.]+s" "$scratch/pytest.out" | tail -n 1 || true)"
if [ "$code" = 0 ] && { [ -z "$summary" ] || echo "$summary" | grep -q -E "[0-9]+ (failed|error)"; }; then
  echo "The Windows pass ended without pytest's closing line, or with failures: ${summary:-none}" >&2
  code=1
fi
wineserver -k 2>/dev/null || true  # Wine's services of this run
# the isolation itself: nothing of the app in the Wine user's own AppData (the tests' folders are temporary)
for left in "$WINEPREFIX"/drive_c/users/*/AppData/{Local,Roaming}/voucher-batches; do
  if [ -e "$left" ]; then
    echo "A test wrote into the real %LOCALAPPDATA% or %APPDATA%: $left" >&2
    code=1
  fi
done
echo "Windows pass: $((SECONDS - started)) s, exit $code"
exit "$code"
