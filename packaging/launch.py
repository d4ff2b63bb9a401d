"""PyInstaller's entry script: the same ``main()`` as ``python -m app``.

A script, not ``app/__main__.py`` itself, so the bundle imports ``app`` as a package. ``main()``
calls ``multiprocessing.freeze_support()`` first, which turns a relaunched executable into the
spawned lab or worker process it was started as.
"""

from app.__main__ import main

if __name__ == "__main__":
    raise SystemExit(main())
