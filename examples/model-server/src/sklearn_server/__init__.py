"""KServe-based Open Inference Protocol server for scikit-learn models, with drift-ready metrics."""
