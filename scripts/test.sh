#!/bin/sh
# The README's second command: install what the tests need (packages, and
# the Debian guest kernel and initramfs that tests/integration/debian.sh
# boots), build everything (normal and ASan+UBSan), run the whole suite.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh
make -j2 all
make -j2 SAN=1 san-all
exec tests/run.sh
