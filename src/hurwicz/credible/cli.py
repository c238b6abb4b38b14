"""Commands for credible rounds: ``keygen``, ``serve``, ``round ...``, ``bid commit|reveal``
and ``verify``.

Example:
    >>> import typer
    >>> app = typer.Typer()
    >>> register(app)
    >>> sorted(c.name for c in app.registered_commands)
    ['keygen', 'serve', 'verify']
    >>> sorted(g.name for g in app.registered_groups)
    ['bid', 'round']
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from hurwicz.core.errors import InputError

ServerOpt = Annotated[str, typer.Option("--server", envvar="HURWICZ_SERVER",
                                        help="Server URL, e.g. http://127.0.0.1:8000.")]
TokenOpt = Annotated[str | None, typer.Option("--token", envvar="HURWICZ_ADMIN_TOKEN",
                                              help="The operator's admin token.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print exactly one JSON document.")]


def _read_json(path: str, field: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(field, f"no such file: {path}") from None
    except json.JSONDecodeError as err:
        raise InputError(field, f"{path} is not JSON: {err}") from None


def _write_private(path: str, text: str, force: bool = False) -> None:
    p = Path(path)
    if p.exists() and not force:
        raise InputError("--out", f"{path} exists; pass --force to overwrite it")
    fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def _load_key(path: str) -> Any:
    from .keys import load_private

    try:
        return load_private(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("--key", f"no such key file: {path} (make one with hurwicz keygen)") \
            from None


def _public_key(text: str) -> str:
    """A public key given as hex or as a key file (private key → its public key)."""
    from .keys import public_hex

    if Path(text).is_file():
        content = Path(text).read_text(encoding="utf-8").strip()
        if content.startswith("{"):
            return str(json.loads(content)["public"])
        return public_hex(_load_key(text))
    return text.strip().lower()


def _say(json_flag: bool, document: Any, line: str) -> None:
    from hurwicz.cli_common import print_json

    if json_flag:
        print_json(document)
    else:
        sys.stdout.write(line + "\n")


def register(app: typer.Typer) -> None:
    """Add ``keygen``, ``serve``, ``round``, ``bid`` and ``verify``."""
    round_app = typer.Typer(help="Create, inspect, close rounds and fetch transcripts.",
                            no_args_is_help=True)
    bid_app = typer.Typer(help="Commit to a report, then reveal it.", no_args_is_help=True)
    app.add_typer(round_app, name="round")
    app.add_typer(bid_app, name="bid")

    @app.command("keygen")
    def keygen(out: Annotated[str, typer.Option("--out", help="Private key file to write.")],
               force: Annotated[bool, typer.Option("--force")] = False,
               json_flag: JsonOpt = False) -> None:
        """Make an Ed25519 key pair: the private key goes to --out (mode 600)."""
        from .keys import generate_key, private_hex, public_hex

        key = generate_key()
        _write_private(out, private_hex(key) + "\n", force)
        _say(json_flag, {"key": out, "public": public_hex(key)}, public_hex(key))

    @app.command("serve")
    def serve_command(
        db: Annotated[str, typer.Option("--db", help="SQLite file or postgresql:// URL.")] =
            "hurwicz-rounds.db",
        key: Annotated[str | None, typer.Option(
            "--key", help="Operator key file (made on first start if missing).")] = None,
        host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port")] = 8000,
        admin_token: Annotated[str | None, typer.Option(
            "--admin-token", envvar="HURWICZ_ADMIN_TOKEN",
            help="Token required to create and close rounds.")] = None,
        max_body: Annotated[int, typer.Option("--max-body", help="Largest request body in "
                                              "bytes.")] = 65536,
    ) -> None:
        """Serve rounds over HTTP (needs the server extra)."""
        from .keys import generate_key, private_hex, public_hex
        from .server import serve
        from .service import RoundService
        from .store import open_store

        key_path = key or (db + ".key" if "://" not in db else "hurwicz-operator.key")
        if not Path(key_path).exists():
            _write_private(key_path, private_hex(generate_key()) + "\n")
        operator = _load_key(key_path)
        service = RoundService(open_store(db), operator)
        sys.stderr.write(f"hurwicz rounds on http://{host}:{port} (operator "
                         f"{public_hex(operator)}, {len(service.rounds)} rounds loaded)\n")
        sys.stderr.flush()
        serve(service, host, port, admin_token, max_body)

    @round_app.command("create")
    def round_create(
        server: ServerOpt,
        mechanism: Annotated[str, typer.Option("--mechanism", "-m")],
        commit_deadline: Annotated[str, typer.Option(
            "--commit-deadline", help="ISO 8601 time or +30s / +5m / +2h.")],
        reveal_deadline: Annotated[str, typer.Option("--reveal-deadline")],
        param: Annotated[list[str] | None, typer.Option("--param", "-p")] = None,
        input_path: Annotated[str | None, typer.Option(
            "--input", help="Base input without reports (e.g. the candidates).")] = None,
        eligible: Annotated[list[str] | None, typer.Option(
            "--eligible", help="Public key (hex or key file) allowed to take part; "
            "repeat for each. Default: open round.")] = None,
        unrevealed: Annotated[str, typer.Option(
            "--unrevealed", help='"exclude", or a JSON default report.')] = "exclude",
        title: Annotated[str, typer.Option("--title")] = "",
        token: TokenOpt = None,
        json_flag: JsonOpt = False,
    ) -> None:
        """Publish a round's rules; prints the round id."""
        from hurwicz.cli_common import parse_param_pairs

        from .client import RoundClient

        spec: dict[str, Any] = {"mechanism": mechanism, "params": parse_param_pairs(param),
                                "commit_deadline": commit_deadline,
                                "reveal_deadline": reveal_deadline, "title": title}
        if input_path:
            spec["input"] = _read_json(input_path, "--input")
        if eligible:
            spec["eligibility"] = [_public_key(k) for k in eligible]
        if unrevealed != "exclude":
            try:
                spec["unrevealed"] = {"default": json.loads(unrevealed)}
            except json.JSONDecodeError:
                raise InputError("--unrevealed", 'must be "exclude" or JSON') from None
        created = RoundClient(server, token).create_round(spec)
        _say(json_flag, created, created["round"])

    @round_app.command("show")
    def round_show(round_id: Annotated[str, typer.Argument(metavar="ROUND")], server: ServerOpt,
                   json_flag: JsonOpt = False) -> None:
        """Rules, phase, counts and outcome of a round."""
        from .client import RoundClient

        status = RoundClient(server).status(round_id)
        sched = status["rules"]["schedule"]
        _say(json_flag, status,
             f"{round_id}: {status['rules']['mechanism']['name']}, phase {status['phase']}, "
             f"{status['commits']} commits, {status['reveals']} reveals; commit by "
             f"{sched['commit_deadline']}, reveal by {sched['reveal_deadline']}")

    @round_app.command("close")
    def round_close(round_id: Annotated[str, typer.Argument(metavar="ROUND")],
                    server: ServerOpt, token: TokenOpt = None,
                    json_flag: JsonOpt = False) -> None:
        """Compute the outcome from the revealed reports and append it to the transcript."""
        from .client import RoundClient

        closed = RoundClient(server, token).close(round_id)
        out = closed["outcome"]
        _say(json_flag, closed, f"closed {round_id}: allocation {out['allocation']}, payments "
             f"{out['payments']}; unrevealed: {closed['unrevealed'] or 'none'}")

    @round_app.command("transcript")
    def round_transcript(round_id: Annotated[str, typer.Argument(metavar="ROUND")],
                         server: ServerOpt,
                         out: Annotated[str, typer.Option("--out", help="File to write.")]
                         ) -> None:
        """Download the transcript (then check it with hurwicz verify)."""
        from .client import RoundClient

        transcript = RoundClient(server).transcript(round_id)
        Path(out).write_text(json.dumps(transcript, indent=1) + "\n", encoding="utf-8")
        sys.stdout.write(f"{out}: {len(transcript['entries'])} entries, root "
                         f"{transcript['tree_head']['root']}\n")

    @bid_app.command("commit")
    def bid_commit(
        server: ServerOpt,
        round_id: Annotated[str, typer.Option("--round")],
        key: Annotated[str, typer.Option("--key", help="Your private key file.")],
        report: Annotated[str, typer.Option("--report", help="Your report as JSON, e.g. 10.")],
        state: Annotated[str, typer.Option(
            "--state", help="File to keep the salt and receipts in (keep it private).")],
        name: Annotated[str | None, typer.Option(
            "--name", help="Your name in the outcome (default: key prefix).")] = None,
        json_flag: JsonOpt = False,
    ) -> None:
        """Commit to a report; the salt and the receipt are saved in --state."""
        from .client import RoundClient
        from .keys import public_hex
        from .state import signed_commit

        try:
            value = json.loads(report)
        except json.JSONDecodeError:
            raise InputError("--report", f"not JSON: {report!r}") from None
        if Path(state).exists():
            raise InputError("--state", f"{state} exists (one state file per commitment)")
        private = _load_key(key)
        client = RoundClient(server)
        operator = client.status(round_id)["rules"]["operator"]
        body, salt = signed_commit(private, round_id, name or public_hex(private)[:12], value)
        receipt = client.submit(body, operator)
        saved = {"server": server, "round": round_id, "name": body["name"],
                 "participant": body["participant"], "operator": operator, "report": value,
                 "salt": salt, "receipts": [receipt]}
        _write_private(state, json.dumps(saved, indent=1) + "\n")
        _say(json_flag, receipt, f"committed as {body['name']}: entry #{receipt['index']}, "
             f"receipt saved in {state}")

    @bid_app.command("reveal")
    def bid_reveal(
        key: Annotated[str, typer.Option("--key")],
        state: Annotated[str, typer.Option("--state")],
        server: Annotated[str | None, typer.Option("--server", envvar="HURWICZ_SERVER")] = None,
        json_flag: JsonOpt = False,
    ) -> None:
        """Reveal the report and salt kept in --state; the receipt is added to it."""
        from .client import RoundClient
        from .state import signed_reveal

        saved = _read_json(state, "--state")
        body = signed_reveal(_load_key(key), saved["round"], saved["report"], saved["salt"])
        receipt = RoundClient(server or saved["server"]).submit(body, saved["operator"])
        saved["receipts"].append(receipt)
        _write_private(state, json.dumps(saved, indent=1) + "\n", force=True)
        _say(json_flag, receipt, f"revealed: entry #{receipt['index']}, receipt saved in {state}")

    @bid_app.command("check")
    def bid_check(
        state: Annotated[str, typer.Option("--state", help="A bid --state file.")],
        server: Annotated[str | None, typer.Option("--server", envvar="HURWICZ_SERVER")] = None,
        json_flag: JsonOpt = False,
    ) -> None:
        """Check your receipts against the server's live log (consistency and inclusion
        proofs): catches a fork or a dropped entry while the round runs. Exit 1 if not."""
        from .client import RoundClient

        saved = _read_json(state, "--state")
        client = RoundClient(server or saved["server"])
        problems = [f"receipt {k} (entry #{r.get('index')}): {p}"
                    for k, r in enumerate(saved["receipts"])
                    for p in client.check_receipt_online(r, saved["operator"])]
        _say(json_flag, {"ok": not problems, "problems": problems,
                         "receipts": len(saved["receipts"])},
             "\n".join(f"VIOLATION {p}" for p in problems) if problems else
             f"OK: {len(saved['receipts'])} receipts consistent with the live log")
        if problems:
            raise typer.Exit(1)

    @app.command("verify")
    def verify_command(
        transcript: Annotated[str, typer.Argument(metavar="TRANSCRIPT")],
        receipt: Annotated[list[str] | None, typer.Option(
            "--receipt", help="Receipt file (or a bid --state file); repeatable.")] = None,
        json_flag: JsonOpt = False,
    ) -> None:
        """Check a transcript offline: signatures, Merkle tree, receipts (censorship), reveals,
        deadlines, and the outcome recomputed. Exit 1 on any violation."""
        from .verify import load_receipts, verify_transcript

        receipts = [r for path in receipt or [] for r in
                    load_receipts(_read_json(path, "--receipt"))]
        report = verify_transcript(_read_json(transcript, "TRANSCRIPT"), receipts)
        if json_flag:
            _say(True, report.to_dict(), "")
        else:
            for violation in report.violations:
                sys.stdout.write(f"VIOLATION {violation}\n")
            state = ("open (no outcome yet)" if not report.closed else
                     "closed, outcome recomputed" if report.ok else "closed")
            verdict = "OK" if report.ok else f"FAILED ({len(report.violations)} violations)"
            sys.stdout.write(f"{verdict}: {report.entries} entries, root {report.root[:16]}…, "
                             f"{report.receipts} receipts checked, round {state}\n")
        if not report.ok:
            raise typer.Exit(1)
