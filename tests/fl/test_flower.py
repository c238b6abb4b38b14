"""The Flower adapter (hurwicz.fl.flower): the ledger against hand-computed Shapley values and
the simulation's vectorised game, and the strategies inside real Flower runs — the legacy
``start_server`` gRPC server on 127.0.0.1 with ``NumPyClient``s in threads, and the Message
API strategy driven by its own ``start`` loop over an in-process grid of ``ClientApp``s —
where a free rider (sending the global model back) must end with the lowest contribution and
no payment, and every round must pay exactly its budget."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import sys
import threading
import time
from dataclasses import replace

import numpy as np
import pytest

pytest.importorskip("sklearn")

from hurwicz.core.errors import InputError
from hurwicz.fl import flower
from hurwicz.fl.flower import ContributionLedger, SoftmaxValidation
from hurwicz.fl.model import sgd
from hurwicz.fl.simulate import FLConfig, split_data

ROUNDS = 3
BUDGET = 10.0
NAMES = ["honest1", "honest2", "honest3", "free_rider1"]


def _flwr():
    os.environ.setdefault("FLWR_TELEMETRY_ENABLED", "0")  # read when flwr is first imported
    return pytest.importorskip(
        "flwr", reason="the Flower adapter's runs need Flower: pip install 'hurwicz[flower]'")


@pytest.fixture(scope="module")
def data():
    split = split_data(FLConfig(seed=0), len(NAMES))  # digits, Dirichlet(1) non-IID shares
    return split, dict(zip(NAMES, split.owners))


def _fit(name, W, X, y, server_round):
    """Honest clients: one epoch of SGD (seeded by client and round); the free rider sends
    the global model back."""
    if name.startswith("free_rider"):
        return W.copy()
    rng = np.random.default_rng([NAMES.index(name), server_round])
    return sgd(W, X, y, 1, 0.5, 32, rng)


# --- the ledger (no Flower needed) ------------------------------------------------------------
def test_ledger_hand_computed_round():
    # U(p) = -(p - 1)^2 from θ = 0, equal weights, full reconstruction:
    # v(a) = U(1/2) - U(0) = 3/4, v(b) = U(-1/2) - U(0) = -5/4, v(ab) = U(0) - U(0) = 0,
    # φa = (3/4 + (0 + 5/4)) / 2 = 1, φb = (-5/4 + (0 - 3/4)) / 2 = -1
    ledger = ContributionLedger(lambda p: -float((p[0][0] - 1.0) ** 2), budget_per_round=5.0)
    rec = ledger.record(1, [np.zeros(1)], {"a": ([np.ones(1)], 2), "b": ([-np.ones(1)], 2)})
    assert rec.contributions == pytest.approx({"a": 1.0, "b": -1.0})
    assert rec.rewards == {"a": 5.0, "b": 0.0}
    assert rec.payments == {"a": -5.0, "b": -0.0}
    assert rec.efficiency_residual == pytest.approx(0.0, abs=1e-12)
    assert rec.method == "exact" and rec.calls == 4


def test_ledger_pays_nothing_when_nobody_helps():
    ledger = ContributionLedger(lambda p: -float(np.abs(p[0]).sum()), budget_per_round=3.0)
    rec = ledger.record(1, [np.zeros(2)], {"a": ([np.ones(2)], 1), "b": ([np.zeros(2)], 1)})
    assert rec.rewards == {"a": 0.0, "b": 0.0}
    assert rec.contributions["a"] < 0 and rec.contributions["b"] == 0.0


def test_softmax_fast_path_matches_generic_game(data):
    split, owners = data
    W0 = np.zeros((split.X_val.shape[1] + 1, split.classes))
    results = {n: ([_fit(n, W0, *owners[n], 1)], len(owners[n][1])) for n in NAMES}
    for metric in ("loss", "accuracy"):
        for reconstruction in ("full", "subset"):
            fast_u = SoftmaxValidation(split.X_val, split.y_val, metric)
            fast = ContributionLedger(fast_u, reconstruction=reconstruction)
            slow = ContributionLedger(lambda p, u=fast_u: u(p), reconstruction=reconstruction)
            a = fast.record(1, [W0], results)
            b = slow.record(1, [W0], results)
            assert a.contributions == pytest.approx(b.contributions, abs=1e-9)
            assert a.utility_before == pytest.approx(b.utility_before)


def test_tmc_beyond_max_exact():
    u = lambda p: float(p[0].sum())  # additive: each value is its own FedAvg share  # noqa: E731
    ledger = ContributionLedger(u, 1.0, max_exact=2, tmc_permutations=50)
    rec = ledger.record(1, [np.zeros(1)], {k: ([np.full(1, k + 1.0)], 1) for k in range(4)})
    assert rec.method == "tmc"
    assert [rec.contributions[str(k)] for k in range(4)] == pytest.approx(
        [0.25, 0.5, 0.75, 1.0], abs=1e-9)
    assert sum(rec.rewards.values()) == pytest.approx(1.0)


def test_ledger_errors_name_the_field():
    u = lambda p: 0.0  # noqa: E731
    with pytest.raises(InputError, match="budget_per_round"):
        ContributionLedger(u, budget_per_round=-1.0)
    with pytest.raises(InputError, match="reconstruction"):
        ContributionLedger(u, reconstruction="partial")
    with pytest.raises(InputError, match="utility"):
        ContributionLedger(3.0)
    with pytest.raises(InputError, match="max_exact"):
        ContributionLedger(u, max_exact=30)
    with pytest.raises(InputError, match="tmc_permutations"):
        ContributionLedger(u, tmc_permutations=1)
    with pytest.raises(InputError, match="seed"):
        ContributionLedger(u, seed=-1)
    ledger = ContributionLedger(u)
    with pytest.raises(InputError, match=r"results\.a"):
        ledger.record(1, [np.zeros(2)], {"a": ([np.zeros(3)], 1)})
    with pytest.raises(InputError, match=r"results\.a"):
        ledger.record(1, [np.zeros(2)], {"a": ([np.zeros(2)], 0)})
    with pytest.raises(InputError, match="results"):
        ledger.record(1, [np.zeros(2)], {})


def test_missing_flower_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "flwr", None)  # as if not installed
    for build in (flower._build_legacy, flower._build_message_api):
        with pytest.raises(ImportError, match=r"pip install 'hurwicz\[flower\]'"):
            build()


# --- real Flower runs ---------------------------------------------------------------------------
def _check_history(history, utility):
    assert [r.server_round for r in history] == list(range(1, ROUNDS + 1))
    for rec in history:
        assert set(rec.contributions) == set(NAMES)
        assert sum(rec.rewards.values()) == pytest.approx(BUDGET)
        assert rec.payments == {n: -r for n, r in rec.rewards.items()}
        # sending the global model back makes the free rider a null player of the round game
        assert rec.contributions["free_rider1"] == pytest.approx(0.0, abs=1e-12)
        assert rec.rewards["free_rider1"] == 0.0
        assert all(rec.contributions[n] > 0 for n in NAMES if n.startswith("honest"))
        assert rec.efficiency_residual == pytest.approx(0.0, abs=1e-9)
    # the next round starts from Flower's own aggregate, whose utility gain is v(all clients)
    for prev, nxt in itertools.pairwise(history):
        assert nxt.utility_before - prev.utility_before == pytest.approx(prev.grand_value)
    totals = {"contributions": {}, "rewards": {}}
    for rec in history:
        for n in NAMES:
            for key in totals:
                totals[key][n] = totals[key].get(n, 0.0) + getattr(rec, key)[n]
    for key in totals:
        assert min(totals[key], key=totals[key].get) == "free_rider1"
    assert sum(totals["rewards"].values()) == pytest.approx(ROUNDS * BUDGET)
    return totals


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _when_listening(port: int, then, *args, **kwargs) -> None:
    """Call ``then`` once the server accepts connections (a legacy Flower client does not
    retry a refused connection, and the server has to start in the main thread)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    then(*args, **kwargs)


def test_legacy_strategy_on_a_loopback_grpc_server(data):
    flwr = _flwr()
    from flwr.client import NumPyClient, start_client
    from flwr.common import ndarrays_to_parameters
    from flwr.server import ServerConfig, start_server

    split, owners = data
    W0 = np.zeros((split.X_val.shape[1] + 1, split.classes))
    utility = SoftmaxValidation(split.X_val, split.y_val)

    class Client(NumPyClient):
        def __init__(self, name):
            self.name = name
            self.X, self.y = owners[name]

        def get_parameters(self, config):
            return [W0]

        def fit(self, parameters, config):
            W = _fit(self.name, parameters[0], self.X, self.y, int(config["round"]))
            return [W], len(self.y), {"client": self.name}

        def evaluate(self, parameters, config):
            return 0.0, len(self.y), {}

    strategy = flower.LegacyContributionFedAvg(
        utility=utility, budget_per_round=BUDGET, fraction_fit=1.0, fraction_evaluate=0.0,
        min_fit_clients=len(NAMES), min_available_clients=len(NAMES),
        initial_parameters=ndarrays_to_parameters([W0]),
        on_fit_config_fn=lambda rnd: {"round": rnd})
    port = _free_port()
    address = f"127.0.0.1:{port}"
    threads = [threading.Thread(
        target=_when_listening, args=(port, start_client), daemon=True,
        kwargs={"server_address": address, "client": Client(n).to_client(), "insecure": True})
        for n in NAMES]
    for t in threads:
        t.start()
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:  # start_server installs its own signal handlers: put pytest's back afterwards
        hist = start_server(server_address=address, strategy=strategy,
                            config=ServerConfig(num_rounds=ROUNDS, round_timeout=120))
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)
    for t in threads:
        t.join(timeout=30)
    assert flwr.__version__
    totals = _check_history(strategy.history, utility)
    for key, values in strategy.totals().items():
        assert values == pytest.approx(totals[key])
    # the same values reach Flower's History as fit metrics
    assert [v for _, v in hist.metrics_distributed_fit["reward/free_rider1"]] == [0.0] * ROUNDS
    assert sum(v for _, v in hist.metrics_distributed_fit["reward/honest1"]) == pytest.approx(
        totals["rewards"]["honest1"])
    # round 1 valued off Flower on the same updates gives the same contributions
    offline = ContributionLedger(utility, BUDGET).record(
        1, [W0], {n: ([_fit(n, W0, *owners[n], 1)], len(owners[n][1])) for n in NAMES})
    assert strategy.history[0].contributions == pytest.approx(offline.contributions, abs=1e-9)


def test_message_api_strategy_over_an_in_process_grid(data, monkeypatch):
    _flwr()
    from flwr.supercore.task_identity import TaskIdentity

    # what Flower's ServerApp process sets before a strategy creates messages
    for attr in ("_run_id", "_node_id", "_task_id"):
        monkeypatch.setattr(TaskIdentity, attr, 1)
    from flwr.app import ArrayRecord, Context, Message, MetricRecord, RecordDict
    from flwr.clientapp import ClientApp
    from flwr.serverapp import Grid

    split, owners = data
    W0 = np.zeros((split.X_val.shape[1] + 1, split.classes))
    utility = SoftmaxValidation(split.X_val, split.y_val)
    nodes = {1001 + k: name for k, name in enumerate(NAMES)}
    app = ClientApp()

    @app.train()
    def train(msg, context):
        name = nodes[context.node_id]
        X, y = owners[name]
        W = msg.content["arrays"].to_numpy_ndarrays()[0]
        W = _fit(name, W, X, y, int(msg.content["config"]["server-round"]))
        return Message(RecordDict({"arrays": ArrayRecord([W]),
                                   "metrics": MetricRecord({"num-examples": len(y)})}),
                       reply_to=msg)

    class LocalGrid(Grid):
        """Delivers each message to the ClientApp in this process (no network, no Ray)."""

        def set_run(self, run):
            self._run = run

        @property
        def run(self):
            return self._run

        def create_message(self, content, message_type, dst_node_id, group_id, ttl=None):
            return Message(content, dst_node_id, message_type, ttl=ttl, group_id=group_id)

        def get_node_ids(self):
            return list(nodes)

        def push_messages(self, messages):
            raise NotImplementedError

        def pull_messages(self, message_ids):
            raise NotImplementedError

        def send_and_receive(self, messages, *, timeout=None):
            return [app(m, Context(1, m.metadata.dst_node_id, {}, RecordDict(), {}))
                    for m in messages]

    strategy = flower.ContributionFedAvg(
        utility=utility, budget_per_round=BUDGET, fraction_train=1.0, fraction_evaluate=0.0,
        min_train_nodes=len(NAMES), min_available_nodes=len(NAMES))
    result = strategy.start(grid=LocalGrid(), initial_arrays=ArrayRecord([W0]),
                            num_rounds=ROUNDS)
    rename = {str(k): v for k, v in nodes.items()}
    history = [replace(rec, **{key: {rename[k]: v for k, v in getattr(rec, key).items()}
                               for key in ("contributions", "rewards", "payments")})
               for rec in strategy.history]
    _check_history(history, utility)
    # the contributions reach Flower's Result as train metrics, keyed by node id
    assert result.train_metrics_clientapp[1][f"reward/{1000 + len(NAMES)}"] == 0.0
    # and the legacy API's values on the same updates are the same numbers
    offline = ContributionLedger(utility, BUDGET).record(
        1, [W0], {n: ([_fit(n, W0, *owners[n], 1)], len(owners[n][1])) for n in NAMES})
    assert history[0].contributions == pytest.approx(offline.contributions, abs=1e-9)


def test_ledger_refuses_non_finite_updates_naming_the_client():
    # regression: with SoftmaxValidation a NaN update was valued silently (all rewards 0)
    from hurwicz.fl.flower import SoftmaxValidation

    X = np.random.default_rng(0).normal(size=(20, 3))
    utility = SoftmaxValidation(X, np.arange(20) % 2)
    for u, shape in ((utility, (4, 2)), (lambda p: -float(np.sum(p[0] ** 2)), (2,))):
        ledger = ContributionLedger(u, 1.0)
        bad = np.ones(shape)
        bad.flat[0] = np.nan
        with pytest.raises(InputError, match="results.b"):
            ledger.record(1, [np.zeros(shape)], {"a": ([np.ones(shape)], 5), "b": ([bad], 5)})
        with pytest.raises(InputError, match="global"):
            ledger.record(1, [bad], {"a": ([np.ones(shape)], 5)})
        with pytest.raises(InputError, match="results.a"):
            ledger.record(1, [np.zeros(shape)], {"a": ([np.ones(shape)], True)})
        assert ledger.history == []


def test_ledger_edge_cases():
    u = lambda p: -float(np.sum((p[0] - 1.0) ** 2))  # noqa: E731
    one = ContributionLedger(u, 2.0).record(1, [np.zeros(2)], {"a": ([np.ones(2)], 5)})
    assert one.rewards == {"a": 2.0}
    same = ContributionLedger(u, 3.0).record(1, [np.zeros(2)],
                                             {k: ([np.ones(2) / 2], 5) for k in "abc"})
    assert len(set(same.rewards.values())) == 1 and sum(same.rewards.values()) <= 3.0
    zero = ContributionLedger(u, 3.0).record(1, [np.zeros(2)],
                                             {k: ([np.zeros(2)], 5) for k in "abc"})
    assert zero.rewards == {"a": 0.0, "b": 0.0, "c": 0.0}
    free = ContributionLedger(u, 0.0).record(1, [np.zeros(2)], {"a": ([np.ones(2)], 5)})
    assert free.rewards == {"a": 0.0} and free.contributions["a"] > 0
