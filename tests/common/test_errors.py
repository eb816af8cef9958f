"""The one error type."""

from jichi.common.errors import ErrorCollector, RuleViolation


def test_code_never_carries_the_path_of_a_nested_field():
    error = RuleViolation("persons.1.relationship.vocabulary", "ja", "en", "persons.1.relationship")
    assert error.code == "relationship.vocabulary"
    assert error.field == "persons.1.relationship"
    assert (
        error.as_dict()["error"]["fields"]["persons.1.relationship"][0]["code"]
        == "relationship.vocabulary"
    )


def test_collected_errors_keep_every_field_and_the_first_leads():
    errors = ErrorCollector()
    errors.add("a.required", "ja", "en", "a")
    errors.add("b.format", "ja2", "en2", "b")
    try:
        errors.raise_if_any()
    except RuleViolation as exc:
        assert exc.code == "a.required"
        assert set(exc.as_dict()["error"]["fields"]) == {"a", "b"}
    else:
        raise AssertionError("nothing raised")


def test_message_follows_the_language():
    error = RuleViolation("x.y", "日本語", "English")
    assert error.message("ja") == "日本語" and error.message("en-us") == "English"
