#!/usr/bin/env bash
# Renders the PNG sizes of the app icon from kaiyuan.svg (needs ImageMagick). The window icons go into
# the app's resources; packaging (issue 8) adds the ICO and ICNS files from the same master.
set -euo pipefail
cd "$(dirname "$0")"
out=../app/src/main/resources/io/kaiyuan/app/icons
mkdir -p "$out"
for size in 16 32 48 64 128 256 512; do
    convert -background none -density 300 kaiyuan.svg -resize "${size}x${size}" "PNG32:$out/kaiyuan-$size.png"
done
