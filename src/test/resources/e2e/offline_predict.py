"""What scikit-learn predicts offline for a model file in the object store (the e2e tests' oracle).

Usage: offline_predict.py s3://BUCKET/PREFIX/   (rows as a JSON list of lists on stdin)
Prints {"predict": [class index, ...], "predict_proba": [[p, ...], ...]}. The store's address and
credentials come from the environment (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...: .local/platform/s3.env).
"""

import io
import json
import sys

import boto3
import joblib
import numpy as np


def main() -> None:
    uri = sys.argv[1]
    bucket, _, prefix = uri.removeprefix("s3://").partition("/")
    body = boto3.client("s3").get_object(Bucket=bucket, Key=prefix + "model.joblib")["Body"].read()
    model = joblib.load(io.BytesIO(body))
    rows = np.asarray(json.load(sys.stdin), dtype=np.float64)
    print(json.dumps({"predict": model.predict(rows).tolist(),
                      "predict_proba": model.predict_proba(rows).tolist()}))


if __name__ == "__main__":
    main()
