#include "adapters/subprocess.hpp"
#include "core/redactor.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace opsbot;
using namespace opsbot::adapters;

TEST_CASE("run_subprocess captures stdout and stderr and the exit code", "[subprocess]") {
    subprocess_options o;
    o.argv = {"sh", "-c", "echo out; echo err >&2; exit 3"};
    auto r = run_subprocess(o);
    REQUIRE(r);
    CHECK(r->exit_code == 3);
    CHECK_FALSE(r->ok());
    CHECK(r->output.find("out\n") != std::string::npos);
    CHECK(r->output.find("err\n") != std::string::npos);
    CHECK(r->describe() == "exit code 3");
}

TEST_CASE("run_subprocess passes arguments verbatim, without a shell", "[subprocess]") {
    subprocess_options o;
    o.argv = {"printf", "%s|", "a b", "$HOME", "; rm -rf /"};
    auto r = run_subprocess(o);
    REQUIRE(r);
    CHECK(r->ok());
    CHECK(r->output == "a b|$HOME|; rm -rf /|");
}

TEST_CASE("the child's environment: the allowlist, the passthrough names, then the step's own variables",
          "[subprocess]") {
    const char* parent[] = {"PATH=/usr/bin:/bin",
                            "HOME=/home/ops",
                            "LANG=C.UTF-8",
                            "LC_ALL=C",
                            "TZ=UTC",
                            "SLACK_BOT_TOKEN=xoxb-parent-only",
                            "PRODUCTION_DATABASE_URL=postgresql://u:pw@prod/app",
                            "DATABASE_URL=postgresql://u:pw@prod/app",
                            "HTTPS_PROXY=http://proxy:3128",
                            "PATHX=not-path",
                            "LCX=not-a-locale",
                            "no-equals-sign",
                            nullptr};
    subprocess_options o;
    o.passthrough = {"HTTPS_PROXY", "NOT_SET_IN_PARENT"};
    o.set_env = {{"DATABASE_URL", "postgresql://u:pw@staging/app"}, {"TZ", "Europe/Paris"}};
    auto env = child_environment(o, parent);
    std::sort(env.begin(), env.end());
    CHECK(env == std::vector<std::string>{"DATABASE_URL=postgresql://u:pw@staging/app", "HOME=/home/ops",
                                          "HTTPS_PROXY=http://proxy:3128", "LANG=C.UTF-8", "LC_ALL=C",
                                          "PATH=/usr/bin:/bin", "TZ=Europe/Paris"});
}

TEST_CASE("run_subprocess gives the child nothing of the parent's environment beyond the allowlist",
          "[subprocess]") {
    ::setenv("OPSBOT_SUBPROCESS_TEST_TOKEN", "parent-secret", 1);
    ::setenv("OPSBOT_SUBPROCESS_TEST_PASS", "passed", 1);
    subprocess_options o;
    o.argv = {"sh", "-c",
              "echo \"set=$OPSBOT_SET token=${OPSBOT_SUBPROCESS_TEST_TOKEN:-none} pass=$OPSBOT_SUBPROCESS_TEST_PASS "
              "path=${PATH:+yes}\""};
    o.passthrough = {"OPSBOT_SUBPROCESS_TEST_PASS"};
    o.set_env = {{"OPSBOT_SET", "child-value"}};
    auto r = run_subprocess(o);
    REQUIRE(r);
    CHECK(r->output == "set=child-value token=none pass=passed path=yes\n");
    CHECK(std::getenv("OPSBOT_SET") == nullptr);
    CHECK(std::string(std::getenv("OPSBOT_SUBPROCESS_TEST_TOKEN")) == "parent-secret");
    ::unsetenv("OPSBOT_SUBPROCESS_TEST_TOKEN");
    ::unsetenv("OPSBOT_SUBPROCESS_TEST_PASS");
}

TEST_CASE("run_subprocess runs in the working directory", "[subprocess]") {
    auto dir = std::filesystem::temp_directory_path();
    subprocess_options o;
    o.argv = {"pwd", "-P"};
    o.workdir = dir.string();
    auto r = run_subprocess(o);
    REQUIRE(r);
    CHECK(r->output == std::filesystem::canonical(dir).string() + "\n");

    o.workdir = "/nonexistent/opsbot-dir";
    auto bad = run_subprocess(o);
    REQUIRE_FALSE(bad);
}

TEST_CASE("run_subprocess reports a program that does not exist", "[subprocess]") {
    subprocess_options o;
    o.argv = {"opsbot-no-such-program-xyz"};
    auto r = run_subprocess(o);
    REQUIRE_FALSE(r);
    CHECK(r.error().kind == error_kind::not_found);
    CHECK(r.error().message.find("opsbot-no-such-program-xyz") != std::string::npos);
}

TEST_CASE("run_subprocess kills the whole process group on timeout", "[subprocess]") {
    subprocess_options o;
    // The shell ignores SIGTERM and its child sleeps: only SIGKILL to the group ends both.
    o.argv = {"sh", "-c", "trap '' TERM; echo started; sleep 30 & wait"};
    o.timeout = std::chrono::milliseconds{300};
    o.kill_grace = std::chrono::milliseconds{300};
    const auto start = std::chrono::steady_clock::now();
    auto r = run_subprocess(o);
    const auto took = std::chrono::steady_clock::now() - start;
    REQUIRE(r);
    CHECK(r->timed_out);
    CHECK_FALSE(r->ok());
    CHECK(r->signal != 0);
    CHECK(r->output == "started\n");
    CHECK(took < std::chrono::seconds{10});
}

TEST_CASE("run_subprocess keeps the tail of a large output without deadlock", "[subprocess]") {
    subprocess_options o;
    // ~6 MB on stdout and stderr together: far beyond a pipe buffer.
    o.argv = {"sh", "-c", "seq 1 500000; seq 1 300000 >&2; echo THE-END"};
    o.max_output = 4096;
    auto r = run_subprocess(o);
    REQUIRE(r);
    CHECK(r->ok());
    CHECK(r->truncated);
    CHECK(r->output.size() <= 4096);
    CHECK(r->output.ends_with("THE-END\n"));
    CHECK(r->output.find("\n1\n") == std::string::npos);
}

TEST_CASE("run_subprocess redacts registered secrets in the output", "[subprocess]") {
    global_redactor().add_secret("hunter2-secret-value", "test");
    subprocess_options o;
    o.argv = {"sh", "-c", "echo password is $P; echo postgresql://u:pw-in-url-123@db/x"};
    o.set_env = {{"P", "hunter2-secret-value"}};
    auto r = run_subprocess(o);
    REQUIRE(r);
    CHECK(r->output.find("hunter2-secret-value") == std::string::npos);
    CHECK(r->output.find("pw-in-url-123") == std::string::npos);
    CHECK(r->output.find("password is") != std::string::npos);
    global_redactor().remove_secret("hunter2-secret-value");
}

TEST_CASE("keep_tail cuts at a line start", "[subprocess]") {
    CHECK(keep_tail("short", 10) == "short");
    CHECK(keep_tail("aaaa\nbbbbbbbbbbbbbbbb\ncc", 20) == "bbbbbbbbbbbbbbbb\ncc");
    CHECK(keep_tail("0123456789abcdefghij", 5) == "fghij");
}

// Issue 16 item 5: the child exits at once but its background grandchild keeps the output pipe open. The call must
// not wait for the grandchild (it would wait 1000 s): it returns within the child's kill_grace, the grandchild
// killed with its process group, and reports the child's own exit.
TEST_CASE("run_subprocess returns when the child exits even though a grandchild keeps the pipe open",
          "[subprocess]") {
    subprocess_options o;
    o.argv = {"sh", "-c", "sleep 1000 & echo grandchild=$!; echo done"};
    o.timeout = std::chrono::seconds{60};
    o.kill_grace = std::chrono::milliseconds{200};
    auto r = run_subprocess(o);
    REQUIRE(r);
    CHECK(r->exit_code == 0);
    CHECK_FALSE(r->timed_out);
    CHECK(r->ok());
    CHECK(r->output.find("done\n") != std::string::npos);
    // Its own measure: far below the 60 s deadline, the grandchild's 1000 s never waited for.
    CHECK(r->elapsed < std::chrono::seconds{30});

    const auto at = r->output.find("grandchild=");
    REQUIRE(at != std::string::npos);
    const pid_t grandchild = static_cast<pid_t>(std::stol(r->output.substr(at + 11)));
    REQUIRE(grandchild > 0);
    // The grandchild got SIGKILL with the group: gone, or a zombie waiting for its new parent to reap it.
    bool alive = true;
    for (int i = 0; i < 500 && alive; ++i) {
        std::ifstream stat("/proc/" + std::to_string(grandchild) + "/stat");
        std::string line;
        alive = static_cast<bool>(std::getline(stat, line)) && line.find(") Z ") == std::string::npos;
        if (alive) {
            std::this_thread::sleep_for(std::chrono::milliseconds{10});  // waits for the kernel to deliver SIGKILL
        }
    }
    CHECK_FALSE(alive);
}
