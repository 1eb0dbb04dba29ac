#!/usr/bin/env bash
# ganvas set-up in one command.
#
#   bash bootstrap.sh art     install ganvas and make art with the default recipe (prints the image path)
#   bash bootstrap.sh test    install ganvas with its test tools, lint it and run the test suite
#   bash bootstrap.sh lint    install the test tools and lint only: ruff (lint, format) and mypy
#   bash bootstrap.sh install install only
#
# It installs into the active virtual environment, or creates ./.venv. A torch that is already
# installed there (a CUDA or MPS build, say) is kept; otherwise the CPU build of torch is
# installed, never the multi-gigabyte CUDA one. Extra arguments go to `ganvas run` / `pytest`.
set -euo pipefail
cd "$(dirname "$0")"

mode="${1:-art}"
[ $# -gt 0 ] && shift
case "$mode" in art|test|lint|install) ;; *) echo "usage: bash bootstrap.sh [art|test|lint|install] [args...]" >&2; exit 2 ;; esac

if [ -n "${VIRTUAL_ENV:-}" ]; then
  venv="$VIRTUAL_ENV"
else
  venv="$PWD/.venv"
  if [ ! -x "$venv/bin/python" ]; then
    echo "bootstrap: creating a virtual environment in .venv" >&2
    "${PYTHON:-python3}" -m venv "$venv"
  fi
fi
py="$venv/bin/python"
pip() { "$py" -m pip --disable-pip-version-check "$@"; }

torch_version="${GANVAS_TORCH_VERSION:-2.13.0}"
if "$py" -c "import torch" >/dev/null 2>&1; then
  echo "bootstrap: keeping the installed torch $("$py" -c 'import torch; print(torch.__version__)')" >&2
elif pip install --dry-run --no-index --no-deps -q "torch==$torch_version" >/dev/null 2>&1; then
  echo "bootstrap: installing torch $torch_version from the local wheel (CPU build)" >&2
  pip install -q "torch==$torch_version"
else
  echo "bootstrap: installing the CPU build of torch from download.pytorch.org" >&2
  pip install -q torch --index-url https://download.pytorch.org/whl/cpu --extra-index-url https://pypi.org/simple
fi

extras=""
case "$mode" in test|lint) extras="[test]" ;; esac
echo "bootstrap: installing ganvas$extras" >&2
pip install -q -e ".$extras"

# ruff over the source tree; mypy over the package as installed (core/ and plugins/ are
# `ganvas` and `ganvas.plugins` only once installed), from a throw-away regular install
lint() {
  echo "bootstrap: ruff check and ruff format --check" >&2
  "$venv/bin/ruff" check core plugins tests
  "$venv/bin/ruff" format --check --quiet core plugins tests
  local site had_build=0
  site="$(mktemp -d)"
  trap 'rm -rf "$site"' RETURN
  [ -e build ] && had_build=1
  echo "bootstrap: mypy over the installed package" >&2
  pip install -q --no-deps --no-build-isolation --target "$site" --no-compile . >/dev/null
  [ "$had_build" = 1 ] || rm -rf build  # setuptools' scratch folder, unless it was yours
  (cd "$site" && MYPYPATH="$site" "$venv/bin/mypy" -p ganvas --config-file "$OLDPWD/pyproject.toml")
}

case "$mode" in
  art)
    echo "bootstrap: training the default recipe (a few minutes on a CPU)" >&2
    exec "$venv/bin/ganvas" run "$@"
    ;;
  test)
    lint
    # one worker per core (GANVAS_TEST_WORKERS=N to choose; 0 runs in this process); worksteal
    # keeps both cores busy while the few long end-to-end tests run
    exec "$py" -m pytest -n "${GANVAS_TEST_WORKERS:-auto}" --dist worksteal "$@"
    ;;
  lint)
    lint
    ;;
  install)
    echo "bootstrap: done; activate with: source $venv/bin/activate" >&2
    ;;
esac
