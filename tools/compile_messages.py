"""Compiles locale/*/LC_MESSAGES/*.po into .mo files: `make messages` (so `make run` and
`make test`) and the Dockerfile use Django's `compilemessages`, which needs GNU gettext's
msgfmt; on a machine without it, `make messages` runs this instead (polib, pure Python), so
`make run` still works on a bare machine. The .mo files are built, never committed."""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    compiled = 0
    for po_path in sorted((ROOT / "locale").glob("*/LC_MESSAGES/*.po")):
        catalog = polib.pofile(str(po_path))
        catalog.save_as_mofile(str(po_path.with_suffix(".mo")))
        compiled += 1
    print(f"compiled {compiled} catalogs with polib (GNU msgfmt not found)")
    return 0 if compiled else 1


if __name__ == "__main__":
    sys.exit(main())
