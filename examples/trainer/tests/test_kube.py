import json

import pytest

from fake_kube import FakeKubeApi, serviceaccount_dir
from trainer.__main__ import main
from trainer.kube import InClusterConfigMaps, KubeError


@pytest.fixture
def kube(tmp_path, monkeypatch):
    api = FakeKubeApi(tmp_path)
    sa = serviceaccount_dir(tmp_path / "sa", api.ca_path)
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", str(api.port))
    monkeypatch.setenv("KUBERNETES_SERVICEACCOUNT_DIR", str(sa))
    yield api
    api.stop()


def test_apply_sends_a_server_side_apply_patch_with_the_pod_token(kube):
    InClusterConfigMaps().apply("iris-baseline", {"baseline.json": "{}"}, labels={"a": "b"})
    (request,) = kube.requests
    assert request["path"].startswith("/api/v1/namespaces/ml/configmaps/iris-baseline?")
    assert "fieldManager=modelops-trainer" in request["path"] and "force=true" in request["path"]
    assert request["headers"]["Authorization"] == "Bearer sa-token-123"
    assert request["headers"]["Content-Type"] == "application/apply-patch+yaml"
    assert request["body"] == {"apiVersion": "v1", "kind": "ConfigMap",
                               "metadata": {"name": "iris-baseline", "namespace": "ml", "labels": {"a": "b"}},
                               "data": {"baseline.json": "{}"}}


def test_refusal_is_an_error_that_names_the_configmap_and_not_the_token(kube):
    kube.status = 403
    with pytest.raises(KubeError) as error:
        InClusterConfigMaps().apply("iris-baseline", {"baseline.json": "{}"})
    assert "ml/iris-baseline" in str(error.value) and "403" in str(error.value)
    assert "sa-token-123" not in str(error.value)


def test_outside_a_pod_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(KubeError, match="KUBERNETES_SERVICE_HOST"):
        InClusterConfigMaps()


def test_seed_writes_the_baseline_configmap(kube, s3_env, bucket, monkeypatch, capsys):
    monkeypatch.setenv("MODEL_NAME", "iris")
    monkeypatch.setenv("BASELINE_CONFIGMAP", "iris-baseline")
    assert main(["--seed", "--store", f"s3://{bucket}/iris"]) == 0
    (request,) = kube.requests
    baseline = json.loads(request["body"]["data"]["baseline.json"])
    assert set(baseline) == {"sepal_length", "sepal_width", "petal_length", "petal_width"}
    assert sum(baseline["petal_width"]["counts"]) == 150


def test_retrain_fails_without_a_result_when_the_configmap_cannot_be_written(kube, s3_env, bucket, monkeypatch, tmp_path):
    monkeypatch.setenv("MODEL_NAME", "iris")
    assert main(["--seed", "--store", f"s3://{bucket}/iris"]) == 0
    kube.status = 403
    monkeypatch.setenv("MODEL_VERSION", "1")
    monkeypatch.setenv("MODEL_URI", f"s3://{bucket}/iris/1/")
    monkeypatch.setenv("BASELINE_CONFIGMAP", "iris-baseline")
    log = tmp_path / "termination-log"
    assert main(["--termination-log", str(log)]) == 1
    assert not log.exists()
