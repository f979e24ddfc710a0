#!/usr/bin/env bash
# Sets up everything Digit Lab needs that is missing, and nothing that is already there:
#   1. Debian packages (emscripten, cmake, ninja, doctest, zlib, clang with its sanitizer and
#      libFuzzer runtimes, chromium, firefox-esr, webkit2gtk-driver, xvfb; SDL2 and OpenGL ES with
#      Mesa's software driver for the desktop build)
#   2. npm dev dependencies from the committed lockfile (playwright-core, puppeteer-core)
#   3. SDL2 2.26.5 and Dear ImGui 1.86 from Debian's *source* packages, built for wasm once into
#      a versioned cache outside the repo ($DIGITLAB_CACHE, default ~/.cache/digitlab)
#   4. the four MNIST files in assets/mnist/ (SHA-256 checked)
# Idempotent; a second run takes a second or two.  Prints the cache paths for the build scripts.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/scripts/common.sh"

# ---------------------------------------------------------------------------- 1. Debian packages
pkgs=(emscripten cmake ninja-build doctest-dev zlib1g-dev clang libclang-rt-14-dev chromium firefox-esr webkit2gtk-driver xvfb fonts-dejavu-core python3 curl ca-certificates xz-utils
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

build_sdl() {  # build_sdl <mt|st>
  local kind=$1 prefix="$CACHE/sdl2-$SDL_VERSION-wasm-$1" threads=ON flags=-pthread
  [ -f "$prefix/lib/libSDL2.a" ] && return
  [ "$kind" = st ] && { threads=OFF; flags=; }
  step "building SDL2 $SDL_VERSION for wasm ($kind) into the cache (once; ~6 min on 2 cores)"
  local b="$CACHE/build/sdl2-$kind"
  rm -rf "$b"; mkdir -p "$CACHE/build"
  emcmake cmake -S "$CACHE/src/SDL2-$SDL_VERSION" -B "$b" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DSDL_SHARED=OFF -DSDL_STATIC=ON -DSDL_TEST=OFF -DSDL_THREADS=$threads -DSDL_PTHREADS=$threads \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_INSTALL_PREFIX="$prefix.tmp" >"$b.log" 2>&1 \
    || die "SDL2 configure failed: see $b.log"
  cmake --build "$b" >>"$b.log" 2>&1 && cmake --install "$b" >>"$b.log" 2>&1 || die "SDL2 build failed: see $b.log"
  rm -rf "$prefix"; mv "$prefix.tmp" "$prefix"; rm -rf "$b"
}
# The two SDL builds are independent: run them side by side (each is mostly process start-up).
if [ ! -f "$CACHE/sdl2-$SDL_VERSION-wasm-mt/lib/libSDL2.a" ] || [ ! -f "$CACHE/sdl2-$SDL_VERSION-wasm-st/lib/libSDL2.a" ]; then
  build_sdl mt & p1=$!
  build_sdl st & p2=$!
  wait $p1; wait $p2
fi

# ---------------------------------------------------------------------------- 4. MNIST
"$here/scripts/fetch-data.sh"
