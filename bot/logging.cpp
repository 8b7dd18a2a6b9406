#include "bot/logging.hpp"

#include "core/log_context.hpp"
#include "core/redactor.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/object.hpp>
#include <fmt/chrono.h>

#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace opsbot::bot {
namespace {

/// Redacts the message text, then delegates formatting and output to the wrapped sink. Holds no mutable
/// state of its own: the redactor and the inner *_mt sink carry their own locks.
class redacting_sink final : public spdlog::sinks::sink {
public:
    explicit redacting_sink(std::shared_ptr<spdlog::sinks::sink> inner) : inner_(std::move(inner)) {}

    void log(const spdlog::details::log_msg& msg) override {
        std::string clean = global_redactor().redact(std::string_view(msg.payload.data(), msg.payload.size()));
        spdlog::details::log_msg copy = msg;
        copy.payload = spdlog::string_view_t(clean.data(), clean.size());
        inner_->log(copy);
    }
    void flush() override { inner_->flush(); }
    void set_pattern(const std::string& pattern) override { inner_->set_pattern(pattern); }
    void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
        inner_->set_formatter(std::move(formatter));
    }

private:
    std::shared_ptr<spdlog::sinks::sink> inner_;
};

/// One JSON object per line. The message arrives already redacted (redacting_sink runs before the formatter);
/// Boost.JSON escapes it, so a message with quotes or newlines stays one line.
class json_formatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        using namespace std::chrono;
        const auto since_epoch = duration_cast<milliseconds>(msg.time.time_since_epoch());
        const auto level = spdlog::level::to_string_view(msg.level);
        boost::json::object line;
        // UTC whatever the host's zone (fmt's time_point formatting would use local time).
        const std::time_t whole = duration_cast<seconds>(since_epoch).count();
        line["time"] = fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", fmt::gmtime(whole), since_epoch.count() % 1000);
        line["level"] = std::string_view(level.data(), level.size());
        line["message"] = std::string_view(msg.payload.data(), msg.payload.size());
        const log_context& context = current_log_context();
        for (auto [key, value] : {std::pair{"envelope", &context.envelope}, {"action", &context.action},
                                  {"family", &context.family}, {"step", &context.step}}) {
            if (!value->empty()) {
                line[key] = *value;
            }
        }
        const std::string text = boost::json::serialize(line);
        dest.append(text.data(), text.data() + text.size());
        dest.push_back('\n');
    }
    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<json_formatter>(); }
};

}  // namespace

std::unique_ptr<spdlog::formatter> make_json_formatter() { return std::make_unique<json_formatter>(); }

std::shared_ptr<spdlog::sinks::sink> make_redacting_sink(std::shared_ptr<spdlog::sinks::sink> inner) {
    return std::make_shared<redacting_sink>(std::move(inner));
}

void register_config_secrets(const stack_config& config, env_lookup env) {
    for (const auto& name : config.secret_env_names()) {
        if (auto value = env(name); value && !value->empty()) {
            global_redactor().add_secret(*value, name);
        }
    }
}

void init_logging(const stack_config* config, spdlog::level::level_enum level, env_lookup env, log_format format) {
    if (config != nullptr) {
        register_config_secrets(*config, env);
    }
    auto sink = make_redacting_sink(std::make_shared<spdlog::sinks::stderr_sink_mt>());
    auto logger = std::make_shared<spdlog::logger>("opsbot", std::move(sink));
    if (format == log_format::json) {
        logger->set_formatter(make_json_formatter());
    } else {
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    }
    logger->set_level(level);
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
}

}  // namespace opsbot::bot
