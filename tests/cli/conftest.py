"""Run the real ``peter_sslers`` console script against a temporary ini and database."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from peter_sslers.scripts import cli as cli_module
from tests.conftest import ROOT, TEST_INI
from tests.tools.conftest import key_material, letsencrypt  # noqa: F401 - fixtures reused here

SCRIPT = str(Path(sys.executable).parent / "peter_sslers")


def write_ini(path: Path, settings: dict[str, str]) -> Path:
    """test.ini with its [app:main] options replaced or added, and absolute migrations."""
    lines, section = [], None
    remaining = dict(settings)
    for line in Path(TEST_INI).read_text().splitlines():
        if line.startswith("["):
            if section == "[app:main]":
                lines.extend(f"{key} = {value}" for key, value in remaining.items())
                remaining = {}
            section = line.strip()
        key = line.split("=", 1)[0].strip()
        if section == "[app:main]" and "=" in line and key in remaining:
            line = f"{key} = {remaining.pop(key)}"
        lines.append(line)
    text = "\n".join(lines).replace("%(here)s/migrations", str(ROOT / "migrations")) + "\n"
    path.write_text(text)
    return path


class Cli:
    def __init__(self, ini: Path):
        self.ini = ini

    def run(
        self, *args: str, status: int | None = 0, timeout: int = 120
    ) -> subprocess.CompletedProcess:
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        result = subprocess.run(
            [SCRIPT, str(self.ini), *args], capture_output=True, text=True, timeout=timeout, env=env
        )
        if status is not None:
            assert result.returncode == status, result.stdout + result.stderr
        return result

    def json(self, *args: str, status: int | None = 0) -> dict:
        return json.loads(self.run(*args, "--json", status=status).stdout)


def run_here(cli: Cli, *args: str) -> tuple[int, str, str]:
    """The command in this process, without its logging setup: (status, stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    parsed = cli_module.build_parser().parse_args([str(cli.ini), *args])
    real_stderr = cli_module.sys.stderr
    cli_module.sys.stderr = stderr
    try:
        code = cli_module.run(parsed, stdout)
    finally:
        cli_module.sys.stderr = real_stderr
    return code, stdout.getvalue(), stderr.getvalue()


@pytest.fixture
def cli(tmp_path, make_database_url) -> Cli:
    """The console script on a fresh database (not yet initialized)."""
    url = make_database_url("cli")
    return Cli(write_ini(tmp_path / "cli.ini", {"sqlalchemy.url": url}))
