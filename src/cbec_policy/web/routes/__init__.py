"""Routers: HTML pages (``pages``, ``tools``) and the REST API under ``/api``."""
