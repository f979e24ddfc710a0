# Shared settings for the project's scripts (sourced, not run).
SDL_VERSION=2.26.5
IMGUI_VERSION=1.86
CACHE=${DIGITLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/digitlab}
# Built by setup.sh with SDL's own Emscripten configuration; "-cfg2" names that recipe in the cache key.
SDL_MT="$CACHE/sdl2-$SDL_VERSION-wasm-mt-cfg2"
SDL_ST="$CACHE/sdl2-$SDL_VERSION-wasm-st-cfg2"
IMGUI_DIR="$CACHE/src/imgui-$IMGUI_VERSION"
# Debian's emscripten 3.1.6 finds its acorn module only through NODE_PATH.
export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
JOBS=${JOBS:-$(nproc)}

step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
