#!/usr/bin/env bash
# Builds Kaiyuan for Linux: a trimmed Java runtime (jlink), the app image, and the .deb and .rpm
# packages (each needs its tool: dpkg-deb, rpmbuild). Output: app/target/packaging/.
#
#   packaging/linux/build.sh [app-image] [deb] [rpm]   (default: app-image, then deb and rpm where possible)
#
# Needs a JDK 17+ with jlink and jpackage. Without KAIYUAN_NO_BUILD=1 it first builds the app with
# Maven (KAIYUAN_MAVEN_ARGS adds options, such as -Pcuda for the GPU build); `mvn -Ppackage package`
# runs this script after its own build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
types=("$@")
[[ ${#types[@]} -eq 0 ]] && types=(app-image deb rpm)

if [[ "${KAIYUAN_NO_BUILD:-}" != 1 ]]; then
  # shellcheck disable=SC2086
  mvn -B -q -DskipTests ${KAIYUAN_MAVEN_ARGS:-} package
fi
# The project's version: the first <version> after the parent pom's own artifactId.
version="${KAIYUAN_VERSION:-$(sed '0,/<artifactId>kaiyuan-parent<\/artifactId>/d' pom.xml | sed -n 's:.*<version>\(.*\)</version>.*:\1:p' | head -1)}"
app_version="${version%%-*}"   # jpackage takes numbers only: 0.1.0-SNAPSHOT -> 0.1.0
out="$root/app/target/packaging"
rm -rf "$out"
mkdir -p "$out/modules"
cp app/target/kaiyuan-app.jar app/target/lib/*.jar "$out/modules/"
# ONNX Runtime, the tokenizer and SQLite ship natives for every OS in their jars: keep this machine's.
case "$(uname -m)" in
  x86_64|amd64) ort=linux-x64; tok=linux-x86_64; sqlite=Linux/x86_64 ;;
  aarch64|arm64) ort=linux-aarch64; tok=linux-aarch64; sqlite=Linux/aarch64 ;;
  *) echo "no ONNX Runtime natives for $(uname -m) Linux" >&2; exit 1 ;;
esac
slim() { java packaging/SlimJar.java "$1" "$1.slim" "$2" && mv "$1.slim" "$1"; }
for jar in "$out"/modules/onnxruntime*.jar; do slim "$jar" "ai/onnxruntime/native/=$ort"; done
for jar in "$out"/modules/tokenizers-*.jar; do slim "$jar" "native/lib/=$tok"; done
for jar in "$out"/modules/sqlite-jdbc-*.jar; do slim "$jar" "org/sqlite/native/=$sqlite"; done

# The GPU build (-Pcuda) bundles onnxruntime_gpu: its packages are named kaiyuan-cuda.
flavor=""
compgen -G "app/target/lib/onnxruntime_gpu-*.jar" >/dev/null && flavor="-cuda"

modules="$(grep -v '^#' packaging/jdk-modules.txt | grep -v '^$' | paste -sd, -)"
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out/runtime"

jpackage --type app-image @packaging/jpackage-common.txt @packaging/jpackage-app.txt @packaging/linux/jpackage.txt \
  --app-version "$app_version" --runtime-image "$out/runtime" --module-path "$out/modules" --dest "$out"
cp LICENSE THIRD-PARTY.md "$out/Kaiyuan/lib/"
(cd "$out/Kaiyuan/lib" && jar xf "$root"/app/target/lib/onnxruntime*.jar ThirdPartyNotices.txt \
  && mv ThirdPartyNotices.txt ONNXRUNTIME-THIRD-PARTY-NOTICES.txt)
echo "app image: $out/Kaiyuan ($(du -sh "$out/Kaiyuan" | cut -f1))"

for type in "${types[@]}"; do
  case "$type" in
    app-image) ;;
    deb|rpm)
      tool=$([[ "$type" == deb ]] && echo dpkg-deb || echo rpmbuild)
      if ! command -v "$tool" >/dev/null 2>&1; then
        echo "skipping .$type: $tool is not installed (Debian/Ubuntu: apt-get install $([[ $type == deb ]] && echo dpkg || echo rpm))" >&2
        continue
      fi
      jpackage --type "$type" @packaging/jpackage-common.txt @packaging/linux/jpackage.txt @packaging/linux/installer.txt \
        --linux-package-name "kaiyuan$flavor" --app-version "$app_version" --app-image "$out/Kaiyuan" --dest "$out"
      ls -1 "$out"/*."$type" | sed "s/^/$type: /"
      ;;
    *) echo "unknown package type '$type': use app-image, deb or rpm" >&2; exit 2 ;;
  esac
done
