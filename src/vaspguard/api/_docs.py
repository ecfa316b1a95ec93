"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) served from assets vendored in the package.

FastAPI's defaults load their scripts from a public CDN, so the pages are blank offline or behind an egress
firewall. Here the scripts, stylesheet and favicon come from ``api/static/`` (see ``static/VENDORED.md`` for
their origin, version, licence and SHA-256), mounted at ``/_static``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"
PREFIX = "/_static"


def install(app: FastAPI) -> None:
    """Mount the assets and add the two pages (the app is created with ``docs_url=redoc_url=None``)."""
    app.mount(PREFIX, StaticFiles(directory=STATIC), name="static")
    title = f"{app.title} {app.version}"
    favicon = f"{PREFIX}/swagger-ui/favicon-32x32.png"

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{title} - Swagger UI",
            swagger_js_url=f"{PREFIX}/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url=f"{PREFIX}/swagger-ui/swagger-ui.css",
            swagger_favicon_url=favicon,
            # no validity badge: Swagger UI would send the schema to validator.swagger.io
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{title} - ReDoc",
            redoc_js_url=f"{PREFIX}/redoc/redoc.standalone.js",
            redoc_favicon_url=favicon,
            with_google_fonts=False,
        )
