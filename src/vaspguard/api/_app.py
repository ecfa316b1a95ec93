"""The app factory. No import-time side effects: the store is opened by the caller and handed in."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

import vaspguard
from vaspguard.api.routers import audit, lists, policy, registry, requests, screening
from vaspguard.errors import AlreadyExists, InputError, NotFound, Refused, VaspguardError
from vaspguard.store import Store


def create_app(store: Store) -> FastAPI:
    app = FastAPI(
        title="vaspguard",
        version=vaspguard.__version__,
        description="Compliance control plane for cryptocurrency exchanges.",
    )
    app.state.store = store

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "backend": store.backend.value, "version": vaspguard.__version__}

    @app.exception_handler(VaspguardError)
    def _error(_request: Request, exc: VaspguardError) -> JSONResponse:
        code = (
            404
            if isinstance(exc, NotFound)
            else 409
            if isinstance(exc, AlreadyExists)
            else 400
            if isinstance(exc, InputError)
            else 409
        )
        if isinstance(exc, Refused):
            code = 403
        return JSONResponse({"detail": str(exc), "error": type(exc).__name__}, status_code=code)

    modules = (registry, lists, screening, policy, requests, audit)
    for module in modules:
        app.include_router(module.router)

    # Routes served outside FastAPI's machinery for speed (plain Starlette endpoints) still belong in the
    # OpenAPI document: a router module may describe them in ``openapi_paths``.
    extra_paths: dict[str, Any] = {}
    for module in modules:
        extra_paths.update(getattr(module, "openapi_paths", {}))
    build_schema = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build_schema()
            schema.setdefault("paths", {}).update(extra_paths)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
