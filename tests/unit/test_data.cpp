// IDX parsing of tiny files the test writes, including every malformed case; CSV; splits and batches.
#include <numeric>
#include <string>

#include "core/data/dataset.h"
#include "core/data/outliers.h"
#include "core/data/sheet.h"
#include "helpers.h"

using namespace dl;

namespace {

Dataset tiny(int n, int rows = 2, int cols = 3) {
  Dataset d;
  d.n = n; d.rows = rows; d.cols = cols;
  for (int i = 0; i < n * rows * cols; ++i) d.images.push_back(uint8_t(i * 7));
  for (int i = 0; i < n; ++i) d.labels.push_back(uint8_t(i % 10));
  return d;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("IDX round trip") {
  Dataset d = tiny(5), out;
  Status s = dataset_from_idx(idx_encode_images(d), idx_encode_labels(d), "tiny", &out);
  REQUIRE(s.ok());
  CHECK(out.n == 5);
  CHECK(out.rows == 2);
  CHECK(out.cols == 3);
  CHECK(out.images == d.images);
  CHECK(out.labels == d.labels);
  CHECK(out.image(1)[0] == 6 * 7);
}

TEST_CASE("IDX: every malformed input gets a message that names the file and the problem") {
  Dataset d = tiny(4), out;
  out.name = "untouched";
  auto img = idx_encode_images(d), lab = idx_encode_labels(d);
  auto expect = [&](std::vector<uint8_t> i, std::vector<uint8_t> l, const char* part) {
    Status s = dataset_from_idx(i, l, "t10k", &out);
    CHECK_FALSE(s.ok());
    CHECK_MESSAGE(contains(s.error, part), s.error);
    CHECK(out.name == "untouched");  // nothing changes on error
  };
  SUBCASE("empty file") { expect({}, lab, "t10k-images: file is too short (0 bytes)"); }
  SUBCASE("wrong magic") { auto b = img; b[0] = 0x12; expect(b, lab, "not an IDX file"); }
  SUBCASE("wrong data type") { auto b = img; b[2] = 0x0d; expect(b, lab, "data type 0x0d is not supported"); }
  SUBCASE("labels file given as images") { expect(lab, lab, "has 1 dimensions, expected 3 (is this a labels file?)"); }
  SUBCASE("images file given as labels") { expect(img, img, "has 3 dimensions, expected 1 (is this an images file?)"); }
  SUBCASE("truncated header") { expect(std::vector<uint8_t>(img.begin(), img.begin() + 10), lab, "truncated header"); }
  SUBCASE("truncated pixels") { img.pop_back(); expect(img, lab, "truncated: 4 images of 2x3 need 40 bytes, the file has 39"); }
  SUBCASE("extra bytes") { img.push_back(0); expect(img, lab, "1 unexpected extra bytes"); }
  SUBCASE("zero images") { auto b = img; b[7] = 0; expect(b, lab, "holds no images"); }
  SUBCASE("absurd count") { auto b = img; b[4] = 0x7f; expect(b, lab, "more than the supported"); }
  SUBCASE("absurd size") { auto b = img; b[10] = 0x10; expect(b, lab, "image size"); }
  SUBCASE("truncated labels") { lab.pop_back(); expect(img, lab, "t10k-labels: truncated: 4 labels need 12 bytes"); }
  SUBCASE("label out of range") { lab[9] = 11; expect(img, lab, "label 11 at position 1 is not a digit"); }
  SUBCASE("count mismatch") {
    Dataset d3 = tiny(3);
    expect(img, idx_encode_labels(d3), "t10k-labels: 3 labels but 4 images");
  }
  SUBCASE("still gzip-compressed") { expect({0x1f, 0x8b, 8, 0, 0, 0}, lab, "still gzip-compressed"); }
}

TEST_CASE("IDX: counts use thousands separators as in the issue's example") {
  Dataset d = tiny(10000, 1, 1), out;
  Dataset l = tiny(9999, 1, 1);
  Status s = dataset_from_idx(idx_encode_images(d), idx_encode_labels(l), "t10k", &out);
  CHECK(s.error == "t10k-labels: 9,999 labels but 10,000 images; the two files do not belong together");
}

TEST_CASE("Kaggle CSV") {
  std::string header = "label";
  for (int i = 0; i < 784; ++i) header += ",pixel" + std::to_string(i);
  std::string row = "7";
  for (int i = 0; i < 784; ++i) row += "," + std::to_string(i % 256);
  Dataset d;
  REQUIRE(dataset_from_csv(header + "\r\n" + row + "\n" + row + "\n", "train.csv", &d).ok());
  CHECK(d.n == 2);
  CHECK(d.labels[1] == 7);
  CHECK(d.image(1)[300] == 300 % 256);
  CHECK(contains(dataset_from_csv("a,b\n1,2\n", "x.csv", &d).error, "not a digits CSV"));
  CHECK(contains(dataset_from_csv(header + "\n7,1,2\n", "x.csv", &d).error, "line 2 has 3 values, expected 785"));
  CHECK(contains(dataset_from_csv(header + "\n" + row.substr(0, row.size() - 3) + ",999\n", "x.csv", &d).error,
                 "not a whole number 0-255"));
  CHECK(contains(dataset_from_csv(header + "\n", "x.csv", &d).error, "no rows"));
  CHECK(d.n == 2);  // untouched by the failures
}

TEST_CASE("Kaggle test.csv: images without labels; submission.csv") {
  std::string pixels = "pixel0";
  for (int i = 1; i < 784; ++i) pixels += ",pixel" + std::to_string(i);
  std::string row = "0";
  for (int i = 1; i < 784; ++i) row += "," + std::to_string((i * 3) % 256);
  Dataset d;
  REQUIRE(images_from_csv(pixels + "\r\n" + row + "\r\n\n" + row + "\n" + row, "test.csv", &d).ok());
  CHECK(d.n == 3);
  CHECK(d.labels.empty());
  CHECK(d.image(2)[100] == 300 % 256);
  // A train.csv reads too, its labels kept; the training reader still refuses a test.csv.
  Dataset t;
  REQUIRE(images_from_csv("label," + pixels + "\n4," + row + "\n", "train.csv", &t).ok());
  CHECK(t.n == 1);
  CHECK(t.labels == std::vector<uint8_t>{4});
  CHECK(std::equal(t.images.begin(), t.images.end(), d.images.begin()));
  CHECK(contains(dataset_from_csv(pixels + "\n" + row + "\n", "test.csv", &t).error, "this is Kaggle's test.csv"));
  CHECK(images_from_csv(pixels + "\n1,2,3\n", "x.csv", &t).error ==
        "x.csv: line 2 has 3 values, expected 784 (784 pixels: images of 28x28)");
  CHECK(images_from_csv(pixels + "\n" + row + ",5\n", "x.csv", &t).error ==
        "x.csv: line 2 has more than 784 values (784 pixels: images of 28x28)");
  CHECK(images_from_csv(pixels + "\n" + row + "\n-1" + row.substr(1) + "\n", "x.csv", &t).error ==
        "x.csv: line 3, value 1 is not a whole number 0-255");
  CHECK(contains(images_from_csv("ImageId,Label\n1,7\n", "submission.csv", &t).error, "not a digits CSV"));
  CHECK(contains(images_from_csv("", "empty.csv", &t).error, "the file is empty"));
  CHECK(t.n == 1);  // untouched by the failures
  CHECK(submission_csv({7, 2, 1, 0}) == "ImageId,Label\n1,7\n2,2\n3,1\n4,0\n");
  CHECK(submission_csv({}) == "ImageId,Label\n");
}

TEST_CASE("split is seeded, disjoint and complete; batches scale to [0,1]") {
  Dataset d = tiny(100, 1, 1);
  for (int i = 0; i < 100; ++i) d.images[i] = uint8_t(i);  // pixel value = index: identifies the image
  Dataset a, b, a2, b2, c, e;
  dataset_split(d, 0.2f, 7, &a, &b);
  dataset_split(d, 0.2f, 7, &a2, &b2);
  dataset_split(d, 0.2f, 8, &c, &e);
  CHECK(a.n == 80);
  CHECK(b.n == 20);
  CHECK(a.images == a2.images);
  CHECK(b.images == b2.images);
  CHECK(b.images != e.images);
  std::vector<int> seen(100, 0);
  for (uint8_t v : a.images) seen[v]++;
  for (uint8_t v : b.images) seen[v]++;
  CHECK(std::all_of(seen.begin(), seen.end(), [](int s) { return s == 1; }));
  for (int i = 0; i < b.n; ++i) CHECK(b.labels[i] == b.images[i] % 10);  // labels follow their images
  int idx[2] = {3, 99};
  float x[2];
  int y[2];
  dataset_batch(d, idx, 2, x, y);
  CHECK(x[0] == doctest::Approx(3 / 255.0));
  CHECK(y[1] == 9);
  CHECK(dataset_class_counts(d) == std::vector<int>(10, 10));
}

TEST_CASE("Rng: fixed sequence on every platform") {
  Rng r(42);
  // Reference values from an independent Python implementation of PCG32 (same seed and stream);
  // the wasm run of this test checks the same numbers, so native and browser agree.
  uint32_t a = r.next_u32(), b = r.next_u32();
  Rng r2(42);
  CHECK(r2.next_u32() == a);
  CHECK(r2.next_u32() == b);
  CHECK(a == 2650355783u);
  CHECK(b == 26994255u);
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 70000; ++i) counts[r.below(7)]++;
  for (int c : counts) CHECK(c == doctest::Approx(10000).epsilon(0.05));
}

TEST_CASE("class outliers: the images farthest from their class mean, and the pairs of classes most mixed") {
  // Each class a faint blob of its own; some images of class k drawn as class (k + 1) % 10's blob.
  Dataset d;
  d.rows = d.cols = 28;
  Rng r(11);
  for (int i = 0; i < 900; ++i) {
    const int k = i % 10, look = (i % 7 == 0 && k < 3) ? k + 1 : k;
    for (int p = 0; p < 784; ++p) {
      const bool on = p / 28 >= 2 * look && p / 28 < 2 * look + 6;
      d.images.push_back(uint8_t(on ? 150 + r.below(100) : r.below(60)));
    }
    d.labels.push_back(uint8_t(k));
    ++d.n;
  }
  const ClassOutliers o = class_outliers(d, 5, 3, 4);
  // Directly, in doubles.
  std::vector<double> mean(10 * 784, 0.0);
  std::vector<int> count(10, 0);
  for (int i = 0; i < d.n; ++i) {
    ++count[d.labels[size_t(i)]];
    for (int p = 0; p < 784; ++p) mean[size_t(d.labels[size_t(i)]) * 784 + p] += d.image(i)[p];
  }
  for (int k = 0; k < 10; ++k)
    for (int p = 0; p < 784; ++p) mean[size_t(k) * 784 + p] /= count[size_t(k)];
  auto dist2 = [&](int i, int k) {
    double e = 0;
    for (int p = 0; p < 784; ++p) e += (d.image(i)[p] - mean[size_t(k) * 784 + p]) * (d.image(i)[p] - mean[size_t(k) * 784 + p]);
    return e;
  };
  for (int k = 0; k < 10; ++k) {
    std::vector<std::pair<double, int>> all;
    for (int i = 0; i < d.n; ++i)
      if (d.labels[size_t(i)] == k) all.push_back({-dist2(i, k), i});
    std::sort(all.begin(), all.end());
    REQUIRE(o.atypical[size_t(k)].size() == 5);
    for (int j = 0; j < 5; ++j) {
      CHECK(o.atypical[size_t(k)][size_t(j)] == all[size_t(j)].second);
      CHECK(o.distance[size_t(k)][size_t(j)] == doctest::Approx(std::sqrt(-all[size_t(j)].first / 784)).epsilon(1e-9));
    }
  }
  int mixed[10][10] = {};
  for (int i = 0; i < d.n; ++i) {
    const int a = d.labels[size_t(i)];
    int best = -1;
    for (int b = 0; b < 10; ++b)
      if (b != a && (best < 0 || dist2(i, b) < dist2(i, best))) best = b;
    if (dist2(i, best) < dist2(i, a)) ++mixed[std::min(a, best)][std::max(a, best)];
  }
  REQUIRE(o.pairs.size() == 3);
  for (const ClassOutliers::Pair& p : o.pairs) {
    CHECK(p.count == mixed[p.a][p.b]);
    CHECK(p.b == p.a + 1);  // the classes drawn as their neighbour's
    CHECK(p.examples.size() == 4);
    for (int i : p.examples) CHECK((d.labels[size_t(i)] == p.a || d.labels[size_t(i)] == p.b));
  }
  CHECK(o.pairs[0].count >= o.pairs[1].count);
  // A step at a time: the same.
  OutlierScan scan(d, 5, 3, 4);
  while (!scan.done()) scan.step(37);
  const ClassOutliers stepped = scan.result();
  CHECK(stepped.atypical == o.atypical);
  CHECK(stepped.pairs.size() == o.pairs.size());
  CHECK(stepped.pairs[0].examples == o.pairs[0].examples);
}

TEST_CASE("digit_sheet: each image in its label's group, inverted and scaled; every label has a row") {
  dl::Dataset d;
  d.n = 5;
  d.rows = d.cols = 4;
  d.labels = {3, 0, 3, 9, 3};
  for (int i = 0; i < d.n; ++i)
    for (int p = 0; p < 16; ++p) d.images.push_back(uint8_t(i * 40 + p));
  dl::SheetLayout L;
  L.scale = 3;
  L.cols = 2;  // the three 3s take two rows
  std::vector<std::pair<int, int>> at;
  const dl::GrayImage g = dl::digit_sheet(d, L, &at);
  const int pitch = 4 * 3 + L.gap;
  // Rows: 0 (1), 1 (empty, 1), 2 (empty, 1), 3 (2), 4–8 (1 each), 9 (1) = 11 rows, 9 gaps between groups.
  CHECK(g.h == 2 * L.margin + 11 * pitch - L.gap + 9 * L.gap);
  CHECK(g.w == L.left() + 2 * pitch - L.gap + L.margin);
  // Image 1 is the only 0: first cell of the first row. Images 0, 2, 4 are the 3s, in order, two a row.
  const int y3 = L.margin + 3 * (pitch + L.gap);
  CHECK(at[1] == std::make_pair(L.left(), L.margin));
  CHECK(at[0] == std::make_pair(L.left(), y3));
  CHECK(at[2] == std::make_pair(L.left() + pitch, y3));
  CHECK(at[4] == std::make_pair(L.left(), y3 + pitch));
  CHECK(at[3].second == L.margin + 9 * (pitch + L.gap) + pitch);  // the 9 below 4–8 and the 3s' second row
  for (int i = 0; i < d.n; ++i)
    for (int y = 0; y < 12; ++y)
      for (int x = 0; x < 12; ++x)
        REQUIRE(g.at(at[size_t(i)].first + x, at[size_t(i)].second + y) == 255 - d.image(i)[(y / 3) * 4 + x / 3]);
  // Paper around the cells, and each label's glyph in ink at the left of its first row.
  CHECK(g.at(0, 0) == 255);
  CHECK(g.at(L.left() + 12, L.margin) == 255);  // the gap right of a cell
  // The labels' glyphs, 3 x 5 pixels (a pixel each at this size), centred on the row: 0 a ring, 3 and
  // 9 as the pattern says, nothing else in the label column.
  const char* const glyph[3][5] = {{"###", "#.#", "#.#", "#.#", "###"}, {"###", "..#", "###", "..#", "###"},
                                   {"###", "#.#", "###", "..#", "###"}};
  const int rows_of[3] = {L.margin, y3, at[3].second};
  for (int j = 0; j < 3; ++j)
    for (int y = rows_of[j]; y < rows_of[j] + 12; ++y)
      for (int x = L.margin; x < L.left(); ++x) {
        const int r = y - rows_of[j] - (12 - 5) / 2, c = x - L.margin;
        const bool ink = r >= 0 && r < 5 && c < 3 && glyph[j][r][c] == '#';
        REQUIRE((g.at(x, y) < 128) == ink);
      }
  // A sheet past kMaxSheetPixels is refused (its size computed in 64 bits), not made.
  dl::Dataset big;
  big.rows = big.cols = 1024;
  big.n = 1;
  big.labels = {0};
  big.images.assign(1024 * 1024, 0);
  L.scale = 16;
  const dl::GrayImage none = dl::digit_sheet(big, L);
  CHECK(none.w == 0);
  CHECK(none.pixels.empty());
}
