#!/usr/bin/env bash
# Builds the browser app in both variants and assembles build/web/, a self-contained static folder:
#   build/web-mt  threads + SIMD (for cross-origin isolated pages)
#   build/web-st  SIMD only (the fallback where isolation is impossible)
#   build/web/    index.html, app.js, sw.js (web/), the icons and web manifest (assets/), both builds,
#                 assets/mnist/*.gz, assets/fashion-mnist/*.gz
# Incremental: CMake configures once per build folder (again if setup's SDL2 build moved); Ninja
# rebuilds only what changed.
# Usage: scripts/build-web.sh [mt|st|both]   (JOBS=n limits parallel compiles; default 2)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/scripts/common.sh"
which=${1:-both}
jobs=${JOBS_WEB:-2}

[ -f "$SDL_MT/lib/libSDL2.a" ] && [ -f "$SDL_ST/lib/libSDL2.a" ] && [ -f "$IMGUI_DIR/imgui.cpp" ] ||
  die "SDL2/ImGui for wasm are missing in $CACHE: run scripts/setup.sh first"
for d in mnist fashion-mnist; do
  for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
    [ -f "$here/assets/$d/$f.gz" ] || die "assets/$d/$f.gz is missing: run scripts/setup.sh first"
  done
done

build_variant() {  # build_variant <mt|st>
  local v=$1 dir="$here/build/web-$1" threads prefix
  if [ "$v" = mt ]; then threads=ON; prefix=$SDL_MT; else threads=OFF; prefix=$SDL_ST; fi
  # Configured again when the SDL2 build it was configured with is not the one setup makes now.
  if [ ! -f "$dir/build.ninja" ] || ! grep -qx "SDL2_PREFIX:[A-Z]*=$prefix" "$dir/CMakeCache.txt"; then
    step "configuring the $v app build"
    emcmake cmake -S "$here" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIGITLAB_APP=ON \
      -DDIGITLAB_THREADS=$threads -DSDL2_PREFIX="$prefix" -DIMGUI_DIR="$IMGUI_DIR" >/dev/null
  fi
  step "building the $v app"
  ninja -C "$dir" -j "$jobs" digitlab_app
}

case $which in
  mt) build_variant mt ;;
  st) build_variant st ;;
  both) build_variant mt; build_variant st ;;
  *) die "usage: scripts/build-web.sh [mt|st|both]" ;;
esac

step "assembling build/web/"
out="$here/build/web"
mkdir -p "$out/assets/mnist" "$out/assets/fashion-mnist"
copy() { cmp -s "$1" "$2" 2>/dev/null || cp "$1" "$2"; }  # keeps timestamps of unchanged files
for f in "$here"/web/* "$here"/assets/*.png "$here"/assets/*.svg "$here"/assets/*.webmanifest; do
  case $(basename "$f") in sw.js) ;; *) copy "$f" "$out/$(basename "$f")" ;; esac
done
for v in mt st; do
  for f in "$here/build/web-$v"/digitlab-$v.{js,wasm,worker.js}; do
    [ -f "$f" ] && copy "$f" "$out/$(basename "$f")"
  done
done
for d in mnist fashion-mnist; do
  for f in "$here/assets/$d"/*.gz; do copy "$f" "$out/assets/$d/$(basename "$f")"; done
done

# The service worker keeps a whole copy of everything in the folder, one per version; the version
# changes whenever a file does, so browsers install a rebuilt app as a new version. Fashion-MNIST is
# the exception: fetched (and then kept) only when a page asks for it.
files=() later=()
while IFS= read -r f; do
  case $f in assets/fashion-mnist/*) later+=("$f") ;; *) files+=("$f") ;; esac
done < <(cd "$out" && find . -type f ! -name sw.js ! -name '*.map' | sed 's|^\./||' | sort)
version=$(cd "$out" && cat "${files[@]}" "${later[@]}" "$here/web/sw.js" | sha256sum | cut -c1-16)
list=$(printf '"%s",' "${files[@]}")
later_list=$(printf '"%s",' "${later[@]}")
sed -e "s|__VERSION__|$version|" -e "s|\"__PRECACHE__\"|${list%,}|" -e "s|\"__ON_DEMAND__\"|${later_list%,}|" \
  "$here/web/sw.js" > "$out/sw.js.tmp"
mv "$out/sw.js.tmp" "$out/sw.js"
step "build/web/ ready ($(du -sh "$out" | cut -f1)); serve it with scripts/serve.sh"
