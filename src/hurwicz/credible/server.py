"""``hurwicz serve``: the HTTP API of rounds (FastAPI + uvicorn; ``pip install 'hurwicz[server]'``).

Endpoints (the OpenAPI schema is at ``/openapi.json``, interactive docs at ``/docs``):

* ``GET  /v1/info`` — the operator's public key and the hurwicz version
* ``POST /v1/rounds`` — publish a round's rules (admin token if the server has one)
* ``GET  /v1/rounds/{id}`` — rules, phase, counts, outcome once closed
* ``POST /v1/rounds/{id}/commits`` and ``/reveals`` — signed submissions → signed receipts
* ``POST /v1/rounds/{id}/close`` — compute and append the outcome (admin token)
* ``GET  /v1/rounds/{id}/transcript``, ``/tree-head``, ``/proofs/inclusion``,
  ``/proofs/consistency``

Every refusal is a 4xx answer ``{"error": {"field": ..., "message": ...}}``; bodies larger than
``max_body`` bytes are refused with 413 before they are read in full.

Example:
    >>> from hurwicz.credible.keys import generate_key
    >>> from hurwicz.credible.store import open_store
    >>> app = create_app(RoundService(open_store(":memory:"), generate_key()))
    >>> sorted(r.path for r in app.app.routes if r.path.startswith("/v1/info"))
    ['/v1/info']
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from hurwicz._version import __version__
from hurwicz.core.errors import HurwiczError

from .service import RoundService
from .state import RoundError

DEFAULT_MAX_BODY = 64 * 1024


class RoundSpec(BaseModel):
    """A round to create (see :func:`hurwicz.credible.rules.make_rules`)."""

    model_config = ConfigDict(extra="forbid")
    mechanism: str
    params: dict[str, Any] = {}
    input: dict[str, Any] | None = None
    commit_deadline: str
    reveal_deadline: str
    eligibility: Any = "open"
    unrevealed: Any = "exclude"
    title: str = ""


class CommitBody(BaseModel):
    """A signed commitment H(round ‖ canonical report ‖ salt)."""

    model_config = ConfigDict(extra="forbid")
    kind: str = "commit"
    round: str
    participant: str
    name: str
    commitment: str
    signature: str


class RevealBody(BaseModel):
    """A signed reveal of the committed report and salt."""

    model_config = ConfigDict(extra="forbid")
    kind: str = "reveal"
    round: str
    participant: str
    report: Any
    salt: str
    signature: str


class BodyLimit:
    """ASGI middleware refusing request bodies over ``limit`` bytes (413), whether announced by
    ``Content-Length`` or streamed."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await _too_large(send, self.limit)
                return
        seen = 0

        async def limited() -> dict:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _BodyTooLargeError
            return message

        try:
            await self.app(scope, limited, send)
        except _BodyTooLargeError:
            await _too_large(send, self.limit)


class _BodyTooLargeError(Exception):
    pass


async def _too_large(send: Any, limit: int) -> None:
    body = (b'{"error":{"field":"body","message":"request body exceeds %d bytes"}}' % limit)
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _error(status: int, field: str | None, message: str) -> JSONResponse:
    return JSONResponse({"error": {"field": field, "message": message}}, status_code=status)


def create_app(service: RoundService, admin_token: str | None = None,
               max_body: int = DEFAULT_MAX_BODY) -> Any:
    """The ASGI application serving ``service``.

    Example:
        >>> from hurwicz.credible.keys import generate_key
        >>> from hurwicz.credible.store import open_store
        >>> app = create_app(RoundService(open_store(":memory:"), generate_key()), "t", 1024)
        >>> type(app).__name__
        'BodyLimit'
    """
    api = FastAPI(title="hurwicz rounds", version=__version__,
                  description="Commit-reveal rounds with signed receipts and a Merkle transcript.")

    def require_admin(authorization: str | None) -> None:
        if admin_token is None:
            return
        given = (authorization or "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), admin_token.encode()):
            raise RoundError("authorization", "this action needs the operator's admin token "
                             "(Authorization: Bearer TOKEN)", 401)

    @api.exception_handler(RoundError)
    async def round_error(_: Request, err: RoundError) -> JSONResponse:
        return _error(err.status, err.field, err.message)

    @api.exception_handler(HurwiczError)
    async def hurwicz_error(_: Request, err: HurwiczError) -> JSONResponse:
        return _error(422, err.field, err.message)

    @api.exception_handler(RequestValidationError)
    async def invalid(_: Request, err: RequestValidationError) -> JSONResponse:
        first = err.errors()[0] if err.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or None
        return _error(422, where, str(first.get("msg")))

    @api.get("/v1/info")
    def info() -> dict[str, Any]:
        """The operator's public key (it signs every receipt and tree head)."""
        return {"operator": service.operator, "version": __version__}

    @api.post("/v1/rounds", status_code=201)
    def create_round(spec: RoundSpec, authorization: str | None = Header(None)) -> dict:
        """Publish a round's rules; they become entry 0 of its transcript."""
        require_admin(authorization)
        return service.create_round(spec.model_dump(exclude_none=True))

    @api.get("/v1/rounds")
    def list_rounds() -> dict[str, Any]:
        """Ids of every round on this server."""
        return {"rounds": sorted(service.rounds)}

    @api.get("/v1/rounds/{rid}")
    def round_status(rid: str) -> dict[str, Any]:
        """Rules, phase, counts and (once closed) the outcome."""
        return service.status(rid)

    @api.post("/v1/rounds/{rid}/commits", status_code=201)
    def commit(rid: str, body: CommitBody) -> dict[str, Any]:
        """Submit a signed commitment; the answer is the logged entry and its signed receipt."""
        return service.submit(rid, body.model_dump())

    @api.post("/v1/rounds/{rid}/reveals", status_code=201)
    def reveal(rid: str, body: RevealBody) -> dict[str, Any]:
        """Reveal the committed report and salt; the answer is the entry and its receipt."""
        return service.submit(rid, body.model_dump())

    @api.post("/v1/rounds/{rid}/close")
    def close(rid: str, authorization: str | None = Header(None)) -> dict[str, Any]:
        """Compute the outcome from the revealed reports and append it."""
        require_admin(authorization)
        return service.close(rid)

    @api.get("/v1/rounds/{rid}/transcript")
    def transcript(rid: str) -> dict[str, Any]:
        """Every durable entry with a signed tree head; check it with ``hurwicz verify``."""
        return service.transcript(rid)

    @api.get("/v1/rounds/{rid}/tree-head")
    def tree_head(rid: str) -> dict[str, Any]:
        """A freshly signed tree head."""
        return service.tree_head(rid)

    @api.get("/v1/rounds/{rid}/proofs/inclusion")
    def inclusion(rid: str, index: int, size: int | None = None) -> dict[str, Any]:
        """RFC 6962 inclusion proof of one entry."""
        return service.inclusion(rid, index, size)

    @api.get("/v1/rounds/{rid}/proofs/consistency")
    def consistency(rid: str, old: int, new: int | None = None) -> dict[str, Any]:
        """RFC 6962 consistency proof between two tree sizes."""
        return service.consistency(rid, old, new)

    return BodyLimit(api, max_body)


def serve(service: RoundService, host: str, port: int, admin_token: str | None = None,
          max_body: int = DEFAULT_MAX_BODY) -> None:  # pragma: no cover - runs until stopped
    """Run the server with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(service, admin_token, max_body), host=host, port=port,
                log_level="warning", access_log=False)
