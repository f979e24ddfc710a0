# The app (included by the top-level CMakeLists.txt when DIGITLAB_APP=ON):
#   Emscripten: the browser app, digitlab-mt.{js,wasm,worker.js} (threads + SIMD) or digitlab-st.{js,wasm}
#     (SIMD only); needs SDL2_PREFIX (SDL2 built for wasm, with or without pthreads to match
#     DIGITLAB_THREADS); the page itself lives in web/ and is assembled by scripts/build-web.sh.
#   native: the desktop build, digitlab-desktop (Debian's SDL2 and OpenGL ES 3: libsdl2-dev, libgles-dev).
# Both need IMGUI_DIR (Dear ImGui 1.86 from Debian's source package, unpacked by scripts/setup.sh into
# its cache, where it is looked for by default). The same sources but one: platform/platform_web.cpp
# or platform/platform_desktop.cpp (with desktop_script.cpp) implements platform/platform.h.
if(NOT IMGUI_DIR)
  if(DEFINED ENV{DIGITLAB_CACHE})
    set(IMGUI_DIR $ENV{DIGITLAB_CACHE}/src/imgui-1.86)
  elseif(DEFINED ENV{XDG_CACHE_HOME})
    set(IMGUI_DIR $ENV{XDG_CACHE_HOME}/digitlab/src/imgui-1.86)
  else()
    set(IMGUI_DIR $ENV{HOME}/.cache/digitlab/src/imgui-1.86)
  endif()
endif()
if(NOT EXISTS ${IMGUI_DIR}/imgui.cpp)
  message(FATAL_ERROR "IMGUI_DIR (${IMGUI_DIR}) must hold the Dear ImGui 1.86 sources (run scripts/setup.sh)")
endif()
if(EMSCRIPTEN)
  if(NOT SDL2_PREFIX OR NOT EXISTS ${SDL2_PREFIX}/include/SDL2/SDL.h)
    message(FATAL_ERROR "SDL2_PREFIX must point at SDL2 built for wasm (run scripts/setup.sh)")
  endif()
  set(APP_SDL_INCLUDE ${SDL2_PREFIX}/include/SDL2 ${SDL2_PREFIX}/include)
  set(APP_SDL_LIBS ${SDL2_PREFIX}/lib/libSDL2.a)
else()
  find_package(SDL2 REQUIRED)
  find_library(GLESV2_LIB GLESv2 REQUIRED)
  set(APP_SDL_INCLUDE ${SDL2_INCLUDE_DIRS})
  set(APP_SDL_LIBS ${SDL2_LIBRARIES} ${GLESV2_LIB})
endif()

# ImGui as its own library, compiled with the same flags (-pthread where needed).
add_library(imgui STATIC
  ${IMGUI_DIR}/imgui.cpp ${IMGUI_DIR}/imgui_draw.cpp ${IMGUI_DIR}/imgui_tables.cpp
  ${IMGUI_DIR}/imgui_widgets.cpp ${IMGUI_DIR}/backends/imgui_impl_sdl.cpp
  ${IMGUI_DIR}/backends/imgui_impl_opengl3.cpp)
# SDL2 headers first: Emscripten 3.1.6 also ships SDL1 headers.
target_include_directories(imgui BEFORE PUBLIC ${APP_SDL_INCLUDE})
target_include_directories(imgui SYSTEM PUBLIC ${IMGUI_DIR} ${IMGUI_DIR}/backends)
target_compile_definitions(imgui PUBLIC IMGUI_IMPL_OPENGL_ES3 IMGUI_DISABLE_OBSOLETE_FUNCTIONS)
target_compile_options(imgui PRIVATE -w)

# Shaders (GLSL ES 3.00 in shaders/) and the UI font become a generated header at build time.
file(GLOB APP_SHADERS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/shaders/*.glsl)
set(APP_GEN ${CMAKE_BINARY_DIR}/app-gen)
set(APP_FONT /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf)
if(NOT EXISTS ${APP_FONT})
  message(WARNING "${APP_FONT} missing (Debian package fonts-dejavu-core): the app falls back to ImGui's small bitmap font")
  set(APP_FONT "")
endif()
# The characters the UI draws (ImGui makes glyphs for these ranges only): the font is cut down to them
# with fonttools' pyftsubset, without hinting (stb_truetype, ImGui's rasteriser, ignores it) or layout
# tables (ImGui 1.86 uses neither kerning nor shaping). Without pyftsubset the whole font is embedded:
# the same text, a larger download (docs/benchmarks.md's "Download size" is measured with it cut).
set(APP_FONT_RANGES "0020-00FF,0391-03C9,2013-203A,2190-2193,2212,2248-2265,25A0-25CF")
set(APP_FONT_EMBED ${APP_FONT})
if(APP_FONT)
  find_program(PYFTSUBSET pyftsubset)
  if(PYFTSUBSET)
    set(APP_FONT_EMBED ${APP_GEN}/ui-font.ttf)
    add_custom_command(
      OUTPUT ${APP_FONT_EMBED}
      COMMAND ${PYFTSUBSET} ${APP_FONT} --unicodes=${APP_FONT_RANGES} --layout-features= --no-hinting
              --drop-tables+=FFTM,GDEF,GPOS,GSUB,MATH --output-file=${APP_FONT_EMBED}
      DEPENDS ${APP_FONT} ${CMAKE_CURRENT_LIST_FILE}
      COMMENT "Cutting the UI font down to the characters drawn" VERBATIM)
  else()
    message(WARNING "pyftsubset (Debian package fonttools) not found: the whole UI font is embedded, most of the download (run scripts/setup.sh)")
  endif()
endif()
string(REPLACE ";" "|" APP_SHADER_LIST "${APP_SHADERS}")
add_custom_command(
  OUTPUT ${APP_GEN}/embedded.h
  COMMAND ${CMAKE_COMMAND} -DOUT=${APP_GEN}/embedded.h -DFONT=${APP_FONT_EMBED} -DRANGES=${APP_FONT_RANGES}
          -DSHADERS=${APP_SHADER_LIST} -P ${CMAKE_SOURCE_DIR}/src/app/embed.cmake
  DEPENDS ${APP_SHADERS} ${APP_FONT_EMBED} ${CMAKE_SOURCE_DIR}/src/app/embed.cmake ${CMAKE_CURRENT_LIST_FILE}
  COMMENT "Embedding shaders and font" VERBATIM)

# src/app: the state, the trainer bridge, the frame; windows/: one file per window or menu; ui/: input,
# layout, drawing helpers (GL, plots); platform/: what the app needs from where it runs.
file(GLOB_RECURSE APP_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/app/*.cpp)
set(APP_DESKTOP_ONLY ${CMAKE_SOURCE_DIR}/src/app/platform/platform_desktop.cpp ${CMAKE_SOURCE_DIR}/src/app/platform/desktop_script.cpp)
if(NOT EMSCRIPTEN)
  list(REMOVE_ITEM APP_SOURCES ${CMAKE_SOURCE_DIR}/src/app/platform/platform_web.cpp)
  add_executable(digitlab_desktop ${APP_SOURCES} ${APP_GEN}/embedded.h ${CMAKE_SOURCE_DIR}/src/cli/files.cpp)
  set_target_properties(digitlab_desktop PROPERTIES OUTPUT_NAME digitlab-desktop)
  target_include_directories(digitlab_desktop PRIVATE ${APP_GEN} ${CMAKE_SOURCE_DIR}/src/app)
  target_compile_definitions(digitlab_desktop PRIVATE DIGITLAB_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  target_link_libraries(digitlab_desktop PRIVATE dlcore imgui ${APP_SDL_LIBS} ZLIB::ZLIB)
  return()
endif()
list(REMOVE_ITEM APP_SOURCES ${APP_DESKTOP_ONLY})
add_executable(digitlab_app ${APP_SOURCES} ${APP_GEN}/embedded.h)
target_include_directories(digitlab_app PRIVATE ${APP_GEN} ${CMAKE_SOURCE_DIR}/src/app)
target_link_libraries(digitlab_app PRIVATE dlcore imgui ${SDL2_PREFIX}/lib/libSDL2.a)
if(DIGITLAB_THREADS)
  set_target_properties(digitlab_app PROPERTIES OUTPUT_NAME digitlab-mt SUFFIX .js)
  # One worker for the trainer thread plus up to 6 kernel workers, created before main() runs.
  target_link_options(digitlab_app PRIVATE "-sPTHREAD_POOL_SIZE=Math.min(8,Math.max(2,(navigator.hardwareConcurrency||2)+1))")
else()
  set_target_properties(digitlab_app PROPERTIES OUTPUT_NAME digitlab-st SUFFIX .js)
endif()
# SDL's audio code needs two JS library functions; a file keeps the '$' out of shell and Ninja quoting.
file(WRITE ${APP_GEN}/libfuncs.json "[\"$autoResumeAudioContext\",\"$dynCall\"]")
target_link_options(digitlab_app PRIVATE
  -sUSE_SDL=0 -sMIN_WEBGL_VERSION=2 -sMAX_WEBGL_VERSION=2 -sENVIRONMENT=web,worker
  -sEXPORTED_FUNCTIONS=_main,_malloc,_free
  -sEXPORTED_RUNTIME_METHODS=UTF8ToString,stringToUTF8,lengthBytesUTF8
  -sDEFAULT_LIBRARY_FUNCS_TO_INCLUDE=@${APP_GEN}/libfuncs.json
  # 256 MB from the start: MNIST, the UI and an mlp or cnn-5x5 run fit without growing the memory, which
  # WebKit has had bugs doing while other threads run (docs/design.md, "The wasm memory starts at
  # 256 MB"). Pages are touched only when used.
  -sINITIAL_MEMORY=256MB -Wno-pthreads-mem-growth
  # digitlab-*.js.symbols beside the build (not in build/web/): the names of the wasm functions a
  # stack shows by index (the page's status() carries the first uncaught error's stack).
  --emit-symbol-map)
