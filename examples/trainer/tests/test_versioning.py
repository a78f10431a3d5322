import pytest

from trainer.versioning import is_label_value, next_version


def test_first_retrain_of_a_plain_version():
    assert next_version("1.4.0", set()) == "1.4.0-r1"


def test_retrain_of_a_retrained_version_counts_on():
    assert next_version("1.4.0-r2", {"1.4.0", "1.4.0-r1", "1.4.0-r2"}) == "1.4.0-r3"


def test_versions_already_in_the_store_are_never_reused():
    # r3 was produced before and rolled back; serving is still r2
    assert next_version("1.4.0-r2", {"1.4.0-r3", "1.4.0-r4"}) == "1.4.0-r5"


def test_long_versions_stay_valid_label_values():
    serving = "a" * 62 + "b"
    version = next_version(serving, set())
    assert version.endswith("-r1")
    assert is_label_value(version)
    assert len(version) == 63


def test_invalid_serving_version_is_refused():
    with pytest.raises(ValueError):
        next_version("-bad", set())
