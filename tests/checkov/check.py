#!/usr/bin/env python3
"""Runs checkov on a template and holds its findings to that template's accepted list.

Fails on a finding not accepted there, and on an accepted entry that matches no finding (a
fixed gap must leave the list). Prints the accepted findings still marked open.
Usage: check.py CHECKOV TEMPLATE ACCEPTED   (run with checkov's own Python, which has PyYAML)
"""
import json
import subprocess
import sys

import yaml

checkov, template, accepted_file = sys.argv[1:4]
run = subprocess.run(
    [checkov, "-f", template, "--framework", "cloudformation", "--skip-download", "-o", "json", "--quiet"],
    capture_output=True, text=True,
)
report = json.loads(run.stdout)
if isinstance(report, list):
    report = report[0]
results = report.get("results", {})
failed = results.get("failed_checks", [])
passed = report.get("summary", {}).get("passed", len(results.get("passed_checks", [])))
accepted = yaml.safe_load(open(accepted_file))

def logical_id(resource):  # "AWS::Serverless::Function.RaiseFunction" -> "RaiseFunction"
    return resource.rsplit(".", 1)[-1]

used = set()
unexplained = []
still_open = []
for finding in failed:
    rid = logical_id(finding["resource"])
    for i, entry in enumerate(accepted):
        if entry["check"] == finding["check_id"] and ("*" in entry["resources"] or rid in entry["resources"]):
            used.add(i)
            if entry.get("open"):
                still_open.append(f'{finding["check_id"]} {rid}')
            break
    else:
        unexplained.append(f'{finding["check_id"]} {rid}: {finding["check_name"]}')

stale = [f'{e["check"]} {e["resources"]}' for i, e in enumerate(accepted) if i not in used]
print(f"checkov: {passed} passed, {len(failed)} failed, of which {len(failed) - len(unexplained)} accepted "
      f"with a reason ({len(still_open)} of them open gaps), {len(unexplained)} unexplained")
for line in still_open:
    print(f"  open: {line}")
if unexplained or stale:
    for line in unexplained:
        print(f"  UNEXPLAINED: {line}")
    for line in stale:
        print(f"  STALE (matches nothing; remove it): {line}")
    sys.exit(1)
