#!/usr/bin/env python3
"""Turn the annotated articles in seeds/ into the timeline pages under docs/.

Usage: python build_timeline.py [--seeds DIR] [--docs DIR] [--check]
"""

from __future__ import annotations

import os
import sys

from timeline.cli import main

if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)  # everything is written; tearing down the model object by object would only cost time
