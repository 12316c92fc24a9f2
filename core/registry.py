"""Extension points: the one way a higher app adds to a lower one without being imported.

A lower app declares a Registry in its hooks.py, with a docstring that says what is
registered and when it is called; a higher app registers from its AppConfig.ready(); the
lower app iterates over what was registered. Registering the same item twice keeps one.
"""

from collections.abc import Iterator


class Registry[T]:
    """Items registered by higher apps, in the order they registered."""

    def __init__(self, doc: str):
        self.__doc__ = doc
        self._items: list[T] = []

    def register(self, item: T) -> T:
        """Adds the item unless it is there already; returns it (usable as a decorator)."""
        if item not in self._items:
            self._items.append(item)
        return item

    def unregister(self, item: T) -> None:
        """Removes the item (a test's own receiver, when the test ends)."""
        self._items.remove(item)

    def __iter__(self) -> Iterator[T]:
        return iter(tuple(self._items))

    def __len__(self) -> int:
        return len(self._items)
