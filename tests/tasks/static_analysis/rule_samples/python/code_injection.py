"""Samples for qeflow.python.eval."""

from flask import request


def calculate():
    # ruleid: qeflow.python.eval
    value = eval(request.args["expr"])
    code = request.form["code"]
    # ruleid: qeflow.python.eval
    exec(code, {})
    return value


def safe():
    # ok: qeflow.python.eval
    two = eval("1 + 1")
    # ok: qeflow.python.eval
    exec("x = 1", {})
    return two
