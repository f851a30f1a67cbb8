"""``python -m graph_service.cli``: the same as the ``credit-graph`` console script."""

from graph_service.cli.main import main

main()
