// Text that is not UTF-8 is refused where it is read (a CSV file, a graph's names), because
// the JSON writer that later takes those names throws on it: found by fuzz_mlbench
// (tests/fuzz-regressions/mlbench/, docs/reliability.md).
#include "nnlat/core/utf8.hpp"

#include <gtest/gtest.h>

#include "nnlat/core/csv.hpp"
#include "nnlat/formats/json_format.hpp"
#include "nnlat/ir/builder.hpp"

namespace nnlat {
namespace {

TEST(Utf8, FindsTheFirstInvalidByte) {
  EXPECT_EQ(first_invalid_utf8(""), std::nullopt);
  EXPECT_EQ(first_invalid_utf8("resnet10, µs, \xE2\x82\xAC, \xF0\x9F\x98\x80"), std::nullopt);
  EXPECT_EQ(first_invalid_utf8("resn\xA4t"), 4u);           // a lone continuation byte
  EXPECT_EQ(first_invalid_utf8("ab\xC3"), 2u);              // cut inside a sequence
  EXPECT_EQ(first_invalid_utf8("\xC0\xAF"), 0u);            // overlong '/'
  EXPECT_EQ(first_invalid_utf8("x\xED\xA0\x80"), 1u);       // a UTF-16 surrogate
  EXPECT_EQ(first_invalid_utf8("xy\xF4\x90\x80\x80"), 2u);  // above U+10FFFF
  EXPECT_EQ(first_invalid_utf8("caf\xE9 latin-1"), 3u);     // Latin-1, the common case
}

TEST(Utf8, ACsvThatIsNotUtf8IsRefusedWithItsLine) {
  auto table = parse_csv("model,ms\nresnet10,1.5\nresn\xA4t,2.0\n", "e2e.csv");
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.error().message.find("e2e.csv:3: not UTF-8 text"), std::string::npos) << table.error().message;
  EXPECT_TRUE(parse_csv("model,ms\nr\xC3\xA9snet,1.5\n", "e2e.csv").ok());
}

TEST(Utf8, AGraphWithANameThatIsNotUtf8DoesNotVerify) {
  ir::GraphBuilder b("net");
  auto x = b.input({1, 3, 8, 8});
  ir::Graph g = b.finish({b.conv(x, 4, 3, 1)});
  ASSERT_TRUE(ir::verify(g).ok());
  // A graph that verifies is one the JSON writer can write.
  EXPECT_FALSE(formats::graph_to_json(g).empty());
  g.name = "n\xA4t";
  auto status = ir::verify(g);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("not UTF-8"), std::string::npos) << status.error().message;
}

}  // namespace
}  // namespace nnlat
