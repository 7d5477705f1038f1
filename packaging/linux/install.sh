#!/usr/bin/env bash
# Put Voucher Batches in the desktop's application menu: the desktop entry, the icons and the
# AppStream metadata, for this user (PREFIX ~/.local) or under another prefix.
#
#   bash packaging/linux/install.sh [--exec COMMAND] [PREFIX]
#
# COMMAND is what the menu entry starts (default `voucher-batches`, found on PATH), e.g. the
# bundle's "$PWD/dist/voucher-batches/voucher-batches" or the venv's "$PWD/.venv/bin/voucher-batches".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
id=io.github.voucherbatches.VoucherBatches
command=voucher-batches
if [ "${1:-}" = "--exec" ]; then
  command="$2"
  shift 2
fi
prefix="${1:-$HOME/.local}"
case "$command" in
  *[\"\`\$\\%]*) echo "install.sh: the command may not contain \" \` \$ \\ or %: $command" >&2; exit 2 ;;
esac
# the Desktop Entry spec: an argument with a space is written in double quotes
case "$command" in *" "*) exec_line="\"$command\"" ;; *) exec_line="$command" ;; esac

install -d "$prefix/share/applications"
sed "s|^Exec=.*|Exec=$exec_line|" "$here/$id.desktop" >"$prefix/share/applications/$id.desktop"
chmod 644 "$prefix/share/applications/$id.desktop"
install -Dm644 "$here/$id.metainfo.xml" "$prefix/share/metainfo/$id.metainfo.xml"
(cd "$here/icons" && find hicolor -type f | while read -r icon; do install -Dm644 "$icon" "$prefix/share/icons/$icon"; done)
# no cache to update: desktops watch these folders, and the entry declares no file types
echo "Installed $id (Exec=$exec_line) under $prefix/share"
