#include "bot/cli.hpp"
#include "demo/demo.hpp"

#include <exception>
#include <iostream>

#include <sys/stat.h>

int main(int argc, char** argv) {
    ::umask(077);  // whatever the bot creates (database, backups, files its children write) is its owner's only
    try {
        return opsbot::bot::run_cli(std::vector<std::string>(argv + 1, argv + argc), &opsbot::demo::run_demo);
    } catch (const std::exception& e) {
        // Start-up errors (bad config, newer database schema…) arrive here with a clear message.
        std::cerr << "opsbot: " << e.what() << "\n";
        return 1;
    }
}
