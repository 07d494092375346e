"""Run the command-line interface: ``python -m servicescore``."""

from .cli import main

raise SystemExit(main())
