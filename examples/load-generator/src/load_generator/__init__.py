"""Load generator for the modelops examples: iris traffic, delayed feedback, input shift, offline drift."""
