"""Documentation that cannot drift: the mart pages match the dbt manifest, every link and
anchor of the BI docs resolves, and the dbt docs site builds without a database or network."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from zielmonitor.docs_marts import DOCS_DIR, load_manifest, pages, published_models, stale

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_mart_pages_match_the_manifest() -> None:
    diff = stale(pages(load_manifest()))
    assert diff == [], (
        f"docs/marts/ is out of date ({', '.join(diff)}): "
        "run `uv run python -m zielmonitor.docs_marts` and commit the pages"
    )


def test_every_published_mart_and_column_is_described() -> None:
    for node in published_models(load_manifest()):
        assert node.get("description", "").strip(), node["name"]
        assert node.get("columns"), f"{node['name']}: no columns documented"
        for col in node["columns"].values():
            assert col.get("description", "").strip(), f"{node['name']}.{col['name']}"


def test_pages_render_key_checks_and_suppression() -> None:
    text = (DOCS_DIR / "zielerreichung.md").read_text(encoding="utf-8")
    assert "| one row per | `jobcenter_id`, `ziel_id`, `berichtsmonat` |" in text
    assert "one of `erreicht`, `auf_kurs`, `knapp`, `gefaehrdet`, `monitoring`" in text
    index = (DOCS_DIR / "README.md").read_text(encoding="utf-8")
    for node in published_models(load_manifest()):
        assert f"[`{node['name']}`]({node['name']}.md)" in index


def _slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {
        _slug(line.lstrip("#"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }


@pytest.mark.parametrize(
    "doc",
    [*sorted(p.name for p in DOCS.glob("*.md")), *sorted(p.name for p in DOCS_DIR.glob("*.md"))],
)
def test_links_and_anchors_resolve(doc: str) -> None:
    path = DOCS / doc if (DOCS / doc).exists() else DOCS_DIR / doc
    for target in LINK.findall(path.read_text(encoding="utf-8")):
        if re.match(r"https?://", target):
            continue
        datei, _, anker = target.partition("#")
        ziel = (path.parent / datei).resolve() if datei else path
        assert ziel.exists(), f"{doc}: link to missing {target}"
        if anker:
            assert anker in _anchors(ziel), f"{doc}: no heading #{anker} in {ziel.name}"


def test_decisions_index_covers_every_decision_section() -> None:
    text = (DOCS / "decisions.md").read_text(encoding="utf-8")
    for page, section in [
        ("validation.md", "decisions-where-the-contract-is-silent"),
        ("kennzahlen.md", "readings-where-the-spec-is-silent-or-ambiguous"),
        ("targets.md", "readings-where-targets-2016md-is-silent"),
        ("generator.md", "decisions-where-the-specs-are-silent"),
        ("confidentiality.md", "decisions"),
    ]:
        assert f"({page}#{section})" in text, (page, section)


def test_dbt_docs_generate_offline(tmp_path: Path) -> None:
    """The documented command: no database (:memory:, --empty-catalog), no network (proxies
    pointing nowhere make any HTTP attempt fail), no usage tracking in the generated page."""
    nirgends = "http://127.0.0.1:9"
    env = dict(os.environ, ZIELMONITOR_WAREHOUSE=":memory:", DBT_SEND_ANONYMOUS_USAGE_STATS="false",
               HTTP_PROXY=nirgends, HTTPS_PROXY=nirgends, http_proxy=nirgends,
               https_proxy=nirgends, NO_PROXY="")  # fmt: skip
    cmd = [sys.executable, "-m", "dbt.cli.main", "docs", "generate", "--profiles-dir",
           str(ROOT), "--project-dir", str(ROOT), "--static", "--empty-catalog",
           "--target-path", str(tmp_path / "docs"),
           "--log-path", str(tmp_path / "logs")]  # fmt: skip
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    site = (tmp_path / "docs" / "static_index.html").read_text(encoding="utf-8")
    assert "model.zielmonitor.zielerreichung" in site  # the manifest is inlined
    manifest = json.loads((tmp_path / "docs" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["metadata"]["send_anonymous_usage_stats"] is False
