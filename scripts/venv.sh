# Sourced by the other scripts: make sure ./.venv exists and holds Banco with the extras in
# BANCO_EXTRAS (none when empty).
# Works on a fresh Debian/Ubuntu machine with only Python 3.11+ (installs python3-venv as root).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Banco needs Python 3.11 or newer; found: $("$PYTHON" --version 2>&1)" >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    if ! "$PYTHON" -m venv .venv 2>/dev/null; then
        # Debian ships venv without ensurepip in a separate package.
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
            rm -rf .venv && "$PYTHON" -m venv .venv
        else
            echo "Python cannot create a virtual environment here: install python3-venv." >&2
            exit 1
        fi
    fi
fi
target="."
if [ -n "${BANCO_EXTRAS:-}" ]; then target=".[$BANCO_EXTRAS]"; fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e "$target"
