#!/usr/bin/env python3
"""Runs a composite action's steps the way the GitHub runner does, offline, and prints one JSON
record of what happened, for tests to assert on.

  action_run.py ACTION_YML --event NAME --payload FILE --workspace DIR [options]

  --input NAME=VALUE        an input given in the workflow's `with:` (defaults fill the rest)
  --env NAME=VALUE          a variable of the runner's environment (ImageOS, PATH, HOME, ...)
  --github NAME=VALUE       a `github` context value (action_repository, ref, sha, ...)
  --uses-output ID.NAME=V   what a `uses:` step (not run here) would output
  --uses-outcome ID=RESULT  how a `uses:` step ends: success (default) or failure

What is modelled, because action.yml relies on it:
- each `run:` step is written to a file and run as `bash --noprofile --norc -eo pipefail FILE`
  in the workspace (or `working-directory`), with the runner's environment plus the step's
  `env:` mapping, every `${{ }}` in it substituted;
- `if:` is an expression (with or without `${{ }}`) evaluated by the small evaluator below: ==,
  !=, &&, ||, !, parentheses, string/number/boolean/null literals, contexts (inputs, github,
  runner, env, steps.ID.outputs.NAME / outcome / conclusion), always(), success(), failure();
  a condition without a status function means `success() && (...)`;
- `continue-on-error` (a boolean or an expression): the step's outcome stays failure, its
  conclusion becomes success;
- outputs are read back from GITHUB_OUTPUT, `name=value` and `name<<DELIMITER` blocks;
- each run step's wall time is recorded (`seconds`), for tests that hold setup to a budget;
- `uses:` steps are not run: the record says they would run and with which `with:` values.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import yaml

EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)


class ExprError(Exception):
    pass


def tokens(text):
    pos = 0
    spec = re.compile(
        r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||[!().,])"
        r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))"
    )
    out = []
    text = text.rstrip()
    while pos < len(text):
        m = spec.match(text, pos)
        if not m or m.end() == pos:
            raise ExprError(f"cannot read expression at {text[pos:]!r}")
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "str":
            value = value[1:-1].replace("''", "'")
        elif kind == "num":
            value = float(value)
        out.append((kind, value))
    return out


def to_number(v):
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float):
        return v
    if isinstance(v, str):
        if v.strip() == "":
            return 0.0
        try:
            return float(v)
        except ValueError:
            return float("nan")
    return float("nan")


def equal(a, b):
    # GitHub compares strings ignoring case and coerces mismatched types to numbers.
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    if type(a) is type(b) and not isinstance(a, (dict, list)):
        return a == b
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return a is b
    return to_number(a) == to_number(b)


def truthy(v):
    if v is None or v is False or v == "":
        return False
    if isinstance(v, float):
        return v != 0 and v == v
    return True


def to_string(v):
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, float):
        return str(int(v)) if v == int(v) else str(v)
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    return v


class Evaluator:
    """A recursive-descent evaluator for the expression forms listed in the module doc."""

    def __init__(self, contexts, status):
        self.contexts = contexts
        self.status = status  # "success" or "failure": how the steps so far have gone
        self.used_status = False

    def evaluate(self, text):
        self.toks = tokens(text)
        self.i = 0
        value = self.or_()
        if self.i != len(self.toks):
            raise ExprError(f"unexpected {self.toks[self.i][1]!r} in {text!r}")
        return value

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, value=None):
        tok = self.peek()
        if tok[0] is None or (value is not None and tok[1] != value):
            raise ExprError(f"expected {value!r}, found {tok[1]!r}")
        self.i += 1
        return tok

    def or_(self):
        left = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_()
            left = left if truthy(left) else right
        return left

    def and_(self):
        left = self.cmp()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.cmp()
            left = right if truthy(left) else left
        return left

    def cmp(self):
        left = self.unary()
        while self.peek() in (("op", "=="), ("op", "!=")):
            op = self.take()[1]
            right = self.unary()
            left = equal(left, right) if op == "==" else not equal(left, right)
        return left

    def unary(self):
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        return self.primary()

    def primary(self):
        kind, value = self.take()
        if kind == "op" and value == "(":
            v = self.or_()
            self.take(")")
            return v
        if kind in ("str", "num"):
            return value
        if kind != "name":
            raise ExprError(f"unexpected {value!r}")
        if value in ("true", "false"):
            return value == "true"
        if value == "null":
            return None
        if self.peek() == ("op", "("):
            self.take()
            self.take(")")
            self.used_status = True
            if value == "always":
                return True
            if value == "success":
                return self.status == "success"
            if value == "failure":
                return self.status == "failure"
            raise ExprError(f"function {value}() is not modelled")
        if value not in self.contexts:
            raise ExprError(f"unknown context {value!r}")
        v = self.contexts[value]
        while self.peek() == ("op", "."):
            self.take()
            key = self.take()[1]
            v = v.get(key) if isinstance(v, dict) else None
        return v


def substitute(text, contexts, status="success"):
    """`${{ }}` in a string value: replaced by each expression's value as a string."""
    if not isinstance(text, str):
        return to_string(text)
    return EXPR.sub(lambda m: to_string(Evaluator(contexts, status).evaluate(m.group(1))), text)


def condition(expr, contexts, status):
    if expr is None:
        return status == "success"
    if isinstance(expr, bool):
        return expr and status == "success"
    text = expr.strip()
    m = re.fullmatch(r"\$\{\{(.*)\}\}", text, re.S)
    if m:
        text = m.group(1)
    ev = Evaluator(contexts, status)
    value = truthy(ev.evaluate(text))
    if not ev.used_status:
        value = value and status == "success"
    return value


def read_outputs(path):
    """GITHUB_OUTPUT as the runner reads it: `name=value` lines and `name<<DELIM` blocks."""
    out = {}
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        eq, heredoc = line.find("="), line.find("<<")
        if heredoc != -1 and (eq == -1 or heredoc < eq):
            name, delim = line[:heredoc], line[heredoc + 2:]
            body = []
            while i < len(lines) and lines[i] != delim:
                body.append(lines[i])
                i += 1
            if i == len(lines):
                raise SystemExit(f"GITHUB_OUTPUT: {name}<<{delim} is never closed")
            i += 1
            out[name] = "\n".join(body)
        elif eq != -1:
            out[line[:eq]] = line[eq + 1:]
        else:
            raise SystemExit(f"GITHUB_OUTPUT: cannot read line {line!r}")
    return out


def pairs(items):
    out = {}
    for item in items or []:
        k, _, v = item.partition("=")
        out[k] = v
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("action")
    ap.add_argument("--event", required=True)
    ap.add_argument("--payload", required=True)
    ap.add_argument("--workspace", required=True)
    ap.add_argument("--input", action="append")
    ap.add_argument("--env", action="append")
    ap.add_argument("--github", action="append")
    ap.add_argument("--uses-output", action="append")
    ap.add_argument("--uses-outcome", action="append")
    a = ap.parse_args()

    action_path = os.path.dirname(os.path.abspath(a.action))
    with open(a.action) as f:
        doc = yaml.safe_load(f)
    with open(a.payload) as f:
        payload = json.load(f)
    work = tempfile.mkdtemp(prefix="action-run-")
    workspace = os.path.abspath(a.workspace)
    base_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", work),
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": a.event,
        "GITHUB_EVENT_PATH": os.path.abspath(a.payload),
        "GITHUB_WORKSPACE": workspace,
        "GITHUB_ACTION_PATH": action_path,
        "GITHUB_SERVER_URL": "https://github.com",
        "RUNNER_OS": "Linux",
        "RUNNER_ARCH": "X64",
        "RUNNER_TEMP": os.path.join(work, "temp"),
    }
    base_env.update(pairs(a.env))
    os.makedirs(base_env["RUNNER_TEMP"], exist_ok=True)

    github = {
        "event_name": a.event,
        "event": payload,
        "event_path": base_env["GITHUB_EVENT_PATH"],
        "workspace": workspace,
        "action_path": action_path,
        "action_ref": "",
        "action_repository": "",
        "server_url": base_env["GITHUB_SERVER_URL"],
    }
    github.update(pairs(a.github))
    runner = {"os": base_env["RUNNER_OS"], "arch": base_env["RUNNER_ARCH"],
              "temp": base_env["RUNNER_TEMP"]}
    contexts = {"github": github, "runner": runner, "env": dict(base_env), "steps": {}}

    given = pairs(a.input)
    declared = doc.get("inputs") or {}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise SystemExit(f"inputs not declared by the action: {unknown}")
    inputs = {}
    for name, spec in declared.items():
        if name in given:
            inputs[name] = given[name]
        else:
            inputs[name] = substitute(str((spec or {}).get("default", "")), contexts)
    contexts["inputs"] = inputs

    uses_outputs = {}
    for k, v in pairs(a.uses_output).items():
        sid, _, name = k.partition(".")
        uses_outputs.setdefault(sid, {})[name] = v
    uses_outcomes = pairs(a.uses_outcome)

    status = "success"
    record = {"steps": [], "annotations": [], "summary": ""}
    for n, step in enumerate(doc["runs"]["steps"]):
        sid = step.get("id") or f"__{n}"
        entry = {"id": sid, "ran": False}
        record["steps"].append(entry)
        if not condition(step.get("if"), contexts, status):
            contexts["steps"][sid] = {"outputs": {}, "outcome": "skipped", "conclusion": "skipped"}
            entry["outcome"] = "skipped"
            continue
        entry["ran"] = True
        if "uses" in step:
            entry["uses"] = step["uses"]
            entry["with"] = {k: substitute(v, contexts, status)
                             for k, v in (step.get("with") or {}).items()}
            outcome = uses_outcomes.get(sid, "success")
            outputs = uses_outputs.get(sid, {})
        else:
            env = dict(base_env)
            for k, v in (step.get("env") or {}).items():
                env[k] = substitute(v, contexts, status)
            out_file = os.path.join(work, f"output-{n}")
            summary_file = os.path.join(work, f"summary-{n}")
            open(out_file, "w").close()
            open(summary_file, "w").close()
            env["GITHUB_OUTPUT"] = out_file
            env["GITHUB_STEP_SUMMARY"] = summary_file
            script = os.path.join(work, f"step-{n}.sh")
            with open(script, "w") as f:
                f.write(substitute(step["run"], contexts, status))
            if step.get("shell") != "bash":
                raise SystemExit(f"step {sid}: only `shell: bash` is modelled")
            cwd = os.path.join(workspace, substitute(step.get("working-directory", ""), contexts))
            started = time.monotonic()
            proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", script],
                                  cwd=cwd, env=env, capture_output=True, text=True)
            entry["seconds"] = round(time.monotonic() - started, 3)
            entry["env"] = {k: env[k] for k in (step.get("env") or {})}
            entry["exit"] = proc.returncode
            entry["stdout"] = proc.stdout
            entry["stderr"] = proc.stderr
            for line in proc.stdout.splitlines():
                if re.match(r"::(error|warning|notice)\b", line):
                    record["annotations"].append(line)
            with open(summary_file, encoding="utf-8") as f:
                record["summary"] += f.read()
            outcome = "success" if proc.returncode == 0 else "failure"
            outputs = read_outputs(out_file)
        conclusion = outcome
        if outcome == "failure":
            coe = step.get("continue-on-error", False)
            if isinstance(coe, str):
                coe = substitute(coe, contexts, status).strip().lower() == "true"
            if coe:
                conclusion = "success"
        entry["outcome"], entry["conclusion"], entry["outputs"] = outcome, conclusion, outputs
        contexts["steps"][sid] = {"outputs": outputs, "outcome": outcome, "conclusion": conclusion}
        if conclusion == "failure":
            status = "failure"

    record["status"] = status
    record["outputs"] = {name: substitute(spec["value"], contexts, status)
                         for name, spec in (doc.get("outputs") or {}).items()}
    json.dump(record, sys.stdout, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
