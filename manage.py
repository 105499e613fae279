#!/usr/bin/env python
"""Django's command-line utility for Ruta."""

import os
import sys
from pathlib import Path


def main() -> None:
    # .env (beside this file) may choose the settings module, so it is read before the choice; a variable already in
    # the environment always wins (lms/settings/base.py reads the same file the same way for everything else).
    env_file = Path(__file__).resolve().parent / ".env"
    if env_file.is_file():
        import environ

        environ.Env.read_env(env_file, overwrite=False)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
