#include "core/cursor_codec.hpp"

#include "core/crypto.hpp"
#include "core/encoding.hpp"

namespace polysim {

namespace {
constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kFilterHashSize = 8;
constexpr std::size_t kMacSize = 16;
constexpr std::size_t kMaxCursorLength = 512;

std::string_view as_view(const std::vector<std::uint8_t>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}
}  // namespace

void append_int64(std::vector<std::uint8_t>& out, std::int64_t value) {
  const auto u = static_cast<std::uint64_t>(value);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(u >> shift));
}

void append_uuid(std::vector<std::uint8_t>& out, const Uuid& id) { out.insert(out.end(), id.bytes.begin(), id.bytes.end()); }

std::int64_t read_int64(const std::vector<std::uint8_t>& in, std::size_t offset) {
  std::uint64_t u = 0;
  for (std::size_t i = 0; i < 8; ++i) u = (u << 8) | in.at(offset + i);
  return static_cast<std::int64_t>(u);
}

Uuid read_uuid(const std::vector<std::uint8_t>& in, std::size_t offset) {
  Uuid id;
  for (std::size_t i = 0; i < 16; ++i) id.bytes[i] = in.at(offset + i);
  return id;
}

std::string CursorCodec::encode(CursorKind kind, const Uuid& bound, std::string_view canonical_filters,
                                const std::vector<std::uint8_t>& keyset) const {
  std::vector<std::uint8_t> bytes;
  bytes.reserve(2 + 16 + kFilterHashSize + keyset.size() + kMacSize);
  bytes.push_back(kVersion);
  bytes.push_back(static_cast<std::uint8_t>(kind));
  append_uuid(bytes, bound);
  const auto filter_hash = sha256(canonical_filters);
  bytes.insert(bytes.end(), filter_hash.begin(), filter_hash.begin() + kFilterHashSize);
  bytes.insert(bytes.end(), keyset.begin(), keyset.end());
  const auto mac = hmac_sha256(secret_, as_view(bytes));
  bytes.insert(bytes.end(), mac.begin(), mac.begin() + kMacSize);
  return base64url_encode(std::span<const std::uint8_t>(bytes));
}

std::optional<std::vector<std::uint8_t>> CursorCodec::decode(std::string_view cursor, CursorKind kind,
                                                             const Uuid& bound, std::string_view canonical_filters,
                                                             std::size_t keyset_size) const {
  if (cursor.empty() || cursor.size() > kMaxCursorLength) return std::nullopt;
  auto bytes = base64url_decode(cursor);
  if (!bytes) return std::nullopt;
  const std::size_t header = 2 + 16 + kFilterHashSize;
  if (bytes->size() != header + keyset_size + kMacSize) return std::nullopt;
  const std::vector<std::uint8_t> signed_part(bytes->begin(), bytes->end() - kMacSize);
  const auto mac = hmac_sha256(secret_, as_view(signed_part));
  const std::string_view expected(reinterpret_cast<const char*>(mac.data()), kMacSize);
  const std::string_view given(reinterpret_cast<const char*>(bytes->data() + bytes->size() - kMacSize), kMacSize);
  if (!constant_time_equal(expected, given)) return std::nullopt;
  if ((*bytes)[0] != kVersion || (*bytes)[1] != static_cast<std::uint8_t>(kind)) return std::nullopt;
  if (read_uuid(*bytes, 2) != bound) return std::nullopt;
  const auto filter_hash = sha256(canonical_filters);
  if (!std::equal(filter_hash.begin(), filter_hash.begin() + kFilterHashSize, bytes->begin() + 18)) return std::nullopt;
  return std::vector<std::uint8_t>(bytes->begin() + header, bytes->end() - kMacSize);
}

}  // namespace polysim
