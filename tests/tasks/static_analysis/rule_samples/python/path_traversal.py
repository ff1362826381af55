"""Samples for qeflow.python.path-traversal."""

import os
from pathlib import Path

from flask import request, send_file, send_from_directory
from werkzeug.utils import secure_filename

ROOT = "/srv/files"


def download():
    name = request.args["name"]
    # ruleid: qeflow.python.path-traversal
    with open(os.path.join(ROOT, name)) as handle:
        text = handle.read()
    # ruleid: qeflow.python.path-traversal
    return send_file(os.path.join(ROOT, request.args["file"])), text


def upload():
    upload = request.files["file"]
    # ruleid: qeflow.python.path-traversal
    target = Path(ROOT + "/" + request.form["dir"])
    upload.save(target)


def safe():
    # ok: qeflow.python.path-traversal
    with open(os.path.join(ROOT, secure_filename(request.args["name"]))) as handle:
        text = handle.read()
    # ok: qeflow.python.path-traversal
    page = send_from_directory(ROOT, request.args["file"])
    # ok: qeflow.python.path-traversal
    with open(os.path.join(ROOT, "index.html")) as handle:
        index = handle.read()
    return text, page, index
