#!/bin/sh
# Install Supportdesk's menu entry, icon and AppStream metainfo (and, from a bundle, the bundle).
#
# From an unpacked bundle (dist/supportdesk/):
#   ./install.sh                 per user: ~/.local/opt/supportdesk, ~/.local/bin, ~/.local/share
#   sudo ./install.sh            system-wide: /opt/supportdesk, /usr/local/bin, /usr/local/share
# From a source tree (packaging/install.sh), after `pipx install supportdesk-*.whl`:
#   packaging/install.sh         only the desktop files; `supportdesk` must already be on PATH
# Options: --prefix DIR (default ~/.local, or /usr/local as root), --uninstall.
set -eu

APP_ID=io.github.supportdesk.Supportdesk
SIZES="16 22 24 32 48 64 128 256 512"
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" = 0 ]; then PREFIX=/usr/local; OPT=/opt/supportdesk
else PREFIX="$HOME/.local"; OPT="$HOME/.local/opt/supportdesk"; fi
UNINSTALL=0
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) PREFIX=$2; OPT="$2/opt/supportdesk"; shift 2 ;;
        --uninstall) UNINSTALL=1; shift ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
SHARE="$PREFIX/share"

if [ -x "$HERE/supportdesk" ] && [ -d "$HERE/share" ]; then
    MODE=bundle; SRC_SHARE="$HERE/share"
elif [ -f "$HERE/$APP_ID.desktop" ]; then
    MODE=source
else
    echo "install.sh: run it from a bundle (dist/supportdesk) or from packaging/" >&2; exit 2
fi

pair() { printf '%s\t%s\n' "$1" "$2"; }
TAB=$(printf '\t')
files() {  # "source<TAB>target" pairs of the desktop integration
    if [ $MODE = bundle ]; then
        pair "$SRC_SHARE/applications/$APP_ID.desktop" "$SHARE/applications/$APP_ID.desktop"
        pair "$SRC_SHARE/metainfo/$APP_ID.metainfo.xml" "$SHARE/metainfo/$APP_ID.metainfo.xml"
        pair "$SRC_SHARE/icons/hicolor/scalable/apps/$APP_ID.svg" "$SHARE/icons/hicolor/scalable/apps/$APP_ID.svg"
        for s in $SIZES; do
            pair "$SRC_SHARE/icons/hicolor/${s}x$s/apps/$APP_ID.png" "$SHARE/icons/hicolor/${s}x$s/apps/$APP_ID.png"
        done
    else
        icons="$HERE/../src/supportdesk/resources/icons"
        pair "$HERE/$APP_ID.desktop" "$SHARE/applications/$APP_ID.desktop"
        pair "$HERE/$APP_ID.metainfo.xml" "$SHARE/metainfo/$APP_ID.metainfo.xml"
        pair "$icons/supportdesk.svg" "$SHARE/icons/hicolor/scalable/apps/$APP_ID.svg"
        for s in $SIZES; do
            pair "$icons/app/supportdesk-$s.png" "$SHARE/icons/hicolor/${s}x$s/apps/$APP_ID.png"
        done
    fi
}

if [ $UNINSTALL = 1 ]; then
    files | while IFS=$TAB read -r _ dst; do rm -f "$dst"; done
    if [ $MODE = bundle ]; then
        [ -L "$PREFIX/bin/supportdesk" ] && rm -f "$PREFIX/bin/supportdesk"
        rm -rf "$OPT"
    fi
else
    if [ $MODE = bundle ]; then
        if [ "$HERE" != "$OPT" ]; then
            rm -rf "$OPT"; mkdir -p "$(dirname "$OPT")"; cp -a "$HERE" "$OPT"
        fi
        mkdir -p "$PREFIX/bin"; ln -sf "$OPT/supportdesk" "$PREFIX/bin/supportdesk"
    elif ! command -v supportdesk >/dev/null 2>&1; then
        echo "install.sh: note: supportdesk is not on PATH yet (pipx install the wheel first)" >&2
    fi
    files | while IFS=$TAB read -r src dst; do
        mkdir -p "$(dirname "$dst")"; cp "$src" "$dst"
    done
fi
# Refresh the caches where the tools exist; a missing tool only delays the menu update.
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$SHARE/applications" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" || true
echo "Supportdesk $( [ $UNINSTALL = 1 ] && echo removed from || echo installed in ) $PREFIX"
