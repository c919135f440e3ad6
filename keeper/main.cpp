// keeper command-line entry point.
#include <iostream>
#include <string_view>

int main(int argc, char** argv) {
  if (argc >= 2 && std::string_view{argv[1]} == "--version") {
    std::cout << "keeper " << KEEPER_VERSION << '\n';
    return 0;
  }
  std::cerr << "usage: keeper <command> [options]\n";
  return 2;
}
