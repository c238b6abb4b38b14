"""``python -m hurwicz`` runs the command line (same as the ``hurwicz`` script)."""

from hurwicz.cli import main

if __name__ == "__main__":
    main()
