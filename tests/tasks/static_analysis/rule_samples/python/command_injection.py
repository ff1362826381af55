"""Samples for qeflow.python.command-injection."""

import os
import subprocess


def archive(directory):
    # ruleid: qeflow.python.command-injection
    subprocess.run(f"tar czf /tmp/out.tgz {directory}", shell=True, check=True)
    # ruleid: qeflow.python.command-injection
    os.system("rm -rf " + directory)
    # ruleid: qeflow.python.command-injection
    out = subprocess.check_output("du -sh " + directory, shell=True)
    # ruleid: qeflow.python.command-injection
    listing = os.popen(f"ls {directory}").read()
    return out, listing


def fixed(directory):
    # ok: qeflow.python.command-injection
    subprocess.run(["tar", "czf", "/tmp/out.tgz", directory], check=True)
    # ok: qeflow.python.command-injection
    subprocess.run("git status --short", shell=True, check=True)
    # ok: qeflow.python.command-injection
    subprocess.run(directory, shell=False, check=True)
    # ok: qeflow.python.command-injection
    os.system("sync")
