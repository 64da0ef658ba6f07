#!/bin/sh
# The characterisation record of issue 13: the SHA-256 of every file `make_book.py all` leaves in
# output/ (published files, the web tree and the build/ working folder), except the cache state and
# the lock, whose contents hash folio's own code and so change with any refactoring.
# Usage, from the project folder, after `python make_book.py clean && python make_book.py all`:
#   sh tests/characterisation/sums.sh > tests/characterisation/SHA256SUMS     (record)
#   sh tests/characterisation/sums.sh | diff tests/characterisation/SHA256SUMS -   (compare)
cd "$(dirname "$0")/../.." || exit 2
find output -type f ! -path 'output/.cache/*' ! -name .lock ! -name .gitkeep -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
