"""Commands for credible rounds: ``keygen``, ``serve``, ``round ...``, ``bid
commit|reveal|check|lodge``, ``verify``, ``witness`` and ``monitor``.

Example:
    >>> import typer
    >>> app = typer.Typer()
    >>> register(app)
    >>> sorted(c.name for c in app.registered_commands)
    ['keygen', 'monitor', 'serve', 'verify', 'witness']
    >>> sorted(g.name for g in app.registered_groups)
    ['bid', 'round']
"""

from __future__ import annotations

import json
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
    except OSError as err:
        raise InputError(field, f"cannot read {path}: {err.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(field, f"{path} is not JSON: {err}") from None


def _strict_json(text: str, field: str) -> Any:
    """JSON as the standard defines it: ``NaN`` and ``Infinity`` are refused."""

    def refuse(constant: str) -> Any:
        raise InputError(field, f"{constant} is not a JSON number")

    try:
        return json.loads(text, parse_constant=refuse)
    except json.JSONDecodeError:
        raise InputError(field, f"not JSON: {text!r}") from None


def _load_key(path: str) -> Any:
    from .keys import load_private

    try:
        return load_private(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("--key", f"no such key file: {path} (make one with hurwicz keygen)") \
            from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError("--key", f"cannot read {path}: {getattr(err, 'strerror', err)}") \
            from None


def _public_key(text: str) -> str:
    """A public key given as hex or as a key file (private key → its public key)."""
    from .keys import public_hex

    if Path(text).is_file():
        content = Path(text).read_text(encoding="utf-8").strip()
        if content.startswith("{"):
            try:
                return str(json.loads(content)["public"])
            except (ValueError, KeyError, TypeError):
                raise InputError("--eligible", f"{text} is neither a key file nor a JSON "
                                 'document with "public"') from None
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
        """Make an Ed25519 key pair: the private key goes to --out (mode 600, also over an
        existing file with --force; never through a symbolic link)."""
        from .client import write_private
        from .keys import generate_key, private_hex, public_hex

        key = generate_key()
        write_private(out, private_hex(key) + "\n", overwrite=force, field="--out",
                      exists_hint="; pass --force to overwrite it")
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
            help="Token required to create and close rounds (required unless --open-admin).")
        ] = None,
        open_admin: Annotated[bool, typer.Option(
            "--open-admin", help="Let anyone who reaches the server create and close rounds "
            "(no admin token; prints a warning).")] = False,
        max_body: Annotated[int, typer.Option("--max-body", help="Largest request body in "
                                              "bytes.")] = 65536,
        read_rate: Annotated[float, typer.Option(
            "--read-rate", help="Reads (GET) per second allowed to each client address; "
            "0: no limit.")] = 20.0,
        read_burst: Annotated[int, typer.Option(
            "--read-burst", help="Reads a client address may make at once.")] = 100,
        witness: Annotated[list[str] | None, typer.Option(
            "--witness", help="URL of a witness (hurwicz witness) to ask for cosignatures; "
            "repeatable.")] = None,
    ) -> None:
        """Serve rounds over HTTP (needs the server extra)."""
        from .client import write_private
        from .keys import generate_key, private_hex, public_hex
        from .server import create_app, serve
        from .service import RoundService
        from .store import open_store

        if admin_token is not None and not admin_token.strip():
            raise InputError("--admin-token", "is empty, which would let anyone create and "
                             "close rounds; give a real token (or --open-admin)")
        if admin_token is None and not open_admin:
            raise InputError("--admin-token", "refusing to start without an admin token: give "
                             "--admin-token TOKEN (or HURWICZ_ADMIN_TOKEN), or --open-admin to "
                             "let anyone create and close rounds")
        if admin_token is not None and open_admin:
            raise InputError("--open-admin", "cannot be combined with an admin token (is "
                             "HURWICZ_ADMIN_TOKEN set?)")
        if max_body < 1 or read_rate < 0 or read_burst < 1:
            raise InputError("--max-body", "--max-body and --read-burst must be at least 1, "
                             "--read-rate at least 0")
        key_path = key or (db + ".key" if "://" not in db else "hurwicz-operator.key")
        if not Path(key_path).exists():
            write_private(key_path, private_hex(generate_key()) + "\n", field="--key")
        operator = _load_key(key_path)
        from .witness import WitnessClient

        service = RoundService(open_store(db), operator,
                               witnesses=[WitnessClient(url) for url in witness or []])
        create_app(service, admin_token, max_body, open_admin=open_admin)  # fail before binding
        if open_admin:
            sys.stderr.write("WARNING: --open-admin: anyone who can reach this server can "
                             "create and close rounds\n")
        sys.stderr.write(f"hurwicz rounds on http://{host}:{port} (operator "
                         f"{public_hex(operator)}, {len(service.rounds)} rounds loaded)\n")
        sys.stderr.flush()
        serve(service, host, port, admin_token, max_body, open_admin=open_admin,
              read_rate=read_rate, read_burst=read_burst)

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
        witness_key: Annotated[list[str] | None, typer.Option(
            "--witness-key", help="Public key (hex or key file) of a witness named in the "
            "rules; repeat for each. The commit phase then closes at a cosigned head.")] = None,
        quorum: Annotated[int | None, typer.Option(
            "--quorum", help="How many of the witnesses must cosign (default: all).")] = None,
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
            spec["unrevealed"] = {"default": _strict_json(unrevealed, "--unrevealed")}
        if witness_key:
            keys = [_public_key(k) for k in witness_key]
            spec["witnesses"] = {"keys": keys, "quorum": quorum or len(keys)}
        elif quorum is not None:
            raise InputError("--quorum", "needs --witness-key")
        created = RoundClient(server, token).create_round(spec)
        _say(json_flag, created, created["round"])

    @round_app.command("show")
    def round_show(round_id: Annotated[str, typer.Argument(metavar="ROUND")], server: ServerOpt,
                   json_flag: JsonOpt = False) -> None:
        """Rules, phase, counts and outcome of a round (the rules are checked to hash to the
        round id)."""
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
        """Commit to a report. The report is checked against the round's mechanism and the
        salt and signed commit are saved in --state before anything is sent; if the answer is
        lost, run the same command again (the server returns the original receipt)."""
        from .client import RoundClient, commit_bid

        value = _strict_json(report, "--report")
        saved = commit_bid(RoundClient(server), _load_key(key), round_id, value, state, name)
        receipt = saved["receipts"][0]
        _say(json_flag, receipt, f"committed as {saved['name']}: entry #{receipt['index']}, "
             f"receipt saved in {state}")

    @bid_app.command("reveal")
    def bid_reveal(
        key: Annotated[str, typer.Option("--key")],
        state: Annotated[str, typer.Option("--state")],
        server: Annotated[str | None, typer.Option("--server", envvar="HURWICZ_SERVER")] = None,
        wait: Annotated[bool, typer.Option(
            "--wait", help="Wait for the commit deadline instead of refusing before it.")]
            = False,
        json_flag: JsonOpt = False,
    ) -> None:
        """Reveal the report and salt kept in --state; the receipt is added to it. Nothing is
        sent before the commit deadline (by your clock and the server's)."""
        from .client import RoundClient, read_state, reveal_bid

        saved = read_state(state)
        saved = reveal_bid(RoundClient(server or saved["server"]), _load_key(key), state,
                           wait=wait)
        receipt = saved["receipts"][-1]
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
        head: Annotated[list[str] | None, typer.Option(
            "--head", help="Signed tree heads seen elsewhere (a head, a monitor file, a "
            "witness's equivocation proof, a receipt); repeatable.")] = None,
        ack: Annotated[list[str] | None, typer.Option(
            "--ack", help="A witness's acknowledgement of a submission the operator refused "
            "(or a bid --state file holding some); repeatable.")] = None,
        json_flag: JsonOpt = False,
    ) -> None:
        """Check a transcript offline: signatures, Merkle tree, receipts (censorship), reveals,
        deadlines, the witnessed close of the commit phase (last look), tree heads seen
        elsewhere (equivocation), acknowledgements (censored), and the outcome recomputed.
        Exit 1 on any violation."""
        from .canonical import loads
        from .verify import load_acks, load_heads, load_receipts, verify_transcript

        def read(path: str, field: str) -> Any:  # numbers as doubles, as every verifier reads
            try:
                return loads(Path(path).read_bytes(), field)
            except FileNotFoundError:
                raise InputError(field, f"no such file: {path}") from None
            except OSError as err:
                raise InputError(field, f"cannot read {path}: {err.strerror}") from None

        receipts = [r for path in receipt or [] for r in load_receipts(read(path, "--receipt"))]
        heads = [h for path in head or [] for h in load_heads(read(path, "--head"))]
        # a bare signed tree head given as a receipt is compared as a head (equivocation),
        # not refused for lacking an index
        heads += [r for r in receipts if isinstance(r, dict) and "index" not in r
                  and {"size", "root", "signature"} <= set(r)]
        receipts = [r for r in receipts if not any(r is h for h in heads)]
        acks = [a for path in ack or [] for a in load_acks(read(path, "--ack"))]
        report = verify_transcript(read(transcript, "TRANSCRIPT"), receipts, heads=heads,
                                   acks=acks)
        if json_flag:
            _say(True, report.to_dict(), "")
        else:
            for line in report.lines():
                sys.stdout.write(line + "\n")
            state = ("open (no outcome yet)" if not report.closed else
                     "closed, outcome recomputed" if report.ok else "closed")
            caused = sum(len(v.consequences) for v in report.violations)
            roots = len(report.violations)
            verdict = "OK" if report.ok else (
                f"FAILED ({roots} violation{'s' * (roots != 1)}"
                + (f", {caused} consequence{'s' * (caused != 1)} of "
                   f"{'them' if roots != 1 else 'it'}" if caused else "") + ")")
            sys.stdout.write(f"{verdict}: {report.entries} entries, root {report.root[:16]}…, "
                             f"{report.receipts} receipts checked, round {state}\n")
        if not report.ok:
            raise typer.Exit(1)

    @app.command("witness")
    def witness_command(
        db: Annotated[str, typer.Option("--db", help="The witness's SQLite file.")] =
            "hurwicz-witness.db",
        key: Annotated[str | None, typer.Option(
            "--key", help="Witness key file (made on first start if missing).")] = None,
        host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port")] = 8100,
    ) -> None:
        """Run a witness: cosigns tree heads that extend the last one it cosigned (consistency
        proofs), publishes equivocation proofs, acknowledges refused submissions."""
        from .client import write_private
        from .keys import generate_key, private_hex
        from .witness import WitnessService, serve_witness

        key_path = key or db + ".key"
        if not Path(key_path).exists():
            write_private(key_path, private_hex(generate_key()) + "\n", field="--key")
        witness = WitnessService(db, _load_key(key_path))
        sys.stderr.write(f"hurwicz witness on http://{host}:{port} (key {witness.public})\n")
        sys.stderr.flush()
        serve_witness(witness, host, port)

    @app.command("monitor")
    def monitor_command(
        server: Annotated[str, typer.Argument(metavar="SERVER")],
        round_id: Annotated[str, typer.Option("--round")],
        witness: Annotated[list[str] | None, typer.Option(
            "--witness", help="Witness URL to poll; repeatable.")] = None,
        heads: Annotated[str | None, typer.Option(
            "--heads", help="File keeping every head seen (default: ROUND.heads.json).")]
            = None,
        head: Annotated[list[str] | None, typer.Option(
            "--head", help="Also compare these signed heads (files); repeatable.")] = None,
        polls: Annotated[int, typer.Option("--polls", help="How many polls (0: forever).")]
            = 1,
        interval: Annotated[float, typer.Option("--interval", help="Seconds between polls.")]
            = 10.0,
        json_flag: JsonOpt = False,
    ) -> None:
        """Poll a server and its witnesses, keep every tree head seen, and report equivocation
        (two heads of one size with different roots) or a fork (heads not linked by a
        consistency proof). Exit 1 if any."""
        import time as _time

        from .canonical import loads
        from .monitor import poll
        from .verify import load_heads

        extra = [h for path in head or [] for h in load_heads(loads(Path(path).read_bytes(),
                                                                      "--head"))]
        path = heads or f"{round_id}.heads.json"
        done = 0
        while True:
            kept, problems, notes = poll(server, witness or [], round_id, path, extra)
            done += 1
            if problems or (polls and done >= polls):
                break
            _time.sleep(interval)
        for note in notes:
            sys.stderr.write(f"note: {note}\n")
        _say(json_flag, {"ok": not problems, "heads": len(kept), "problems": problems},
             "\n".join(f"VIOLATION {p}" for p in problems) if problems else
             f"OK: {len(kept)} signed heads seen, consistent (kept in {path})")
        if problems:
            raise typer.Exit(1)

    @bid_app.command("lodge")
    def bid_lodge(
        state: Annotated[str, typer.Option("--state")],
        witness: Annotated[str, typer.Option("--witness", help="Witness URL.")],
        key: Annotated[str | None, typer.Option(
            "--key", help="Your key (to sign the reveal; not needed for the commit).")] = None,
        server: Annotated[str | None, typer.Option("--server", envvar="HURWICZ_SERVER")] = None,
        json_flag: JsonOpt = False,
    ) -> None:
        """The operator refuses your commit or reveal? Lodge it with a witness named in the
        rules: its acknowledgement is added to --state (give the file to hurwicz verify
        --ack, which then reports the submission as censored if it is not in the log)."""
        from .client import RoundClient, lodge_submission

        saved = _read_json(state, "--state")
        ack = lodge_submission(RoundClient(server or saved["server"]), witness, state,
                               _load_key(key) if key else None)
        _say(json_flag, ack, f"acknowledged by witness {ack['ack']['witness'][:16]}… at "
             f"{ack['ack']['time']}; saved in {state}")
