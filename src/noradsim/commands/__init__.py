"""CLI subcommands, one module each (see :mod:`noradsim.cli`)."""
