"""Samples for qeflow.python.hardcoded-password."""

import os

import psycopg2

# ruleid: qeflow.python.hardcoded-password
DB_PASSWORD = "S3cr3t-pa55"
# ruleid: qeflow.python.hardcoded-password
settings = {"api_key": "k3y-4eC39HqLyjWDarjtT1zdp7dc"}
# ok: qeflow.python.hardcoded-password
SECRET_KEY = os.environ["SECRET_KEY"]
# ok: qeflow.python.hardcoded-password
PASSWORD_MIN_LENGTH = 12
# ok: qeflow.python.hardcoded-password
errors = {"password": "is required"}


def connect():
    # ruleid: qeflow.python.hardcoded-password
    return psycopg2.connect(host="db", user="app", password="hunter22")


def connect_env():
    # ok: qeflow.python.hardcoded-password
    return psycopg2.connect(host="db", user="app", password=os.environ["DB_PASSWORD"])
