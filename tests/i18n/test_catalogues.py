"""The translation catalogues: complete, never fuzzy, and up to date with the code."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from tests.conftest import REPO

LANGUAGES = ["zh_Hans", "zh_Hant"]
DOMAINS = ["django", "djangojs"]
CATALOGUES = [(lang, domain) for lang in LANGUAGES for domain in DOMAINS]
# The same as `make makemessages`.
MAKEMESSAGES = {
    "django": [
        "--ignore=.venv",
        "--ignore=static",
        "--ignore=bench",
        "--ignore=tests",
        "--ignore=staticfiles",
    ],
    "djangojs": [
        "--ignore=.venv",
        "--ignore=static/vendor",
        "--ignore=staticfiles",
        "--ignore=bench",
        "--ignore=tests",
    ],
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|\{\w+\}|%[sd]")


def catalogue(root: Path, lang: str, domain: str) -> polib.POFile:
    return polib.pofile(str(root / "locale" / lang / "LC_MESSAGES" / f"{domain}.po"))


def key(entry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


@pytest.mark.parametrize(("lang", "domain"), CATALOGUES)
def test_every_entry_is_translated_and_none_is_fuzzy(lang, domain):
    po = catalogue(REPO, lang, domain)
    assert len(po) >= (5 if domain == "djangojs" else 1000)
    untranslated = [e.msgid for e in po if not e.translated() or "fuzzy" in e.flags]
    assert not untranslated, (
        f"{lang}/{domain}: {len(untranslated)} untranslated: {untranslated[:10]}"
    )
    assert not po.obsolete_entries(), f"{lang}/{domain}: obsolete entries are left in"


@pytest.mark.parametrize(("lang", "domain"), CATALOGUES)
def test_translations_keep_every_placeholder(lang, domain):
    wrong = []
    for entry in catalogue(REPO, lang, domain):
        texts = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for text in texts:
            # Date formats are letters, not placeholders.
            is_format = re.fullmatch(r"[DdMYHisjn: ]+", entry.msgid)
            if not is_format and set(PLACEHOLDER.findall(entry.msgid)) != set(
                PLACEHOLDER.findall(text)
            ):
                wrong.append((entry.msgid, text))
    assert not wrong, wrong[:10]


def test_traditional_uses_the_taiwan_and_hong_kong_words():
    """The glossary's third column, not a character-by-character conversion."""
    hant = {e.msgid: e.msgstr for e in catalogue(REPO, "zh_Hant", "django")}
    assert hant["Expected SL"] == "預計服務水準"
    assert hant["Queue"] == "佇列"
    assert hant["Max occupancy"] == "最大佔用率"
    assert hant["Log out"] == "登出"
    simplified_only = set("务队级员组时间话长质检诉处签")
    leaks = [(m, s) for m, s in hant.items() if simplified_only & set(s)]
    assert not leaks, leaks[:10]


def test_catalogues_are_up_to_date_with_the_code(tmp_path):
    """`makemessages` on a copy of the code adds or drops no entry."""
    copy = tmp_path / "callfloor"
    shutil.copytree(
        REPO,
        copy,
        symlinks=True,
        ignore=shutil.ignore_patterns(
            ".git", "var", "staticfiles", "bench-out", "__pycache__", "*.mo", ".pytest_cache"
        ),
    )
    for domain, ignores in MAKEMESSAGES.items():
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-d", domain, "--no-obsolete"]
            + [f"-l={lang}" for lang in LANGUAGES]
            + ignores,
            cwd=copy,
            env={"DEBUG": "1", "PATH": "/usr/bin:/bin", "CALLFLOOR_LANGUAGE": "en"},
            check=True,
            capture_output=True,
        )
    for lang, domain in CATALOGUES:
        ours = {key(e) for e in catalogue(REPO, lang, domain)}
        fresh = {key(e) for e in catalogue(copy, lang, domain)}
        assert fresh - ours == set(), f"{lang}/{domain}: not in the catalogue: {fresh - ours}"
        assert ours - fresh == set(), f"{lang}/{domain}: no longer in the code: {ours - fresh}"


@pytest.mark.parametrize(("lang", "domain"), CATALOGUES)
def test_gettext_compiles_every_catalogue_without_error(lang, domain):
    """`make messages` runs Debian's msgfmt: a catalogue it cannot read stops `make test`."""
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext's msgfmt is needed (Debian package gettext)"
    path = REPO / "locale" / lang / "LC_MESSAGES" / f"{domain}.po"
    done = subprocess.run(
        [msgfmt, "--check-format", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
