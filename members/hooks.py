"""Hooks: how the apps above members add to a member's data without members importing them.

An app that stores what members write (conversation, decisions) registers, in its
AppConfig.ready(), the sections it adds to the data map (the privacy page, the export's
README), what it puts in the export, and what happens to it when the account is deleted.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DataPart:
    # members.data.Section objects, in the order the privacy page shows them.
    sections: tuple
    # member -> {section key: JSON-ready value}; the export's data.json holds them.
    export: Callable[[object], dict]
    # (member, keep_writing) inside the deletion's transaction, before the account goes:
    # keep_writing is the member's choice on the deletion page (members.data.WritingOnDelete).
    delete: Callable[[object, bool], None]


_parts: list[DataPart] = []


def data_part_register(part: DataPart) -> None:
    """Adds a part of the member's data; registering the same sections twice adds them once."""
    if all(existing.sections != part.sections for existing in _parts):
        _parts.append(part)


def data_parts() -> tuple[DataPart, ...]:
    return tuple(_parts)
