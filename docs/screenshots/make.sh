#!/usr/bin/env bash
# Takes the README's screenshots from the real desktop app under Xvfb with a window manager (Openbox),
# on a data folder made for them: a tiny random-weight test model (its answers are noise) and stored
# conversations with what real answers hold (long questions, thinking, headings, code, a table, Chinese,
# a regenerated answer).
#
#   bash docs/screenshots/make.sh          # the README's pictures, into docs/screenshots/
#   bash docs/screenshots/make.sh --all    # every page at 1024x700 and 1440x900, English and Chinese,
#                                          # light and dark, into target/screenshots/ (for review)
#
# Needs Xvfb, Openbox, xdotool, ImageMagick and a CJK font (Debian: apt-get install xvfb openbox xdotool
# imagemagick fonts-noto-cjk), a JDK 17+ and Maven.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
for tool in Xvfb openbox xdotool import; do
  command -v "$tool" >/dev/null || { echo "make.sh needs $tool (see the comment at the top)" >&2; exit 1; }
done

all=0
[[ "${1:-}" == "--all" ]] && all=1
work="$(mktemp -d)"
home="$work/home"
hub_port=18999
trap 'pkill -f "Xvfb :97" 2>/dev/null || true; pkill -f "testing.HubFixture" 2>/dev/null || true; rm -rf "$work"' EXIT

echo "building (mvn install) and making the data folder..." >&2
mvn -q -B -DskipTests install >/dev/null
mvn -q -B -pl app exec:exec -Dkaiyuan.args="$home" >/dev/null
touch app/target/.kaiyuan-built   # ./kaiyuan starts without building again
# two MCP servers for the Settings picture (listed only: nothing starts them unless the chat calls a tool)
cat >"$home/mcp.json" <<'JSON'
{"servers": [
 {"name": "files", "command": ["npx", "-y", "@modelcontextprotocol/server-filesystem", "/home/me/Documents"], "env": {}, "ask": true},
 {"name": "weather", "url": "https://mcp.example.com/weather/mcp", "ask": false}]}
JSON
# loaded once, as a person's first chat would: the Models page then says how it runs on this CPU
KAIYUAN_HOME="$home" ./kaiyuan generate --model "$home/demo-model" --prompt hi --max-new-tokens 1 >/dev/null
# A test hub with models named and sized like real ones, for the hub search's picture (the app reaches it
# through HF_ENDPOINT).
mvn -q -B -pl engine exec:exec -Dkaiyuan.main=io.kaiyuan.engine.testing.HubFixture -Dkaiyuan.args="$hub_port" \
  >"$work/hub.log" 2>&1 &
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$hub_port/api/models?search=qwen" >/dev/null 2>&1 && break
  sleep 1
done

# Opens the long conversation: search for it, Enter opens the first found, then clear the search.
open_conversation() {
  DISPLAY=:97 xdotool key ctrl+f
  DISPLAY=:97 xdotool type --delay 20 "porting"
  sleep 1   # the list is searched in the background
  DISPLAY=:97 xdotool key Return
  sleep 2
  DISPLAY=:97 xdotool key ctrl+a BackSpace ctrl+l
}

# shot NAME WIDTH HEIGHT LANGUAGE THEME PAGE...: one app start, a picture per page
# (chat: the long conversation, at its end; top: scrolled up to its question; new: an empty chat;
# compare, models, settings; format: the conversation's settings at its answer format; tools: the
# conversation whose answer called tools).
shot() {
  local name="$1" width="$2" height="$3" language="$4" theme="$5"
  shift 5
  local out="$1"
  shift
  cat >"$home/settings.json" <<JSON
{"theme":"$theme","language":"$language","threads":0,
 "window":{"x":0,"y":0,"width":$width,"height":$height,"maximized":false},
 "server":{"enabled":false,"port":11435},"sidebarCollapsed":false}
JSON
  Xvfb :97 -screen 0 "${width}x${height}x24" -nolisten tcp >/dev/null 2>&1 &
  local xvfb=$!
  sleep 1
  DISPLAY=:97 openbox >/dev/null 2>&1 &
  sleep 1
  HF_ENDPOINT="http://127.0.0.1:$hub_port" KAIYUAN_HOME="$home" DISPLAY=:97 ./kaiyuan >"$work/app.log" 2>&1 &
  local app=$!
  local window=""
  for _ in $(seq 1 60); do
    window="$(DISPLAY=:97 xdotool search --onlyvisible --name 'Kaiyuan|开源' 2>/dev/null | head -1 || true)"
    [[ -n "$window" ]] && break
    sleep 1
  done
  [[ -n "$window" ]] || { cat "$work/app.log" >&2; echo "the app showed no window" >&2; exit 1; }
  sleep 3
  DISPLAY=:97 xdotool windowactivate --sync "$window" >/dev/null 2>&1 || true
  for page in "$@"; do
    case "$page" in
      chat) open_conversation ;;
      top) open_conversation
           DISPLAY=:97 xdotool mousemove $((width * 3 / 5)) $((height / 2)) click --repeat 30 --delay 30 4 ;;
      new) DISPLAY=:97 xdotool key ctrl+n ;;
      compare) DISPLAY=:97 xdotool key ctrl+2 ;;
      models) DISPLAY=:97 xdotool key ctrl+3 ;;
      search) DISPLAY=:97 xdotool key ctrl+3
              sleep 1
              DISPLAY=:97 xdotool key ctrl+f
              DISPLAY=:97 xdotool type --delay 20 "qwen"
              DISPLAY=:97 xdotool key Return
              sleep 4 ;;
      variants) DISPLAY=:97 xdotool key ctrl+3   # a GenAI result's Download menu
              sleep 1
              DISPLAY=:97 xdotool key ctrl+f ctrl+a BackSpace
              DISPLAY=:97 xdotool type --delay 20 "int4-float16"
              DISPLAY=:97 xdotool key Return
              sleep 4
              DISPLAY=:97 xdotool mousemove $((width - 55)) 229 click 1
              sleep 1 ;;
      settings) DISPLAY=:97 xdotool key ctrl+4 ;;
      mcp) DISPLAY=:97 xdotool key ctrl+4   # Settings, scrolled to the MCP servers
           sleep 1
           DISPLAY=:97 xdotool mousemove $((width / 2)) $((height / 2)) click --repeat 40 --delay 30 5 ;;
      tools) DISPLAY=:97 xdotool key ctrl+1   # the chat, at the conversation whose answer called tools
             sleep 1
             DISPLAY=:97 xdotool key ctrl+f
             DISPLAY=:97 xdotool type --delay 20 "天气"
             sleep 1
             DISPLAY=:97 xdotool key Return
             sleep 2
             DISPLAY=:97 xdotool key ctrl+a BackSpace ctrl+l ;;
      format) open_conversation   # the conversation's settings, scrolled to its answer format
              DISPLAY=:97 xdotool mousemove $((width - 99)) 45 click 1
              sleep 1
              DISPLAY=:97 xdotool mousemove $((width - 150)) $((height / 2)) click --repeat 25 --delay 30 5 ;;
    esac
    sleep 2
    DISPLAY=:97 import -window root "$out/$page-$name.png"
    echo "$out/$page-$name.png" >&2
  done
  kill "$app" 2>/dev/null || true
  wait "$app" 2>/dev/null || true
  pkill -f openbox 2>/dev/null || true
  kill "$xvfb" 2>/dev/null || true
  wait "$xvfb" 2>/dev/null || true
}

if [[ $all == 1 ]]; then
  out="$root/target/screenshots"
  mkdir -p "$out"
  for size in 1024x700 1440x900; do
    for language in ENGLISH SIMPLIFIED_CHINESE; do
      for theme in LIGHT DARK; do
        lang="en"; [[ $language == SIMPLIFIED_CHINESE ]] && lang="zh"
        shot "$size-$lang-${theme,,}" "${size%x*}" "${size#*x}" "$language" "$theme" "$out" top chat tools new compare models settings search variants format mcp
      done
    done
  done
else
  out="$root/docs/screenshots"
  shot light 1440 900 ENGLISH LIGHT "$out" top new compare models settings search
  shot dark 1440 900 ENGLISH DARK "$out" chat models
  shot zh-light 1024 700 SIMPLIFIED_CHINESE LIGHT "$out" chat
fi
