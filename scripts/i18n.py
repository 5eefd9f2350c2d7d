#!/usr/bin/env python
"""Translation catalogues: update | compile | check | untranslated [PATH…] [--json FILE…].

  update [--json FILE…]   extract texts, update zh_CN and en messages.po (JSON {中文: English}
                          files from translators fill empty English entries)
  compile                 write messages.mo next to each messages.po (setup runs this)
  check                   list what is missing, empty, fuzzy or stale; exit 1 if anything
  untranslated [PATH…]    texts under PATH (default: everywhere) without English
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import i18n_tools  # noqa: E402


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    jsons = [Path(a) for a in rest[rest.index("--json") + 1:]] if "--json" in rest else []
    paths = rest[:rest.index("--json")] if "--json" in rest else rest
    if command == "update":
        for locale, n in i18n_tools.update(jsons).items():
            print(f"{locale}: {n} texts")
        i18n_tools.compile_all()
        return 0
    if command == "compile":
        i18n_tools.compile_all()
        return 0
    if command == "check":
        found = i18n_tools.problems()
        print("\n".join(found) if found else "catalogues complete")
        return 1 if found else 0
    if command == "untranslated":
        missing = i18n_tools.untranslated(paths, jsons)
        print("\n".join(missing))
        print(f"# {len(missing)} without English", file=sys.stderr)
        return 1 if missing else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
