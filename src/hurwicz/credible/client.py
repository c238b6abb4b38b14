"""A small HTTP client for rounds (used by ``hurwicz round`` and ``hurwicz bid``), which checks
every receipt it gets: signed by the round's operator, for exactly the entry it submitted.

Example:
    >>> RoundClient("http://127.0.0.1:1").server
    'http://127.0.0.1:1'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hurwicz.core.errors import HurwiczError

from .receipts import entry_leaf, receipt_problems
from .state import signed_payload


class ServerError(HurwiczError):
    """The server refused a request or could not be reached.

    Example:
        >>> str(ServerError("late commit", "received", 409))
        'received: late commit (HTTP 409)'
    """

    def __init__(self, message: str, field: str | None = None, status: int = 0) -> None:
        super().__init__(f"{message} (HTTP {status})" if status else message, field)
        self.status = status


def check_receipt(answer: Mapping[str, Any], sent: Mapping[str, Any], operator: str) -> None:
    """Raise unless ``answer`` holds the entry we ``sent`` and a receipt for it signed by
    ``operator``.

    Example:
        >>> check_receipt({"entry": {"a": 2}, "receipt": {}}, {"a": 1}, "00" * 32)
        Traceback (most recent call last):
        ...
        hurwicz.credible.client.ServerError: receipt: the server logged a different entry ...
    """
    entry, receipt = answer.get("entry") or {}, answer.get("receipt") or {}
    if signed_payload(entry) != {**signed_payload(sent)}:
        raise ServerError("the server logged a different entry than the one sent", "receipt")
    problems = receipt_problems(receipt, operator)
    if problems:
        raise ServerError(problems[0], "receipt")
    if receipt["entry_hash"] != entry_leaf(entry).hex():
        raise ServerError("the receipt is for another entry", "receipt")


class RoundClient:
    """Calls a ``hurwicz serve`` server."""

    def __init__(self, server: str, token: str | None = None, timeout: float = 30.0) -> None:
        self.server = server.rstrip("/")
        self.token = token
        self.timeout = timeout
        self._http: Any = None

    def _client(self) -> Any:
        if self._http is None:
            try:
                import httpx
            except ImportError:
                raise HurwiczError("the client needs httpx: pip install 'hurwicz[server]'",
                                   "server") from None
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            self._http = httpx.Client(base_url=self.server, timeout=self.timeout,
                                      headers=headers)
        return self._http

    def call(self, method: str, path: str, body: Any = None,
             params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """One request; a 4xx/5xx answer becomes a :class:`ServerError` with its message."""
        import httpx

        try:
            response = self._client().request(method, path, json=body, params=params)
        except httpx.HTTPError as err:
            raise ServerError(f"cannot reach {self.server}: {err}", "server") from None
        if response.status_code >= 400:
            try:
                error = response.json()["error"]
                raise ServerError(error["message"], error.get("field"), response.status_code)
            except (ValueError, KeyError, TypeError):
                raise ServerError(response.text[:200], None, response.status_code) from None
        return response.json()

    def info(self) -> dict[str, Any]:
        """Operator key and server version."""
        return self.call("GET", "/v1/info")

    def create_round(self, spec: Mapping[str, Any]) -> dict[str, Any]:
        """Publish a round; returns its id, rules and the receipt of entry 0."""
        return self.call("POST", "/v1/rounds", dict(spec))

    def status(self, rid: str) -> dict[str, Any]:
        """Rules, phase and counts."""
        return self.call("GET", f"/v1/rounds/{rid}")

    def submit(self, body: Mapping[str, Any], operator: str) -> dict[str, Any]:
        """Send a signed commit or reveal and return the checked receipt."""
        path = "commits" if body["kind"] == "commit" else "reveals"
        answer = self.call("POST", f"/v1/rounds/{body['round']}/{path}", dict(body))
        check_receipt(answer, body, operator)
        return answer["receipt"]

    def close(self, rid: str) -> dict[str, Any]:
        """Close the round (operator); returns the outcome and the receipt."""
        return self.call("POST", f"/v1/rounds/{rid}/close")

    def transcript(self, rid: str) -> dict[str, Any]:
        """The transcript."""
        return self.call("GET", f"/v1/rounds/{rid}/transcript")

    def check_receipt_online(self, receipt: Mapping[str, Any], operator: str) -> list[str]:
        """Problems with a receipt against the server's current log (empty if none): the
        receipt's tree head must be a prefix of the current signed head (RFC 6962 consistency
        proof) and its entry must be included in it (inclusion proof). Run it during a round to
        catch a fork or a dropped entry early."""
        from .merkle import verify_consistency, verify_inclusion
        from .receipts import head_problems

        problems = receipt_problems(receipt, operator)
        if problems:
            return problems
        rid, head = receipt["round"], receipt["tree_head"]
        current = self.call("GET", f"/v1/rounds/{rid}/tree-head")
        problems = head_problems(current, operator)
        if problems:
            return [f"current {problem}" for problem in problems]
        if current["size"] < head["size"]:
            return [f"censorship: the log shrank from {head['size']} to {current['size']} "
                    "entries"]
        proof = self.call("GET", f"/v1/rounds/{rid}/proofs/consistency",
                          params={"old": head["size"], "new": current["size"]})
        if not verify_consistency(head["size"], current["size"], bytes.fromhex(head["root"]),
                                  bytes.fromhex(current["root"]),
                                  [bytes.fromhex(p) for p in proof["proof"]]):
            return [f"fork: the tree head of size {head['size']} in the receipt is not a prefix "
                    f"of the current log of {current['size']} entries"]
        inclusion = self.call("GET", f"/v1/rounds/{rid}/proofs/inclusion",
                              params={"index": receipt["index"], "size": current["size"]})
        if not verify_inclusion(bytes.fromhex(receipt["entry_hash"]), receipt["index"],
                                current["size"], [bytes.fromhex(p) for p in inclusion["proof"]],
                                bytes.fromhex(current["root"])):
            return [f"censorship: entry #{receipt['index']} is not in the current log"]
        return []
