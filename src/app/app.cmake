# The browser app (included by the top-level CMakeLists.txt when EMSCRIPTEN and DIGITLAB_APP=ON).
# Needs SDL2_PREFIX (SDL2 built for wasm, with or without pthreads to match DIGITLAB_THREADS) and
# IMGUI_DIR (Dear ImGui 1.86 sources); scripts/build-web.sh passes both.
# Output: digitlab-mt.{js,wasm,worker.js} (threads + SIMD) or digitlab-st.{js,wasm} (SIMD only);
# the page itself lives in web/ and is assembled by scripts/build-web.sh.
if(NOT SDL2_PREFIX OR NOT EXISTS ${SDL2_PREFIX}/include/SDL2/SDL.h)
  message(FATAL_ERROR "SDL2_PREFIX must point at SDL2 built for wasm (run scripts/setup.sh)")
endif()
if(NOT IMGUI_DIR OR NOT EXISTS ${IMGUI_DIR}/imgui.cpp)
  message(FATAL_ERROR "IMGUI_DIR must point at the Dear ImGui 1.86 sources (run scripts/setup.sh)")
endif()

# ImGui as its own library, compiled with the same flags (-pthread where needed).
add_library(imgui STATIC
  ${IMGUI_DIR}/imgui.cpp ${IMGUI_DIR}/imgui_draw.cpp ${IMGUI_DIR}/imgui_tables.cpp
  ${IMGUI_DIR}/imgui_widgets.cpp ${IMGUI_DIR}/backends/imgui_impl_sdl.cpp
  ${IMGUI_DIR}/backends/imgui_impl_opengl3.cpp)
# SDL2 headers first: Emscripten 3.1.6 also ships SDL1 headers.
target_include_directories(imgui BEFORE PUBLIC ${SDL2_PREFIX}/include/SDL2 ${SDL2_PREFIX}/include)
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
string(REPLACE ";" "|" APP_SHADER_LIST "${APP_SHADERS}")
add_custom_command(
  OUTPUT ${APP_GEN}/embedded.h
  COMMAND ${CMAKE_COMMAND} -DOUT=${APP_GEN}/embedded.h -DFONT=${APP_FONT}
          -DSHADERS=${APP_SHADER_LIST} -P ${CMAKE_SOURCE_DIR}/src/app/embed.cmake
  DEPENDS ${APP_SHADERS} ${APP_FONT} ${CMAKE_SOURCE_DIR}/src/app/embed.cmake
  COMMENT "Embedding shaders and font" VERBATIM)

file(GLOB APP_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/app/*.cpp)
add_executable(digitlab_app ${APP_SOURCES} ${APP_GEN}/embedded.h)
target_include_directories(digitlab_app PRIVATE ${APP_GEN})
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
  -sINITIAL_MEMORY=64MB -Wno-pthreads-mem-growth
  # digitlab-*.js.symbols beside the build (not in build/web/): the names of the wasm functions a
  # stack shows by index (the page's status() carries the first uncaught error's stack).
  --emit-symbol-map)
