"""Encryption at rest and blind indexes: round trips, every refusal, the key's sources."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from jichi.common import secrets
from jichi.common.errors import RuleViolation
from jichi.common.secrets import SecretError

MY_NUMBER = "123456789018"  # the widely cited example; its check digit is right
OTHER_MY_NUMBER = "234567890127"
YOKOHAMA = "141003"
KAWASAKI = "141305"
FIXED_KEY = bytes(range(32))


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def use_key(settings, raw: bytes | None = None) -> bytes:
    """Make `raw` (or a fresh random key) the data key, through JICHI_DATA_KEY_B64."""
    raw = os.urandom(32) if raw is None else raw
    settings.JICHI_DATA_KEY_B64 = b64(raw)
    secrets.reset()
    return raw


def hkdf_sha256(master: bytes, info: bytes) -> bytes:
    """RFC 5869 written out (empty salt = 32 zero bytes, one output block), as an oracle."""
    prk = hmac.new(b"\x00" * 32, master, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()


# --- encrypt / decrypt ------------------------------------------------------------------


@pytest.mark.parametrize("text", [MY_NUMBER, "", "横浜市中区港町1-1 ﾃｽﾄ 🏯"])
def test_round_trip(text):
    blob = secrets.encrypt(text, context="test:141003")

    assert secrets.decrypt(blob, context="test:141003") == text


def test_the_plaintext_is_nowhere_in_the_ciphertext():
    blob = secrets.encrypt(MY_NUMBER, context="my_number:141003")

    assert MY_NUMBER.encode() not in blob
    assert len(blob) == 1 + 4 + 12 + len(MY_NUMBER) + 16


def test_the_same_plaintext_encrypts_differently_each_time():
    blobs = {secrets.encrypt(MY_NUMBER, context="c") for _ in range(20)}

    assert len(blobs) == 20
    assert len({blob[5:17] for blob in blobs}) == 20  # a fresh nonce each time


def test_the_format_is_version_key_id_nonce_ciphertext(settings):
    use_key(settings, FIXED_KEY)

    blob = secrets.encrypt(MY_NUMBER, context="my_number:141003")

    assert blob[0] == 1
    assert blob[1:5].hex() == secrets.key_id() == secrets.blob_key_id(blob)
    assert (
        secrets.key_id() == hashlib.sha256(b"jichi/data/key-id/v1\x00" + FIXED_KEY).hexdigest()[:8]
    )
    # Independently: AES-GCM under the HKDF-derived key, header + context authenticated.
    aead = AESGCM(hkdf_sha256(FIXED_KEY, b"jichi/data/aes-256-gcm/v1"))
    assert aead.decrypt(blob[5:17], blob[17:], blob[:5] + b"my_number:141003") == MY_NUMBER.encode()


def test_a_value_sealed_by_an_earlier_release_still_opens(settings):
    """Format pin: if this fails, stored data would no longer decrypt. Add a version instead."""
    use_key(settings, FIXED_KEY)
    blob = bytes.fromhex(PINNED_BLOB)

    assert secrets.decrypt(blob, context="my_number:141003") == MY_NUMBER
    assert secrets.blind_index(MY_NUMBER, context="my_number:141003") == PINNED_INDEX


def test_the_wrong_context_fails():
    blob = secrets.encrypt(MY_NUMBER, context="my_number:141003")

    with pytest.raises(SecretError, match="another context"):
        secrets.decrypt(blob, context="my_number:141305")
    with pytest.raises(SecretError):
        secrets.decrypt(blob, context="phone:141003")


def test_every_flipped_byte_fails():
    blob = secrets.encrypt(MY_NUMBER, context="c")

    for position in range(len(blob)):
        tampered = bytearray(blob)
        tampered[position] ^= 0x01
        with pytest.raises(SecretError):
            secrets.decrypt(bytes(tampered), context="c")


@pytest.mark.parametrize("length", [0, 1, 5, 17, 32])
def test_truncated_values_fail(length):
    blob = secrets.encrypt(MY_NUMBER, context="c")

    with pytest.raises(SecretError, match="too short"):
        secrets.decrypt(blob[:length], context="c")


def test_a_truncated_tag_fails():
    blob = secrets.encrypt(MY_NUMBER, context="c")

    with pytest.raises(SecretError, match="could not be decrypted"):
        secrets.decrypt(blob[:-1], context="c")


def test_another_master_key_fails_and_says_so(settings):
    use_key(settings)
    blob = secrets.encrypt(MY_NUMBER, context="c")
    old_id = secrets.key_id()

    use_key(settings)

    with pytest.raises(SecretError, match=f"another data key \\(key id {old_id}"):
        secrets.decrypt(blob, context="c")


def test_an_unknown_version_fails():
    blob = bytearray(secrets.encrypt(MY_NUMBER, context="c"))
    blob[0] = 2

    with pytest.raises(SecretError, match="version 2"):
        secrets.decrypt(bytes(blob), context="c")


def test_memoryview_from_postgresql_is_accepted():
    blob = secrets.encrypt(MY_NUMBER, context="c")

    assert secrets.decrypt(memoryview(blob), context="c") == MY_NUMBER


@pytest.mark.parametrize("context", ["", "a\x00b", None])
def test_a_context_must_be_a_non_empty_string_without_nul(context):
    with pytest.raises(ValueError, match="context"):
        secrets.encrypt(MY_NUMBER, context=context)
    with pytest.raises(ValueError, match="context"):
        secrets.blind_index(MY_NUMBER, context=context)


def test_error_messages_do_not_carry_the_value():
    blob = secrets.encrypt(MY_NUMBER, context="c")

    with pytest.raises(SecretError) as caught:
        secrets.decrypt(blob, context="d")

    assert MY_NUMBER not in str(caught.value)


# --- blind index ------------------------------------------------------------------------


def test_the_blind_index_is_stable_and_context_separated():
    index = secrets.blind_index(MY_NUMBER, context="my_number:141003")

    assert index == secrets.blind_index(MY_NUMBER, context="my_number:141003")
    assert len(index) == 64 and int(index, 16) >= 0
    assert index != secrets.blind_index(MY_NUMBER, context="my_number:141305")
    assert index != secrets.blind_index(OTHER_MY_NUMBER, context="my_number:141003")


def test_the_blind_index_is_keyed(settings):
    """An unkeyed hash of 10^11 candidates is enumerable; the index must not be one."""
    use_key(settings, FIXED_KEY)
    message = b"my_number:141003\x00" + MY_NUMBER.encode()
    index = secrets.blind_index(MY_NUMBER, context="my_number:141003")

    assert index != hashlib.sha256(message).hexdigest()
    assert index != hashlib.sha256(MY_NUMBER.encode()).hexdigest()
    index_key = hkdf_sha256(FIXED_KEY, b"jichi/data/blind-index/hmac-sha256/v1")
    assert index == hmac.new(index_key, message, hashlib.sha256).hexdigest()

    use_key(settings)
    assert secrets.blind_index(MY_NUMBER, context="my_number:141003") != index


def test_the_index_key_is_not_the_encryption_key(settings):
    use_key(settings, FIXED_KEY)

    assert hkdf_sha256(FIXED_KEY, b"jichi/data/aes-256-gcm/v1") != hkdf_sha256(
        FIXED_KEY, b"jichi/data/blind-index/hmac-sha256/v1"
    )
    assert secrets._keys().index_key == hkdf_sha256(
        FIXED_KEY, b"jichi/data/blind-index/hmac-sha256/v1"
    )


# --- 個人番号 ---------------------------------------------------------------------------


def test_seal_and_open_a_my_number():
    blob, index = secrets.seal_my_number(MY_NUMBER, YOKOHAMA)

    assert secrets.open_my_number(blob, YOKOHAMA) == MY_NUMBER
    assert index == secrets.my_number_index(MY_NUMBER, YOKOHAMA)
    assert index == secrets.blind_index(MY_NUMBER, context="my_number:141003")


def test_a_my_number_sealed_for_one_municipality_does_not_open_in_another():
    blob, index = secrets.seal_my_number(MY_NUMBER, YOKOHAMA)

    with pytest.raises(SecretError):
        secrets.open_my_number(blob, KAWASAKI)
    assert secrets.my_number_index(MY_NUMBER, KAWASAKI) != index


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("123456789010", "my_number.check_digit"),
        ("12345678901", "my_number.length"),
        ("1234567890a8", "my_number.not_digits"),
        ("", "my_number.length"),
    ],
)
@pytest.mark.parametrize(
    "function", [secrets.seal_my_number, secrets.my_number_index], ids=["seal", "index"]
)
def test_an_invalid_my_number_is_refused_by_the_validator(function, number, code):
    with pytest.raises(RuleViolation) as caught:
        function(number, YOKOHAMA)

    assert caught.value.code == code
    assert caught.value.field == "my_number"


def test_an_invalid_municipality_code_is_refused():
    with pytest.raises(RuleViolation) as caught:
        secrets.seal_my_number(MY_NUMBER, "141000")

    assert caught.value.code == "municipality_code.check_digit"
    assert caught.value.field == "municipality_code"


@pytest.mark.parametrize(
    "written",
    [
        "123456789018",
        "1234 5678 9018",
        "1234-5678-9018",
        "１２３４５６７８９０１８",
        " 1234\u30005678ー9018 ",
    ],
)
def test_every_way_of_writing_a_number_finds_the_same_index(written):
    expected = secrets.my_number_index(MY_NUMBER, YOKOHAMA)

    assert secrets.my_number_index(written, YOKOHAMA) == expected
    blob, index = secrets.seal_my_number(written, YOKOHAMA)
    assert index == expected
    assert secrets.open_my_number(blob, YOKOHAMA) == MY_NUMBER  # stored normalised


def test_the_mask_shows_nothing_of_the_number():
    assert secrets.mask_my_number(MY_NUMBER) == "************"
    assert secrets.mask_my_number(OTHER_MY_NUMBER) == secrets.mask_my_number(MY_NUMBER)
    assert secrets.mask_my_number("") == ""
    assert secrets.mask_my_number(None) == ""


# --- where the key comes from -----------------------------------------------------------


@pytest.fixture
def key_file(settings, tmp_path) -> Path:
    path = tmp_path / "keys" / "data-key"
    settings.JICHI_DATA_KEY = str(path)
    settings.JICHI_DATA_KEY_B64 = None
    secrets.reset()
    return path


def test_the_key_file_is_created_owner_only_on_first_use(key_file):
    assert not key_file.exists()

    blob = secrets.encrypt(MY_NUMBER, context="c")

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(base64.b64decode(key_file.read_bytes().strip(), validate=True)) == 32
    assert list(key_file.parent.iterdir()) == [key_file]  # no temporary file left
    secrets.reset()
    assert secrets.decrypt(blob, context="c") == MY_NUMBER  # read back, not made again


def test_an_existing_key_file_is_used(key_file):
    key_file.parent.mkdir(parents=True)
    key_file.write_text(b64(FIXED_KEY) + "\n")

    assert (
        secrets.key_id() == hashlib.sha256(b"jichi/data/key-id/v1\x00" + FIXED_KEY).hexdigest()[:8]
    )


def test_outside_development_a_missing_key_file_is_an_error_not_a_new_key(key_file, settings):
    settings.DEBUG = False
    settings.TESTING = False
    secrets.reset()

    with pytest.raises(SecretError, match="does not exist"):
        secrets.encrypt(MY_NUMBER, context="c")
    assert not key_file.exists()


@pytest.mark.parametrize("content", ["", "not base64!", b64(b"short")])
def test_a_broken_key_file_is_a_clear_error(key_file, content):
    key_file.parent.mkdir(parents=True)
    key_file.write_text(content)

    with pytest.raises(SecretError, match="data key file"):
        secrets.encrypt(MY_NUMBER, context="c")


def test_the_environment_key_wins_over_the_file(key_file, settings):
    key_file.parent.mkdir(parents=True)
    key_file.write_text(b64(os.urandom(32)))
    file_key_id = secrets.key_id()

    use_key(settings, FIXED_KEY)

    assert secrets.key_id() != file_key_id
    assert (
        secrets.key_id() == hashlib.sha256(b"jichi/data/key-id/v1\x00" + FIXED_KEY).hexdigest()[:8]
    )


def test_with_the_environment_key_no_key_file_is_made(key_file, settings):
    use_key(settings)

    secrets.encrypt(MY_NUMBER, context="c")

    assert not key_file.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "set but empty"),
        ("   ", "set but empty"),
        ("not base64!", "not valid base64"),
        (b64(os.urandom(16)), "must hold 32 bytes in base64 \\(it holds 16\\)"),
        (b64(os.urandom(33)), "it holds 33"),
    ],
)
def test_a_missing_or_short_environment_key_is_a_clear_error(settings, value, message):
    settings.JICHI_DATA_KEY_B64 = value
    secrets.reset()

    with pytest.raises(SecretError, match=f"JICHI_DATA_KEY_B64 (is )?.*{message}") as caught:
        secrets.encrypt(MY_NUMBER, context="c")
    if value.strip():
        assert value.strip() not in str(caught.value)  # the key is never echoed


def test_changing_the_key_settings_resets_the_cache(settings):
    use_key(settings, FIXED_KEY)
    first = secrets.key_id()

    settings.JICHI_DATA_KEY_B64 = b64(os.urandom(32))  # no explicit reset()

    assert secrets.key_id() != first


def test_the_keys_do_not_show_in_their_repr(settings):
    use_key(settings, FIXED_KEY)

    text = repr(secrets._keys())
    assert FIXED_KEY.hex() not in text
    assert repr(secrets._keys().index_key) not in text


# Made once with FIXED_KEY; see test_a_value_sealed_by_an_earlier_release_still_opens.
PINNED_BLOB = (
    "01cf9a29d79d81a929430868daa66a8bd531ac166cb2933d52aa61999ad16cf994b279dc728d7b8640fbbce8bd"
)
PINNED_INDEX = "08c882e436b8927138bfe0b2e4ce012d15ed60d20db84257a42fd706f4b50c53"
