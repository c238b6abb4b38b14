"""Funding inputs are checked across fields (issue #13, "Inputs: strict, and nothing silently
changed"). Regression: with ``"projects"`` given, a contribution to a project missing from the
list was funded anyway, as if the list had been extended silently."""

from __future__ import annotations

import pytest

import hurwicz as hz
from hurwicz.core.errors import InputError, ParameterError
from hurwicz.mechanisms.funding.common import validate_funding

RULES = ["funding.quadratic", "funding.capital_constrained", "funding.pairwise",
         "funding.cluster_match", "funding.cluster_match_projects"]


def contribution(who: str, project: str, amount: float = 1.0) -> dict:
    return {"contributor": who, "project": project, "amount": amount}


@pytest.mark.parametrize("name", RULES)
def test_a_contribution_to_an_unlisted_project_is_an_error(name: str) -> None:
    data = {"pool": 10, "projects": ["water", "maps"],
            "contributions": [contribution("a", "water"), contribution("b", "maps"),
                              contribution("c", "roads")]}
    with pytest.raises(InputError) as err:
        hz.mechanism(name).run(data)
    assert err.value.field == "contributions.2.project"
    assert "'roads' is not listed in projects" in err.value.message


def test_listed_projects_without_contributions_appear_and_no_list_means_any_project() -> None:
    qf = hz.mechanism("funding.quadratic")
    out = qf.run({"pool": 10, "projects": ["water", "maps"],
                  "contributions": [contribution("a", "water"), contribution("b", "water")]})
    assert out.result["matching"] == {"maps": 0.0, "water": 2.0}
    out = qf.run({"pool": 10, "contributions": [contribution("a", "roads")]})
    assert list(out.result["funding"]) == ["roads"]


def test_owners_must_own_known_projects() -> None:
    with pytest.raises(InputError, match=r"^owners\.maps: "):
        validate_funding({"pool": 1, "projects": ["water"], "owners": {"maps": ["a"]},
                          "contributions": []})
    with pytest.raises(InputError, match=r"^owners\.maps: "):
        validate_funding({"pool": 1, "owners": {"maps": ["a"]},
                          "contributions": [contribution("a", "water")]})
    assert validate_funding({"pool": 1, "projects": ["water", "maps"], "owners": {"maps": ["a"]},
                             "contributions": []}).owners == {"maps": ["a"]}


def test_repeats_are_named_by_position() -> None:
    with pytest.raises(InputError) as err:
        validate_funding({"pool": 1, "projects": ["w", "m", "w"], "contributions": []})
    assert str(err.value) == "projects.2: lists project 'w' twice"
    with pytest.raises(InputError) as err:
        validate_funding({"pool": 1, "groups": {"dao": ["a", "b", "a"]}, "contributions": []})
    assert str(err.value) == "groups.dao.2: lists member 'a' twice"


@pytest.mark.parametrize(("path", "value", "field"), [
    (("pool",), 1e308, "pool"),
    (("contributions", 0, "amount"), 1e16, "contributions.0.amount"),
    (("contributions", 0, "amount"), float("nan"), "contributions.0.amount"),
    (("contributions", 0, "amount"), -1e308, "contributions.0.amount"),
])
def test_out_of_range_numbers_name_the_field(path: tuple, value: float, field: str) -> None:
    data = {"pool": 10, "contributions": [contribution("a", "p"), contribution("b", "p")]}
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(InputError) as err:
        hz.mechanism("funding.quadratic").run(data)
    assert err.value.field == field


@pytest.mark.parametrize(("params", "field"), [
    ({"pool": 1e308}, "params.pool"), ({"cap": 2.0}, "params.cap"),
    ({"cap": float("nan")}, "params.cap"), ({"min_contribution": 1e16},
                                            "params.min_contribution"),
])
def test_parameters_are_bounded(params: dict, field: str) -> None:
    with pytest.raises(ParameterError) as err:
        hz.mechanism("funding.quadratic", **params)
    assert err.value.field == field


def test_pairwise_m_is_bounded() -> None:
    for bad in (1e308, float("inf"), 0.0):
        with pytest.raises(ParameterError) as err:
            hz.mechanism("funding.pairwise", M=bad)
        assert err.value.field == "params.M"


def test_clarke_values_and_cost_are_bounded() -> None:
    with pytest.raises(InputError) as err:
        hz.mechanism("funding.clarke", cost=10).run({"values": {"a": 1e308, "b": 1}})
    assert err.value.field == "values.a"
    with pytest.raises(ParameterError) as err:
        hz.mechanism("funding.clarke", cost=1e308)
    assert err.value.field == "params.cost"
    with pytest.raises(ParameterError, match=r"params\.cost: required field is missing — cost"):
        hz.mechanism("funding.clarke")
