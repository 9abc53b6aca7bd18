"""What `gonghui summary` and `gonghui stats` share: the period, the union, the actor and
the output file, checked the same way and refused with the same Chinese messages."""

from contextlib import contextmanager
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from gonghui.ops.cli_support import actor_from_options, add_actor_argument, resolve_org

PERIOD_HELP = "期间：2025、2025H1、2025H2、2025Q3、2025-10 或 2025-01-01..2025-06-30"


def add_common_arguments(parser, *, subtree_help: str, out_help: str) -> None:
    parser.add_argument("--org", required=True, help="工会编码")
    parser.add_argument("--period", required=True, help=PERIOD_HELP)
    parser.add_argument("--subtree", action="store_true", help=subtree_help)
    parser.add_argument("--out", required=True, help=out_help)
    add_actor_argument(parser)


@contextmanager
def refused_in_chinese():
    """A refusal (no permission, bad input) ends the command with its Chinese message."""
    try:
        yield
    except (PermissionDenied, ValidationError) as exc:
        raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from None


def prepare(*, org: str, period: str, path: Path, options: dict):
    """(actor, union, period) once the period parses, the output directory exists, the
    union is in the actor's scope and the actor may see summaries."""
    from gonghui.summary.periods import parse_period

    with refused_in_chinese():
        parsed = parse_period(period)
    if path.parent and not path.parent.exists():
        raise CommandError(f"输出目录不存在：{path.parent}")
    actor = actor_from_options(options)
    target = resolve_org(actor, org)
    with refused_in_chinese():
        actor.require("summary.view")
    return actor, target, parsed
