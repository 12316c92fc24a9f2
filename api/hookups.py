"""What the api app registers with the apps below it (core/registry.py)."""


def register() -> None:
    pass
