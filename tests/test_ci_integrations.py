"""The files teams drop into their own pipelines: container image, pre-commit
hook, GitLab CI snippet and the README's Kubernetes CronJob — each checked for
the fields that make it work, and the hook's command actually run."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .helpers import ROOT


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            rows.append((word.upper(), rest.strip()))
    return rows


def _default_args() -> dict[str, str]:
    """The ARGs declared before the first FROM (the only ones a FROM line can use), with their defaults."""
    rows = _dockerfile_instructions()
    first_from = next(i for i, (w, _) in enumerate(rows) if w == "FROM")
    return dict(rest.split("=", 1) for word, rest in rows[:first_from] if word == "ARG" and "=" in rest)


def _resolve(value: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args[m.group(1) or m.group(2)], value)


def _final_stage() -> list[tuple[str, str]]:
    rows = _dockerfile_instructions()
    return rows[max(i for i, (w, _) in enumerate(rows) if w == "FROM"):]


def test_container_image_is_slim_non_root_with_the_cli_as_entrypoint():
    final_stage = _final_stage()
    base = _resolve(final_stage[0][1].split()[0], _default_args())
    assert re.fullmatch(r"python:3\.1[1-9]-slim", base), base
    users = [rest for word, rest in final_stage if word == "USER"]
    assert users and not users[-1].startswith(("root", "0")), users
    assert ("ENTRYPOINT", '["oneinbox-check"]') in final_stage


def test_container_stages_share_one_base_that_a_build_arg_replaces():
    """CI builds on a local base (no registry reachable); by default both stages are the slim image."""
    args = _default_args()
    assert "BASE" in args
    bases = [rest.split()[0] for word, rest in _dockerfile_instructions() if word == "FROM"]
    assert len(bases) == 2 and all(b in ("${BASE}", "$BASE") for b in bases), bases


def test_container_entrypoint_is_on_path_from_the_environment_the_build_stage_made():
    final_stage = _final_stage()
    copied = [rest.split()[1:] for word, rest in final_stage if word == "COPY" and rest.startswith("--from=build")]
    assert len(copied) == 1 and copied[0][0] == copied[0][1], copied
    venv = copied[0][0]
    path = next(rest for word, rest in final_stage if word == "ENV" and "PATH=" in rest)
    assert f"PATH={venv}/bin:" in path, path


def test_container_user_is_the_uid_the_readme_cronjob_runs_as():
    user = [rest for word, rest in _final_stage() if word == "USER"][-1]
    uid, _, gid = user.partition(":")
    pod = _kind("CronJob")["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    context = pod["securityContext"]
    assert context["runAsNonRoot"] is True
    assert str(context["runAsUser"]) == uid and str(context["runAsGroup"]) == gid
    assert str(context["fsGroup"]) == gid, "the state volume must be writable to the image's user"
    assert pod["containers"][0]["securityContext"]["readOnlyRootFilesystem"] is True


def test_container_user_can_write_the_readme_indexed_jobs_reports_volume():
    user = [rest for word, rest in _final_stage() if word == "USER"][-1]
    uid, _, gid = user.partition(":")
    pod = _kind("Job")["spec"]["template"]["spec"]
    context = pod["securityContext"]
    assert str(context["runAsUser"]) == uid and str(context["fsGroup"]) == gid, \
        "the shards write their reports to a volume: it must be writable to the image's user"


def test_container_image_bakes_in_no_keys_or_env_files():
    rows = _dockerfile_instructions()
    for word, rest in rows:
        if word in ("ENV", "ARG"):
            assert not re.search(r"(KEY|TOKEN|SECRET|PASSWORD)", rest, re.I), rest
        if word in ("COPY", "ADD") and "--from=" not in rest:
            sources = rest.split()[:-1]
            assert sources and all(s in {"pyproject.toml", "README.md", "LICENSE", "src"} for s in sources), rest
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert "*.env" in ignored and ".env*" in ignored


def _ci_container_step(tmp_path: Path, engine_script: str, **env: str) -> subprocess.CompletedProcess:
    """Run .ci/run's container step alone, with podman and docker replaced by the given stub."""
    import os
    import shutil

    if shutil.which("bash") is None:  # pragma: no cover
        pytest.skip("bash not installed")
    text = (ROOT / ".ci" / "run").read_text()
    step = re.search(r"^container_image\(\) \{\n.*?^\}\ncontainer_image\n", text, re.S | re.M)
    assert step, ".ci/run has a container step"
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name in ("podman", "docker", "mmdebstrap"):
        (bindir / name).write_text("#!/bin/sh\n" + (engine_script if name != "mmdebstrap" else "exit 1\n"))
        (bindir / name).chmod(0o755)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("CI_CONTAINER")}
    return subprocess.run(["bash", "-euo", "pipefail", "-c", step.group(0)], cwd=ROOT, capture_output=True, text=True,
                          timeout=30, env={**base_env, "PATH": f"{bindir}:{os.environ['PATH']}", **env})


def test_ci_container_step_says_it_skipped_when_no_engine_runs(tmp_path: Path):
    done = _ci_container_step(tmp_path, "exit 125\n")
    assert done.returncode == 0, done.stderr
    assert "ci: container image skipped: no container engine runs here" in done.stdout


def test_ci_container_step_fails_when_asked_for_and_no_engine_runs(tmp_path: Path):
    done = _ci_container_step(tmp_path, "exit 125\n", CI_CONTAINER="1")
    assert done.returncode == 1
    assert "required (CI_CONTAINER=1)" in done.stderr


def test_ci_container_step_makes_no_base_unless_asked_since_that_takes_minutes(tmp_path: Path):
    # an engine that works but has no image: `image inspect` fails, nothing else is called
    done = _ci_container_step(tmp_path, '[ "$1" = info ] && exit 0\n[ "$1" = image ] && exit 1\necho "unexpected: $*" >&2; exit 99\n')
    assert done.returncode == 0, done.stderr
    assert "skipped: no base image" in done.stdout and "CI_CONTAINER=1" in done.stdout


def test_ci_container_step_is_skipped_on_request(tmp_path: Path):
    done = _ci_container_step(tmp_path, 'echo "unexpected: $*" >&2; exit 99\n', CI_CONTAINER="0")
    assert done.returncode == 0 and done.stdout.strip() == "ci: container image skipped (CI_CONTAINER=0)"


def test_ci_container_base_takes_its_mirrors_from_the_machine_and_names_no_host():
    script = (ROOT / ".ci" / "container-base").read_text()
    assert "://" not in script, "the suite and mirrors come from this machine's apt sources"
    assert "--variant=minbase" in script and "python3-venv" in script


def _hook() -> dict:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert isinstance(hooks, list) and len(hooks) == 1
    return hooks[0]


def test_pre_commit_hook_has_the_fields_pre_commit_requires_and_stays_offline():
    hook = _hook()
    for field in ("id", "name", "entry", "language"):
        assert isinstance(hook.get(field), str) and hook[field], field
    assert hook["language"] == "python"
    argv = shlex.split(hook["entry"])
    assert argv[:2] == ["oneinbox-check", "check"]
    assert "--offline" in argv, "a commit hook never touches the network"


def test_pre_commit_hook_matches_manifests_and_nothing_else():
    pattern = re.compile(_hook()["files"])
    for name in ("integrations.toml", "config/oneinbox.json", "deploy/integrations-prod.toml"):
        assert pattern.search(name), name
    for name in ("pyproject.toml", "package.json", "src/integrations.py"):
        assert not pattern.search(name), name


def test_pre_commit_hook_entry_runs_on_a_manifest(tmp_path: Path):
    manifest = tmp_path / "integrations.json"
    manifest.write_text('{"name": "x", "provider": "openai", "api_key": "sk-short"}')
    argv = shlex.split(_hook()["entry"])
    done = subprocess.run([sys.executable, "-m", "oneinbox_check", *argv[1:], str(manifest)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr


def test_gitlab_snippet_reports_the_junit_file_it_writes():
    doc = yaml.safe_load((ROOT / "examples" / "gitlab-ci.yml").read_text())
    job = doc["oneinbox-check"]
    script = " ".join(job["script"])
    out = re.search(r"--output (\S+)", script).group(1)
    assert "--format junit" in script
    assert job["artifacts"]["reports"]["junit"] == out
    assert job["artifacts"]["when"] == "always", "a failing check must still publish its report"
    assert job["image"]["entrypoint"] == [""], "the image's ENTRYPOINT would swallow GitLab's shell"


def _readme_yaml_blocks() -> list[dict]:
    text = (ROOT / "README.md").read_text()
    return [d for b in re.findall(r"```yaml\n(.*?)```", text, re.S) for d in yaml.safe_load_all(b)]


def _kind(kind: str) -> dict:
    found = [d for d in _readme_yaml_blocks() if isinstance(d, dict) and d.get("kind") == kind]
    assert found, f"README shows a {kind}"
    return found[0]


def test_readme_cronjob_uses_the_image_entrypoint_and_forbids_overlap():
    jobs = [d for d in _readme_yaml_blocks() if isinstance(d, dict) and d.get("kind") == "CronJob"]
    assert jobs, "README shows a Kubernetes CronJob"
    spec = jobs[0]["spec"]
    assert spec["concurrencyPolicy"] == "Forbid"
    container = spec["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert "command" not in container, "the image's ENTRYPOINT is oneinbox-check"
    assert container["args"][0] == "check"
    assert any("secretRef" in source for source in container["envFrom"]), "keys come from a Secret"


def test_readme_indexed_job_shards_by_completion_index():
    spec = _kind("Job")["spec"]
    assert spec["completionMode"] == "Indexed"
    assert spec["completions"] == spec["parallelism"]
    container = spec["template"]["spec"]["containers"][0]
    script = " ".join(container["args"])
    assert f'/{spec["completions"]}"' in script and "JOB_COMPLETION_INDEX" in script
    assert any("secretRef" in s for s in container["envFrom"])


def test_readme_indexed_job_script_shards_then_merge_gives_the_whole_run(tmp_path: Path):
    """Run the Job's shell script for every index, then the README's merge: same verdicts as one run."""
    import json

    spec = _kind("Job")["spec"]
    container = spec["template"]["spec"]["containers"][0]
    assert container["command"] == ["/bin/sh", "-c"]
    script = container["args"][0]
    manifest = tmp_path / "integrations.json"
    bodies = [{"name": f"n{i}", "provider": "openai", "api_key": "sk-proj-" + "k" * 40 + ("\n" if i % 3 else "")}
              for i in range(9)]
    manifest.write_text(json.dumps(bodies))
    (tmp_path / "reports").mkdir()
    script = (script.replace("/config/integrations.toml", str(manifest)).replace("/reports", str(tmp_path / "reports"))
              .replace("exec oneinbox-check check", f"exec {sys.executable} -m oneinbox_check check --offline"))
    for index in range(spec["completions"]):
        done = subprocess.run(["/bin/sh", "-c", script], env={"JOB_COMPLETION_INDEX": str(index), "PATH": "/usr/bin:/bin"},
                              capture_output=True, text=True, timeout=60)
        assert done.returncode in (0, 1), done.stderr
    shards = sorted((tmp_path / "reports").glob("shard-*.json"))
    assert len(shards) == spec["completions"]
    merged = subprocess.run([sys.executable, "-m", "oneinbox_check", "merge", *map(str, shards), "--format", "json"],
                            capture_output=True, text=True, timeout=60)
    whole = subprocess.run([sys.executable, "-m", "oneinbox_check", "check", "--offline", str(manifest), "--format",
                            "json"], capture_output=True, text=True, timeout=60)
    assert merged.returncode == whole.returncode == 1
    assert json.loads(merged.stdout)["summary"] == json.loads(whole.stdout)["summary"]


def test_readme_exporter_deployment_is_scraped_by_its_service_monitor():
    deployment, service, monitor = _kind("Deployment"), _kind("Service"), _kind("ServiceMonitor")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["args"][0] == "exporter" and "command" not in container
    listen = container["args"][container["args"].index("--listen") + 1]
    port = container["ports"][0]
    assert listen.endswith(f":{port['containerPort']}") and listen.startswith("0.0.0.0")
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert service["spec"]["ports"][0]["targetPort"] == port["name"]
    assert monitor["spec"]["endpoints"][0]["port"] == service["spec"]["ports"][0]["name"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()


def test_readme_alert_rule_uses_series_the_tool_exports():
    from oneinbox_check.models import Report  # noqa: F401 - the series come from report.prometheus

    rules = next(d for d in _readme_yaml_blocks() if isinstance(d, dict) and "groups" in d)
    exprs = " ".join(r["expr"] for g in rules["groups"] for r in g["rules"])
    source = (ROOT / "src" / "oneinbox_check" / "report" / "prometheus.py").read_text()
    for series in re.findall(r"oneinbox_check_[a-z_]+", exprs):
        assert f'"{series}"' in source, series


def _action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text())


def test_github_action_is_a_composite_action_with_the_documented_inputs():
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert {"manifest", "format", "strict", "junit-file"} <= set(action["inputs"])
    assert action["inputs"]["manifest"]["required"] is True
    for step in action["runs"]["steps"]:
        assert "uses" in step or step.get("shell") == "bash", step  # composite run steps need a shell


def test_github_action_writes_the_job_summary_and_keeps_junit_from_one_run():
    script = next(s for s in _action()["runs"]["steps"] if s.get("id") == "check")["run"]
    assert script.count("oneinbox-check check") == 1, "one run, one set of requests"
    assert '--report "markdown=$summary"' in script and '--report "junit=$INPUT_JUNIT"' in script
    assert '>> "$GITHUB_STEP_SUMMARY"' in script
    assert "${{" not in script, "inputs reach the script through env, never pasted into it (injection)"


def test_github_action_script_runs_and_exits_with_the_checkers_code(tmp_path: Path):
    """Run the action's check step in bash with GitHub's variables faked, the CLI from this checkout."""
    import os
    import shutil

    if shutil.which("bash") is None:  # pragma: no cover
        pytest.skip("bash not installed")
    step = next(s for s in _action()["runs"]["steps"] if s.get("id") == "check")
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "oneinbox-check").write_text(f'#!/bin/sh\nexec {sys.executable} -m oneinbox_check "$@"\n')
    (bindir / "oneinbox-check").chmod(0o755)
    manifest = tmp_path / "integrations.json"
    manifest.write_text('[{"name": "x", "provider": "openai", "api_key": "sk-proj-' + "k" * 40 + '\\n"}]')
    env = {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
           "GITHUB_OUTPUT": str(tmp_path / "out.txt"), "INPUT_MANIFEST": str(manifest), "INPUT_FORMAT": "table",
           "INPUT_STRICT": "false", "INPUT_JUNIT": str(tmp_path / "r.xml"), "INPUT_ARGS": "--offline"}
    done = subprocess.run(["bash", "-e", "-c", step["run"]], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "exit-code=1" in (tmp_path / "out.txt").read_text()
    assert "| " in (tmp_path / "summary.md").read_text()
    import xml.etree.ElementTree as ET

    assert ET.parse(tmp_path / "r.xml").getroot().tag in ("testsuites", "testsuite")

