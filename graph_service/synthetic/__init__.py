"""The synthetic world generator: registry files for demos, tests and benchmarks.

It writes the same file formats the loaders read, and imports nothing from ``loaders``: a world
is data handed to the ingest engine, never a shortcut around it. The entry point is
:func:`graph_service.synthetic.world.generate_world`.
"""
