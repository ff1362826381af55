"""The subreaper safety net of `qeflow server`, in a child interpreter (it changes the process)."""

import os
import subprocess
import sys
import textwrap
import time

from tasks.orphans import descendants
from tests.support.cli import REPO_ROOT

SCRIPT = textwrap.dedent(
    """
    import os, subprocess, sys, time
    from tasks.orphans import become_subreaper, descendants, stop_descendants

    assert become_subreaper()
    # A shell that starts a long sleep in the background and exits: the sleep is orphaned, as the
    # service instances of a flow-run process killed outright would be.
    subprocess.run(["sh", "-c", "sleep 300 & echo $!"], check=True, stdout=open("pid.txt", "w"))
    orphan = int(open("pid.txt").read())
    time.sleep(0.2)
    assert orphan in descendants(), "the orphan was not adopted"
    kept = subprocess.Popen(["sleep", "300"])
    stopped = stop_descendants(keep=[kept.pid], grace_s=5)
    assert stopped == [orphan], stopped
    assert not os.path.exists(f"/proc/{orphan}") or open(f"/proc/{orphan}/stat").read().split()[2] == "Z"
    assert kept.poll() is None, "a kept process was stopped"
    kept.kill(); kept.wait()
    print("ok")
    """
)


def test_orphans_are_adopted_and_stopped_but_kept_processes_are_not(tmp_path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60, env=env)  # fmt: skip
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_descendants_of_this_process_include_a_grandchild() -> None:
    with subprocess.Popen(["sh", "-c", "sleep 30 & wait"]) as shell:
        try:
            for _ in range(50):
                if len(descendants()) >= 2:
                    break
                time.sleep(0.05)
            mine = descendants()
            assert shell.pid in mine and len([p for p in mine if p != shell.pid]) >= 1
        finally:
            subprocess.run(["pkill", "-P", str(shell.pid)], check=False)
            shell.kill()
