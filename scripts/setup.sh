#!/usr/bin/env bash
# Sets up everything Digit Lab needs that is missing, and nothing that is already there:
#   1. Debian packages (emscripten, cmake, ninja, doctest, zlib, clang with its sanitizer and
#      libFuzzer runtimes, chromium, firefox-esr, webkit2gtk-driver, xvfb, fonttools; SDL2 and OpenGL ES with
#      Mesa's software driver for the desktop build)
#   2. npm dev dependencies from the committed lockfile (playwright-core, puppeteer-core)
#   3. SDL2 2.26.5 and Dear ImGui 1.86 from Debian's *source* packages, built for wasm once into
#      a versioned cache outside the repo ($DIGITLAB_CACHE, default ~/.cache/digitlab)
#   4. the four MNIST files in assets/mnist/ and Fashion-MNIST's in assets/fashion-mnist/ (SHA-256 checked)
# Idempotent; a second run takes a second or two.  Prints the cache paths for the build scripts.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/scripts/common.sh"

# ---------------------------------------------------------------------------- 1. Debian packages
pkgs=(emscripten cmake ninja-build doctest-dev zlib1g-dev clang libclang-rt-14-dev chromium firefox-esr webkit2gtk-driver xvfb fonts-dejavu-core fonttools python3 curl ca-certificates xz-utils
      libsdl2-dev libgles-dev libgl1-mesa-dri)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "installing Debian packages: ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
command -v node >/dev/null && command -v npm >/dev/null || {
  step "installing nodejs and npm"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nodejs npm
}

# ---------------------------------------------------------------------------- 2. npm
if [ ! -f "$here/node_modules/playwright-core/package.json" ] || [ ! -f "$here/node_modules/puppeteer-core/package.json" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  step "installing npm dev dependencies (lockfile)"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

# ---------------------------------------------------------------------------- 3. SDL2 + ImGui sources
mkdir -p "$CACHE"
ensure_deb_src() {
  grep -rqs "^Types:.*deb-src" /etc/apt/sources.list.d/ /etc/apt/sources.list 2>/dev/null && return
  grep -qs "^deb-src" /etc/apt/sources.list 2>/dev/null && return
  step "adding a deb-src entry so apt can fetch Debian's source packages"
  local f=/etc/apt/sources.list.d/debian.sources
  [ -f "$f" ] || die "no $f to copy a deb-src entry from; add one by hand (Types: deb-src)"
  sed 's/^Types: deb$/Types: deb-src/' "$f" | as_root tee /etc/apt/sources.list.d/digitlab-src.sources >/dev/null
  as_root apt-get update -q
}
fetch_orig() {  # fetch_orig <source package> <version> <dest dir>: unpack the upstream tarball
  local pkg=$1 ver=$2 dest=$3 tmp
  [ -d "$dest" ] && return
  ensure_deb_src
  step "fetching Debian source package $pkg $ver"
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get source --download-only -q "$pkg" >/dev/null)
  local tarball
  tarball=$(ls "$tmp"/"${pkg}"_"${ver}"*.orig.tar.* 2>/dev/null | head -n1)
  [ -n "$tarball" ] || die "Debian's $pkg source is not version $ver (got: $(ls "$tmp"))"
  mkdir -p "$dest.tmp"
  tar -xf "$tarball" -C "$dest.tmp" --strip-components=1
  mv "$dest.tmp" "$dest"
  rm -rf "$tmp"
}
fetch_orig libsdl2 "$SDL_VERSION" "$CACHE/src/SDL2-$SDL_VERSION"
fetch_orig imgui "$IMGUI_VERSION" "$CACHE/src/imgui-$IMGUI_VERSION"

# SDL2 for wasm from SDL's ready configuration for Emscripten (include/SDL_config_emscripten.h, which
# SDL_config.h picks): the sources the Emscripten target needs, compiled from a generated Ninja file,
# both builds (mt: pthreads; st: none) in one run. SDL's CMake configure would run hundreds of compile
# checks of a second each, twice. Files of other platforms' drivers in the
# shared folders compile to nothing (SDL guards them by the configuration's defines).
sdl_sources() {  # sdl_sources <mt|st>: the .c files to compile, relative to SDL's src/
  local thread=pthread d files
  [ "$1" = st ] && thread=generic
  cd "$CACHE/src/SDL2-$SDL_VERSION/src"
  shopt -s nullglob
  for d in . atomic audio cpuinfo dynapi events file haptic hidapi joystick libm locale misc power \
           render render/opengles2 render/software sensor stdlib thread timer video video/yuv2rgb \
           audio/emscripten audio/disk audio/dummy video/emscripten joystick/emscripten haptic/dummy \
           sensor/dummy power/emscripten filesystem/emscripten locale/emscripten misc/emscripten \
           timer/unix loadso/dlopen "thread/$thread"; do
    files=("$d"/*.c)
    [ ${#files[@]} -gt 0 ] || die "SDL2 $SDL_VERSION has no sources in src/$d: its layout is not the one this script knows"
    printf '%s\n' "${files[@]}"
  done | sed 's|^\./||' | sort -u
}
build_sdl() {  # builds whichever of the two SDL2 builds is missing
  local src="$CACHE/src/SDL2-$SDL_VERSION" b="$CACHE/build/sdl2" kind f o objs list missing
  local kinds=()
  [ -f "$SDL_MT/lib/libSDL2.a" ] || kinds+=(mt)
  [ -f "$SDL_ST/lib/libSDL2.a" ] || kinds+=(st)
  [ ${#kinds[@]} -gt 0 ] || return 0
  step "building SDL2 $SDL_VERSION for wasm (${kinds[*]}) into the cache (once; ~2 min on 2 cores)"
  local t0=$SECONDS
  rm -rf "$b"; mkdir -p "$b"
  {
    echo "rule cc"
    echo "  command = emcc -O2 -w \$flags -I$src/include -c \$in -o \$out"
    echo "rule ar"
    echo "  command = rm -f \$out && emar rcs \$out \$in"
    for kind in "${kinds[@]}"; do
      objs=()
      list=$(sdl_sources "$kind") || exit 1  # a subshell: its cd and shopt stay there
      while read -r f; do
        o="$kind/${f%.c}.o"
        echo "build $o: cc $src/src/$f"
        [ "$kind" = mt ] && echo "  flags = -pthread"
        objs+=("$o")
      done <<<"$list"
      echo "build $kind/libSDL2.a: ar ${objs[*]}"
    done
  } >"$b/build.ninja"
  ninja -C "$b" -j "$JOBS" >"$b.log" 2>&1 || die "SDL2 build failed: see $b.log"
  # Every SDL symbol one of its files uses is defined by another: no source the configuration needs is left out.
  for kind in "${kinds[@]}"; do
    missing=$(emnm "$b/$kind/libSDL2.a" 2>/dev/null | awk '$1 == "U" { u[$2] = 1 } $2 ~ /^[TDBRWV]$/ { d[$3] = 1 }
      END { for (s in u) if (!d[s] && s ~ /^(SDL_|GLES2_|SW_)/) print s }')
    [ -z "$missing" ] || die "SDL2 for wasm ($kind) lacks the sources of: $(echo $missing)"
  done
  for kind in "${kinds[@]}"; do
    local prefix=$SDL_ST
    [ "$kind" = mt ] && prefix=$SDL_MT
    rm -rf "$prefix.tmp"; mkdir -p "$prefix.tmp/include/SDL2" "$prefix.tmp/lib"
    cp "$src"/include/*.h "$prefix.tmp/include/SDL2/"
    cp "$b/$kind/libSDL2.a" "$prefix.tmp/lib/"
    rm -rf "$prefix"; mv "$prefix.tmp" "$prefix"
  done
  rm -rf "$b"
  step "SDL2 for wasm (${kinds[*]}) built in $((SECONDS - t0)) s"
}
build_sdl

# ---------------------------------------------------------------------------- 4. MNIST, Fashion-MNIST
"$here/scripts/fetch-data.sh"
