"""The browser page of rounds, served by ``hurwicz serve`` at ``/`` (files under ``/static/``).

Participants make an Ed25519 key in the browser, read a round's rules with their recomputed
hash, commit (the salt stays in the browser and is offered as a download), reveal and keep
their receipts; observers watch the transcript grow and verify it in the page: canonical JSON
(RFC 8785), every signature and the RFC 6962 Merkle root are recomputed in JavaScript with
WebCrypto (a secure context: ``http://127.0.0.1`` and ``http://localhost`` count as one, any
other host needs HTTPS). Plain JavaScript, no build step, nothing fetched from elsewhere.

Example:
    >>> page_file("index.html").startswith(b"<!doctype html>")
    True
    >>> sorted(STATIC)
    ['app.js', 'style.css']
"""

from __future__ import annotations

from importlib import resources
from typing import Any

#: Files served under ``/static/`` and their media types.
STATIC = {"app.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8"}
#: Headers of every page answer: the page talks only to this server and runs only its own code.
HEADERS = {
    "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "connect-src 'self'; img-src 'self' data:; form-action 'none'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-cache",
}


def page_file(name: str) -> bytes:
    """The bytes of one of the page's files (``index.html`` or a :data:`STATIC` file).

    Example:
        >>> b"crypto.subtle" in page_file("app.js")
        True
    """
    return resources.files(__package__).joinpath(name).read_bytes()


def add_page_routes(api: Any) -> None:
    """Serve the page on a FastAPI app: ``GET /`` and ``GET /static/{name}`` (left out of the
    OpenAPI schema; an unknown file is a 404 in the API's error form).

    Example:
        >>> from fastapi import FastAPI
        >>> api = FastAPI()
        >>> add_page_routes(api)
        >>> sorted(r.path for r in api.routes if r.path in ("/", "/static/{name}"))
        ['/', '/static/{name}']
    """
    from fastapi.responses import Response

    from ..state import RoundError

    @api.get("/", include_in_schema=False)
    async def page() -> Response:
        return Response(page_file("index.html"), media_type="text/html; charset=utf-8",
                        headers=HEADERS)

    @api.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        if name not in STATIC:
            raise RoundError("path", f"no such file: /static/{name}", 404)
        return Response(page_file(name), media_type=STATIC[name], headers=HEADERS)
