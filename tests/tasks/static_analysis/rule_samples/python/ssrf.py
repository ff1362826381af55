"""Samples for qeflow.python.ssrf."""

import urllib.parse

import httpx
import requests
from flask import request


def preview():
    # ruleid: qeflow.python.ssrf
    page = requests.get(request.args["url"], timeout=5)
    target = request.json["webhook"]
    # ruleid: qeflow.python.ssrf
    httpx.post(target, json={"ok": True})
    # ruleid: qeflow.python.ssrf
    other = requests.get(f"http://{request.args['host']}/status", timeout=5)
    return page.text + other.text


def profile():
    user_id = request.args["id"]
    # ok: qeflow.python.ssrf
    user = requests.get(f"https://api.example.com/users/{user_id}", timeout=5)
    # ok: qeflow.python.ssrf
    repo = httpx.get("https://api.github.com/repos/" + urllib.parse.quote(request.args["repo"]))
    # ok: qeflow.python.ssrf
    fixed = requests.get("https://status.example.com/health", timeout=5)
    return user.json(), repo.json(), fixed.ok
