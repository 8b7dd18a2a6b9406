#!/usr/bin/env python3
"""Parses a /metrics body with the Prometheus project's own Python parser (python3-prometheus-client:
prometheus_client.parser.text_string_to_metric_families) and prints every sample as `name<TAB>labels<TAB>value`,
labels as sorted k=v joined by commas. Exits 1, saying why, when the parser refuses the text or when a family has
no TYPE or a histogram's +Inf bucket differs from its _count. Used by tests/integration/ops_http_test.cpp."""
import sys

from prometheus_client.parser import text_string_to_metric_families


def main(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        families = list(text_string_to_metric_families(text))
    except Exception as e:  # the parser raises ValueError (and others) on text it does not accept
        print(f"parse error: {e!r}", file=sys.stderr)
        return 1
    for family in families:
        if family.type == "unknown":
            print(f"{family.name}: no TYPE line", file=sys.stderr)
            return 1
        inf, count = {}, {}
        for s in family.samples:
            labels = dict(s.labels)
            if s.name.endswith("_bucket") and labels.get("le") == "+Inf":
                inf[tuple(sorted((k, v) for k, v in labels.items() if k != "le"))] = s.value
            if family.type == "histogram" and s.name.endswith("_count"):
                count[tuple(sorted(labels.items()))] = s.value
            print("{}\t{}\t{}".format(s.name, ",".join(f"{k}={v}" for k, v in sorted(labels.items())), s.value))
        if inf != count:
            print(f"{family.name}: the +Inf buckets {inf} differ from the counts {count}", file=sys.stderr)
            return 1
        print(f"#family\t{family.name}\t{family.type}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
