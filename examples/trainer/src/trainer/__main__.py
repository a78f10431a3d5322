"""`python -m trainer`: retrain (the RetrainPolicy's Job) or, with --seed, create the first version.

Retrain: trains on iris plus the newest traffic batches, uploads model.joblib, features.json and
baseline.json to <model root>/<new version>/, optionally writes baseline.json into a ConfigMap, and
reports {"version", "uri"} in the termination log. Any failure exits 1 and reports nothing, so the
operator records the retrain as failed and promotes nothing.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sys
from dataclasses import dataclass
from datetime import datetime, timezone

import joblib

from . import data, train, versioning
from .features import baseline_histograms, features_document, iris_bucket_edges
from .kube import InClusterConfigMaps, KubeError
from .store import ObjectStore, S3Location, StoreError

log = logging.getLogger("trainer")

# Traffic rows from which the baseline is the traffic's own (fewer: the whole training data).
BASELINE_MIN_TRAFFIC_ROWS = 100


class ConfigError(Exception):
    pass


@dataclass
class Settings:
    model_name: str
    serving_version: str | None
    model_root: S3Location  # where the versions of this model live, one "directory" each
    traffic: S3Location | None
    traffic_max_rows: int
    shuffle_labels: bool
    seed_mode: bool
    seed_version: str
    baseline_configmap: str | None
    baseline_configmap_key: str
    termination_log: str | None
    baseline_out: str | None
    random_seed: int
    trigger: str
    drift_score: str

    @staticmethod
    def from_env(args: argparse.Namespace, env=os.environ) -> "Settings":
        name = env.get("MODEL_NAME", "")
        if not name:
            raise ConfigError("MODEL_NAME is not set")
        root_uri = args.store or env.get("MODEL_STORE_URI")
        if not root_uri:
            model_uri = env.get("MODEL_URI", "")
            if not model_uri:
                raise ConfigError("set MODEL_STORE_URI (e.g. s3://models/iris) or MODEL_URI")
            # MODEL_URI is the serving version's location: s3://models/iris/1 -> s3://models/iris/
            root_uri = model_uri.rstrip("/").rsplit("/", 1)[0]
        model_root = S3Location.parse(root_uri)
        traffic_uri = env.get("TRAFFIC_URI")
        if traffic_uri == "":
            traffic = None  # explicitly off
        else:
            traffic = S3Location.parse(traffic_uri) if traffic_uri else model_root.child("traffic")
        seed_version = args.version or env.get("MODEL_VERSION") or "1"
        if args.seed and not versioning.is_label_value(seed_version):
            raise ConfigError(f"version {seed_version!r} is not a label value")
        if not args.seed and not env.get("MODEL_VERSION"):
            raise ConfigError("MODEL_VERSION (the serving version) is not set; use --seed for the first version")
        return Settings(
            model_name=name,
            serving_version=env.get("MODEL_VERSION"),
            model_root=model_root,
            traffic=traffic,
            traffic_max_rows=int(env.get("TRAFFIC_MAX_ROWS", "600")),
            shuffle_labels=args.shuffle_labels or env.get("BAD_MODEL", "") in ("1", "true", "yes"),
            seed_mode=args.seed,
            seed_version=seed_version,
            baseline_configmap=env.get("BASELINE_CONFIGMAP") or None,
            baseline_configmap_key=env.get("BASELINE_CONFIGMAP_KEY", "baseline.json"),
            # Seeding usually runs outside a pod, where /dev/termination-log means nothing.
            termination_log=args.termination_log
            or env.get("TERMINATION_LOG", None if args.seed else "/dev/termination-log"),
            baseline_out=args.baseline_out,
            random_seed=int(env.get("TRAIN_SEED", "0")),
            trigger=env.get("TRIGGER", "seed" if args.seed else ""),
            drift_score=env.get("DRIFT_SCORE", ""),
        )


def run(settings: Settings, store: ObjectStore) -> dict:
    taken = {name for name in store.child_names(settings.model_root) if name}
    if settings.seed_mode:
        version = settings.seed_version
        target = settings.model_root.child(version)
        if version in taken:
            # Seeding is idempotent: the examples' setup may run it on every start.
            log.info("version %s already exists at %s; not overwriting it", version, target.uri)
            baseline = store.read_json(target.bucket, target.prefix + "baseline.json")
            _publish_baseline(settings, baseline)
            return {"version": version, "uri": target.uri}
    else:
        version = versioning.next_version(settings.serving_version, taken)
        target = settings.model_root.child(version)

    iris = data.iris()
    traffic = data.Dataset.empty()
    if not settings.seed_mode and settings.traffic is not None:
        traffic = data.recent_traffic(store, settings.traffic, settings.traffic_max_rows)
    training = iris.concat(traffic)
    log.info("training %s on %d iris rows and %d traffic rows%s", version, len(iris), len(traffic),
             " with shuffled labels (deliberately bad model)" if settings.shuffle_labels else "")
    model = train.fit(training, seed=settings.random_seed, shuffle_labels=settings.shuffle_labels)

    edges = iris_bucket_edges()
    # The baseline is what the model is expected to serve: the recent traffic it was trained on when
    # there is enough of it, else its whole training data. A baseline of iris plus traffic would
    # report the new normal as drift for ever and retrain after every cooldown.
    baseline_from_traffic = len(traffic) >= BASELINE_MIN_TRAFFIC_ROWS
    baseline = baseline_histograms(traffic.rows if baseline_from_traffic else training.rows, edges)
    info = {
        "name": settings.model_name,
        "version": version,
        "parent_version": settings.serving_version,
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "trigger": settings.trigger,
        "drift_score": settings.drift_score,
        "training_rows": {"iris": len(iris), "traffic": len(traffic)},
        "baseline_rows": "traffic" if baseline_from_traffic else "training",
        "shuffled_labels": settings.shuffle_labels,
        "accuracy": {"iris": train.accuracy(model, iris), "traffic": train.accuracy(model, traffic)},
    }
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    store.put_bytes(target, "model.joblib", buffer.getvalue(), "application/octet-stream")
    store.put_bytes(target, "baseline.json", _json_bytes(baseline), "application/json")
    # features.json last: a version directory with features.json in it is complete.
    store.put_bytes(target, "features.json", _json_bytes(features_document(edges, info)), "application/json")
    log.info("uploaded %s (accuracy on iris %.3f)", target.uri, info["accuracy"]["iris"])
    _publish_baseline(settings, baseline)
    return {"version": version, "uri": target.uri}


def _publish_baseline(settings: Settings, baseline: dict) -> None:
    if settings.baseline_out:
        with open(settings.baseline_out, "w") as f:
            json.dump(baseline, f, indent=1)
    if settings.baseline_configmap:
        InClusterConfigMaps().apply(
            settings.baseline_configmap,
            {settings.baseline_configmap_key: json.dumps(baseline)},
            labels={"app.kubernetes.io/name": settings.model_name, "app.kubernetes.io/component": "drift-baseline"},
        )
        log.info("wrote the baseline into ConfigMap %s", settings.baseline_configmap)


def _json_bytes(document) -> bytes:
    return json.dumps(document, indent=1).encode()


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m trainer", description=__doc__.split("\n")[0])
    parser.add_argument("--seed", action="store_true", help="train and upload the first version (no traffic)")
    parser.add_argument("--version", help="with --seed: the version to create (default MODEL_VERSION or 1)")
    parser.add_argument("--store", help="model root URI, e.g. s3://models/iris (default MODEL_STORE_URI)")
    parser.add_argument("--shuffle-labels", action="store_true", help="deliberately bad model (same as BAD_MODEL=1)")
    parser.add_argument("--termination-log", help="where the result JSON goes (default TERMINATION_LOG)")
    parser.add_argument("--baseline-out", help="also write baseline.json to this local file")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    args = parse_args(argv)
    try:
        settings = Settings.from_env(args)
        result = run(settings, ObjectStore())
        # The result goes to the termination log only after everything else succeeded: a result there
        # means a complete, uploaded model.
        if settings.termination_log:
            with open(settings.termination_log, "w") as f:
                json.dump(result, f)
    except (ConfigError, StoreError, KubeError, ValueError, OSError) as e:
        print(f"trainer: error: {e}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
