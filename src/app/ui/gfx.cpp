// Custom rendering inside ImGui windows: single-channel textures drawn through the app's own
// GLSL ES 3.00 program (shaders/, embedded at build time), switched in with draw-list callbacks.
#include <GLES3/gl3.h>

#include <cstring>
#include <vector>

#include "app.h"
#include "embedded.h"

namespace app {
namespace {

GLuint g_program = 0;
GLint g_loc_proj = -1, g_loc_tex = -1, g_loc_mode = -1;

// A shader's or program's status: on failure its info log goes to *error.
template <class GetIv, class GetLog>
bool gl_ok(GLuint obj, GLenum status, GetIv get_iv, GetLog get_log, std::string* error) {
  GLint ok = 0;
  get_iv(obj, status, &ok);
  if (ok) return true;
  char log[1024] = {};
  get_log(obj, sizeof log, nullptr, log);
  *error = log;
  return false;
}

GLuint compile(GLenum kind, const char* src, std::string* error) {
  GLuint sh = glCreateShader(kind);
  glShaderSource(sh, 1, &src, nullptr);
  glCompileShader(sh);
  if (gl_ok(sh, GL_COMPILE_STATUS, glGetShaderiv, glGetShaderInfoLog, error)) return sh;
  glDeleteShader(sh);
  return 0;
}

void use_program(const ImDrawList*, const ImDrawCmd* cmd) {
  const ImDrawData* dd = ImGui::GetDrawData();
  const float L = dd->DisplayPos.x, R = dd->DisplayPos.x + dd->DisplaySize.x;
  const float T = dd->DisplayPos.y, B = dd->DisplayPos.y + dd->DisplaySize.y;
  const float ortho[4][4] = {
      {2.0f / (R - L), 0.0f, 0.0f, 0.0f},
      {0.0f, 2.0f / (T - B), 0.0f, 0.0f},
      {0.0f, 0.0f, -1.0f, 0.0f},
      {(R + L) / (L - R), (T + B) / (B - T), 0.0f, 1.0f},
  };
  glUseProgram(g_program);
  glUniformMatrix4fv(g_loc_proj, 1, GL_FALSE, &ortho[0][0]);
  glUniform1i(g_loc_tex, 0);
  glUniform1i(g_loc_mode, int(intptr_t(cmd->UserCallbackData)));
}

}  // namespace

bool gfx_init(std::string* error) {
  GLuint vs = compile(GL_VERTEX_SHADER, kShader_image_vs, error);
  GLuint fs = vs ? compile(GL_FRAGMENT_SHADER, kShader_image_fs, error) : 0;
  if (fs) {
    g_program = glCreateProgram();
    glAttachShader(g_program, vs);
    glAttachShader(g_program, fs);
    glLinkProgram(g_program);
  }
  glDeleteShader(vs);  // the program keeps what it needs; 0 is ignored
  glDeleteShader(fs);
  if (!fs || !gl_ok(g_program, GL_LINK_STATUS, glGetProgramiv, glGetProgramInfoLog, error)) return false;
  g_loc_proj = glGetUniformLocation(g_program, "ProjMtx");
  g_loc_tex = glGetUniformLocation(g_program, "Texture");
  g_loc_mode = glGetUniformLocation(g_program, "Mode");
  return true;
}

void texture_r8(Texture* t, int w, int h, const uint8_t* pixels, bool smooth) {
  GLint prev = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &prev);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  if (!t->id) glGenTextures(1, &t->id);
  glBindTexture(GL_TEXTURE_2D, t->id);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, smooth ? GL_LINEAR : GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, smooth ? GL_LINEAR : GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  if (t->w == w && t->h == h)
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, w, h, GL_RED, GL_UNSIGNED_BYTE, pixels);
  else
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, w, h, 0, GL_RED, GL_UNSIGNED_BYTE, pixels);
  t->w = w;
  t->h = h;
  glBindTexture(GL_TEXTURE_2D, GLuint(prev));
}

void texture_image_grid(Texture* t, const std::vector<const uint8_t*>& images, int h, int w, int cols, int rows,
                        bool smooth) {
  const size_t W = size_t(cols) * w;
  std::vector<uint8_t> px(W * size_t(rows) * h, 0);
  for (size_t i = 0; i < images.size() && i < size_t(cols) * rows; ++i) {
    const size_t ox = (i % cols) * size_t(w), oy = (i / cols) * size_t(h);
    for (int y = 0; y < h; ++y) std::memcpy(&px[(oy + y) * W + ox], images[i] + size_t(y) * w, size_t(w));
  }
  texture_r8(t, int(W), rows * h, px.data(), smooth);
}

void grid_uv(int cols, int rows, int i, ImVec2* uv0, ImVec2* uv1) {
  *uv0 = ImVec2(float(i % cols) / cols, float(i / cols) / rows);
  *uv1 = ImVec2(float(i % cols + 1) / cols, float(i / cols + 1) / rows);
}

void draw_image(ImDrawList* dl, const Texture& t, ImVec2 p0, ImVec2 p1, ImageMode mode, ImVec2 uv0, ImVec2 uv1) {
  if (!t.id) return;
  dl->AddCallback(use_program, (void*)intptr_t(mode));
  dl->AddImage(t.im(), p0, p1, uv0, uv1);
  dl->AddCallback(ImDrawCallback_ResetRenderState, nullptr);
}

}  // namespace app
