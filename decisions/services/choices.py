"""What a ballot says, read from what a caller gives: one place for every method's checks."""

from collections.abc import Mapping
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .. import counting
from ..counting import Method
from ..models import Option, Poll

ANSWER_NAMES = {
    "yes": counting.Answer.YES,
    "if_need_be": counting.Answer.IF_NEED_BE,
    "if need be": counting.Answer.IF_NEED_BE,
    "if-need-be": counting.Answer.IF_NEED_BE,
    "maybe": counting.Answer.IF_NEED_BE,
    "no": counting.Answer.NO,
}


def _refuse(message: str):
    raise ValidationError({"choices": message}, code="invalid")


def _option_key(choice, options: list[Option]) -> int:
    """An option given as an Option, its key (a number or digits), its label, or (dates) its
    start time, as the option's key; anything else is refused."""
    known = {o.pk for o in options}
    if isinstance(choice, Option):
        pk = choice.pk
    elif isinstance(choice, datetime):
        if choice.tzinfo is None:
            _refuse(_("Give the dates with their time zone."))
        pk = next((o.pk for o in options if o.starts_at == choice), None)
    elif isinstance(choice, bool):
        pk = None
    elif isinstance(choice, int):
        pk = choice
    elif isinstance(choice, str):
        labels = {o.label: o.pk for o in options}
        digits = choice.isdigit() and int(choice) in known
        pk = int(choice) if digits else labels.get(choice)
    else:
        pk = None
    if pk not in known:
        _refuse(_("Choose among this poll's options."))
    return pk


def normalize_choices(poll: Poll, choices, *, options: list[Option] | None = None) -> list:
    """The JSON a ballot stores for `choices`, checked against the poll, or a ValidationError
    on "choices" that says what is wrong.

    Single choice, approval and ranked: a list of options (in order for ranked) → their keys.
    Score and dots: a mapping option → points → [key, points] pairs in option order.
    Dates: a mapping option (or its start time) → "yes" / "if_need_be" / "no" → [key, answer]
    pairs in option order (a date left out is a "no")."""
    options = list(poll.options.all()) if options is None else options
    if poll.method in (Method.SCORE, Method.DOTS, Method.DATES):
        return _mapping(poll, choices, options)
    if isinstance(choices, Mapping):
        _refuse(_("Choose options, not points, in this poll."))
    ids = [_option_key(choice, options) for choice in choices]
    if len(set(ids)) != len(ids):
        _refuse(_("Choose each option at most once."))
    if not ids:
        _refuse(_("Choose at least one option."))
    if poll.method == Method.SINGLE and len(ids) != 1:
        _refuse(_("Choose exactly one option."))
    return ids


def _mapping(poll: Poll, choices, options: list[Option]) -> list:
    if not isinstance(choices, Mapping):
        if poll.method == Method.DATES:
            _refuse(_("Answer yes, if need be or no for each date."))
        _refuse(_("Give points to the options."))
    given: dict[int, object] = {}
    for choice, value in choices.items():
        pk = _option_key(choice, options)
        if pk in given:
            _refuse(_("Give each option once."))
        given[pk] = _value(poll, value)
    if not given:
        _refuse(_("Answer for at least one option."))
    if poll.method == Method.DOTS and sum(given.values()) > poll.dots:
        _refuse(
            _("You have %(dots)s dots: you gave %(given)s.")
            % {"dots": poll.dots, "given": sum(given.values())}
        )
    return [[o.pk, given[o.pk]] for o in options if o.pk in given]


def _value(poll: Poll, value):
    if poll.method == Method.DATES:
        answer = ANSWER_NAMES.get(str(value).strip().lower()) if value is not None else None
        if answer is None:
            _refuse(_("Answer yes, if need be or no for each date."))
        return answer.value
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    elif value in ("", None):
        number = 0
    else:
        number = None
    if poll.method == Method.SCORE:
        if number is None or not 0 <= number <= counting.MAX_SCORE:
            _refuse(
                _("Give each option a whole number of points from 0 to %(most)s.")
                % {"most": counting.MAX_SCORE}
            )
    elif number is None or number < 0:
        _refuse(_("Give each option a whole number of dots, 0 or more."))
    return number


def ballot_mapping(poll: Poll, stored) -> dict:
    """A stored ballot as {option key: points or answer} (score, dots, dates), for forms and
    the count; {} for the other methods."""
    if poll.method not in (Method.SCORE, Method.DOTS, Method.DATES):
        return {}
    return {pair[0]: pair[1] for pair in stored or () if isinstance(pair, list) and len(pair) == 2}
