"""`python -m assessment.cli`: the `assessment` command (used to start worker processes)."""

from assessment.cli import main

main()
