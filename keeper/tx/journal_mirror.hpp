#pragma once
// Where a journal copies its records before they count (a standby pair's shared store): a signed
// record is mirrored before it is written locally and so before its transaction is broadcast; if
// the mirror refuses (its store unreachable, or this instance no longer the leader), the record
// is not written and nothing is sent.
#include <string>

#include <tl/expected.hpp>

namespace keeper::tx {

class JournalMirror {
 public:
  virtual ~JournalMirror() = default;
  // `lines`: one or more complete journal lines, separated by '\n' (no trailing newline).
  [[nodiscard]] virtual tl::expected<void, std::string> mirror(const std::string& lines) = 0;
};

}  // namespace keeper::tx
