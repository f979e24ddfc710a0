#version 300 es
// Fragment shader for single-channel textures (R8): the red channel is a value in [0, 1].
//   Mode 0 "ink":     digits as dark ink on paper (MNIST images, mean images, the draw pad).
//   Mode 1 "heat":    a perceptual colour ramp (violet - teal - yellow) for the confusion matrix.
//   Mode 2 "diverge": blue (0) - white (0.5) - red (1), for signed weights.
precision mediump float;
uniform sampler2D Texture;
uniform int Mode;
in vec2 Frag_UV;
in vec4 Frag_Color;
out vec4 Out_Color;

vec3 heat(float t) {
  // Five colour stops from dark violet through teal to yellow (a viridis-like perceptual ramp).
  const vec3 s0 = vec3(0.267, 0.005, 0.329), s1 = vec3(0.229, 0.322, 0.546), s2 = vec3(0.128, 0.567, 0.551),
             s3 = vec3(0.369, 0.789, 0.383), s4 = vec3(0.993, 0.906, 0.144);
  float x = t * 4.0;
  if (x < 1.0) return mix(s0, s1, x);
  if (x < 2.0) return mix(s1, s2, x - 1.0);
  if (x < 3.0) return mix(s2, s3, x - 2.0);
  return mix(s3, s4, x - 3.0);
}

void main() {
  float v = clamp(texture(Texture, Frag_UV).r, 0.0, 1.0);
  vec3 rgb;
  if (Mode == 1) {
    rgb = heat(v);
  } else if (Mode == 2) {
    vec3 blue = vec3(0.13, 0.40, 0.80), red = vec3(0.84, 0.19, 0.15), white = vec3(0.97);
    rgb = v < 0.5 ? mix(blue, white, v * 2.0) : mix(white, red, v * 2.0 - 1.0);
  } else {
    vec3 paper = vec3(0.98, 0.98, 0.96), ink = vec3(0.06, 0.08, 0.16);
    rgb = mix(paper, ink, smoothstep(0.0, 1.0, v));
  }
  Out_Color = vec4(rgb, 1.0) * vec4(Frag_Color.rgb, Frag_Color.a);
}
