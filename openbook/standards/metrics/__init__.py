"""The plan's measures of published data (issue 7): the NAP5 milestone metrics, data-quality
checks and red flags, each computed from a contracting process's releases as the log holds them.
Pure: the store streams processes in, and so does ``scripts/recompute_metrics.py`` from a bulk
snapshot, so that anyone gets the same figures (docs/methods/)."""
