"""Runs SFTP operations as several users over paramiko, one login each, and
prints what each gave as JSON: "ok" (with a value where there is one) or
the exception's class and message. argv: port, then a JSON list of
[user, password, operation, args...]."""
import json
import sys

import paramiko


def operation(sftp, name, args):
    if name == "listdir":
        return sorted(sftp.listdir(*args))
    if name == "stat":
        return sftp.stat(*args).st_size
    if name == "read":
        with sftp.open(args[0], "r") as f:
            return f.read().decode()
    if name == "write":
        with sftp.open(args[0], "w") as f:
            f.write(args[1].encode())
        return None
    if name == "append":
        with sftp.open(args[0], "a") as f:
            f.write(args[1].encode())
        return None
    if name == "remove":
        return sftp.remove(*args)
    if name == "rename":
        return sftp.rename(*args)
    if name == "posix_rename":
        return sftp.posix_rename(*args)
    if name == "mkdir":
        return sftp.mkdir(*args)
    if name == "rmdir":
        return sftp.rmdir(*args)
    if name == "chmod":
        return sftp.chmod(*args)
    if name == "utime":
        return sftp.utime(args[0], (args[1], args[1]))
    if name == "normalize":
        return sftp.normalize(*args)
    if name == "readlink":
        return sftp.readlink(*args)
    if name == "symlink":
        return sftp.symlink(*args)
    if name == "truncate":
        return sftp.truncate(*args)
    raise ValueError(name)


def login(port, user, password):
    transport = paramiko.Transport(("127.0.0.1", port))
    transport.connect()
    try:
        transport.auth_password(user, password)
    except Exception:
        transport.close()
        raise
    return transport, paramiko.SFTPClient.from_transport(transport)


def main():
    port = int(sys.argv[1])
    results = []
    sessions = {}  # one connection per user and password, reused
    for user, password, name, *args in json.loads(sys.argv[2]):
        try:
            if (user, password) not in sessions:
                sessions[(user, password)] = login(port, user, password)
            results.append(["ok", operation(sessions[(user, password)][1], name, args)])
        except Exception as error:  # what the client raised is the result
            results.append([type(error).__name__, str(error)])
    for transport, _ in sessions.values():
        transport.close()
    print(json.dumps(results))


main()
