"""The structure the code keeps: one websocket module, one palette, no app importing
against the layers (the contracts themselves run in `make test` as lint-imports)."""

import json
import re
import subprocess
import tomllib
from pathlib import Path

import plotly
import pytest
from django.test import Client

from core.palette import PALETTE

ROOT = Path(__file__).resolve().parent.parent
JS = ROOT / "static" / "js"


def test_only_live_js_opens_websockets():
    openers = sorted(p.name for p in JS.glob("*.js") if "new WebSocket" in p.read_text())
    assert openers == ["live.js"]


def test_no_script_writes_a_palette_colour_of_its_own():
    colours = {c.lower() for c in [*PALETTE["series"], *PALETTE["scale"]]}
    colours |= {PALETTE["grid"].lower(), PALETTE["ink"].lower(), PALETTE["scoreInk"].lower()}
    for path in JS.glob("*.js"):
        found = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}", path.read_text())}
        if path.name != "charts.js":
            assert not found & colours, path


@pytest.mark.django_db
def test_pages_carry_the_python_palette_for_the_charts():
    """The organisers' pages; the phone's draw no chart in the browser and go without it."""
    page = Client().get("/accounts/login/").content.decode()
    block = re.search(r'<script id="palette" type="application/json">(.*?)</script>', page, re.S)
    assert block is not None
    assert json.loads(block.group(1)) == PALETTE


def test_the_csp_stylesheet_was_made_from_the_plotly_js_that_is_served():
    served = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    version = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", served.read_text()[:500]).group(1)
    stylesheet = (ROOT / "static" / "css" / "plotly.css").read_text()
    assert f"(plotly.js v{version}," in stylesheet


def test_every_app_is_under_the_no_cycles_contract():
    """The contract against import cycles between the modules of one app (and of its
    subpackages: import-linter's acyclic_siblings descends into them) names every app, so an
    app added to the graph is covered without anyone remembering this contract."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    linter = config["tool"]["importlinter"]
    acyclic = [c for c in linter["contracts"] if c["type"] == "acyclic_siblings"]
    assert len(acyclic) == 1
    assert sorted(acyclic[0]["ancestors"]) == sorted(linter["root_packages"])
    packaged = {p.rstrip("*") for p in config["tool"]["setuptools"]["packages"]["find"]["include"]}
    assert packaged == set(linter["root_packages"])


def test_sql_takes_table_names_from_the_models():
    """SQL built in Python names a table by its model's db_table (read from `_meta`, or from
    the app registry for an app higher up), and survey/sql/answer_save.sql by placeholders
    filled from the models: a model given another table name cannot leave a statement
    reading the old one."""
    from django.apps import apps

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    ours = set(config["tool"]["importlinter"]["root_packages"])
    names = {m._meta.db_table for m in apps.get_models() if m.__module__.split(".")[0] in ours}
    keywords = r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE|COPY)\s+"
    written = re.compile(keywords + r"(" + "|".join(sorted(names)) + r")\b", re.IGNORECASE)
    files = [
        *(p for package in ours for p in (ROOT / package).rglob("*.py")),
        *(ROOT / "bench").rglob("*.py"),
        *(ROOT / "survey" / "sql").glob("*.sql"),
    ]
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in files
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if written.search(line)
    ]
    assert not found, "\n".join(found)


def test_the_tree_names_behaviour_not_tracker_numbers():
    """Code, templates, docs and tests say what a thing does, not which ticket asked for it
    (`git grep -niE "issues? ?#?[0-9]+"` finds nothing; the lock files' hashes aside)."""
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode()
    numbered = re.compile(r"issues? ?#?[0-9]+", re.IGNORECASE)
    found = []
    for name in filter(None, tracked.split("\0")):
        path = ROOT / name
        if name.endswith(".lock") or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # images, fonts, .mo
        found += [
            f"{name}:{n}: {line.strip()[:120]}"
            for n, line in enumerate(text.splitlines(), 1)
            if numbered.search(line)
        ]
    assert not found, "\n".join(found)
