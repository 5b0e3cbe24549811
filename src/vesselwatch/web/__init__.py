"""The analyst's dashboard: a FastAPI app over the engine, and the front end it serves.

``app.create_app`` builds the app (the JSON and Arrow API in the ``api_*`` modules, the
static front end in ``static/``); ``server.serve`` checks the access rules and runs it with
uvicorn. ``docs/dashboard.md`` is the contract between this API and the front end.
Nothing here is imported by the CLI until ``vesselwatch serve`` runs, so FastAPI loads only
when it is needed.
"""
