"""Walk the pages a role can open and find interface text left in English.

Data from the database (names, notes, titles people typed) is left out: every stored string
is removed from the page's text first, so any English word that remains is interface text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.apps import apps
from django.db import models, transaction
from django.test import Client
from django.urls import reverse

from tests.permissions import Case, user_for

# Words that stay as they are in Chinese interfaces: units and abbreviations of the trade,
# file formats, the product's name, a language's own name in the language switch.
ALLOWED = {
    "callfloor",
    "English",
    "SL",
    "AHT",
    "ASA",
    "CSV",
    "XLSX",
    "WAPE",
    "ID",
    "API",
    "JSON",
    "GET",
    "SHA",
    "HMAC",
    "Krippendorff",
    "YYYY",
    "MM",
    "DD",
    "hh",
    "mm",
    "queue_log",
    "Asterisk",
    "HTTP",
    "inode",
    "utf",
    "UTF",
    "UTC",
}
# Codes that a page shows as codes (CSV column names, activity kinds to type in an import).
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")
WORD = re.compile(r"[A-Za-z]{2,}")
SKIP_TAGS = {"script", "style", "textarea", "code", "pre", "svg"}
# Elements that show stored keys and hashes (data, cut short).
SKIP_CLASSES = {"hash"}
VOID = {"input", "br", "img", "meta", "link", "hr", "col", "source", "wbr"}
ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.texts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    @property
    def skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        skip = tag in SKIP_TAGS or bool(SKIP_CLASSES & set((values.get("class") or "").split()))
        if tag not in VOID:
            self.stack.append((tag, skip))
        if skip or self.skipping:
            return
        for name in ATTRIBUTES & values.keys():
            self.texts.append(values[name] or "")
        if tag == "input" and values.get("type") in ("submit", "button"):
            self.texts.append(values.get("value") or "")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.texts.append(data)


def _strings(value) -> set[str]:
    if isinstance(value, str):
        return {value.strip()} if value.strip() else set()
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, list | tuple):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return set()


def stored_strings() -> list[str]:
    """Every text value stored in the database (longest first)."""
    found: set[str] = set()
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            for value in row:
                found.update(_strings(value))
        for obj in model.objects.all()[:200]:
            found.add(str(obj))
    return sorted(found, key=len, reverse=True)


def english_left(html: str, data: list[str]) -> tuple[str | None, list[str]]:
    parser = _Text()
    parser.feed(html)
    left = []
    for text in parser.texts:
        for value in data:
            if value in text:
                # Whole values only: a user called "sam" leaves "Sample" alone.
                text = re.sub(rf"(?<![A-Za-z]){re.escape(value)}(?![A-Za-z])", " ", text)
        text = CODE.sub(" ", text)
        words = [w for w in WORD.findall(text) if w not in ALLOWED]
        if words:
            left.append(" ".join(words))
    return parser.lang, left


def walk(world, matrix: list[Case], role: str, language: str) -> list[str]:
    """The pages `role` can open in `matrix`, each checked in `language`; the problems found."""
    user = user_for(world, role)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    data = stored_strings()
    problems = []
    for case in matrix:
        if case.api or case.method != "get" or case.expected(role) != 200:
            continue
        kwargs = case.kwargs(world) if callable(case.kwargs) else case.kwargs
        with transaction.atomic():
            url = reverse(case.url_name, kwargs=kwargs)
            response = client.get(url, case.data(world) if callable(case.data) else case.data)
            transaction.set_rollback(True)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        lang, left = english_left(response.content.decode(), data)
        if lang != language:
            problems.append(f"{url}: <html lang={lang!r}>, expected {language!r}")
        for words in left:
            problems.append(f"{url}: English left: {words!r}")
    return problems
