"""WHO-5 scoring against published examples, and the command line scorer."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from roret.outcomes.instruments import WHO5, InstrumentError, get

# Published scoring examples. Source: the WHO-5 scoring sheet (Psychiatric Research Unit, WHO
# Collaborating Centre in Mental Health, Frederiksborg General Hospital, Hillerød, 1998): "The raw
# score is calculated by totalling the figures of the five answers. The raw score ranges from 0
# to 25, 0 representing worst possible and 25 representing best possible quality of life. To
# obtain a percentage score ranging from 0 to 100, the raw score is multiplied by 4." Topp et al.,
# Psychother Psychosom 2015;84:167-176, table 1 and text: raw < 13 (score <= 50) poor well-being,
# score <= 28 likely depression, a 10-point change is clinically significant.
PUBLISHED = [
    ((5, 5, 5, 5, 5), 25, 100),    # best possible
    ((0, 0, 0, 0, 0), 0, 0),       # worst possible
    ((3, 4, 2, 5, 1), 15, 60),     # the command-line example
    ((3, 3, 2, 2, 2), 12, 48),     # raw 12 < 13: poor well-being (Topp 2015 cut-off)
    ((3, 3, 3, 2, 2), 13, 52),     # raw 13: above the cut-off
    ((2, 1, 1, 2, 1), 7, 28),      # score 28: likely depression (Topp 2015)
]


@pytest.mark.parametrize(("answers", "raw", "score"), PUBLISHED)
def test_who5_scores_the_published_examples(answers, raw, score):
    result = WHO5.score(answers)
    assert (result.raw, result.score) == (raw, score)


@pytest.mark.parametrize(("score", "band"), [(100, "normal"), (52, "normal"), (50, "at_risk"), (36, "at_risk"),
                                             (35, "high_risk"), (32, "high_risk"), (0, "high_risk")])
def test_who5_danish_interpretation_bands(score, band):
    assert WHO5.band_for(score).key == band


def test_who5_flags_every_item_answered_0_or_1():
    assert WHO5.score((5, 1, 3, 0, 2)).flagged_items == (2, 4)
    assert WHO5.score((2, 2, 2, 2, 2)).flagged_items == ()


def test_a_change_of_ten_points_or_more_is_meaningful():
    assert WHO5.change(48, 60).meaningful and WHO5.change(48, 60).direction == "better"
    assert WHO5.change(60, 52).direction == "unchanged"   # 8 points
    assert WHO5.change(60, 48).direction == "worse"       # 12 points
    assert not WHO5.change(40, 48).meaningful


@pytest.mark.parametrize(("answers", "message"), [
    ((3, 4, 2, 5, 1, 2), "6"), ((3, 4, 2), "3"), ((3, 4, 2, 6, 1), "6"), ((3, -1, 2, 5, 1), "-1"),
    ((3, 4.5, 2, 5, 1), "2"),
])
def test_who5_refuses_bad_answers_with_a_clear_message(answers, message):
    with pytest.raises(InstrumentError, match=message):
        WHO5.score(answers)


def test_unknown_instruments_name_the_known_ones():
    with pytest.raises(InstrumentError, match="WHO-5"):
        get("SF-36")


def test_the_command_line_prints_the_score_as_json(capsys):
    call_command("measure", "score", "WHO-5", "--answers", "3,4,2,5,1", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["instrument"] == "WHO-5" and out["raw"] == 15 and out["score"] == 60
    assert out["band"] == "normal" and out["flagged_items"] == [5]


@pytest.mark.parametrize("answers", ["3,4,2,5,1,2", "3,4,2,9,1", "3,x,2,5,1", ""])
def test_the_command_line_refuses_bad_answers(answers):
    with pytest.raises(CommandError):
        call_command("measure", "score", "WHO-5", "--answers", answers, "--json")


def test_the_console_script_exits_non_zero_on_bad_answers():
    import subprocess
    import sys

    # One real process (slow to start): the exit status is what a script checking definitions sees.
    bad = subprocess.run([sys.executable, "-m", "roret.cli", "measure", "score", "WHO-5", "--answers",
                          "1,2,3,4,5,0"], capture_output=True, text=True, check=False)
    assert bad.returncode != 0 and "WHO-5" in bad.stderr
