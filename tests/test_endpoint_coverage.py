"""Every URL of the product appears in some app's permission matrix."""

import importlib
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

# Framework pages whose access is Django's or drf-spectacular's own.
EXEMPT_PREFIXES = ("admin:",)
EXEMPT = {"login", "logout", "api-schema", "api-docs"}
# Django's password pages: open to everyone (reset) or to anyone logged in (change).
EXEMPT |= {
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "password_change",
    "password_change_done",
}


def _names(patterns, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def _covered() -> set[str]:
    covered: set[str] = set()
    for path in Path(__file__).parent.rglob("test*permissions.py"):
        module = ".".join(path.relative_to(Path(__file__).parent.parent).with_suffix("").parts)
        matrix = importlib.import_module(module).MATRIX
        covered |= {case.url_name for case in matrix}
    return covered


def test_every_named_url_has_a_permission_case():
    names = {
        n
        for n in _names(get_resolver().url_patterns)
        if n not in EXEMPT and not n.startswith(EXEMPT_PREFIXES)
    }
    missing = sorted(names - _covered())
    assert not missing, f"URLs without a permission-matrix case: {missing}"


def test_every_url_is_named():
    unnamed = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif not pattern.name:
                unnamed.append(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns)
    assert not unnamed, f"unnamed URLs cannot be checked by the matrix: {unnamed}"
