"""Nothing inline that the Content-Security-Policy would refuse, in any template of the product
(and in the HTML the Python code writes): no inline event handler, no `javascript:` URL, no
<script> or <style> element without `src`/a nonce, no style attribute."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
APPS = ["agents", "callfloor", "metrics", "qa", "scheduling"]
TAG = re.compile(r"<[a-zA-Z][^<>]*>", re.S)  # an opening tag (template tags inside it included)
RULES = {
    "inline event handler": re.compile(r"""[\s"'/]on[a-z]+\s*=""", re.I),
    "style attribute": re.compile(r"""[\s"'/]style\s*=""", re.I),
    "javascript: URL": re.compile(r"javascript\s*:", re.I),
}
SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b([^>]*)>", re.I)


def template_files() -> list[Path]:
    files = sorted((REPO / "templates").rglob("*.html"))
    for app in APPS:
        for folder in (REPO / app).rglob("templates"):
            files += sorted(folder.rglob("*.html"))
    return files


def python_files() -> list[Path]:
    return sorted(
        p for app in APPS for p in (REPO / app).rglob("*.py") if "migrations" not in p.parts
    )


def problems(text: str) -> list[str]:
    found = []
    for tag in TAG.findall(text):
        found += [f"{name}: {tag[:120]}" for name, rule in RULES.items() if rule.search(tag)]
    for kind, attributes in SCRIPT_OR_STYLE.findall(text):
        if not re.search(r"\b(src|nonce)\s*=", attributes, re.I):
            found.append(f"inline <{kind}> without src or nonce: <{kind}{attributes}>")
    if re.search(r"javascript\s*:", text, re.I) and not any("javascript" in f for f in found):
        found.append("javascript: URL")
    return found


def test_the_scan_sees_every_kind_of_fault():
    assert problems('<select name="t" onchange="this.form.submit()">')
    assert problems("<a href='JavaScript:alert(1)'>x</a>")
    assert problems('<button\n  class="x" onClick = "go()">')
    assert problems('<span class="bar" style="width:{% widthratio a b 100 %}px"></span>')
    assert problems("<script>\nrun();\n</script>")
    assert problems("<style>body { margin:0 }</style>")
    assert not problems("<script src=\"{% static 'a.js' %}\" defer></script>")
    assert not problems('<script nonce="{{ request.csp_nonce }}">run();</script>')
    assert not problems('<p class="online" data-onset="1">one=two</p>')


@pytest.mark.parametrize("path", template_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_template_carries_inline_script_or_style(path):
    assert problems(path.read_text()) == []


def test_no_python_code_writes_inline_script_or_style():
    found = {
        str(path.relative_to(REPO)): problems(path.read_text())
        for path in python_files()
        if path.name != "test_templates_csp.py"
    }
    assert {path: faults for path, faults in found.items() if faults} == {}
