#!/usr/bin/env python3
"""Offline checks of action.yml against GitHub's action metadata rules, and extraction of a
step's shell script so tests can run it with a simulated GITHUB_* environment.

  action_check.py action.yml               validate; prints "action ok" or one problem per line
  action_check.py action.yml --step ID     print the run script of step ID
"""
import re
import sys

import yaml

TOP_KEYS = {"name", "author", "description", "inputs", "outputs", "runs", "branding"}
INPUT_KEYS = {"description", "required", "default", "deprecationMessage"}
STEP_KEYS = {"name", "id", "if", "uses", "with", "run", "shell", "env", "working-directory",
             "continue-on-error"}


def problems(doc):
    out = []
    for k in ("name", "description", "runs"):
        if k not in doc:
            out.append(f"missing required key `{k}`")
    out += [f"unknown top-level key `{k}`" for k in doc if k not in TOP_KEYS]
    inputs = doc.get("inputs") or {}
    for name, spec in inputs.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name):
            out.append(f"input `{name}`: invalid id")
        if "description" not in (spec or {}):
            out.append(f"input `{name}`: missing description")
        out += [f"input `{name}`: unknown key `{k}`" for k in (spec or {}) if k not in INPUT_KEYS]
    runs = doc.get("runs") or {}
    if runs.get("using") != "composite":
        out.append("runs.using must be `composite`")
    steps = runs.get("steps") or []
    ids = [s.get("id") for s in steps if s.get("id")]
    if len(ids) != len(set(ids)):
        out.append("duplicate step ids")
    for i, s in enumerate(steps):
        where = f"step {s.get('id') or i}"
        out += [f"{where}: unknown key `{k}`" for k in s if k not in STEP_KEYS]
        if ("run" in s) == ("uses" in s):
            out.append(f"{where}: needs exactly one of `run` and `uses`")
        if "run" in s and "shell" not in s:
            out.append(f"{where}: composite `run` steps need `shell`")
        # The runner pastes `${{ }}` values into the script before bash reads it, so an input
        # or a payload field there is code; values reach scripts through `env:` instead.
        if "${{" in str(s.get("run", "")):
            out.append(f"{where}: `${{{{ }}}}` in a run script (pass it through `env:`)")
    for name, spec in (doc.get("outputs") or {}).items():
        if "value" not in (spec or {}):
            out.append(f"output `{name}`: composite outputs need `value`")
    text = yaml.safe_dump(doc)
    for used in sorted(set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", text))):
        if used not in inputs:
            out.append(f"expression uses undefined input `{used}`")
    for used in sorted(set(re.findall(r"steps\.([A-Za-z0-9_-]+)\.", text))):
        if used not in ids:
            out.append(f"expression uses undefined step `{used}`")
    return out


def main():
    with open(sys.argv[1]) as f:
        doc = yaml.safe_load(f)
    if len(sys.argv) == 4 and sys.argv[2] == "--step":
        step = next(s for s in doc["runs"]["steps"] if s.get("id") == sys.argv[3])
        sys.stdout.write(step["run"])
        return 0
    found = problems(doc)
    for p in found:
        print(p)
    if not found:
        print("action ok")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
