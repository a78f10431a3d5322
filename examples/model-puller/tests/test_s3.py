from conftest import ACCESS_KEY, SECRET_KEY, run_puller


def put(client, bucket, objects):
    for key, body in objects.items():
        client.put_object(Bucket=bucket, Key=key, Body=body)


def assert_no_credentials(completed):
    output = completed.stdout + completed.stderr
    assert SECRET_KEY not in output
    assert ACCESS_KEY not in output


def test_pulls_every_file_of_a_version_directory(bucket, s3_endpoint, tmp_path):
    client, name = bucket
    put(client, name, {"iris/1/model.joblib": b"model-bytes", "iris/1/features.json": b"{}",
                       "iris/1/extra/notes.txt": b"nested", "iris/10/model.joblib": b"another version"})
    out = tmp_path / "models"
    completed = run_puller(f"s3://{name}/iris/1/", str(out), env={"AWS_ENDPOINT_URL": s3_endpoint})
    assert completed.returncode == 0, completed.stderr
    # the trailing slash keeps iris/10 (which also starts with "iris/1") out
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == \
        ["extra/notes.txt", "features.json", "model.joblib"]
    assert (out / "model.joblib").read_bytes() == b"model-bytes"
    assert completed.stdout.strip() == f"model-puller: pulled 3 files (19 bytes) from s3://{name}/iris/1/ into {out}"
    assert_no_credentials(completed)


def test_kserve_style_endpoint_variables_work_too(bucket, s3_endpoint, tmp_path):
    client, name = bucket
    put(client, name, {"m/model.joblib": b"x"})
    host_port = s3_endpoint.removeprefix("http://")
    completed = run_puller(f"s3://{name}/m", str(tmp_path / "out"), env={"S3_ENDPOINT": host_port, "S3_USE_HTTPS": "0"})
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "out" / "model.joblib").read_bytes() == b"x"


def test_missing_model_fails_with_one_line_and_a_termination_message(bucket, s3_endpoint, tmp_path):
    _, name = bucket
    log = tmp_path / "termination-log"
    completed = run_puller(f"s3://{name}/iris/404/", str(tmp_path / "out"),
                           env={"AWS_ENDPOINT_URL": s3_endpoint, "TERMINATION_LOG": str(log)})
    assert completed.returncode == 1
    last = completed.stderr.strip().splitlines()[-1]
    assert last == f"model-puller: cannot pull s3://{name}/iris/404/: Failed to fetch model. No model found in iris/404/."
    assert log.read_text() == last
    assert_no_credentials(completed)


def test_missing_bucket_fails(s3_endpoint, tmp_path):
    completed = run_puller("s3://no-such-bucket/iris/1/", str(tmp_path / "out"), env={"AWS_ENDPOINT_URL": s3_endpoint})
    assert completed.returncode == 1
    assert completed.stderr.strip().splitlines()[-1].endswith("S3 resource 'no-such-bucket' not found.")
    assert_no_credentials(completed)


def test_store_down_fails_quickly_without_credentials_in_the_output(tmp_path):
    completed = run_puller("s3://models/iris/1/", str(tmp_path / "out"),
                           env={"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "S3_MAX_ATTEMPTS": "1",
                                "S3_CONNECT_TIMEOUT": "2"})
    assert completed.returncode == 1
    assert "Could not connect to the endpoint URL" in completed.stderr.strip().splitlines()[-1]
    assert_no_credentials(completed)
