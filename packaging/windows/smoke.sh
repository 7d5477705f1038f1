#!/usr/bin/env bash
# The Windows bundle (dist/windows/voucher-batches/, from packaging/windows/build.sh) run under Wine as
# a manager would, in a folder of its own: --version; batch create and batch list with a name beyond
# the ANSI code page through a pipe; batch poster, whose PDF must carry the offer's text (pdftotext) and
# a QR code that decodes to the claim link (zxing-cpp); serve answering a claim page; and 600 idle
# connections from a hundred loopback addresses (six each, what one address may hold on Windows: more
# than select() takes, so the longest idle make room) while a member still loads a page.
set -euo pipefail
. "$(dirname "$0")/../../tools/windows/common.sh"
cd "$windows_root"
bundle="$windows_root/dist/windows/voucher-batches"
[ -f "$bundle/voucher-batches-cli.exe" ] || { echo "No bundle: run bash packaging/windows/build.sh first" >&2; exit 1; }
windows_setup  # (the Wine prefix; nothing of the Windows CPython is used: the bundle carries its own)
helper="$VB_WINDOWS_CACHE/venv/bin/python"
"$helper" -c "import zxingcpp, PIL" 2>/dev/null || _windows_run "$VB_WINDOWS_CACHE/venv/bin/pip" install -q zxing-cpp pillow
export LC_ALL=C.UTF-8  # Wine turns the command line's bytes into UTF-16 by the locale
started=$SECONDS
version="$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' app/__init__.py)"

scratch="$(mktemp -d)"
serve_pid=""
cleanup() {
  if [ -n "$serve_pid" ]; then kill "$serve_pid" 2>/dev/null || true; fi
  wineserver -k 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT
# the store's folders, its database and its settings in the scratch folder, never the prefix user's
export WIN_PD_OVERRIDE_LOCAL_APPDATA="$(to_windows "$scratch/local")" WIN_PD_OVERRIDE_APPDATA="$(to_windows "$scratch/roaming")"
db="$(to_windows "$scratch/vouchers.db")"
fail() { printf '\nWindows smoke test FAILED: %s\n' "$*" >&2; exit 1; }
# run EXPECTED_TEXT EXE ARGS...: the program through a pipe, as a script or a scheduled task runs it
run() {
  local want="$1" exe="$2" code
  shift 2
  set +e
  wine "$bundle/$exe" "$@" </dev/null 2>&1 | cat >"$scratch/out"
  code=${PIPESTATUS[0]}
  set -e
  echo "> $exe $* -> exit $code"
  grep -v -E "^(fixme|err|wine):" "$scratch/out" | sed 's/^/    /' | head -8
  [ "$code" = 0 ] || fail "$exe $* exited $code"
  [ -z "$want" ] || grep -qF -- "$want" "$scratch/out" || fail "$exe $* did not say: $want"
  if grep -q "Traceback" "$scratch/out"; then fail "$exe $* printed a traceback"; fi
}
port="$("$helper" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

run "voucher-batches $version" voucher-batches-cli.exe --version
run "" voucher-batches.exe --version  # the windowed program: no console, says nothing, ends
run "CI Corner Shop" voucher-batches-cli.exe settings --db "$db" --store-name "CI Corner Shop" --host 0.0.0.0 --port "$port" --public-url "http://127.0.0.1:$port"
run "10% off" voucher-batches-cli.exe template create --db "$db" --name "10% off" --discount 10% --valid-days 30
run "" voucher-batches-cli.exe batch create --db "$db" --name "Łódź – Email" --template "10% off" --quantity 200 --quiet
run "Łódź – Email" voucher-batches-cli.exe batch list --db "$db"
claim_url="$(grep -o "http://127.0.0.1:$port/[^ ]*/claim/[^ ]*" "$scratch/out" | head -n 1 | tr -d '\r')"
[ -n "$claim_url" ] || fail "batch list shows no claim link"
echo "    the claim link: $claim_url"

run "" voucher-batches-cli.exe batch poster 1 --db "$db" --output "$(to_windows "$scratch/poster.pdf")"
pdftotext "$scratch/poster.pdf" - >"$scratch/poster.txt"
for words in "CI Corner Shop" "10% off"; do
  grep -qF "$words" "$scratch/poster.txt" || { cat "$scratch/poster.txt" >&2; fail "the poster's PDF has no text \"$words\" (no font?)"; }
done
pdffonts "$scratch/poster.pdf" | grep -q "DejaVuSans" || fail "the poster's PDF embeds no DejaVu Sans"
pdftoppm -r 150 -png -singlefile "$scratch/poster.pdf" "$scratch/poster"
"$helper" - "$scratch/poster.png" "$claim_url" <<'EOF' || fail "the poster's QR code does not decode to the claim link"
import sys
import zxingcpp
from PIL import Image
found = [code.text for code in zxingcpp.read_barcodes(Image.open(sys.argv[1]))]
print(f"    the poster's QR code: {found}")
sys.exit(0 if sys.argv[2] in found else 1)
EOF

echo "> voucher-batches-cli.exe serve --db … (in the background)"
wine "$bundle/voucher-batches-cli.exe" serve --db "$db" </dev/null 2>&1 | cat >"$scratch/serve.out" &
serve_pid=$!
"$helper" - "$port" "$claim_url" "$scratch/serve.out" <<'EOF' || { cat "$scratch/serve.out" >&2; fail "the claim site"; }
import socket, sys, time, urllib.request

port, claim_url = int(sys.argv[1]), sys.argv[2]


def page(url, timeout):
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return answer.status, answer.read().decode("utf-8")


deadline = time.monotonic() + 60
while True:
    try:
        status, body = page(f"http://127.0.0.1:{port}/", 5)
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("    the claim site did not answer within 60 s")
        time.sleep(0.5)
status, body = page(claim_url, 10)
assert status == 200 and "CI Corner Shop" in body and "10% off" in body, body[:500]
print(f"    {claim_url} answers {status} with the offer")
held = []
for n in range(600):  # phones that opened the site and said nothing more, six from each of 100 addresses
    held.append(socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(f"127.0.0.{2 + n % 100}", 0)))
time.sleep(2)
started = time.monotonic()
status, body = page(claim_url, 60)
took = time.monotonic() - started
assert status == 200 and "10% off" in body
print(f"    with 600 idle connections from 100 addresses held, a member loaded the claim page in {took:.1f} s")
for sock in held:
    sock.close()
status, _ = page(f"http://127.0.0.1:{port}/healthz", 10)
assert status == 200
print("    the claim site still serves afterwards")
EOF
kill -0 "$serve_pid" 2>/dev/null || { cat "$scratch/serve.out" >&2; fail "serve ended by itself"; }
if grep -q -E "Traceback|ValueError" "$scratch/serve.out"; then cat "$scratch/serve.out" >&2; fail "serve printed an error"; fi
echo "Windows bundle smoke test passed in $((SECONDS - started)) s"
