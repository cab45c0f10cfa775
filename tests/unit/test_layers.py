"""The import contracts of pyproject.toml (docs/architecture.md "Packages by capability"): cme's
packages point one way, the shared package never imports the tools or the tests, the rules are
pure. ``make lint`` runs lint-imports over the same contracts; this holds them in the tests too,
and shows that a wrong import is caught."""

from __future__ import annotations

from typing import Any

import grimp
import pytest
from importlinter import configuration
from importlinter.application.use_cases import read_user_options
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract

from infra.local import cfn

configuration.configure()

OPTIONS = read_user_options(str(cfn.ROOT / "pyproject.toml"))  # as lint-imports reads them
SESSION, CONTRACTS = OPTIONS.session_options, OPTIONS.contracts_options
CME = cfn.ROOT / "layers" / "common" / "cme"
KINDS: dict[str, Any] = {"layers": LayersContract, "forbidden": ForbiddenContract}


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(
        *SESSION["root_packages"],
        include_external_packages=SESSION["include_external_packages"] == "True",
        cache_dir=None,
    )


def kept(graph: grimp.ImportGraph, contract_id: str) -> bool:
    options = next(c for c in CONTRACTS if c["id"] == contract_id)
    contract = KINDS[options["type"]](name=options["name"], session_options=SESSION, contract_options=options)
    return bool(contract.check(graph, verbose=False).kept)


def test_every_contract_is_kept(graph: grimp.ImportGraph) -> None:
    assert {c["id"]: kept(graph, c["id"]) for c in CONTRACTS} == {
        "layers": True,
        "no-tools": True,
        "pure-rules": True,
    }


@pytest.mark.parametrize(
    ("contract", "importer", "imported"),
    [
        ("layers", "cme.platform.settings", "cme.credit.claims"),  # the platform reaching up
        ("layers", "cme.identity.accounts", "cme.publishing.activities"),  # office_today's old home
        ("layers", "cme.credit.claims", "cme.runtime.resolver"),  # logic knowing HTTP
        ("no-tools", "cme.platform.aws", "infra.local.cfn"),
        ("pure-rules", "cme.rules.credit", "cme.platform.settings"),
        ("pure-rules", "cme.rules.transcript_schedule", "boto3"),
    ],
)
def test_an_import_against_a_contract_is_caught(
    graph: grimp.ImportGraph, contract: str, importer: str, imported: str
) -> None:
    graph.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")
    try:
        assert not kept(graph, contract)
    finally:
        graph.remove_import(importer=importer, imported=imported)
    assert kept(graph, contract)


def test_every_package_of_cme_is_in_a_layer() -> None:
    """A new package or a module left at cme's top cannot slip out of the layers contract."""
    layers = next(c for c in CONTRACTS if c["id"] == "layers")
    children = {p.stem for p in CME.glob("*.py") if p.name != "__init__.py"} | {
        p.name for p in CME.iterdir() if (p / "__init__.py").is_file()
    }
    assert children == set(layers["layers"])
    assert str(layers["exhaustive"]).lower() == "true"
