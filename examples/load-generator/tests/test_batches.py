import json

import numpy as np

from conftest import FEATURES
from load_generator.__main__ import build


def test_answered_traffic_is_recorded_in_batches_the_trainer_reads(fake_server, s3_bucket):
    client, bucket = s3_bucket
    generator, limits = build({"TARGET_URL": fake_server.url, "RATE": "200", "FEEDBACK_DELAY": "off",
                               "MAX_REQUESTS": "25", "BATCH_URI": f"s3://{bucket}/iris/traffic/", "BATCH_SIZE": "10",
                               "SHIFT": "0.5", "HOSTNAME": "loadgen-7d9f"})
    generator.run(**limits)
    keys = sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"])
    assert len(keys) == 3 and all(k.startswith("iris/traffic/") and "-loadgen-7d9f-" in k for k in keys)
    batches = [json.loads(client.get_object(Bucket=bucket, Key=k)["Body"].read()) for k in keys]
    assert [len(b["rows"]) for b in batches] == [10, 10, 5]
    for batch in batches:
        assert batch["format"] == "modelops-traffic/v1"
        assert batch["features"] == FEATURES
        assert batch["shift"] == 0.5
        assert len(batch["labels"]) == len(batch["rows"])
    recorded = sorted(map(tuple, (row for b in batches for row in b["rows"])))
    assert recorded == sorted(map(tuple, fake_server.rows()))
    # the labels are the true iris labels of the (shifted) rows
    from sklearn.datasets import load_iris
    iris = load_iris()
    truth = {tuple(np.round(r + 0.5 * iris.data.std(axis=0), 6)): int(t) for r, t in zip(iris.data, iris.target)}
    for batch in batches:
        for row, label in zip(batch["rows"], batch["labels"]):
            assert truth[tuple(np.round(row, 6))] == label
