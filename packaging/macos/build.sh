#!/usr/bin/env bash
# Builds Kaiyuan for macOS: a trimmed Java runtime (jlink), the app bundle (Kaiyuan.app, with the
# Info.plist from packaging/macos/resources) and a .dmg. Output: app/target/packaging/.
#
#   packaging/macos/build.sh [app-image] [dmg]   (default: both)
#
# Needs a JDK 17+ with jlink and jpackage, on macOS (jpackage builds the packages of the OS it runs on).
# Without KAIYUAN_NO_BUILD=1 it first builds the app with Maven (KAIYUAN_MAVEN_ARGS adds options);
# `mvn -Ppackage package` runs this script after its own build. The bundle is not signed: set
# KAIYUAN_MAC_SIGN="Developer ID Application: ..." to sign it with that identity.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
types=("$@")
[[ ${#types[@]} -eq 0 ]] && types=(app-image dmg)

if [[ "${KAIYUAN_NO_BUILD:-}" != 1 ]]; then
  # shellcheck disable=SC2086
  mvn -B -q -DskipTests ${KAIYUAN_MAVEN_ARGS:-} package
fi
version="${KAIYUAN_VERSION:-$(sed '0,/<artifactId>kaiyuan-parent<\/artifactId>/d' pom.xml | sed -n 's:.*<version>\(.*\)</version>.*:\1:p' | head -1)}"
app_version="${version%%-*}"
out="$root/app/target/packaging"
rm -rf "$out"
mkdir -p "$out/modules"
cp app/target/kaiyuan-app.jar app/target/lib/*.jar "$out/modules/"
# ONNX Runtime, the tokenizer and SQLite ship natives for every OS in their jars: keep Apple silicon's.
slim() { java packaging/SlimJar.java "$1" "$1.slim" "$2" && mv "$1.slim" "$1"; }
for jar in "$out"/modules/onnxruntime*.jar; do slim "$jar" "ai/onnxruntime/native/=osx-aarch64"; done
for jar in "$out"/modules/tokenizers-*.jar; do slim "$jar" "native/lib/=osx-aarch64"; done
for jar in "$out"/modules/sqlite-jdbc-*.jar; do slim "$jar" "org/sqlite/native/=Mac/aarch64"; done

modules="$(grep -v '^#' packaging/jdk-modules.txt | grep -v '^$' | paste -sd, -)"
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out/runtime"

sign=()
[[ -n "${KAIYUAN_MAC_SIGN:-}" ]] && sign=(--mac-sign --mac-signing-key-user-name "$KAIYUAN_MAC_SIGN")
jpackage --type app-image @packaging/jpackage-common.txt @packaging/jpackage-app.txt @packaging/macos/jpackage.txt \
  "${sign[@]}" --app-version "$app_version" --runtime-image "$out/runtime" --module-path "$out/modules" --dest "$out"
resources="$out/Kaiyuan.app/Contents/app"
cp LICENSE THIRD-PARTY.md "$resources/"
(cd "$resources" && jar xf "$root"/app/target/lib/onnxruntime*.jar ThirdPartyNotices.txt \
  && mv ThirdPartyNotices.txt ONNXRUNTIME-THIRD-PARTY-NOTICES.txt)
echo "app bundle: $out/Kaiyuan.app ($(du -sh "$out/Kaiyuan.app" | cut -f1))"

for type in "${types[@]}"; do
  case "$type" in
    app-image) ;;
    dmg)
      jpackage --type dmg @packaging/jpackage-common.txt @packaging/macos/installer.txt "${sign[@]}" \
        --app-version "$app_version" --app-image "$out/Kaiyuan.app" --dest "$out"
      ls -1 "$out"/*.dmg | sed 's/^/dmg: /'
      ;;
    *) echo "unknown package type '$type': use app-image or dmg" >&2; exit 2 ;;
  esac
done
