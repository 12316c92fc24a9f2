"""The member's data extension point (core/registry.py): what the apps above members keep.

An app that stores what members write (conversation, decisions) registers, in its
AppConfig.ready(), the sections it adds to the data map (the privacy page, the export's
README), what it puts in the export, and what happens to it when the account is deleted.
"""

from collections.abc import Callable
from dataclasses import dataclass

from core.registry import Registry


@dataclass(frozen=True)
class DataPart:
    # members.data.Section objects, in the order the privacy page shows them.
    sections: tuple
    # member -> {section key: JSON-ready value}; the export's data.json holds them.
    export: Callable[[object], dict]
    # (member, keep_writing) inside the deletion's transaction, before the account goes:
    # keep_writing is the member's choice on the deletion page (members.data.WritingOnDelete).
    delete: Callable[[object, bool], None]


data_parts: Registry[DataPart] = Registry(
    """The parts of a member's data kept by the apps above members: their sections on the
    privacy page and in the export's README, their export, and their deletion."""
)


privacy_notes: Registry[Callable[[object], str | None]] = Registry(
    """Each is called as build(request) and returns a paragraph for the privacy page's
    "Beyond this site" section (in the active language), or None when it has nothing to
    say (federation: what is sent to the fediverse, while federation is on)."""
)
