"""ASGI entry point for uvicorn and other servers: ``uvicorn graph_service.asgi:app``."""

from graph_service.app import create_app

app = create_app()
