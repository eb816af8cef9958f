"""The catalog: every shipped file loads, versions are pinned, the loader names file/key/rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from jichi.procedures.life_events import life_events
from jichi.procedures.loading import CATALOG_DIR, CatalogError, catalog, load_directory, parse

REQUIRED = {
    "jidou_teate_nintei",
    "jidou_teate_genkyo",
    "hoiku_riyou",
    "ninshin_todoke",
    "tenshutsu",
    "tennyu_yoyaku",
    "juminhyo_utsushi",
    "risai_shoumei",
    "youkaigo_nintei",
    "sodai_gomi",
    "inu_touroku",
    "shisetsu_yoyaku",
    "suidou_kaishi",
    "suidou_chushi",
    "fuzai_touhyou",
}

MINIMAL = b"""
id = "sample_proc"
version = 1
name = { ja = "sample", en = "sample" }
legal_basis = "law"
applicants = ["resident"]
identity = "login"
department = "shimin"
service_days = 10
[[fields]]
name = "note"
type = "text"
label = { ja = "note", en = "note" }
"""


def test_the_catalog_ships_at_least_twenty_procedures_including_the_priority_ones():
    procedures = catalog()
    assert len(procedures) >= 20
    assert REQUIRED <= set(procedures)


def test_each_catalog_version_is_pinned_by_its_content():
    """A change of a file without a version bump is refused (append a line per new version)."""
    lock = {}
    for line in (CATALOG_DIR / "versions.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            pid, version, digest = line.split()
            lock[(pid, int(version))] = digest
    for procedure in catalog().values():
        pinned = lock.get((procedure.id, procedure.version))
        assert pinned is not None, f"{procedure.key}: add it to versions.lock"
        assert pinned == procedure.content_hash, (
            f"{procedure.id}.toml changed without a version bump: raise its version and "
            f"append '{procedure.id} {procedure.version + 1} <sha256>' to versions.lock"
        )


def test_a_minimal_file_loads():
    procedure = parse("sample_proc.toml", MINIMAL)
    assert procedure.workflow.review is True and procedure.effect == "none"
    assert procedure.fields[0].required is False


@pytest.mark.parametrize(
    ("change", "key", "rule"),
    [
        (b'type = "text"', "fields[0].type", "must be one of"),
        (b'identity = "login"', "identity", "must be one of"),
        (b"service_days = 10", "service_days", "0 to 365"),
    ],
)
def test_a_bad_value_is_named_by_file_key_and_rule(change, key, rule):
    replacement = {
        b'type = "text"': b'type = "texte"',
        b'identity = "login"': b'identity = "password"',
        b"service_days = 10": b"service_days = 999",
    }[change]
    with pytest.raises(CatalogError) as caught:
        parse("sample_proc.toml", MINIMAL.replace(change, replacement))
    assert caught.value.file == "sample_proc.toml"
    assert caught.value.key == key and rule in caught.value.rule


def test_an_unknown_key_is_refused():
    with pytest.raises(CatalogError) as caught:
        parse("sample_proc.toml", MINIMAL.replace(b"[[fields]]", b'colour = "red"\n[[fields]]'))
    assert (caught.value.key, caught.value.rule) == ("colour", "unknown key")


def test_a_missing_required_key_is_refused():
    with pytest.raises(CatalogError) as caught:
        parse("sample_proc.toml", MINIMAL.replace(b'legal_basis = "law"\n', b""))
    assert (caught.value.key, caught.value.rule) == ("legal_basis", "required")


def test_the_id_must_match_the_file_name():
    with pytest.raises(CatalogError) as caught:
        parse("other.toml", MINIMAL)
    assert caught.value.key == "id"


def test_a_rule_on_the_wrong_type_of_field_is_refused():
    with pytest.raises(CatalogError) as caught:
        parse("sample_proc.toml", MINIMAL + b"min = 3\n")
    assert (caught.value.key, caught.value.rule) == (
        "fields[0].min",
        "only for fields of type integer",
    )


def test_auto_approve_needs_review_off():
    with pytest.raises(CatalogError) as caught:
        parse(
            "sample_proc.toml",
            MINIMAL.replace(b"[[fields]]", b"[workflow]\nauto_approve = true\n[[fields]]"),
        )
    assert caught.value.key == "workflow.auto_approve"


def test_a_broken_file_in_a_directory_stops_the_load(tmp_path: Path):
    (tmp_path / "sample_proc.toml").write_bytes(MINIMAL.replace(b"version = 1", b"version = 0"))
    with pytest.raises(CatalogError, match=re.escape("sample_proc.toml: version: must be 1")):
        load_directory(tmp_path)


def test_life_events_load_and_name_catalog_procedures():
    events = life_events()
    assert {"moving_out", "moving_in", "birth", "bereavement"} <= set(events)
    assert all(rule.procedure in catalog() for e in events.values() for rule in e.rules)
