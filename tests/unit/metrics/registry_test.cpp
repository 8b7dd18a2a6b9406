// The registry's Prometheus text exposition (format 0.0.4): headers, label escaping, histogram buckets.
#include "metrics/registry.hpp"

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

using namespace opsbot::metrics;

TEST_CASE("a counter renders HELP, TYPE and one line per label set", "[metrics]") {
    registry r;
    auto& c = r.add_counter("demo_requests_total", "Requests\nserved, with a \\ in the help", {"type"});
    c.with({"slash_commands"}).inc();
    c.with({"slash_commands"}).inc(2);
    c.with({"interactive"}).inc();
    CHECK(r.render() ==
          "# HELP demo_requests_total Requests\\nserved, with a \\\\ in the help\n"
          "# TYPE demo_requests_total counter\n"
          "demo_requests_total{type=\"interactive\"} 1\n"
          "demo_requests_total{type=\"slash_commands\"} 3\n");
}

TEST_CASE("label values escape backslash, double quote and newline", "[metrics]") {
    registry r;
    auto& g = r.add_gauge("demo_gauge", "g", {"a", "b"});
    g.with({"back\\slash", "say \"hi\"\nbye"}).set(2.5);
    CHECK(r.render() ==
          "# HELP demo_gauge g\n# TYPE demo_gauge gauge\n"
          "demo_gauge{a=\"back\\\\slash\",b=\"say \\\"hi\\\"\\nbye\"} 2.5\n");
    CHECK(escape_label_value("plain") == "plain");
}

TEST_CASE("a family without labels shows 0 before it moves", "[metrics]") {
    registry r;
    r.add_counter("demo_total", "c");
    r.add_gauge("demo_level", "g");
    CHECK(r.render() == "# HELP demo_total c\n# TYPE demo_total counter\ndemo_total 0\n"
                        "# HELP demo_level g\n# TYPE demo_level gauge\ndemo_level 0\n");
}

TEST_CASE("a histogram renders cumulative buckets up to le=\"+Inf\", then _sum and _count", "[metrics]") {
    registry r;
    auto& h = r.add_histogram("demo_seconds", "h", {"kind"}, {0.1, 1});
    auto& s = h.with({"poll"});
    s.observe(0.05);
    s.observe(0.1);  // le: on the bound counts in that bucket
    s.observe(0.5);
    s.observe(7);
    CHECK(r.render() ==
          "# HELP demo_seconds h\n# TYPE demo_seconds histogram\n"
          "demo_seconds_bucket{kind=\"poll\",le=\"0.1\"} 2\n"
          "demo_seconds_bucket{kind=\"poll\",le=\"1\"} 3\n"
          "demo_seconds_bucket{kind=\"poll\",le=\"+Inf\"} 4\n"
          "demo_seconds_sum{kind=\"poll\"} 7.65\n"
          "demo_seconds_count{kind=\"poll\"} 4\n");
}

TEST_CASE("a histogram without labels puts le alone in braces", "[metrics]") {
    registry r;
    r.add_histogram("demo_latency_seconds", "h", {}, {0.001}).with().observe(0.0005);
    CHECK(r.render() ==
          "# HELP demo_latency_seconds h\n# TYPE demo_latency_seconds histogram\n"
          "demo_latency_seconds_bucket{le=\"0.001\"} 1\n"
          "demo_latency_seconds_bucket{le=\"+Inf\"} 1\n"
          "demo_latency_seconds_sum 0.0005\n"
          "demo_latency_seconds_count 1\n");
}

TEST_CASE("misuse is refused: a name twice, the wrong number of labels, bounds that do not increase", "[metrics]") {
    registry r;
    auto& c = r.add_counter("demo_total", "c", {"type"});
    CHECK_THROWS(r.add_gauge("demo_total", "again"));
    CHECK_THROWS(c.with({}));
    CHECK_THROWS(c.with({"a", "b"}));
    CHECK_THROWS(r.add_histogram("demo_h", "h", {}, {1, 0.5}));
    CHECK_THROWS(r.add_histogram("demo_h2", "h", {}, {1, 1}));
}

TEST_CASE("counts from many threads all land", "[metrics]") {
    registry r;
    auto& c = r.add_counter("demo_total", "c", {"type"});
    auto& h = r.add_histogram("demo_seconds", "h", {}, {1});
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i) {
                c.with({"x"}).inc();
                h.with().observe(0.5);
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    CHECK(c.with({"x"}).value() == 4000);
    CHECK(h.with().read().count == 4000);
    CHECK(h.with().read().cumulative.front() == 4000);
}
