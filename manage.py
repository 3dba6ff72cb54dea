#!/usr/bin/env python
"""Same as the ``roret`` console script."""

from roret.cli import main

if __name__ == "__main__":
    main()
