"""The plain-Python packages load alone: importing the model or a provider client does not load Flask or a feature."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PLAIN = (
    "app.model.backtest",
    "app.model.blend",
    "app.model.prices",
    "app.providers.the_odds_api",
    "app.providers.api_football",
    "app.providers.football_data",
    "app.providers.registry",
)


def loaded_after(module: str) -> set[str]:
    """The modules a fresh interpreter holds after importing `module`."""
    probe = f"import json, sys; import {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


@pytest.mark.parametrize("module", PLAIN)
def test_a_plain_python_package_loads_without_flask_or_the_app(module):
    loaded = loaded_after(module)
    assert module in loaded
    assert not {m for m in loaded if m == "flask" or m.startswith(("flask.", "flask_", "sqlalchemy", "werkzeug"))}
    features = {m for m in loaded if m.startswith("app.") and not m.startswith(("app.model", "app.providers"))}
    assert features <= {"app.config"}, features


def test_the_probe_sees_flask_when_it_is_loaded():
    assert "flask" in loaded_after("app.web.htmx")
