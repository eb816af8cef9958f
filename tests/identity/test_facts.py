"""The 基本4情報 on a certificate: OIDs, encoding, normalisation."""

from datetime import UTC, date, datetime, timedelta

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509

from jichi.identity import facts as card_facts
from jichi.identity import x509build

FACTS = card_facts.Facts(
    name="山田 太郎", sex="1", birth_date="319800401", address="神奈川県横浜市中区元町1丁目2番3号"
)


def test_the_six_otherNames_use_the_jpki_oids_as_explicit_utf8_strings():
    entries = card_facts.san(FACTS)

    names = [(e.type_id.dotted_string, e.value) for e in entries]
    assert [oid for oid, _ in names] == [f"1.2.392.200149.8.5.5.{i}" for i in (1, 2, 3, 4, 5, 6)]
    assert names[0][1] == b"\x0c" + bytes([len("山田 太郎".encode())]) + "山田 太郎".encode()
    # A strict reader (asn1crypto, used by pyhanko) sees [0] EXPLICIT UTF8String.
    der = x509.SubjectAlternativeName(list(entries)).public_bytes()
    parsed = asn1_x509.GeneralNames.load(der)
    assert parsed[3].chosen["value"].native == "319800401"


@pytest.mark.parametrize(
    ("value", "precision", "expected"),
    [
        (date(1980, 4, 1), "day", "319800401"),  # 昭和
        (date(1989, 1, 7), "day", "319890107"),  # last day of 昭和
        (date(1989, 1, 8), "day", "419890108"),  # first day of 平成
        (date(2019, 5, 1), "day", "520190501"),  # 令和
        (date(1912, 7, 29), "day", "119120729"),  # 明治
        (date(2001, 4, 1), "month", "420010400"),
        (date(2001, 1, 1), "year", "420010000"),
        (date(2001, 1, 1), "unknown", "000000000"),
    ],
)
def test_birth_dates_are_era_digit_and_gregorian_date(value, precision, expected):
    assert card_facts.encode_birth_date(value, precision) == expected


@pytest.mark.parametrize(
    ("written", "registered"),
    [
        ("山田\u3000太郎", "山田 太郎"),
        ("ｽﾐｽ ｼﾞｮﾝ", "スミス ジョン"),
        ("すみす じょん", "スミス ジョン"),
        ("smith john", "SMITH JOHN"),
        ("ＳＭＩＴＨ　ＪＯＨＮ", "SMITH JOHN"),
    ],
)
def test_names_compare_after_nfkc_spaces_and_kana(written, registered):
    assert card_facts.normalise(written) == card_facts.normalise(registered)


def test_different_names_stay_different():
    assert card_facts.normalise("山田太郎") != card_facts.normalise("山田次郎")


@pytest.mark.parametrize("written", ["元町１−２−３", "元町1‐2‐3", "元町 1-2-3", "元町1ー2ー3"])
def test_addresses_compare_with_any_dash(written):
    assert card_facts.normalise_address(written) == card_facts.normalise_address("元町1-2-3")


def test_reading_a_certificate_without_facts_names_what_is_missing():
    key = x509build.new_key()
    start = datetime.now(UTC)
    certificate = x509build.ca_certificate(
        subject=x509build.name("x"), key=key, issuer=None, issuer_key=key,
        not_before=start, not_after=start + timedelta(days=1), path_length=0,
    )  # fmt: skip

    facts, missing = card_facts.read(certificate)

    assert facts is None and missing == ["name", "sex", "birth_date", "address"]
