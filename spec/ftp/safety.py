#!/usr/bin/env python3
"""The attacks and picky clients of issue 16's FTP items, with Python's ftplib.

Usage: safety.py PORT SCENARIO [ARG...]

As driver.py: the script observes and prints one JSON line, the mocha spec
(safety.spec.ts) asserts. A reply that ftplib raises is recorded as its code.
"""
import ftplib
import io
import json
import os
import socket
import struct
import sys

from driver import HOST, MiB, code_of


def size_of(ftp, name):
    """SIZE in bytes, or the error's reply code (550: no such file)."""
    try:
        return ftp.size(name)
    except ftplib.all_errors as error:
        return int(str(error)[:3])


def connect(port):
    """Logged in as FTP_USER (the spec's named user: anonymous may only read)."""
    ftp = ftplib.FTP(timeout=30)
    ftp.connect(HOST, port)
    ftp.login(os.environ.get('FTP_USER', 'anonymous'), os.environ.get('FTP_PASSWORD', 'guest@example.com'))
    ftp.voidcmd('TYPE I')
    return ftp


def reset(conn):
    """Closes with a TCP reset (SO_LINGER 0): what a crashed router or a killed NAT entry sends."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    conn.close()


def reset_upload(port, command, tries):
    """`tries` uploads of 48 MiB sent as fast as the server takes them, each
    reset right after the last byte left the client (the server still has
    megabytes to read): what the server answered and what it kept."""
    ftp = connect(port)
    block = b'\x01' * (48 * MiB)
    r = {'replies': [], 'sizes': []}
    for i in range(int(tries)):
        name = 'reset-%d.bin' % i
        rest = None
        if command in ('APPE', 'REST'):
            ftp.storbinary('STOR ' + name, io.BytesIO(b'0123456789'))
        if command == 'REST':
            rest = 5
        conn = ftp.transfercmd(('APPE ' if command == 'APPE' else 'STOR ') + name, rest)
        conn.sendall(block)
        reset(conn)
        r['replies'].append(code_of(ftp.voidresp))
        r['sizes'].append(size_of(ftp, name))
    r['names'] = sorted(ftp.nlst())
    r['noop_after'] = code_of(ftp.sendcmd, 'NOOP')
    ftp.quit()
    return r


def listings(port, directory):
    """LIST, NLST and MLSD of a directory, as the lines ftplib reads (it splits on CRLF, LF or CR)."""
    ftp = connect(port)
    lines = []
    ftp.retrlines('LIST ' + directory, lines.append)
    r = {'list': lines, 'nlst': ftp.nlst(directory)}
    lines = []
    ftp.retrlines('MLSD ' + directory, lines.append)
    r['mlsd'] = lines
    ftp.quit()
    return r


def rest_past_end(port):
    """REST past the end of a 10-byte file, then RETR: the reply, and whether a data connection opened."""
    ftp = connect(port)
    ftp.storbinary('STOR ten.bin', io.BytesIO(b'0123456789'))
    r = {'rest': code_of(ftp.sendcmd, 'REST 11')}
    try:
        conn = ftp.transfercmd('RETR ten.bin')
        r['retr'] = 150
        r['data'] = len(conn.recv(100))
        conn.close()
        r['final'] = code_of(ftp.voidresp)
    except ftplib.all_errors as error:
        r['retr'] = int(str(error)[:3])
    r['rest_at_end'] = code_of(ftp.sendcmd, 'REST 10')
    out = io.BytesIO()
    r['retr_at_end'] = code_of(ftp.retrbinary, 'RETR ten.bin', out.write)
    r['at_end_bytes'] = len(out.getvalue())
    r['noop_after'] = code_of(ftp.sendcmd, 'NOOP')
    ftp.quit()
    return r


def nlst_names(port, *args):
    """NLST of each argument, and whether RETR of every name it printed works."""
    ftp = connect(port)
    r = {}
    for arg in args:
        names = ftp.nlst(arg) if arg != '' else ftp.nlst()
        # ftplib's NLST leaves TYPE A, where SIZE is 550 (issue 22): ask in binary.
        ftp.voidcmd('TYPE I')
        r[arg] = {'names': names, 'sizes': [size_of(ftp, name) for name in names]}
    ftp.quit()
    return r


def small_stors(port, count):
    """`count` STORs of 1 KiB from one client, one after another."""
    ftp = connect(port)
    data = b'x' * 1024
    replies = [code_of(ftp.storbinary, 'STOR small-%d.bin' % i, io.BytesIO(data)) for i in range(int(count))]
    ftp.quit()
    return {'replies': replies}


SCENARIOS = {
    'reset-upload': reset_upload,
    'listings': listings,
    'rest-past-end': rest_past_end,
    'nlst-names': nlst_names,
    'small-stors': small_stors,
}

if __name__ == '__main__':
    print(json.dumps(SCENARIOS[sys.argv[2]](int(sys.argv[1]), *sys.argv[3:])))
