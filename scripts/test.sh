#!/bin/sh
# The README's second command: install what the tests need, build
# everything (normal and ASan+UBSan), run the whole suite.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh --deps-only
make -j2 all
make -j2 SAN=1 san-all
exec tests/run.sh
