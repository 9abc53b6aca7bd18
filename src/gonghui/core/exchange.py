"""Registry of spreadsheet kinds for `gonghui template|import|export KIND`.

Each module registers its kind in AppConfig.ready(); the commands, and the docs, list
whatever is registered.
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


EXCHANGES: dict[str, Exchange] = {}


def register(exchange: Exchange) -> None:
    EXCHANGES[exchange.kind] = exchange
