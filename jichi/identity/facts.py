"""The 基本4情報 on a signing certificate: what each OID holds, writing, reading, comparing.

JPKI writes the holder's facts as ``otherName`` entries of subjectAltName, each
``[0] EXPLICIT UTF8String``, under the arc 1.2.392.200149.8.5.5 (see
``docs/identity.md`` for the reading of each OID and its sources):

====================== =====================================================
1.2.392.200149.8.5.5.1 氏名 (name as registered)
1.2.392.200149.8.5.5.2 氏名の代替文字 (substitute characters of the name)
1.2.392.200149.8.5.5.3 性別 (sex: ``1`` male, ``2`` female)
1.2.392.200149.8.5.5.4 生年月日 (``EYYYYMMDD``: era digit + Gregorian date)
1.2.392.200149.8.5.5.5 住所 (full address)
1.2.392.200149.8.5.5.6 住所の代替文字 (substitute characters of the address)
====================== =====================================================

Comparison with the register is exact after :func:`normalise`: NFKC, no
spaces or middle dots, hiragana as katakana, small kana as large, Latin
letters upper-case (the register's own name search key), and for addresses
every dash as ``-``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from asn1crypto.core import UTF8String
from cryptography import x509
from cryptography.x509.oid import ExtensionOID, ObjectIdentifier

from jichi.common.kana import search_key
from jichi.common.secrets import blind_index
from jichi.common.wareki import ERAS, era_of

ARC = "1.2.392.200149.8.5.5"
NAME = ObjectIdentifier(f"{ARC}.1")
NAME_SUBSTITUTE = ObjectIdentifier(f"{ARC}.2")
SEX = ObjectIdentifier(f"{ARC}.3")
BIRTH_DATE = ObjectIdentifier(f"{ARC}.4")
ADDRESS = ObjectIdentifier(f"{ARC}.5")
ADDRESS_SUBSTITUTE = ObjectIdentifier(f"{ARC}.6")

# The four facts a signature is matched on, by attribute of :class:`Facts`.
REQUIRED = {"name": NAME, "sex": SEX, "birth_date": BIRTH_DATE, "address": ADDRESS}
_OPTIONAL = {"name_substitute": NAME_SUBSTITUTE, "address_substitute": ADDRESS_SUBSTITUTE}
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−－﹣", "-"))
_LONG_MARK_AFTER_DIGIT = re.compile(r"(?<=[0-9])ー")  # 1ー2ー3: a dash typed as a long mark


@dataclass(frozen=True)
class Facts:
    """基本4情報 as written on a certificate (plus the two substitute-character fields)."""

    name: str
    sex: str
    birth_date: str  # EYYYYMMDD, see :func:`encode_birth_date`
    address: str
    name_substitute: str = ""
    address_substitute: str = ""

    def normalised(self) -> tuple[str, str, str, str]:
        return (
            normalise(self.name),
            self.sex.strip(),
            self.birth_date.strip(),
            normalise_address(self.address),
        )


def normalise(text: str) -> str:
    """The comparison key of a name: the register's name search key (see module doc)."""
    return search_key(text)


def normalise_address(text: str) -> str:
    """The comparison key of an address: :func:`normalise`, then every dash as ``-``
    (and ``ー`` after a digit, a dash typed as a long-vowel mark)."""
    return _LONG_MARK_AFTER_DIGIT.sub("-", normalise(text).translate(_DASHES))


def encode_birth_date(value, precision: str = "day") -> str:
    """``EYYYYMMDD``: the era digit (1 明治 … 5 令和) and the Gregorian date.

    A part the register does not know (不詳) is written as zeros: ``4199004 00``
    without a day, ``000000000`` when wholly unknown.
    """
    if precision == "unknown":
        return "0" * 9
    era = ERAS.index(era_of(value)) + 1
    month = f"{value.month:02d}" if precision in ("day", "month") else "00"
    day = f"{value.day:02d}" if precision == "day" else "00"
    return f"{era}{value.year:04d}{month}{day}"


# --- writing and reading the SAN ------------------------------------------------------


def san(facts: Facts) -> x509.SubjectAlternativeName:
    """The subjectAltName of a signing certificate: six otherName entries."""
    entries = [
        (NAME, facts.name),
        (NAME_SUBSTITUTE, facts.name_substitute),
        (SEX, facts.sex),
        (BIRTH_DATE, facts.birth_date),
        (ADDRESS, facts.address),
        (ADDRESS_SUBSTITUTE, facts.address_substitute),
    ]
    # cryptography adds the [0] EXPLICIT tag; the value is the UTF8String's DER.
    return x509.SubjectAlternativeName(
        [x509.OtherName(oid, UTF8String(value).dump()) for oid, value in entries]
    )


def read(certificate: x509.Certificate) -> tuple[Facts | None, list[str]]:
    """The facts on ``certificate``, or ``None`` and the names of the missing ones."""
    values = _other_names(certificate)
    missing = [name for name, oid in REQUIRED.items() if not values.get(oid, "").strip()]
    if missing:
        return None, missing
    fields = {name: values[oid] for name, oid in REQUIRED.items()}
    fields.update({name: values.get(oid, "") for name, oid in _OPTIONAL.items()})
    return Facts(**fields), []


def _other_names(certificate: x509.Certificate) -> dict[ObjectIdentifier, str]:
    try:
        extension = certificate.extensions.get_extension_for_oid(
            ExtensionOID.SUBJECT_ALTERNATIVE_NAME
        )
    except x509.ExtensionNotFound:
        return {}
    values: dict[ObjectIdentifier, str] = {}
    for other in extension.value.get_values_for_type(x509.OtherName):
        if other.type_id.dotted_string.startswith(ARC + "."):
            try:
                values[other.type_id] = UTF8String.load(other.value).native or ""
            except ValueError:
                values[other.type_id] = ""  # not a UTF8String: treated as absent
    return values


# --- the keyed fingerprint kept on the card -------------------------------------------


def fingerprint(facts: Facts, municipality_code: str) -> str:
    """A keyed hash of the normalised facts (no facts in the database, changes detectable)."""
    return blind_index(
        json.dumps(facts.normalised(), ensure_ascii=False),
        context=f"jpki_facts:{municipality_code}",
    )


def of_record(municipality, version) -> Facts:
    """The facts of a register version (``PersonVersion``) as a card writes them.

    Name: 氏名 as registered (``氏 名``, or the alphabet name of a foreign resident
    without one). Address: see :func:`address_of`.
    """
    return Facts(
        name=version.full_name,
        sex=version.sex,
        birth_date=encode_birth_date(version.birth_date, version.birth_precision),
        address=address_of(municipality, version.town_name, version.block, version.building),
    )


def address_of(municipality, town_name: str, block: str, building: str) -> str:
    """都道府県 + 郡 + 市区町村 + 町字 + 番地, then 方書 after a full-width space."""
    address = (
        f"{municipality.prefecture_name}{municipality.county}{municipality.display_name}"
        f"{town_name}{block}"
    )
    return f"{address}\u3000{building}" if building else address
