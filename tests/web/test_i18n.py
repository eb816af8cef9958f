"""Translations: the Japanese catalog is complete, its committed .mo is current,
and the pages speak Japanese by default and English on request."""

from __future__ import annotations

import gettext
import importlib.util
import io
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

from jichi.tenancy.models import MunicipalityKind
from jichi.tenancy.roles import Role

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PO_PATH = LOCALE_DIR / "ja" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
SCRIPT = Path(settings.BASE_DIR) / "scripts" / "compile_messages.py"


def _script():
    spec = importlib.util.spec_from_file_location("compile_messages", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _catalog(mo_bytes: bytes) -> dict:
    """msgid (or (msgid, n) for plurals) → msgstr, as Python's gettext reads a .mo."""
    return dict(_gnu(mo_bytes)._catalog)


def _gnu(mo_bytes: bytes) -> gettext.GNUTranslations:
    return gettext.GNUTranslations(io.BytesIO(mo_bytes))


def _translations(catalog: dict) -> dict:
    return {key: value for key, value in catalog.items() if key != ""}


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(PO_PATH))


# --- the catalog ---------------------------------------------------------------


def test_po_header(po):
    assert po.metadata["Language"] == "ja"
    assert po.metadata["Project-Id-Version"] == "jichi"
    assert "charset=UTF-8" in po.metadata["Content-Type"]
    assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert not po.metadata_is_fuzzy


def test_po_has_no_empty_or_fuzzy_entries(po):
    entries = [e for e in po if not e.obsolete]
    assert entries
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []
    empty = [
        e.msgid
        for e in entries
        if (not e.msgstr_plural and not e.msgstr)
        or (e.msgid_plural and (not e.msgstr_plural or not all(e.msgstr_plural.values())))
    ]
    assert empty == []
    assert po.percent_translated() == 100


def test_po_passes_the_format_checks():
    _script().load(PO_PATH)  # raises CatalogError on bad placeholders or plural forms


def test_committed_mo_matches_the_po(po):
    assert MO_PATH.exists(), "run: python scripts/compile_messages.py"
    committed = _translations(_catalog(MO_PATH.read_bytes()))
    expected = {}
    for entry in po.translated_entries():
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            for index, text in entry.msgstr_plural.items():
                expected[(key, index)] = text
        else:
            expected[key] = entry.msgstr
    assert committed == expected, "the .mo is stale: run python scripts/compile_messages.py"


def test_committed_mo_is_what_the_script_compiles():
    fresh = _script().compile_po(PO_PATH)
    assert _catalog(fresh) == _catalog(MO_PATH.read_bytes())
    info = _gnu(fresh).info()
    assert info["language"] == "ja"
    assert info["plural-forms"] == "nplurals=1; plural=0;"


def test_script_check_mode_passes():
    assert _script().main(["--check", str(LOCALE_DIR)]) == 0


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext is not installed")
def test_script_gives_the_same_catalog_as_msgfmt(tmp_path):
    out = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(out), str(PO_PATH)], check=True)
    assert _catalog(out.read_bytes()) == _catalog(_script().compile_po(PO_PATH))


# --- lookups ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lazy", "japanese"),
    [
        (Role.COUNTER_CLERK.label, "窓口職員"),
        (Role.MUNICIPAL_ADMIN.label, "自治体管理者"),
        (MunicipalityKind.WARD.label, "行政区"),
        (MunicipalityKind.SPECIAL_WARD.label, "特別区"),
    ],
)
def test_labels_are_translated(lazy, japanese):
    with translation.override("ja"):
        assert str(lazy) == japanese
    with translation.override("en"):
        assert str(lazy) != japanese


def test_plural_form():
    with translation.override("ja"):
        text = translation.ngettext("%(counter)s municipality", "%(counter)s municipalities", 3) % {
            "counter": 3
        }
    assert text == "3団体"


# --- pages -------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_is_japanese_by_default(client):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ja"' in html
    assert "職員ログイン" in html
    assert "本文へ移動" in html
    assert "Staff login" not in html
    assert response.headers["Content-Language"] == "ja"


@pytest.mark.django_db
def test_login_page_in_english_when_the_browser_asks(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert "Staff login" in html
    assert "Skip to main content" in html
    assert "職員ログイン" not in html
    assert response.headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_switching_language_sets_the_cookie(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    # The chosen language wins over the browser's.
    html = client.get("/login/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert '<html lang="en"' in html
    assert "Staff login" in html

    client.post("/i18n/setlang/", {"language": "ja", "next": "/login/"})
    html = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="ja"' in html
    assert "職員ログイン" in html


@pytest.mark.django_db
def test_language_selector_offers_both_languages(client):
    html = client.get("/login/").content.decode()
    assert 'value="ja"' in html
    assert 'value="en"' in html
    assert "日本語" in html
