"""Samples for qeflow.python.sql-injection / sql-injection-raw-input."""

import sqlite3

from flask import Flask, request

app = Flask(__name__)
COLUMNS = "id, email, name"


def search(conn, name):
    cur = conn.cursor()
    # ruleid: qeflow.python.sql-injection
    cur.execute(f"SELECT id FROM users WHERE name LIKE '%{name}%'")
    return cur.fetchall()


def by_email(conn, email):
    # ruleid: qeflow.python.sql-injection
    query = "SELECT %s FROM users WHERE email = '%s'" % (COLUMNS, email)  # noqa: UP031
    return conn.execute(query).fetchall()


def delete(conn, user_id):
    # ruleid: qeflow.python.sql-injection
    conn.execute("DELETE FROM users WHERE id = {}".format(user_id))  # noqa: UP032


def sort(conn, column):
    sql = "SELECT id FROM users"
    # ruleid: qeflow.python.sql-injection
    sql += " ORDER BY " + column
    return conn.execute(sql).fetchall()


def by_filter(conn, email):
    sql = "SELECT id FROM users"
    # ruleid: qeflow.python.sql-injection
    sql += " WHERE email = '" + email + "'"
    return conn.execute(sql).fetchall()


def get(conn, user_id):
    # ok: qeflow.python.sql-injection
    return conn.execute(f"SELECT {COLUMNS} FROM users WHERE id = ?", (user_id,)).fetchone()


def limited(conn, limit):
    # ok: qeflow.python.sql-injection
    return conn.execute("SELECT id FROM users LIMIT %d" % int(limit)).fetchall()  # noqa: UP031


def fail(user_id):
    # ok: qeflow.python.sql-injection
    raise ValueError(f"no user where id is {user_id}")


def directions(name):
    # ok: qeflow.python.sql-injection
    return f"Tell us where {name} lives, in order of preference"


def wrapper(conn, text, params):
    # ok: qeflow.python.sql-injection
    return conn.execute(text, params)


@app.route("/run", methods=["POST"])
def run():
    conn = sqlite3.connect("app.db")
    # ruleid: qeflow.python.sql-injection-raw-input
    rows = conn.execute(request.form["sql"]).fetchall()
    return {"rows": rows}


@app.route("/users")
def users():
    conn = sqlite3.connect("app.db")
    name = request.args.get("name")
    # ruleid: qeflow.python.sql-injection
    rows = conn.execute("SELECT id FROM users WHERE name = '" + name + "'").fetchall()
    return {"rows": rows}


@app.route("/users/<int:user_id>")
def user(user_id):
    conn = sqlite3.connect("app.db")
    # ok: qeflow.python.sql-injection-raw-input
    rows = conn.execute("SELECT id FROM users WHERE id = ?", (request.view_args["user_id"],)).fetchall()
    return {"rows": rows, "id": user_id}
