"""Model puller for the modelops operator: `python -m model_puller URI DIR` (KServe storage library)."""
