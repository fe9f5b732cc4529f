#!/usr/bin/env python3
"""Turn the annotated articles in seeds/ into the timeline pages under docs/.

Usage: python build_timeline.py [--seeds DIR] [--docs DIR] [--check]
"""

from __future__ import annotations

import sys

from timeline.cli import main

if __name__ == "__main__":
    sys.exit(main())
