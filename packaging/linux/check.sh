#!/usr/bin/env bash
# Checks the Linux app image end to end (CI runs it after the tests; needs xvfb-run and xdotool):
#   - it builds (packaging/linux/build.sh app-image, from the jars `mvn package` or `verify` made);
#   - every bundled library jar is named in THIRD-PARTY.md;
#   - `Kaiyuan --version` names Kaiyuan and ONNX Runtime;
#   - the packaged command line generates with a tiny test model (the native libraries load in the
#     trimmed runtime);
#   - the packaged desktop app opens its window under Xvfb, with its SQLite chat history and no warnings;
#     under a window manager (Openbox, when installed) the first window opens at a sensible size, not at
#     the window manager's 200x200.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
fail() { echo "packaging check failed: $*" >&2; exit 1; }

KAIYUAN_NO_BUILD="${KAIYUAN_NO_BUILD:-1}" bash packaging/linux/build.sh app-image
image="$root/app/target/packaging/Kaiyuan"
launcher="$image/bin/Kaiyuan"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for jar in "$image"/lib/app/mods/*.jar; do
  artifact="$(basename "$jar" .jar | sed -E 's/-[0-9][^-]*(-SNAPSHOT)?(-[a-z]+)?$//')"
  [[ "$artifact" == kaiyuan-* ]] && continue
  grep -qE "[:\`]${artifact}\`" THIRD-PARTY.md || fail "$(basename "$jar") is bundled but $artifact is not in THIRD-PARTY.md"
done
echo "licences: every bundled jar is in THIRD-PARTY.md"

version="$("$launcher" --version)"
echo "$version"
grep -q '^Kaiyuan ' <<<"$version" || fail "--version does not name Kaiyuan"
grep -q '^ONNX Runtime [0-9]' <<<"$version" || fail "--version does not name ONNX Runtime"

mvn -q -B -pl engine exec:exec -Dkaiyuan.main=io.kaiyuan.engine.testing.BuildFixture -Dkaiyuan.args="$work/tiny chat" >/dev/null
answer="$(KAIYUAN_HOME="$work/home" "$launcher" generate --model "$work/tiny" --prompt "你好" --max-new-tokens 4 \
  --temperature 0 2>"$work/generate.err")" || { cat "$work/generate.err" >&2; fail "the packaged CLI did not generate"; }
grep -q 'generated 4' "$work/generate.err" || { cat "$work/generate.err" >&2; fail "no 4 tokens generated"; }
echo "generate: 4 tokens from the packaged CLI"

KAIYUAN_HOME="$work/home" xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  if command -v openbox >/dev/null 2>&1; then openbox >/dev/null 2>&1 & sleep 1; fi
  "$1" >"$2/app.log" 2>&1 &
  app=$!
  for _ in $(seq 1 90); do
    window="$(xdotool search --onlyvisible --name "Kaiyuan" 2>/dev/null | head -1)"
    if [[ -n "$window" ]]; then
      sleep 2
      xdotool getwindowgeometry "$window" >"$2/geometry" 2>&1
      kill "$app"; exit 0
    fi
    kill -0 "$app" 2>/dev/null || break
    sleep 1
  done
  kill "$app" 2>/dev/null; exit 1' _ "$launcher" "$work" || { cat "$work/app.log" >&2; fail "the packaged app showed no window"; }
size="$(sed -nE 's/.*Geometry: ([0-9]+)x([0-9]+).*/\1 \2/p' "$work/geometry")"
read -r width height <<<"$size"
[[ -n "${width:-}" && $width -ge 960 && $height -ge 640 ]] || { cat "$work/geometry" >&2; fail "the first window opened at ${width:-?}x${height:-?}"; }
echo "desktop: the first window opened at ${width}x${height}$(command -v openbox >/dev/null && echo " under Openbox")"
grep -q "Kaiyuan starts; execution providers found" "$work/app.log" || { cat "$work/app.log" >&2; fail "no start line"; }
if grep -qE "WARN|ERROR" "$work/app.log"; then cat "$work/app.log" >&2; fail "the packaged app warned at start"; fi
[[ -f "$work/home/chats.db" ]] || fail "the packaged app made no chat history (SQLite)"
echo "desktop: the packaged app opened its window and its chat history, without warnings"
echo "app image size: $(du -sh "$image" | cut -f1) ($image)"
