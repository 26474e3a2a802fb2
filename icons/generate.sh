#!/usr/bin/env bash
# Renders every icon file from the master kaiyuan.svg (needs ImageMagick and a JDK):
#   png/kaiyuan-SIZE.png   16 to 1024 pixels (the Linux packages use them)
#   kaiyuan.ico            Windows: 16, 24, 32, 48, 64, 128 and 256 in one file
#   kaiyuan.icns           macOS: 16 to 1024 (written by Icns.java)
#   the window icons in the app's resources (16 to 512)
# The generated files are committed, so a build needs no image tools.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p png
for size in 16 24 32 48 64 128 256 512 1024; do
    convert -background none -density 600 kaiyuan.svg -resize "${size}x${size}" "PNG32:png/kaiyuan-$size.png"
done
convert png/kaiyuan-16.png png/kaiyuan-24.png png/kaiyuan-32.png png/kaiyuan-48.png png/kaiyuan-64.png \
    png/kaiyuan-128.png png/kaiyuan-256.png kaiyuan.ico
java Icns.java kaiyuan.icns 16=png/kaiyuan-16.png 32=png/kaiyuan-32.png 64=png/kaiyuan-64.png \
    128=png/kaiyuan-128.png 256=png/kaiyuan-256.png 512=png/kaiyuan-512.png 1024=png/kaiyuan-1024.png
out=../app/src/main/resources/io/kaiyuan/app/icons
mkdir -p "$out"
for size in 16 32 48 64 128 256 512; do
    cp "png/kaiyuan-$size.png" "$out/kaiyuan-$size.png"
done
