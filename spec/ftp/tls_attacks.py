#!/usr/bin/env python3
"""TLS data connections cut short, and taken by a thief, with Python's ftplib.

Usage: tls_attacks.py PORT CAFILE SCENARIO [ARG...]

As safety.py: the script observes and prints one JSON line, the mocha spec
(security.spec.ts) asserts. A reply that ftplib raises is recorded as its code.
"""
import ftplib
import io
import json
import os
import socket
import ssl
import struct
import sys

from driver import HOST, MiB, code_of


def context(cafile):
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.check_hostname = False
    return ctx


class ResumingFTP(ftplib.FTP_TLS):
    """FTP_TLS whose data connections resume the control connection's TLS
    session, as curl, lftp and FileZilla do (ftplib does not)."""

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size


def login(port, cafile, resuming=False):
    ftp = (ResumingFTP if resuming else ftplib.FTP_TLS)(context=context(cafile), timeout=30)
    ftp.connect(HOST, port)
    ftp.auth()
    ftp.login(os.environ['FTP_USER'], os.environ['FTP_PASSWORD'])
    ftp.prot_p()
    ftp.voidcmd('TYPE I')
    return ftp


def size_of(ftp, name):
    try:
        return ftp.size(name)
    except ftplib.all_errors as error:
        return int(str(error)[:3])


def cut(port, cafile, command, how):
    """An upload over a TLS data connection that ends without the client's
    close_notify: `fin` (the TCP connection closed cleanly under the TLS
    session) or `reset` (SO_LINGER 0). Before it, the target holds 'good'."""
    ftp = login(port, cafile)
    name = 'cut.bin'
    ftp.storbinary('STOR ' + name, io.BytesIO(b'good'))
    rest = 2 if command == 'REST' else None
    conn = ftp.transfercmd(('APPE ' if command == 'APPE' else 'STOR ') + name, rest)
    conn.sendall(b'\x02' * (4 * MiB))
    if how == 'reset':
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        conn.close()
    else:
        # SSLSocket.shutdown drops the TLS layer without a close_notify, then shuts the socket down: a bare FIN.
        conn.shutdown(socket.SHUT_RDWR)
        conn.close()
    reply = code_of(ftp.voidresp)
    size = size_of(ftp, name)
    names = ftp.nlst()
    whole = b''
    if command != 'STOR':
        chunks = []
        ftp.retrbinary('RETR ' + name, chunks.append)
        whole = b''.join(chunks)
    ftp.quit()
    return {'reply': reply, 'size': size, 'names': names, 'head': whole[:4].decode('latin-1')}


def attempt(ftp, call):
    """226 when the transfer worked, else the code the server gave: a refused
    data connection fails ftplib's handshake first, then the reply comes."""
    try:
        call()
        return 226
    except ftplib.all_errors as error:
        text = str(error)
        if text[:3].isdigit():
            return int(text[:3])
        return code_of(ftp.voidresp)


def clean(port, cafile, resuming):
    """A plain STOR and RETR under PROT P, resuming the session or not."""
    ftp = login(port, cafile, resuming == 'resume')
    chunks = []
    r = {'stor': attempt(ftp, lambda: ftp.storbinary('STOR clean.bin', io.BytesIO(b'x' * 100000))),
         'retr': attempt(ftp, lambda: ftp.retrbinary('RETR clean.bin', chunks.append))}
    if r['retr'] == 226:
        r['size'] = len(b''.join(chunks))
    ftp.quit()
    return r


def steal_once(victim, robber, session):
    """The victim opens a passive port and asks for secret.txt; the thief
    connects to that port first, resuming `session` (or a fresh handshake
    with None); then the victim connects with its own session. What each got,
    and the session the thief's handshake made (a planted one, if kept)."""
    data_port = int(victim.sendcmd('EPSV').split('|')[3])
    raw = socket.create_connection((HOST, data_port), timeout=10)
    stolen = b''
    thief_error = None
    made = None
    asked = False
    try:
        taken = robber.context.wrap_socket(raw, server_hostname=HOST, session=session)
        made = taken.session
        victim.putcmd('RETR secret.txt')
        asked = True
        while True:
            chunk = taken.recv(65536)
            if not chunk:
                break
            stolen += chunk
    except (OSError, ssl.SSLError) as error:
        thief_error = type(error).__name__
    if not asked:
        victim.putcmd('RETR secret.txt')
    got = b''
    try:
        conn = victim.context.wrap_socket(socket.create_connection((HOST, data_port), timeout=10), server_hostname=HOST, session=victim.sock.session)
        first = victim.getresp()
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            got += chunk
        conn.unwrap()
        conn.close()
        reply = [int(first[:3]), code_of(victim.voidresp)]
    except ftplib.all_errors as error:
        reply = str(error)[:3]
    except (OSError, ssl.SSLError) as error:
        reply = type(error).__name__
    return {'stolen': stolen.decode('latin-1'), 'thief_error': thief_error, 'got': got.decode('latin-1'), 'reply': reply}, made


def thief(port, cafile):
    """A thief on the victim's address, logged in on a control connection of
    its own: first it resumes its own control session on the victim's data
    port; then it makes a fresh session there (which must not be kept), and
    on the victim's next transfer tries to resume that one."""
    victim = login(port, cafile, True)
    robber = login(port, cafile, True)
    own, _ = steal_once(victim, robber, robber.sock.session)
    fresh, planted = steal_once(victim, robber, None)
    replanted, _ = steal_once(victim, robber, planted) if planted is not None else (fresh, None)
    return {'own': own, 'fresh': fresh, 'planted': replanted}


def main():
    port, cafile, scenario, *args = sys.argv[1:]
    port = int(port)
    if scenario == 'cut':
        result = cut(port, cafile, *args)
    elif scenario == 'clean':
        result = clean(port, cafile, *args)
    elif scenario == 'thief':
        result = thief(port, cafile)
    else:
        raise SystemExit('unknown scenario ' + scenario)
    print(json.dumps(result))


if __name__ == '__main__':
    main()
