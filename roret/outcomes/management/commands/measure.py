"""``roret measure score WHO-5 --answers 3,4,2,5,1 [--json]``: score answers with an instrument's
exact rule, for checking instrument definitions; ``roret measure list`` shows the registry."""

import json

from django.core.management.base import BaseCommand, CommandError

from roret.outcomes import instruments


class Command(BaseCommand):
    help = "Score standardised instruments (WHO-5 ...) from the command line."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        score = sub.add_parser("score", help="score one set of answers")
        score.add_argument("instrument", help="instrument code, e.g. WHO-5")
        score.add_argument("--answers", required=True, help="comma-separated answers, e.g. 3,4,2,5,1")
        score.add_argument("--json", action="store_true", help="print the result as JSON")
        sub.add_parser("list", help="list the instruments")

    def handle(self, *args, **options):
        if options["action"] == "list":
            for code, instrument in instruments.REGISTRY.items():
                self.stdout.write(f"{code}\t{instrument.name}\t{len(instrument.items)} items, "
                                  f"{instrument.answer_min}-{instrument.answer_max}, score 0-{instrument.score_max}")
            return
        try:
            instrument = instruments.get(options["instrument"])
            result = instrument.score(instrument.parse(options["answers"]))
        except instruments.InstrumentError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(f"{result.instrument}: raw {result.raw}, score {result.score} – {result.band.label}")
        if result.flagged_items:
            self.stdout.write("Items answered 0 or 1: " + ", ".join(map(str, result.flagged_items)))
