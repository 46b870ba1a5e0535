"""``python -m claimflow``: the command line, as the ``claimflow`` script runs it."""

from claimflow.cli import main

main(prog_name="claimflow")
