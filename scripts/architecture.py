"""import-linter contract types of our own, named in pyproject.toml (``[tool.importlinter]``).

``public_surface``: an app reaches another app only through the modules it declares public (its
``models``, ``actions`` and ``queries``, plus a few facades). Everything else in an app is its own
business: another app that imports it breaks the contract. The built-in ``protected`` contract
needs every private module listed and goes stale as modules are added; this one lists the public
ones, so a new module is private until someone decides otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import grimp
from importlinter import Contract, ContractCheck, fields, output
from importlinter.domain import helpers


@dataclass(frozen=True)
class IllegalImport:
    importer: str
    imported: str
    line_numbers: tuple[int, ...]


def _app_of(module: str, apps: list[str]) -> str | None:
    for app in apps:
        if module == app or module.startswith(app + "."):
            return app
    return None


class PublicSurfaceContract(Contract):
    """Options:

    - ``apps``: the app packages whose internals are checked (``vigie.inbox``...).
    - ``public``: module expressions (wildcards allowed) any app may import from another app.
    - ``exempt_importers``: module expressions that may import anything (tests, the assemblers).
    """

    type_name = "public_surface"

    apps = fields.ListField(subfield=fields.ModuleField())
    public = fields.ListField(subfield=fields.ModuleExpressionField())
    exempt_importers = fields.ListField(subfield=fields.ModuleExpressionField(), required=False)

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        apps = [module.name for module in self.apps]  # type: ignore[attr-defined]
        public = {
            module.name
            for module in helpers.module_expressions_to_modules(
                graph,
                self.public,  # type: ignore[arg-type]
                raise_if_unmatched=True,
            )
        }
        exempt = {
            module.name
            for module in helpers.module_expressions_to_modules(
                graph,
                self.exempt_importers or [],  # type: ignore[arg-type]
                as_packages=True,
            )
        }
        illegal: list[IllegalImport] = []
        for importer in sorted(graph.modules):
            importer_app = _app_of(importer, apps)
            if importer_app is None or importer in exempt:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                imported_app = _app_of(imported, apps)
                if imported_app in (None, importer_app) or imported in public:
                    continue
                details = graph.get_import_details(importer=importer, imported=imported)
                lines = tuple(detail["line_number"] for detail in details)
                illegal.append(IllegalImport(importer, imported, lines))
        return ContractCheck(kept=not illegal, metadata={"illegal": illegal})

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error("Imports of another app's private modules:", bold=False)
        output.new_line()
        for item in check.metadata["illegal"]:
            lines = ", ".join(map(str, item.line_numbers))
            output.print_error(f"- {item.importer} -> {item.imported} (l.{lines})", bold=False)
            output.new_line()
        output.print_error(
            "Read it through that app's models, actions or queries, or make the module a declared "
            "facade (pyproject.toml, [tool.importlinter] public) if other apps truly need it.",
            bold=False,
        )
