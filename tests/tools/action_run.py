#!/usr/bin/env python3
"""Runs a composite action's steps, or one job of a workflow, the way the GitHub runner does,
offline, and prints one JSON record of what happened, for tests to assert on.

  action_run.py ACTION_YML --event NAME --payload FILE --workspace DIR [options]
  action_run.py WORKFLOW_YML --job ID --event NAME --payload FILE --workspace DIR [options]

  --input NAME=VALUE        an input given in the workflow's `with:` (defaults fill the rest)
  --env NAME=VALUE          a variable of the runner's environment (ImageOS, PATH, HOME, ...)
  --github NAME=VALUE       a `github` context value (action_repository, ref, sha, ...)
  --uses-output ID.NAME=V   what a `uses:` step (not run here) would output
  --uses-outcome ID=RESULT  how a `uses:` step ends: success (default) or failure
  --job ID                  the workflow job to run (its inputs are those of the workflow's
                            workflow_dispatch or workflow_call trigger)
  --matrix NAME=VALUE       the job's `matrix` context
  --needs JOB.NAME=VALUE    an output of a job this one needs (its result is success)
  --secret NAME=VALUE       the `secrets` context

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
- `uses:` steps are not run: the record says they would run and with which `with:` values;
- in a workflow job, `run:` steps take their shell from `defaults.run.shell` (of the job or
  the workflow), and the job's `env:` is under every step's; the record's `outputs` are the
  job's.
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

from expressions import condition, substitute


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


def action_unit(doc):
    """What runs of a composite action: its steps, inputs and outputs (`value:` expressions)."""
    return {"steps": doc["runs"]["steps"], "inputs": doc.get("inputs") or {}, "env": {},
            "shell": None, "outputs": {k: v["value"] for k, v in (doc.get("outputs") or {}).items()}}


def job_unit(doc, job_id):
    """What runs of one workflow job: its steps, env, default shell and outputs, with the
    inputs of the workflow's manual (or reusable) trigger. PyYAML reads `on:` as True."""
    job = doc["jobs"][job_id]
    trigger = doc.get("on", doc.get(True)) or {}
    spec = trigger.get("workflow_dispatch") or trigger.get("workflow_call") or {}
    shell = ((job.get("defaults") or doc.get("defaults") or {}).get("run") or {}).get("shell")
    return {"steps": job["steps"], "inputs": spec.get("inputs") or {}, "env": job.get("env") or {},
            "shell": shell, "outputs": job.get("outputs") or {}}


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
    ap.add_argument("--job")
    ap.add_argument("--matrix", action="append")
    ap.add_argument("--needs", action="append")
    ap.add_argument("--secret", action="append")
    a = ap.parse_args()

    action_path = os.path.dirname(os.path.abspath(a.action))
    with open(a.action) as f:
        doc = yaml.safe_load(f)
    unit = job_unit(doc, a.job) if a.job else action_unit(doc)
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
    contexts = {"github": github, "runner": runner, "env": dict(base_env), "steps": {},
                "matrix": pairs(a.matrix), "secrets": pairs(a.secret), "needs": {}}
    for k, v in pairs(a.needs).items():
        job, _, name = k.partition(".")
        contexts["needs"].setdefault(job, {"result": "success", "outputs": {}})["outputs"][name] = v

    given = pairs(a.input)
    declared = unit["inputs"]
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise SystemExit(f"inputs not declared: {unknown}")
    inputs = {}
    for name, spec in declared.items():
        if name in given:
            inputs[name] = given[name]
        else:
            inputs[name] = substitute((spec or {}).get("default", ""), contexts)
    contexts["inputs"] = inputs
    job_env = {k: substitute(v, contexts) for k, v in unit["env"].items()}
    base_env.update(job_env)
    contexts["env"].update(job_env)

    uses_outputs = {}
    for k, v in pairs(a.uses_output).items():
        sid, _, name = k.partition(".")
        uses_outputs.setdefault(sid, {})[name] = v
    uses_outcomes = pairs(a.uses_outcome)

    status = "success"
    record = {"steps": [], "annotations": [], "summary": ""}
    for n, step in enumerate(unit["steps"]):
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
            if step.get("shell", unit["shell"]) != "bash":
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
    record["outputs"] = {name: substitute(value, contexts, status)
                         for name, value in unit["outputs"].items()}
    json.dump(record, sys.stdout, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
