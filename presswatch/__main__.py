"""Allow `python -m presswatch`."""

from presswatch.cli import main

main()
