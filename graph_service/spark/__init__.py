"""Propagation on Apache Spark with exactly the NetworkX engine's answers (issue #18).

``engine.compute`` is the entry point; ``run.run_spark`` the stored run behind
``credit-graph propagate --engine spark``. PySpark is imported lazily inside the functions
that need it, so the service runs without the ``spark`` extra (docs/scale.md).
"""
