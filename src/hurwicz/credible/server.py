"""``hurwicz serve``: the HTTP API of rounds (FastAPI + uvicorn; ``pip install 'hurwicz[server]'``).

Endpoints (the OpenAPI schema is at ``/openapi.json``, interactive docs at ``/docs``):

* ``GET  /`` — the web page for participants and observers (``hurwicz.credible.web``)
* ``GET  /v1/info`` — the operator's public key and the hurwicz version
* ``POST /v1/rounds`` — publish a round's rules (admin token)
* ``GET  /v1/rounds/{id}`` — rules, phase, counts, outcome once closed
* ``POST /v1/rounds/{id}/commits`` and ``/reveals`` — signed submissions → signed receipts
  (201; the very same submission again → 200 with the original receipt)
* ``POST /v1/rounds/{id}/phase`` — close the commit phase of a witnessed round at a head
  cosigned by a quorum of its witnesses (``GET /v1/rounds/{id}`` tries it, too)
* ``POST /v1/rounds/{id}/close`` — compute and append the outcome (admin token)
* ``GET  /v1/rounds/{id}/transcript``, ``/tree-head``, ``/proofs/inclusion``,
  ``/proofs/consistency`` (proofs are read off the stored tree in O(log n))

Every refusal is a 4xx answer ``{"error": {"field": ..., "message": ...}}`` (unknown paths,
unparsable JSON and wrong methods included); admin routes check the token before they read the
body; bodies larger than ``max_body`` bytes are refused with 413, however they are sent; reads
(``GET /v1/...``) are rate-limited per client address (429 with ``Retry-After``).

Example:
    >>> from hurwicz.credible.keys import generate_key
    >>> from hurwicz.credible.store import open_store
    >>> app = create_app(RoundService(open_store(":memory:"), generate_key()), "s3cret")
    >>> sorted(p for p in app.api.openapi()["paths"] if p.startswith("/v1/rounds/{rid}/pr"))
    ['/v1/rounds/{rid}/proofs/consistency', '/v1/rounds/{rid}/proofs/inclusion']
"""

from __future__ import annotations

import hmac
import json
import math
import sys
import time
from collections.abc import Callable, Coroutine
from typing import Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from hurwicz._version import __version__
from hurwicz.core.errors import HurwiczError, InputError

from .service import RoundService
from .state import RoundError
from .web import add_page_routes

DEFAULT_MAX_BODY = 64 * 1024
DEFAULT_READ_RATE = 20.0  # reads per second and client address
DEFAULT_READ_BURST = 100


# --- documented shapes ----------------------------------------------------------------------
class ErrorDetail(BaseModel):
    """Which field was refused (``null`` when no single field is at fault) and why."""

    field: str | None
    message: str


class ErrorBody(BaseModel):
    """Every refusal: ``{"error": {"field": ..., "message": ...}}``."""

    error: ErrorDetail


_WHY = {
    400: "A query parameter is out of range.",
    401: "Admin token missing or wrong (admin routes), or a signature that does not verify.",
    403: "The participant is not eligible in this permissioned round.",
    404: "No such round (or no such endpoint).",
    409: "Refused by the round's rules now: duplicate key or name, deadline passed, closed.",
    413: "The request body is larger than the server's limit.",
    422: "Malformed request: not JSON, a missing or invalid field, a report the mechanism "
         "refuses.",
    425: "Too early: reveals open after the commit deadline; closing waits for the reveals.",
    429: "Too many reads from this client address; retry after Retry-After seconds.",
    503: "The server could not store the entry; nothing was receipted.",
}


def _responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The documented error answers of a route (422 always: any parameter can be malformed)."""
    return {code: {"model": ErrorBody, "description": _WHY[code]}
            for code in sorted({*codes, 422})}


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
    witnesses: Any = None


class CommitBody(BaseModel):
    """A signed commitment H(round ‖ canonical report ‖ salt)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["commit"] = "commit"
    round: str
    participant: str
    name: str
    commitment: str
    signature: str


class RevealBody(BaseModel):
    """A signed reveal of the committed report and salt."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["reveal"] = "reveal"
    round: str
    participant: str
    report: Any
    salt: str
    signature: str


def _fields(model: BaseModel, drop_none: bool = False) -> dict[str, Any]:
    """A model's fields as parsed, without re-serialising them (which could recurse deeply
    before the round's own checks refuse deep nesting)."""
    values = {name: getattr(model, name) for name in type(model).model_fields}
    return {k: v for k, v in values.items() if v is not None} if drop_none else values


# --- errors ---------------------------------------------------------------------------------
class _ErrorResponse(JSONResponse):
    """JSON with every non-ASCII character escaped: an echoed lone surrogate cannot break it."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False,
                          separators=(",", ":")).encode("ascii")


def _error(status: int, field: str | None, message: str,
           headers: dict[str, str] | None = None) -> JSONResponse:
    return _ErrorResponse({"error": {"field": field, "message": message}}, status_code=status,
                          headers=headers)


def _raw_error(status: int, field: str | None, message: str) -> tuple[bytes, list]:
    body = json.dumps({"error": {"field": field, "message": message}},
                      separators=(",", ":")).encode("ascii")
    return body, [(b"content-type", b"application/json"),
                  (b"content-length", str(len(body)).encode())]


async def _send_error(send: Any, status: int, field: str | None, message: str,
                      extra: list | None = None) -> None:
    body, headers = _raw_error(status, field, message)
    await send({"type": "http.response.start", "status": status,
                "headers": headers + (extra or [])})
    await send({"type": "http.response.body", "body": body})


def _validation_message(first: dict[str, Any]) -> tuple[str | None, str]:
    loc = [str(p) for p in first.get("loc", ())]
    if first.get("type") == "json_invalid":
        detail = (first.get("ctx") or {}).get("error", "invalid JSON")
        where = f" at character {loc[1]}" if len(loc) > 1 else ""
        return "body", f"not valid JSON: {detail}{where}"
    where = ".".join(p for p in loc if p not in ("body", "query", "path", "header")) or None
    if first.get("type") == "missing":
        return where, "is required"
    return where, str(first.get("msg", "invalid request"))


# --- ASGI middleware ------------------------------------------------------------------------
class BodyLimit:
    """ASGI middleware refusing request bodies over ``limit`` bytes with 413, whether announced
    by ``Content-Length`` or streamed (chunked): the body is read, up to the limit, before the
    application sees the request."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await self._refuse(receive, send)
                return
        chunks, seen = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.limit:
                await self._refuse(receive, send, more=message.get("more_body", False))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        delivered = False

        async def replay() -> dict:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, receive: Any, send: Any, more: bool = True) -> None:
        # read (and drop) a bounded rest of the body so that the client, still sending, gets
        # to read the answer instead of a reset connection
        drained = 0
        while more and drained < 16 * self.limit:
            message = await receive()
            if message["type"] != "http.request":
                break
            drained += len(message.get("body", b""))
            more = message.get("more_body", False)
        await _send_error(send, 413, "body", f"request body exceeds {self.limit} bytes")


class ReadLimit:
    """ASGI middleware: a token bucket per client address for reads (``GET``/``HEAD`` under
    ``/v1/``): ``rate`` per second, bursts of ``burst``; 0 turns it off. Over the limit the
    answer is 429 with ``Retry-After``."""

    def __init__(self, app: Any, rate: float, burst: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app, self.rate, self.burst, self.clock = app, float(rate), max(1, int(burst)), clock
        self.buckets: dict[str, tuple[float, float]] = {}  # address -> (tokens, when)

    def wait(self, client: str) -> float:
        """Take a token for ``client``; returns 0 if there was one, else the seconds until
        there will be."""
        now = self.clock()
        tokens, then = self.buckets.get(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.rate)
        if tokens >= 1.0:
            self.buckets[client] = (tokens - 1.0, now)
            if len(self.buckets) > 10_000:
                self._forget_idle(now)
            return 0.0
        self.buckets[client] = (tokens, now)
        return (1.0 - tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        full = self.burst / self.rate
        for client, (_, then) in list(self.buckets.items()):
            if now - then >= full:  # refilled by now: the same as a new client
                del self.buckets[client]

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if (scope["type"] == "http" and self.rate > 0 and scope.get("method") in ("GET", "HEAD")
                and scope.get("path", "").startswith("/v1/")):
            client = (scope.get("client") or ("unknown", 0))[0]
            wait = self.wait(str(client))
            if wait > 0:
                await _send_error(send, 429, None, f"too many reads from {client}: at most "
                                  f"{self.rate:g} per second (bursts of {self.burst}); retry "
                                  f"in {wait:.1f} s",
                                  [(b"retry-after", str(math.ceil(wait)).encode())])
                return
        await self.app(scope, receive, send)


# --- the application ------------------------------------------------------------------------
def create_app(service: RoundService, admin_token: str | None = None,
               max_body: int = DEFAULT_MAX_BODY, *, open_admin: bool = False,
               read_rate: float = DEFAULT_READ_RATE, read_burst: int = DEFAULT_READ_BURST
               ) -> Any:
    """The ASGI application serving ``service``.

    Creating and closing rounds needs ``admin_token`` (a non-empty string); without one the
    app is refused unless ``open_admin=True`` says that anyone may create and close rounds.

    Example:
        >>> from hurwicz.credible.keys import generate_key
        >>> from hurwicz.credible.store import open_store
        >>> service = RoundService(open_store(":memory:"), generate_key())
        >>> type(create_app(service, "t", 1024)).__name__
        'ReadLimit'
        >>> create_app(service, "")
        Traceback (most recent call last):
        ...
        hurwicz.core.errors.InputError: admin_token: is empty; ...
    """
    token = (admin_token or "").strip()
    if admin_token is not None and not token:
        raise InputError("admin_token", "is empty; an empty token is no protection: give a "
                         "real token, or run with open admin explicitly")
    if not token and not open_admin:
        raise InputError("admin_token", "is required to create and close rounds (or run "
                         "with open admin explicitly: anyone may then create and close rounds)")
    if token and open_admin:
        raise InputError("admin_token", "give an admin token or open admin, not both")
    if max_body < 1:
        raise InputError("max_body", "must be at least 1 byte")

    api = FastAPI(title="hurwicz rounds", version=__version__,
                  description="Commit-reveal rounds with signed receipts and a Merkle "
                  "transcript. Every refusal is `{\"error\": {\"field\", \"message\"}}`.")
    bearer = HTTPBearer(auto_error=False, description="The operator's admin token.")

    def require_admin(authorization: str | None) -> None:
        if open_admin:
            return
        scheme, _, given = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not given.strip() or not hmac.compare_digest(
                given.strip().encode("utf-8", "surrogateescape"), token.encode("utf-8")):
            raise RoundError("authorization", "this action needs the operator's admin token "
                             "(Authorization: Bearer TOKEN)", 401)

    class AdminRoute(APIRoute):
        """Checks the admin token before anything else: before the body is read or
        validated, so that a stranger learns nothing about what the route accepts."""

        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def checked(request: Request) -> Response:
                require_admin(request.headers.get("authorization"))
                return await handler(request)

            return checked

    @api.exception_handler(RoundError)
    async def round_error(_: Request, err: RoundError) -> JSONResponse:
        return _error(err.status, err.field, err.message)

    @api.exception_handler(HurwiczError)
    async def hurwicz_error(_: Request, err: HurwiczError) -> JSONResponse:
        return _error(422, err.field, err.message)

    @api.exception_handler(RequestValidationError)
    async def invalid(_: Request, err: RequestValidationError) -> JSONResponse:
        errors = err.errors()
        field, message = _validation_message(errors[0] if errors else {})
        return _error(422, field, message)

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, err: StarletteHTTPException) -> JSONResponse:
        headers = dict(err.headers or {})
        if err.status_code == 404:
            return _error(404, "path", f"no such endpoint: {request.method} "
                          f"{request.url.path} (the API is described at /docs)", headers)
        if err.status_code == 405:
            return _error(405, "method", f"{request.method} is not allowed on "
                          f"{request.url.path}", headers)
        if err.status_code == 400:  # FastAPI could not parse the body (too deep, too long)
            return _error(422, "body", "the request body could not be read as JSON data "
                          "(nested too deeply, or a number too long?)", headers)
        return _error(err.status_code, None, str(err.detail), headers)

    @api.exception_handler(Exception)
    async def crashed(_: Request, err: Exception) -> JSONResponse:  # pragma: no cover
        sys.stderr.write(f"hurwicz serve: internal error: {err!r}\n")
        return _error(500, None, "internal server error (the operator's log has the details)")

    reads = _responses(404, 429)
    phase_tried: dict[str, float] = {}  # round -> when the status last tried to close its phase

    @api.get("/v1/info", responses=_responses(429))
    async def info() -> dict[str, Any]:
        """The operator's public key (it signs every receipt and tree head)."""
        return {"operator": service.operator, "version": __version__}

    admin = APIRouter(route_class=AdminRoute, dependencies=[Depends(bearer)])

    @admin.post("/v1/rounds", status_code=201, responses=_responses(401, 409, 413, 422))
    def create_round(spec: RoundSpec) -> dict[str, Any]:
        """Publish a round's rules (admin token); they become entry 0 of its transcript."""
        return service.create_round(_fields(spec, drop_none=True))

    @api.get("/v1/rounds", responses=_responses(429))
    async def list_rounds() -> dict[str, Any]:
        """Ids of every round on this server."""
        return {"rounds": sorted(service.rounds)}

    @api.get("/v1/rounds/{rid}", responses=reads)
    def round_status(rid: str) -> dict[str, Any]:
        """Rules, phase, counts and (once closed) the outcome. In a witnessed round past its
        commit deadline, this first tries to close the commit phase at a cosigned head."""
        status = service.status(rid)
        rules = status["rules"]
        if ("witnesses" in rules and status["commit_phase_closed_at"] is None
                and status["phase"] != "closed" and service.witnesses
                and time.monotonic() - phase_tried.get(rid, -1e9) >= 1.0):
            try:
                service.close_commit_phase(rid)
                status = service.status(rid)
            except RoundError as err:  # too early, or too few witnesses: still "commit"
                if err.status == 503:  # the witnesses failed: ask them at most once a second
                    phase_tried[rid] = time.monotonic()
        return status

    @api.post("/v1/rounds/{rid}/phase", responses=_responses(404, 409, 425, 503))
    def close_commit_phase(rid: str) -> dict[str, Any]:
        """Close the commit phase of a witnessed round at a head cosigned by a quorum of its
        witnesses (after the commit deadline); returns the phase entry."""
        return service.close_commit_phase(rid)

    submissions = {
        200: {"description": "The very same submission was logged before (a retry): the "
                             "original entry and receipt."},
        **_responses(401, 403, 404, 409, 413, 422, 425, 503)}

    @api.post("/v1/rounds/{rid}/commits", status_code=201, responses=submissions)
    def commit(rid: str, body: CommitBody, response: Response) -> dict[str, Any]:
        """Submit a signed commitment; the answer is the logged entry and its signed receipt."""
        answer = service.submit(rid, _fields(body))
        if answer["existing"]:
            response.status_code = 200
        return answer

    @api.post("/v1/rounds/{rid}/reveals", status_code=201, responses=submissions)
    def reveal(rid: str, body: RevealBody, response: Response) -> dict[str, Any]:
        """Reveal the committed report and salt; the answer is the entry and its receipt."""
        answer = service.submit(rid, _fields(body))
        if answer["existing"]:
            response.status_code = 200
        return answer

    @admin.post("/v1/rounds/{rid}/close", responses=_responses(401, 404, 409, 425, 503))
    def close(rid: str) -> dict[str, Any]:
        """Compute the outcome from the revealed reports and append it (admin token)."""
        return service.close(rid)

    @api.get("/v1/rounds/{rid}/transcript", responses=reads)
    def transcript(rid: str) -> dict[str, Any]:
        """Every durable entry with a signed tree head; check it with ``hurwicz verify``."""
        return service.transcript(rid)

    @api.get("/v1/rounds/{rid}/tree-head", responses=_responses(400, 404, 429))
    async def tree_head(rid: str, size: int | None = Query(None, ge=0)) -> dict[str, Any]:
        """A freshly signed tree head (of the first ``size`` entries, if given)."""
        return service.tree_head(rid, size)

    proofs = _responses(400, 404, 422, 429)

    @api.get("/v1/rounds/{rid}/proofs/inclusion", responses=proofs)
    async def inclusion(rid: str, index: int = Query(ge=0),
                        size: int | None = Query(None, ge=0)) -> dict[str, Any]:
        """RFC 6962 inclusion proof of one entry (O(log n), from the stored tree)."""
        return service.inclusion(rid, index, size)

    @api.get("/v1/rounds/{rid}/proofs/consistency", responses=proofs)
    async def consistency(rid: str, old: int = Query(ge=1),
                          new: int | None = Query(None, ge=1)) -> dict[str, Any]:
        """RFC 6962 consistency proof between two tree sizes (O(log n), from the stored
        tree)."""
        return service.consistency(rid, old, new)

    api.include_router(admin)
    add_page_routes(api)  # the browser page: GET / and /static/... (credible/web/)
    app = ReadLimit(BodyLimit(api, max_body), read_rate, read_burst)
    app.api = api  # type: ignore[attr-defined]
    return app


def serve(service: RoundService, host: str, port: int, admin_token: str | None = None,
          max_body: int = DEFAULT_MAX_BODY, *, open_admin: bool = False,
          read_rate: float = DEFAULT_READ_RATE, read_burst: int = DEFAULT_READ_BURST
          ) -> None:  # pragma: no cover - runs until stopped
    """Run the server with uvicorn until interrupted."""
    import uvicorn

    app = create_app(service, admin_token, max_body, open_admin=open_admin, read_rate=read_rate,
                     read_burst=read_burst)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
