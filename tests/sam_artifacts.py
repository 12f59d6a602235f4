#!/usr/bin/env python3
"""Checks what `sam build` produced: every function in template.yaml has a `bootstrap` that
is a Linux ELF for the architecture the template names (arm64 = aarch64), and prints sizes.
Also checks the template packages exactly the binaries under functions/ (each directory with
a src/main.rs: raise, respond, escalate, report, cases, admin, sweep), so none is left out, and that
no package carries the local stack's dev routes (the movable clock, demo tokens, the sweep and
outbox pages): they are the local stack's alone.

usage: sam_artifacts.py TEMPLATE BUILD_DIR
"""
import re
import struct
import sys
from pathlib import Path

EM_AARCH64, EM_X86_64 = 183, 62

# Strings only the local stack's dev routes contain.
DEV_ROUTES = [b"/dev/clock", b"/dev/token", b"/dev/sweep", b"/dev/outbox"]


def functions(template: str) -> list[str]:
    # Resources are two-space indented; functions are named ...Function by convention here.
    return re.findall(r"^  (\w+):\n    Type: AWS::Serverless::Function$", template, re.M)


def binaries(template: str) -> set[str]:
    return set(re.findall(r"^        Binary: (\S+)$", template, re.M))


def function_packages(template_path: Path) -> set[str]:
    functions_dir = template_path.resolve().parent / "functions"
    return {d.name for d in functions_dir.iterdir() if (d / "src" / "main.rs").is_file()}


def main() -> int:
    template_path, build_dir = Path(sys.argv[1]), Path(sys.argv[2])
    template = template_path.read_text()
    expected = EM_AARCH64 if re.search(r"Architectures: \[arm64\]", template) else EM_X86_64
    names = functions(template)
    failures = []
    if not names:
        failures.append(f"{template_path}: no AWS::Serverless::Function found")
    packaged, packages = binaries(template), function_packages(template_path)
    for missing in sorted(packages - packaged):
        failures.append(f"functions/{missing}: no function in {template_path} builds it")
    for unknown in sorted(packaged - packages):
        failures.append(f"{template_path}: builds {unknown}, which is not under functions/")
    for name in names:
        bootstrap = build_dir / name / "bootstrap"
        if not bootstrap.is_file():
            failures.append(f"{name}: {bootstrap} is missing")
            continue
        content = bootstrap.read_bytes()
        for route in DEV_ROUTES:
            if route in content:
                failures.append(f"{name}: bootstrap contains the dev route {route.decode()}")
        header = content[:20]
        if header[:4] != b"\x7fELF":
            failures.append(f"{name}: bootstrap is not an ELF executable")
            continue
        (machine,) = struct.unpack_from("<H", header, 18)
        if machine != expected:
            failures.append(f"{name}: bootstrap is for machine {machine}, expected {expected}")
        size = bootstrap.stat().st_size
        print(f"{name}: bootstrap {size:,} bytes ({size / 2**20:.1f} MiB)")
    for failure in failures:
        print(f"FAIL {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
