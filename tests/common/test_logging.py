"""Personal data never reaches the application logs."""

import logging

import pytest

from jichi.common.logging import MASK, PersonalDataFilter, personal, scrub


@pytest.fixture
def captured():
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(self.format(record))

    handler = Keep()
    handler.addFilter(PersonalDataFilter())
    logger = logging.getLogger("jichi.test.personal")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield logger, records
    logger.removeHandler(handler)


@pytest.mark.parametrize(
    "secret",
    [
        "123456789018",  # 個人番号
        "１２３４５６７８９０１８",  # full width
        "12345678901",  # 住民票コード
        "0000012347",  # 宛名番号
        "taro.yamada@example.jp",
        "045-671-2121",
    ],
)
def test_shapes_of_personal_data_are_masked(captured, secret):
    logger, records = captured
    logger.info("processing %s now", secret)
    assert secret not in records[-1] and MASK in records[-1]


def test_wrapped_values_are_masked(captured):
    logger, records = captured
    logger.info("name was %s", personal("山田 太郎"))
    logger.info(f"address {personal('横浜市中区港町1-1')}")
    assert all("山田" not in r and "港町" not in r for r in records)


def test_query_strings_of_logged_urls_are_masked():
    assert scrub('"GET /search?name=ヤマダ HTTP/1.1" 200') == f'"GET /search{MASK} HTTP/1.1" 200'


def test_tracebacks_are_scrubbed(captured):
    logger, records = captured
    try:
        raise ValueError("bad number 123456789018")
    except ValueError:
        logger.exception("failed")
    assert "123456789018" not in records[-1] and "ValueError" in records[-1]


def test_ordinary_messages_pass_unchanged():
    assert scrub("migrated 42 rows in 1.5 s") == "migrated 42 rows in 1.5 s"


def test_every_configured_logger_handler_carries_the_filter():
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and logger.name.startswith(("django", "jichi"))
    ]
    handlers = [
        h
        for logger in loggers
        for h in logger.handlers
        if not type(h).__module__.startswith("_pytest")
    ]
    assert handlers
    for handler in handlers:
        assert any(isinstance(f, PersonalDataFilter) for f in handler.filters), handler
