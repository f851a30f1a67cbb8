"""The service's Cypher statements, one per ``.cypher`` file (no Python code here).

A package only so that :mod:`importlib.resources` finds these files the same way in a
checkout (editable install) and in the installed wheel; see ``graph_service/queries.py``.
"""
