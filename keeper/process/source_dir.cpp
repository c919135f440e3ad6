#include "keeper/process/source_dir.hpp"

namespace keeper::process {

const std::string& source_dir() {
  static const std::string dir{KEEPER_SOURCE_DIR};
  return dir;
}

}  // namespace keeper::process
