#!/usr/bin/env python3
"""Holds CloudFront's access logs to fields that never carry a request's path.

A calendar feed's path is its secret (/api/calendar/{token}.ics), so the access logs
(infra/cloudfront-logs.yaml, CloudFront's standard logging v2) name their fields. This fails if
the template has no AWS::Logs::Delivery, if a delivery's RecordFields is missing (CloudFront
would then send its default fields, the path among them) or not a plain list of names, or if
it names a field that carries the URL, the query string, cookies or request headers:
cs-uri-stem, cs-uri-query, cs(Cookie), cs(Referer), or any field whose name contains "uri",
"query", "cookie", "referer" or "header" (cs-headers, x-host-header, ...), CloudFront
Functions' own log data ("log-data": whatever a function logs, the URI included) or CMCD
("cmcd": some of its fields are the next request's path). The user agent is allowed: it is not
a secret.

Usage: log_fields.py [TEMPLATE]   (run with checkov's or cfn-lint's Python, which has PyYAML)
"""
import sys
from pathlib import Path

import yaml

# The CloudFormation-tag loader is template_policies.py's, beside this folder.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from template_policies import CloudFormationLoader  # noqa: E402

TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "cloudfront-logs.yaml"
FORBIDDEN = {"cs-uri-stem", "cs-uri-query", "cs(cookie)", "cs(referer)"}
FORBIDDEN_PARTS = ("uri", "query", "cookie", "referer", "header", "log-data", "cmcd")


def problems(template):
    """Each way the template's log deliveries could let a path, query or cookie through."""
    deliveries = {
        name: resource.get("Properties") or {}
        for name, resource in (template.get("Resources") or {}).items()
        if resource.get("Type") == "AWS::Logs::Delivery"
    }
    if not deliveries:
        return ["no AWS::Logs::Delivery in the template"]
    found = []
    for name, properties in deliveries.items():
        fields = properties.get("RecordFields")
        if fields is None:
            found.append(f"{name}: no RecordFields (CloudFront would send its default fields, the path among them)")
            continue
        if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
            found.append(f"{name}: RecordFields must be a non-empty list of field names written out, got {fields!r}")
            continue
        for field in fields:
            lower = field.lower()
            if lower in FORBIDDEN or any(part in lower for part in FORBIDDEN_PARTS):
                found.append(f"{name}: RecordFields has {field}, which can carry the request's path, query, cookies or headers")
    return found


def main():
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else TEMPLATE
    with open(path) as f:
        template = yaml.load(f, Loader=CloudFormationLoader)
    found = problems(template)
    if found:
        print(f"log fields: {path} could log a request's path, query or cookies:")
        for line in found:
            print(f"  {line}")
        sys.exit(1)
    print(f"log fields: every log delivery in {path} names its fields, none of them the path, query, cookies or headers")


if __name__ == "__main__":
    main()
