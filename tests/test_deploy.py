"""What deploys BetScore holds together: the Dockerfile passes hadolint and keeps its promises (two stages, a pinned
base, a non-root user, a HEALTHCHECK that really probes /healthz), fly.toml's processes, release command and checks
name things that exist, and the GitHub workflow runs what .ci/run runs. No image is built here: no Docker engine runs
on these machines, and no base image can be pulled."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from werkzeug.serving import make_server

from app import config
from tests.drills import free_port

ROOT = config.ROOT
HADOLINT = Path(sys.executable).parent / "hadolint"


def _stages(dockerfile: str) -> list[list[str]]:
    """The Dockerfile's instructions (continuation lines joined), one list per stage."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    stages: list[list[str]] = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def _instruction(stage: list[str], name: str) -> list[str]:
    return [line.split(None, 1)[1] for line in stage if line.split(None, 1)[0].upper() == name]


@pytest.fixture(scope="module")
def stages() -> list[list[str]]:
    return _stages((ROOT / "Dockerfile").read_text())


def test_hadolint_passes_the_dockerfile():
    result = subprocess.run([str(HADOLINT), "Dockerfile"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_fails_a_careless_dockerfile(tmp_path):
    """The gate is real: an unpinned base, root, `cd` in a RUN and `apt-get` without cleanup fail the lint."""
    careless = tmp_path / "Dockerfile"
    careless.write_text("FROM python:latest\nRUN cd /srv && apt-get update && apt-get install -y curl\nCMD python\n")
    result = subprocess.run(
        [str(HADOLINT), "--config", str(ROOT / ".hadolint.yaml"), str(careless)], capture_output=True, text=True
    )
    assert result.returncode != 0
    assert {"DL3007", "DL3003"} <= set(re.findall(r"DL\d{4}", result.stdout)), result.stdout


def test_the_image_builds_in_two_stages_on_one_pinned_base(stages):
    assert len(stages) >= 2
    bases = [_instruction(stage, "FROM")[0].split()[0] for stage in stages]
    assert all(re.fullmatch(r"python:3\.11\.\d+-slim-[a-z]+", base) for base in bases), bases
    assert len(set(bases)) == 1, "build and runtime stages on different bases"


def test_the_final_stage_has_no_build_tools_and_runs_as_a_user(stages):
    final = stages[-1]
    text = "\n".join(final)
    assert "build-essential" not in text and "gcc" not in text and "libpq-dev" not in text
    assert "requirements-dev" not in text and "tests" not in " ".join(_instruction(final, "COPY"))
    assert any("--from=build" in copy for copy in _instruction(final, "COPY")), "the virtualenv comes from the build"
    user = _instruction(final, "USER")[-1].split(":")[0]
    assert user not in ("root", "0") and (not user.isdigit() or int(user) > 0)
    assert final[-1].upper().startswith("CMD ")


def test_every_file_the_image_copies_exists(stages):
    for stage in stages:
        for copy in _instruction(stage, "COPY"):
            parts = [p for p in copy.split() if not p.startswith("--")]
            if "--from=" in copy:
                continue
            for source in parts[:-1]:
                assert (ROOT / source).exists(), source
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "tests", "instance"} <= set(ignored)


def _healthcheck(stages: list[list[str]]) -> list[str]:
    line = _instruction(stages[-1], "HEALTHCHECK")[-1]
    return json.loads(line[line.index("CMD") + 3 :].strip())


@pytest.fixture
def served(app) -> Iterator[int]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join()


def test_the_healthcheck_passes_against_the_app_and_fails_without_it(stages, served):
    command = _healthcheck(stages)
    assert command[0] == "python" and "/healthz" in command[-1]
    probe = [sys.executable, *command[1:]]
    up = subprocess.run(probe, env={"PORT": str(served)}, capture_output=True, timeout=30)
    assert up.returncode == 0, up.stderr
    down = subprocess.run(probe, env={"PORT": str(free_port())}, capture_output=True, timeout=30)
    assert down.returncode != 0


@pytest.fixture(scope="module")
def fly() -> dict:
    return tomllib.loads((ROOT / "fly.toml").read_text())


def test_fly_runs_the_four_processes_from_files_that_exist(fly):
    processes = fly["processes"]
    assert set(processes) == {"web", "live", "worker", "scheduler"}
    for command in processes.values():
        args = shlex.split(command)
        for arg in args:
            if arg.endswith((".py", ".conf.py")):
                assert (ROOT / arg).exists(), arg
    assert "--scheduler" in processes["scheduler"]


def test_fly_migrates_before_it_deploys(fly):
    assert shlex.split(fly["deploy"]["release_command"])[-2:] == ["db", "upgrade"]


def test_fly_checks_probe_routes_that_answer(fly, client):
    liveness = [check["path"] for check in fly["http_service"]["checks"]]
    readiness = [check["path"] for check in fly["checks"].values()]
    assert liveness == ["/healthz"] and readiness == ["/readyz"]
    for path in [*liveness, *readiness]:
        assert client.get(path).status_code == 200
    assert fly["checks"]["ready"]["port"] == fly["http_service"]["internal_port"]
    concurrency = fly["http_service"]["concurrency"]
    assert concurrency["type"] == "requests" and 0 < concurrency["soft_limit"] <= concurrency["hard_limit"]


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())


def _runs(job: dict) -> list[str]:
    return [step["run"].strip() for step in job["steps"] if "run" in step]


def test_the_workflow_runs_what_ci_runs(workflow):
    ci = (ROOT / ".ci/run").read_text()
    jobs = workflow["jobs"]
    assert "make lint" in _runs(jobs["lint"]) and "make lint" in ci
    assert "make test" in _runs(jobs["test"]) and "make test" in ci
    assert jobs["test"]["needs"] == "lint"
    exported = set(re.findall(r"^export (\w+)=", ci, re.MULTILINE))
    assert exported and exported <= set(jobs["test"]["env"])
    assert {"postgres", "redis"} <= set(jobs["test"]["services"])
    assert any("chromium" in run for run in _runs(jobs["test"]))


def test_the_workflow_tests_on_the_image_s_python(workflow, stages):
    base = _instruction(stages[-1], "FROM")[0].split()[0]
    version = re.search(r"python:(3\.11\.\d+)", base)
    assert version
    for job in workflow["jobs"].values():
        assert job["container"].startswith(f"python:{version.group(1)}-")
