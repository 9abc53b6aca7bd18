"""`gonghui`: the operator's command line. It is the project's manage.py, so every
Django management command works through it, plus gonghui's own (demo, serve, import…)."""

import os
import sys


def main(argv=None):
    from gonghui.conf import restrict_umask

    restrict_umask()  # before settings create the data dir, the keys and the database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gonghui.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "gonghui"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
