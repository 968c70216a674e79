// Opaque, tamper-proof list cursors (10-partner-api.md §9.2, also the trader lists): version, kind, bound id, a hash
// of the filters, the keyset of the last row shown, and a truncated HMAC over all of it. A
// cursor is only accepted for the same kind, owner and filters it was issued for.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/uuid.hpp"

namespace polysim {

enum class CursorKind : std::uint8_t { Trades = 1, AccountList = 2, TraderOrders = 3, TraderFills = 4, TraderMarkets = 5, TraderSignals = 6 };

class CursorCodec {
 public:
  explicit CursorCodec(std::string secret) : secret_(std::move(secret)) {}

  std::string encode(CursorKind kind, const Uuid& bound, std::string_view canonical_filters,
                     const std::vector<std::uint8_t>& keyset) const;
  // The keyset bytes, or nullopt for anything not issued by encode() with these arguments.
  std::optional<std::vector<std::uint8_t>> decode(std::string_view cursor, CursorKind kind, const Uuid& bound,
                                                  std::string_view canonical_filters, std::size_t keyset_size) const;

 private:
  std::string secret_;
};

// Big-endian packing of keyset values.
void append_int64(std::vector<std::uint8_t>& out, std::int64_t value);
void append_uuid(std::vector<std::uint8_t>& out, const Uuid& id);
std::int64_t read_int64(const std::vector<std::uint8_t>& in, std::size_t offset);
Uuid read_uuid(const std::vector<std::uint8_t>& in, std::size_t offset);

}  // namespace polysim
