"""Imports run one way: web -> services -> domain/models (DESIGN.md, Architecture).

Every module of the application is parsed, not imported, so a forbidden
import is caught even in code no test reaches.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "coop"


@dataclass(frozen=True)
class Import:
    """One name a module imports, with where it does so."""

    path: Path
    line: int
    name: str  # "flask.request" for `from flask import request`; "flask" for `import flask`

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: imports {self.name}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, source: str | None = None) -> Iterator[Import]:
    """Yield every import in a module, relative ones made absolute."""
    source = path.read_text(encoding="utf-8") if source is None else source
    tree = ast.parse(source, filename=str(path))
    package_parts = module_name(path).split(".")
    if path.name != "__init__.py":
        package_parts = package_parts[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(path, node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            for alias in node.names:
                yield Import(path, node.lineno, f"{module}.{alias.name}")
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "flask"
            and node.attr == "request"
        ):
            # `import flask` then `flask.request`
            yield Import(path, node.lineno, "flask.request")


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def top_level(name: str) -> str:
    return name.split(".", 1)[0]


def is_standard_library(name: str) -> bool:
    return top_level(name) in sys.stdlib_module_names


@dataclass(frozen=True)
class Rule:
    """Modules under ``layer`` may not import names ``forbidden`` flags."""

    id: str
    layer: str  # a dotted package, or "" for the whole application
    forbidden: Callable[[str], bool]
    exempt: str | None = None

    def applies_to(self, path: Path) -> bool:
        name = module_name(path)
        if self.exempt and within(name, self.exempt):
            return False
        return not self.layer or within(name, self.layer)

    def violations(self, path: Path, source: str | None = None) -> list[Import]:
        if not self.applies_to(path):
            return []
        return [found for found in imports_of(path, source) if self.forbidden(found.name)]


RULES = [
    Rule(
        "domain-is-pure",
        "coop.domain",
        lambda name: not (is_standard_library(name) or within(name, "coop.domain")),
    ),
    Rule(
        "models-below-services-and-web",
        "coop.models",
        lambda name: any(
            within(name, layer) for layer in ("coop.services", "coop.demo", "coop.web")
        ),
    ),
    Rule(
        "services-below-web-and-demo",
        "coop.services",
        lambda name: within(name, "coop.web") or within(name, "coop.demo"),
    ),
    Rule("demo-below-web", "coop.demo", lambda name: within(name, "coop.web")),
    Rule(
        "services-never-read-the-request",
        "coop.services",
        lambda name: name == "flask.request",
    ),
    Rule(
        "only-the-gateway-imports-stripe",
        "",
        lambda name: top_level(name) == "stripe",
        exempt="coop.services.payments.gateway",
    ),
    Rule(
        "only-the-job-queue-imports-rq",
        "",
        lambda name: top_level(name) == "rq",
        exempt="coop.services.jobs",
    ),
]


def application_modules() -> list[Path]:
    return sorted([*PACKAGE.rglob("*.py"), ROOT / "config.py"])


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_imports_follow_the_layers(rule):
    found = [str(v) for path in application_modules() for v in rule.violations(path)]
    assert not found, f"{rule.id} broken:\n" + "\n".join(found)


def test_every_layer_has_modules_to_check():
    names = {module_name(path) for path in application_modules()}
    for layer in ("coop.domain", "coop.models", "coop.services", "coop.demo", "coop.web"):
        assert any(within(name, layer) for name in names), layer


@pytest.mark.parametrize(
    ("rule_id", "module", "source"),
    [
        ("domain-is-pure", "coop/domain/rounds.py", "import sqlalchemy"),
        ("domain-is-pure", "coop/domain/rounds.py", "from flask import g"),
        ("domain-is-pure", "coop/domain/rounds.py", "from coop.models import Coop"),
        ("domain-is-pure", "coop/domain/rounds.py", "from ..models import Coop"),
        ("models-below-services-and-web", "coop/models/rounds.py", "from coop.web import x"),
        ("models-below-services-and-web", "coop/models/rounds.py", "from ..services import y"),
        ("models-below-services-and-web", "coop/models/rounds.py", "from coop.demo import seed"),
        ("services-below-web-and-demo", "coop/services/rounds/items.py", "import coop.web.access"),
        (
            "services-below-web-and-demo",
            "coop/services/rounds/items.py",
            "from coop.demo import seed",
        ),
        ("demo-below-web", "coop/demo/rounds.py", "from coop.web.forms import x"),
        (
            "services-never-read-the-request",
            "coop/services/rounds/items.py",
            "from flask import request",
        ),
        (
            "services-never-read-the-request",
            "coop/services/rounds/items.py",
            "x = flask.request.args",
        ),
        ("only-the-gateway-imports-stripe", "coop/services/rounds/items.py", "import stripe"),
        ("only-the-gateway-imports-stripe", "coop/web/api/routes.py", "from stripe import Charge"),
        ("only-the-gateway-imports-stripe", "coop/services/payments/cards.py", "import stripe"),
        (
            "only-the-gateway-imports-stripe",
            "coop/web/webhooks/stripe_events.py",
            "from stripe import Webhook",
        ),
        ("only-the-job-queue-imports-rq", "coop/cli.py", "from rq import Worker"),
    ],
)
def test_the_checker_names_the_file_and_line_of_a_forbidden_import(rule_id, module, source):
    rule = next(rule for rule in RULES if rule.id == rule_id)
    found = rule.violations(ROOT / module, "\n\n" + source)
    assert found, f"{rule_id} missed: {source!r}"
    assert str(found[0]).startswith(f"{module}:3: imports ")


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("coop/domain/rounds.py", "from __future__ import annotations; import dataclasses"),
        ("coop/domain/rounds.py", "from coop.domain.roles import Role; from .money import x"),
        (
            "coop/services/rounds/items.py",
            "from flask import current_app; from coop.models import Coop",
        ),
        ("coop/services/payments/gateway.py", "import stripe"),
        ("coop/services/jobs.py", "from rq import Queue"),
    ],
)
def test_the_checker_allows_imports_that_follow_the_layers(module, source):
    assert not [v for rule in RULES for v in rule.violations(ROOT / module, source)]
