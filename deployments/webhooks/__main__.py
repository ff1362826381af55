"""`python -m deployments.webhooks`: serve the receiver; settings from QEFLOW_WEBHOOKS_* variables."""

from __future__ import annotations

import sys

from deployments.webhooks._serve import serve
from tasks.errors import ConfigError

if __name__ == "__main__":
    try:
        serve()
    except ConfigError as exc:
        print(f"qeflow webhooks: {exc}", file=sys.stderr)
        sys.exit(2)
