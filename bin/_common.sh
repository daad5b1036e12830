# Shared by bin/run and bin/test: a project virtualenv with peter_sslers installed in it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${PETER_SSLERS_VENV:-$ROOT/.venv}"
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore:pkg_resources is deprecated:UserWarning}"

as_root() {
    if [ "$(id -u)" = "0" ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "need root to run: $*" >&2; return 1; fi
}

# apt_install PKG...: install the Debian packages that are missing (one apt-get update at most)
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null; then
        echo "not a Debian system: please install ${missing[*]} yourself" >&2
        return 0
    fi
    echo "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
}

# ensure_venv EXTRAS: create the virtualenv and install the project (editable) with EXTRAS
ensure_venv() {
    local extras="$1"
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c "import ensurepip" 2>/dev/null; then
        apt_install python3-venv
    fi
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    local stamp="$VENV/.installed-$extras"
    if [ ! -f "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ]; then
        "$VENV/bin/python" -m pip install -q --upgrade pip wheel "setuptools>=68,<81"
        # xstatic-bootstrap's build needs pkg_resources, so build with the setuptools above
        "$VENV/bin/python" -m pip install -q --no-build-isolation -e "$ROOT[$extras]"
        touch "$stamp"
    fi
}
