"""Production settings plus bench/urls.py's hello-world view, for bench/speed.py's gunicorn.

Everything else comes from config/settings.py and the environment, exactly as in production;
BENCH_STATIC_ROOT lets collectstatic write into a temporary folder instead of staticfiles/.
"""

import os
from pathlib import Path

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
