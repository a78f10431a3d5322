import io
import tarfile
import zipfile

import pytest

from conftest import run_puller


def tar_gz(files):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, body in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            archive.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


def test_single_file_over_https_with_a_private_ca(https_server, tmp_path):
    https_server.files["/iris/1/model.joblib"] = ("application/octet-stream", b"weights")
    completed = run_puller(f"{https_server.url}/iris/1/model.joblib", str(tmp_path / "out"),
                           env={"REQUESTS_CA_BUNDLE": str(https_server.ca_path)})
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "out" / "model.joblib").read_bytes() == b"weights"


def zip_bytes(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def test_zip_archive_over_https_is_unpacked(https_server, tmp_path):
    https_server.files["/iris-1.zip"] = ("application/zip", zip_bytes({"model.joblib": b"m", "features.json": b"{}"}))
    completed = run_puller(f"{https_server.url}/iris-1.zip", str(tmp_path / "out"),
                           env={"REQUESTS_CA_BUNDLE": str(https_server.ca_path)})
    assert completed.returncode == 0, completed.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["features.json", "model.joblib"]


@pytest.mark.skipif(hasattr(tarfile, "data_filter"), reason="this Python unpacks tar archives")
def test_tar_archive_on_a_python_without_tar_filters_fails_with_advice(https_server, tmp_path):
    https_server.files["/iris-1.tar.gz"] = ("application/x-gzip", tar_gz({"model.joblib": b"m"}))
    completed = run_puller(f"{https_server.url}/iris-1.tar.gz", str(tmp_path / "out"),
                           env={"REQUESTS_CA_BUNDLE": str(https_server.ca_path)})
    assert completed.returncode == 1
    assert "publish the model as a directory of files or a .zip archive" in completed.stderr.strip().splitlines()[-1]


@pytest.mark.skipif(not hasattr(tarfile, "data_filter"), reason="needs tarfile filters (Python >= 3.11.4)")
def test_tar_archive_over_https_is_unpacked(https_server, tmp_path):
    https_server.files["/iris-1.tar.gz"] = ("application/x-gzip", tar_gz({"model.joblib": b"m"}))
    completed = run_puller(f"{https_server.url}/iris-1.tar.gz", str(tmp_path / "out"),
                           env={"REQUESTS_CA_BUNDLE": str(https_server.ca_path)})
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "out" / "model.joblib").read_bytes() == b"m"


def test_untrusted_certificate_is_refused(https_server, tmp_path):
    https_server.files["/m.joblib"] = ("application/octet-stream", b"x")
    completed = run_puller(f"{https_server.url}/m.joblib", str(tmp_path / "out"))
    assert completed.returncode == 1
    assert "cannot pull" in completed.stderr.strip().splitlines()[-1]


def test_not_found_over_https_hides_userinfo_and_presigned_query(https_server, tmp_path):
    url = https_server.url.replace("https://", "https://reader:hunter22@") + "/gone.joblib?X-Amz-Signature=abcdef123"
    completed = run_puller(url, str(tmp_path / "out"), env={"REQUESTS_CA_BUNDLE": str(https_server.ca_path)})
    assert completed.returncode == 1
    output = completed.stdout + completed.stderr
    assert "hunter22" not in output and "abcdef123" not in output
    last = completed.stderr.strip().splitlines()[-1]
    assert last.startswith("model-puller: cannot pull https://***@127.0.0.1:")
    assert "HTTP resource not found" in last


def test_header_tokens_are_sent_but_never_shown(https_server, tmp_path):
    https_server.files["/m.joblib"] = ("text/plain", b"x")  # wrong type: the download fails after the request
    completed = run_puller(f"{https_server.url}/m.joblib", str(tmp_path / "out"),
                           env={"REQUESTS_CA_BUNDLE": str(https_server.ca_path),
                                "127.0.0.1-headers": '{"X-Token": "tok-987654"}'})
    assert completed.returncode == 1
    assert https_server.headers[-1]["X-Token"] == "tok-987654"
    assert "tok-987654" not in completed.stdout + completed.stderr


def test_local_directory(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "model.joblib").write_bytes(b"local")
    completed = run_puller(str(source), str(tmp_path / "out"))
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "out" / "model.joblib").read_bytes() == b"local"


def test_bad_uris_and_usage(tmp_path):
    for uri, reason in (("s3://", "needs a bucket"), ("ftp://host/m.joblib", "Cannot recognize storage type"),
                        ("https://host.example/", "must name a file"), ("relative/missing", "no such local path")):
        completed = run_puller(uri, str(tmp_path / "out"))
        assert completed.returncode == 1, uri
        lines = completed.stderr.strip().splitlines()
        assert reason in lines[-1] and lines[-1].startswith("model-puller: cannot pull"), (uri, lines)
    completed = run_puller("only-one-argument")
    assert completed.returncode == 2 and "usage" in completed.stderr
