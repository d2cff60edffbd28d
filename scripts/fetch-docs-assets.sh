#!/usr/bin/env bash
# Fetches Swagger UI's distribution files for `GET /docs` (issue 19) from the PyPI wheel of drf-spectacular-sidecar
# (BSD-3), which repackages the npm package swagger-ui-dist unchanged each month. Only the files /docs loads are kept,
# with Swagger UI's own licence (Apache-2.0) beside them. Needs pip and network on the first run only.
#
#     scripts/fetch-docs-assets.sh [DIR]      # default DIR: .data/swagger-ui (the default of ASSAY_DOCS_ASSETS)
#
# Why this wheel: PyPI's swagger-ui-bundle stopped at Swagger UI 4.15.5 (2023), which cannot render an OpenAPI 3.1
# document such as docs/openapi.yaml; this one carries Swagger UI 5. Nothing here is committed (.data/ is ignored).
# Idempotent and quick: a DIR whose files have the pinned checksums is kept as is, without network.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE=drf-spectacular-sidecar
VERSION=2026.10.1
SWAGGER_UI_VERSION=5.33.1
WHEEL=drf_spectacular_sidecar-$VERSION-py3-none-any.whl
WHEEL_SHA256=fe1d005d8ac9b5d0472f2fe5deeb2e7d6dcffaa24118044f22578b4b8c4b31f2
MEMBER_DIR=drf_spectacular_sidecar/static/drf_spectacular_sidecar/swagger-ui-dist

DIR=${1:-.data/swagger-ui}

# The files kept and their sha256. LICENSE is Swagger UI's Apache-2.0 text (the bundle's LICENSE.txt is the same).
FILES="
swagger-ui-bundle.js 050bc415ee7048dcd881682678f720264e7da5e373f7461d7c58c755305255f7
swagger-ui.css 1ac324f7dcd27e4b9386b4bd6421271ec147e922a22c05ba24b11515e9aa6321
favicon-32x32.png 3ed612f41e050ca5e7000cad6f1cbe7e7da39f65fca99c02e99e6591056e5837
LICENSE cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30
"

has_sha256() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }

all_present() {
    local name sum
    while read -r name sum; do
        [ -n "$name" ] || continue
        has_sha256 "$1/$name" "$sum" || return 1
    done <<<"$FILES"
}

if all_present "$DIR"; then
    echo "Swagger UI $SWAGGER_UI_VERSION present: $DIR (sha256 ok)"
    exit 0
fi

PYTHON=$(command -v python3 || command -v python || true)
[ -n "$PYTHON" ] || { echo "error: python3 with pip is needed to download the $PACKAGE wheel" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "downloading $PACKAGE $VERSION (Swagger UI $SWAGGER_UI_VERSION; wheel only, no dependencies)"
"$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: --dest "$work" "$PACKAGE==$VERSION"
[ -f "$work/$WHEEL" ] || { echo "error: pip did not produce $WHEEL" >&2; ls -l "$work" >&2; exit 1; }
has_sha256 "$work/$WHEEL" "$WHEEL_SHA256" || { echo "error: $WHEEL has an unexpected sha256" >&2; exit 1; }

# A wheel is a zip file; Python reads it, so no unzip is needed.
mkdir -p "$work/out"
"$PYTHON" - "$work/$WHEEL" "$MEMBER_DIR" "$work/out" $(awk 'NF { print $1 }' <<<"$FILES") <<'PY'
import shutil, sys, zipfile
wheel, member_dir, out, *names = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    for name in names:
        with z.open(f"{member_dir}/{name}") as src, open(f"{out}/{name}", "wb") as dst:
            shutil.copyfileobj(src, dst)
PY
all_present "$work/out" || { echo "error: a file of $WHEEL has an unexpected sha256" >&2; exit 1; }
cat >"$work/out/SOURCE.txt" <<NOTE
Swagger UI $SWAGGER_UI_VERSION (https://github.com/swagger-api/swagger-ui), Apache License 2.0 (LICENSE beside
this note), as distributed by npm's swagger-ui-dist and repackaged unchanged in the PyPI wheel $PACKAGE $VERSION
(BSD-3-Clause). Fetched by scripts/fetch-docs-assets.sh; served by Assay at /docs/assets/. Do not commit.
NOTE

# Write beside DIR, then swap, so a running server or a second run never sees half the files.
mkdir -p "$(dirname "$DIR")"
rm -rf "$DIR.partial"
cp -r "$work/out" "$DIR.partial"
rm -rf "$DIR"
mv "$DIR.partial" "$DIR"
echo "Swagger UI $SWAGGER_UI_VERSION written: $DIR (Apache-2.0, see $DIR/LICENSE)"
