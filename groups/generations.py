"""Change generations: one counter row per kind of change, bumped after the change commits.

Bumping after the commit (not inside the transaction) holds no row lock while seats are
counted, and is still correct: a reader that saw the old number either read the old data
(its body is keyed by the old number, never served again) or the new data.
"""

from django.db import transaction
from django.db.models import F

from .models import ChangeGeneration


def _bump(key: str) -> None:
    if not ChangeGeneration.objects.filter(key=key).update(value=F("value") + 1):
        ChangeGeneration.objects.get_or_create(key=key, defaults={"value": 1})


def generation_bump(key: str) -> None:
    """Moves the generation on once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _bump(key))
