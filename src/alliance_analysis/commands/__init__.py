"""One module per CLI sub-command: ``add_parser(subparsers, help)`` and ``run(args) -> int``."""
