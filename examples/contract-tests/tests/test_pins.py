"""The pins the images install must agree where a file crosses from one image to another."""

import re

from conftest import EXAMPLES

FOLDERS = ("model-server", "model-puller", "trainer", "load-generator")
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]+\])?==(?P<version>[^\s;#]+)")


def pins(path):
    result = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = PIN.match(line)
        assert match, f"{path}: {line!r} is not pinned as name==version"
        result[match.group("name").lower().replace("_", "-")] = match.group("version")
    return result


def test_every_requirement_is_pinned_exactly():
    for folder in FOLDERS:
        runtime = pins(EXAMPLES / folder / "requirements.txt")
        assert runtime, f"{folder}/requirements.txt pins nothing"
        test_file = (EXAMPLES / folder / "requirements-test.txt").read_text()
        assert "-r requirements.txt" in test_file.splitlines(), f"{folder}: tests must run on the runtime pins"
        assert "pytest" in pins(EXAMPLES / folder / "requirements-test.txt")


def test_contract_tests_install_every_folder():
    lines = (EXAMPLES / "contract-tests" / "requirements-test.txt").read_text().splitlines()
    assert [line for line in lines if line.startswith("-r")] == \
        [f"-r ../{folder}/requirements-test.txt" for folder in FOLDERS]


def test_trainer_and_server_share_the_libraries_a_pickled_model_depends_on():
    trainer, server = pins(EXAMPLES / "trainer" / "requirements.txt"), pins(EXAMPLES / "model-server" / "requirements.txt")
    for library in ("scikit-learn", "numpy", "scipy", "joblib"):
        assert trainer[library] == server[library], library


def test_no_package_is_pinned_to_two_versions_across_the_examples():
    seen = {}
    for folder in FOLDERS:
        for name, version in pins(EXAMPLES / folder / "requirements.txt").items():
            assert seen.setdefault(name, (version, folder))[0] == version, (name, seen[name], (version, folder))
