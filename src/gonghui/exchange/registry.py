"""Registry of spreadsheet kinds for `gonghui template|import|export KIND` and the web
import pages.

Each module registers its kind in AppConfig.ready(); the commands, the docs and the
generic import pages (`/imports/<kind>/`, exchange/views.py) serve whatever is registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Exchange:
    kind: str
    label: str
    template: Callable  # (path) -> Path
    importer: Callable | None = None  # (*, actor, path, org, mode, dry_run) -> report
    exporter: Callable | None = None  # (*, actor, org, path, subtree, start, end) -> Path
    by_period: bool = True  # whether --from/--to mean anything for this kind
    always_subtree: bool = False  # exports always include the whole subtree
    # The web import: the permission it needs (empty: no web import), a sentence for the
    # page saying what a row is, the module page to return to, and - for a kind whose
    # module keeps its own import page (members, orgs) - that page's URL name; every other
    # kind is served by the generic pages exchange:import / exchange:import_job / ….
    import_perm: str = ""
    import_help: str = ""
    list_page: str = ""
    import_page: str = ""

    @property
    def web_import(self) -> bool:
        """Served by the generic import pages."""
        return bool(self.importer and self.import_perm and not self.import_page)


EXCHANGES: dict[str, Exchange] = {}


def register(exchange: Exchange) -> None:
    EXCHANGES[exchange.kind] = exchange
