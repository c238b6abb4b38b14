"""``hurwicz congestion equilibrium``: user equilibrium, system optimum and marginal-cost
tolls of a TNTP network from the command line.

Example:
    >>> import typer
    >>> app = typer.Typer()
    >>> register(app)
    >>> [g.name for g in app.registered_groups]
    ['congestion']
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from hurwicz.cli_common import JsonFlag, print_json

__all__ = ["congestion_report", "register"]

_SUMMARY = ("objective", "total_travel_time", "total_cost", "toll_revenue", "relative_gap",
            "iterations", "converged", "seconds")


def congestion_report(net_file: Path, trips_file: Path, *, system: bool = False,
                      tolls: bool = False, gap: float = 1e-6, method: str = "auto",
                      max_iter: int = 10_000, toll_factor: float | None = None,
                      distance_factor: float | None = None) -> dict[str, Any]:
    """The document ``hurwicz congestion equilibrium`` prints: the equilibrium asked for,
    and with ``tolls`` the system optimum, the marginal-cost tolls, the user equilibrium
    under them and the price of anarchy.

    Example:
        >>> from hurwicz.congestion import sioux_falls_files
        >>> doc = congestion_report(*sioux_falls_files(), gap=1e-3)
        >>> doc["network"], doc["user"]["converged"], len(doc["user"]["links"])
        ('SiouxFalls', True, 76)
    """
    from .network import Network

    net = Network.from_tntp(net_file, trips_file, toll_factor=toll_factor,
                            distance_factor=distance_factor)
    doc: dict[str, Any] = {"network": net.name, "nodes": len(net.nodes), "links": len(net.tail),
                           "zones": len(net.zones), "trips": float(net.demand.sum()),
                           "gap": gap}
    kw = {"gap": gap, "method": method, "max_iter": max_iter}
    if tolls or not system:
        doc["user"] = net.equilibrium("user", **kw).to_dict()
    if system and not tolls:
        doc["system"] = net.equilibrium("system", **kw).to_dict()
    if tolls:
        system_optimum = net.equilibrium("system", **kw)
        charged = net.marginal_cost_tolls(system=system_optimum)
        doc["system"] = system_optimum.to_dict()
        doc["tolls"] = [{"tail": k[0], "head": k[1], "toll": v} for k, v in charged.items()]
        doc["tolled_user"] = net.with_tolls(charged).equilibrium("user", **kw).to_dict()
        doc["price_of_anarchy"] = doc["user"]["total_cost"] / doc["system"]["total_cost"]
    return doc


def register(app: typer.Typer) -> None:
    """Add the ``congestion`` command group to the ``hurwicz`` app."""
    group = typer.Typer(help="Traffic networks: equilibria, system optimum, tolls.",
                        no_args_is_help=True)
    app.add_typer(group, name="congestion")

    @group.command("equilibrium")
    def equilibrium_command(
        net: Annotated[Path, typer.Argument(help="TNTP network file (..._net.tntp).")],
        trips: Annotated[Path, typer.Argument(help="TNTP trip table (..._trips.tntp).")],
        system: Annotated[bool, typer.Option(
            "--system", help="System optimum (least total cost) instead of user "
                             "equilibrium.")] = False,
        tolls: Annotated[bool, typer.Option(
            "--tolls", help="Also the marginal-cost tolls, the user equilibrium they "
                            "induce, and the price of anarchy.")] = False,
        gap: Annotated[float, typer.Option(help="Target relative gap.")] = 1e-6,
        method: Annotated[str, typer.Option(
            help="auto, bfw (bi-conjugate Frank–Wolfe), cfw, fw or gp (path-based).")
        ] = "auto",
        max_iter: Annotated[int, typer.Option(help="Iteration limit.")] = 10_000,
        toll_factor: Annotated[float | None, typer.Option(
            help="Cost per unit of the network's toll column (default: <TOLL FACTOR> tag, "
                 "else 0).")] = None,
        distance_factor: Annotated[float | None, typer.Option(
            help="Cost per unit of length (default: <DISTANCE FACTOR> tag, else 0).")] = None,
        links: Annotated[bool, typer.Option(
            "--links", help="With a table: also list every link's flow.")] = False,
        json_out: JsonFlag = False,
    ) -> None:
        """Solve a TNTP network: Wardrop user equilibrium (or --system optimum) with BPR link
        costs, to a relative gap; --tolls adds Pigouvian tolls and the price of anarchy."""
        doc = congestion_report(net, trips, system=system, tolls=tolls, gap=gap,
                                method=method, max_iter=max_iter, toll_factor=toll_factor,
                                distance_factor=distance_factor)
        if json_out:
            print_json(doc)
            return
        out = Console()
        out.print(f"{doc['network']}: {doc['nodes']} nodes, {doc['links']} links, "
                  f"{doc['zones']} zones, {doc['trips']:,.1f} trips", highlight=False)
        table = Table("", *[k for k in ("user", "system", "tolled_user") if k in doc])
        for key in _SUMMARY:
            table.add_row(key, *[_fmt(doc[k][key]) for k in ("user", "system", "tolled_user")
                                 if k in doc])
        out.print(table)
        if "price_of_anarchy" in doc:
            out.print(f"price of anarchy: {doc['price_of_anarchy']:.6f}", highlight=False)
        if links:
            first = next(k for k in ("user", "system") if k in doc)
            lt = Table("tail", "head", "flow", "cost", *(["toll"] if "tolls" in doc else []))
            for i, link in enumerate(doc[first]["links"]):
                extra = [_fmt(doc["tolls"][i]["toll"])] if "tolls" in doc else []
                lt.add_row(str(link["tail"]), str(link["head"]), _fmt(link["flow"]),
                           _fmt(link["cost"]), *extra)
            out.print(lt)


def _fmt(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, float):
        return str(value)
    return f"{value:.6g}" if abs(value) < 1e-3 and value else f"{value:,.6f}".rstrip("0") \
        .rstrip(".")
