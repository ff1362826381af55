import os
import sys
from pathlib import Path

# No usage telemetry from the Pact FFI; must be set before pact starts.
os.environ.setdefault("PACT_DO_NOT_TRACK", "true")

# Make consumer.py importable without installing orders-service.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
