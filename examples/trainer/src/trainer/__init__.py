"""Reference trainer for the modelops operator: trains iris, uploads the model, reports it."""
