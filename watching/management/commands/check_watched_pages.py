from django.core.management.base import BaseCommand

from watching.services import Outcome, watches_check_due


class Command(BaseCommand):
    help = (
        "Check the watched pages whose time has come: fetch each, store a newer version when "
        "its text changed and find its quotes again. For a scheduler (cron, a systemd timer) "
        "to run every few minutes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=100, help="At most this many pages.")

    def handle(self, *args, limit, **options):
        outcomes = watches_check_due(limit=limit)
        for outcome in outcomes:
            style = self.style.ERROR if outcome.outcome == Outcome.FAILED else self.style.SUCCESS
            self.stdout.write(style(f"{outcome.url}: {outcome.message}"))
        counts = {kind: sum(o.outcome == kind for o in outcomes) for kind in Outcome}
        self.stdout.write(
            f"{len(outcomes)} pages checked: {counts[Outcome.CHANGED]} changed, "
            f"{counts[Outcome.UNCHANGED]} unchanged, {counts[Outcome.FAILED]} failed."
        )
