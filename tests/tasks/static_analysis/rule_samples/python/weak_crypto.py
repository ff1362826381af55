"""Samples for qeflow.python.weak-password-hash / weak-cipher / insecure-random."""

import hashlib
import random
import secrets

from Crypto.Cipher import AES, DES
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def hash_password(password):
    # ruleid: qeflow.python.weak-password-hash
    return hashlib.md5(password.encode()).hexdigest()


def hash_user(user):
    # ruleid: qeflow.python.weak-password-hash
    return hashlib.sha1(user.password.encode()).hexdigest()


def etag(body):
    # ok: qeflow.python.weak-password-hash
    return hashlib.md5(body).hexdigest()


def strong(password, salt):
    # ok: qeflow.python.weak-password-hash
    return hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)


def encrypt(key, data):
    # ruleid: qeflow.python.weak-cipher
    des = DES.new(key, DES.MODE_CBC)
    # ruleid: qeflow.python.weak-cipher
    ecb = AES.new(key, AES.MODE_ECB)
    # ruleid: qeflow.python.weak-cipher
    legacy = Cipher(algorithms.TripleDES(key), modes.CBC(b"\0" * 8))
    # ok: qeflow.python.weak-cipher
    gcm = AES.new(key, AES.MODE_GCM)
    return des, ecb, legacy, gcm, data


def tokens():
    # ruleid: qeflow.python.insecure-random
    reset_token = "".join(random.choice("abcdef0123456789") for _ in range(32))
    # ruleid: qeflow.python.insecure-random
    session = {"session_id": random.getrandbits(64)}
    # ok: qeflow.python.insecure-random
    jitter = random.uniform(0, 0.1)
    # ok: qeflow.python.insecure-random
    csrf_token = secrets.token_urlsafe(32)
    return reset_token, session, jitter, csrf_token
