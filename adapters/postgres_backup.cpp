#include "adapters/postgres_backup.hpp"

#include "adapters/postgres_url.hpp"
#include "adapters/subprocess.hpp"
#include "core/file_modes.hpp"
#include "core/redactor.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace opsbot::adapters {
namespace {

namespace fs = std::filesystem;

std::string value_after(std::string_view text, std::string_view label) {
    auto at = text.find(label);
    if (at == std::string_view::npos) {
        return {};
    }
    auto start = at + label.size();
    auto end = text.find_first_of(";\n", start);
    std::string_view v = text.substr(start, end == std::string_view::npos ? text.npos : end - start);
    while (!v.empty() && v.front() == ' ') {
        v.remove_prefix(1);
    }
    return std::string(v);
}

/// pg_dump refuses a newer-major server (docs/platforms.md §0, §4 [PG2]):
/// "pg_dump: error: aborting because of server version mismatch" /
/// "pg_dump: detail: server version: 17.6; pg_dump version: 16.10".
std::string explain_dump_failure(std::string_view environment, const backup_settings& settings,
                                 const subprocess_result& run) {
    if (run.output.find("server version mismatch") != std::string::npos) {
        std::string server = value_after(run.output, "server version:");
        std::string client = value_after(run.output, "pg_dump version:");
        return fmt::format(
            "Backup of {} failed: the database server runs PostgreSQL {} but `{}` is version {}, and pg_dump "
            "refuses to dump a newer server. Install a pg_dump of at least the server's major version and point "
            "the `migrations.pg_dump` setting at it (e.g. \"/usr/lib/postgresql/{}/bin/pg_dump\").",
            environment, server.empty() ? "(newer)" : server, settings.pg_dump, client.empty() ? "(older)" : client,
            server.empty() ? "<major>" : server.substr(0, server.find('.')));
    }
    return fmt::format("Backup of {} failed: `{}` ended with {}:\n{}", environment, settings.pg_dump, run.describe(),
                       keep_tail(run.output, 1500));
}

void remove_quietly(const std::string& path) {
    std::error_code ec;
    fs::remove(path, ec);
    if (ec) {
        spdlog::warn("could not remove {}: {}", path, ec.message());
    }
}

int count_toc_entries(std::string_view listing) {
    int n = 0;
    std::istringstream in{std::string(listing)};
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.front() != ';') {
            ++n;
        }
    }
    return n;
}

}  // namespace

std::string backup_file_name(std::string_view environment, clock::time_point now) {
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d_%H%M%S", &tm);
    return fmt::format("{}_{}.dump", environment, stamp);
}

result<std::string> sha256_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail(error_kind::not_found, "cannot read " + path);
    }
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
        return fail(error_kind::internal, "SHA-256 is not available");
    }
    char buf[65536];
    while (in) {
        in.read(buf, sizeof buf);
        if (in.gcount() > 0) {
            EVP_DigestUpdate(ctx.get(), buf, static_cast<size_t>(in.gcount()));
        }
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx.get(), digest, &length);
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        hex += fmt::format("{:02x}", digest[i]);
    }
    return hex;
}

result<backup_file> take_backup(std::string_view environment, const std::string& url,
                                const backup_settings& settings, clock::time_point now) {
    register_database_url(url);
    auto conn = pg_env_from_url(url);
    if (!conn) {
        return std::unexpected(conn.error());
    }
    std::error_code ec;
    if (auto dir = make_private_directory(settings.backup_dir); !dir) {
        return fail(error_kind::unavailable, fmt::format("Backup of {} failed: {} (config: migrations.backup_dir)",
                                                         environment, dir.error().message));
    }
    const std::string final_path = (fs::path(settings.backup_dir) / backup_file_name(environment, now)).string();
    const std::string partial = final_path + ".partial";
    if (fs::exists(final_path)) {
        return fail(error_kind::conflict, fmt::format("{} already exists; try again in a second", final_path));
    }

    // pg_dump writes into the file as it finds it: created 0600 here, it never exists readable by others.
    if (auto created = create_private_file(partial); !created) {
        return fail(created.error().kind, fmt::format("Backup of {} failed: {}", environment, created.error().message));
    }
    subprocess_options dump;
    dump.argv = {settings.pg_dump, "-Fc", "--no-owner", "-f", partial};
    dump.passthrough = settings.env_passthrough;
    dump.set_env = conn->set;
    dump.timeout = settings.timeout;
    auto dumped = run_subprocess(dump);
    if (!dumped || !dumped->ok()) {
        remove_quietly(partial);
        if (!dumped) {
            return fail(dumped.error().kind, fmt::format("Backup of {} failed: {} (config: migrations.pg_dump)",
                                                         environment, dumped.error().message));
        }
        return fail(dumped->timed_out ? error_kind::timeout : error_kind::unavailable,
                    explain_dump_failure(environment, settings, *dumped));
    }

    // A dump is only a backup if pg_restore can read its table of contents (docs/platforms.md §4).
    subprocess_options list;
    list.argv = {settings.pg_restore, "-l", partial};
    list.passthrough = settings.env_passthrough;
    list.timeout = std::chrono::minutes{2};
    list.max_output = 4 * 1024 * 1024;
    auto listed = run_subprocess(list);
    if (!listed || !listed->ok()) {
        remove_quietly(partial);
        return fail(error_kind::bad_response,
                    fmt::format("Backup of {} failed verification: `{} -l` {}", environment, settings.pg_restore,
                                listed ? listed->describe() + ":\n" + keep_tail(listed->output, 1500)
                                       : listed.error().message));
    }

    backup_file out;
    out.toc_entries = count_toc_entries(listed->output);
    out.bytes = fs::file_size(partial, ec);
    auto sum = sha256_file(partial);
    if (ec || !sum || out.bytes == 0) {
        remove_quietly(partial);
        return fail(error_kind::internal, fmt::format("Backup of {} failed: cannot read the archive {}",
                                                      environment, partial));
    }
    out.sha256 = *sum;
    fs::rename(partial, final_path, ec);
    if (ec) {
        remove_quietly(partial);
        return fail(error_kind::internal, fmt::format("Backup of {} failed: cannot rename {} to {}: {}", environment,
                                                      partial, final_path, ec.message()));
    }
    out.path = final_path;
    return out;
}

result<void> secure_backup_dir(const std::string& backup_dir) {
    std::error_code ec;
    if (!fs::exists(backup_dir, ec)) {
        return {};
    }
    if (auto dir = make_private_directory(backup_dir); !dir) {
        return std::unexpected(dir.error());
    }
    for (const auto& entry : fs::directory_iterator(backup_dir, ec)) {
        if (entry.is_regular_file(ec)) {
            if (auto file = tighten_mode(entry.path().string()); !file) {
                return std::unexpected(file.error());
            }
        }
    }
    if (ec) {
        return fail(error_kind::unavailable, fmt::format("cannot list {}: {}", backup_dir, ec.message()));
    }
    return {};
}

}  // namespace opsbot::adapters
