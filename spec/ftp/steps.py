#!/usr/bin/env python3
"""Runs a list of FTP steps with Python's ftplib (plain or FTP_TLS) and prints what it saw as JSON.

Usage: steps.py '{"host": "127.0.0.1", "port": 2121, "user": "alice", "password": "x",
                  "tls": false, "cafile": null, "prot": "P", "passive": true, "login": true}'
                '[["send", "HELP"], ["stor", "a.txt", "hello"], ["retr", "a.txt"], ...]'

Each step gives one result: a reply code (an int) for a command, or a dict
with the code and what came over the data connection. A refusal that ftplib
raises is recorded as its code. The script observes; the mocha specs assert.
"""
import ftplib
import hashlib
import io
import json
import socket
import ssl
import sys
import time


def code_of(text):
    text = str(text)
    return int(text[:3]) if text[:3].isdigit() else text


def attempt(call):
    """(code, value) of a call, whether ftplib returns or raises."""
    try:
        value = call()
        return value
    except ftplib.all_errors as error:
        return {'code': code_of(error), 'error': str(error)}


def code(result):
    return result['code'] if isinstance(result, dict) else code_of(result)


def main():
    opts = json.loads(sys.argv[1])
    steps = json.loads(sys.argv[2])
    if opts.get('tls'):
        context = ssl.create_default_context(cafile=opts.get('cafile'))
        if opts.get('max_tls'):
            context.maximum_version = getattr(ssl.TLSVersion, opts['max_tls'])
        ftp = ftplib.FTP_TLS(context=context, timeout=opts.get('timeout', 30))
    else:
        ftp = ftplib.FTP(timeout=opts.get('timeout', 30))
    out = {}
    out['welcome'] = ftp.connect(opts['host'], opts['port'])
    if opts.get('tls'):
        out['auth'] = code(attempt(ftp.auth))
        out['cipher'] = ftp.sock.version() if hasattr(ftp.sock, 'version') else None
    if opts.get('login', True):
        started = time.monotonic()
        out['login'] = code(attempt(lambda: ftp.login(opts.get('user', 'anonymous'), opts.get('password', 'guest@example.com'))))
        out['login_seconds'] = time.monotonic() - started
    if opts.get('tls') and opts.get('prot') == 'P':
        out['prot'] = code(attempt(ftp.prot_p))
    ftp.set_pasv(opts.get('passive', True))
    results = []
    for step in steps:
        kind = step[0]
        if kind == 'send':
            result = attempt(lambda: ftp.sendcmd(step[1]))
            results.append(result if isinstance(result, dict) else {'code': code_of(result), 'text': result})
        elif kind == 'retr':
            buf = io.BytesIO()
            started = time.monotonic()
            result = attempt(lambda: ftp.retrbinary('RETR ' + step[1], buf.write))
            data = buf.getvalue()
            entry = result if isinstance(result, dict) else {'code': code_of(result)}
            entry.update({'size': len(data), 'sha': hashlib.sha256(data).hexdigest(), 'seconds': time.monotonic() - started})
            if len(data) <= 4096:
                entry['text'] = data.decode('latin-1')
            results.append(entry)
        elif kind in ('stor', 'appe', 'stou'):
            data = step[2].encode() if len(step) > 2 and isinstance(step[2], str) else bytes(step[2] if len(step) > 2 else 0)
            if len(step) > 3:
                data = bytes(range(256)) * (step[3] // 256)
            verb = {'stor': 'STOR ', 'appe': 'APPE ', 'stou': 'STOU'}[kind]
            target = '' if kind == 'stou' and step[1] == '' else (' ' + step[1] if kind == 'stou' else step[1])
            started = time.monotonic()
            preliminary = []
            def store():
                conn = ftp.transfercmd(verb + target)
                preliminary.append(ftp.lastresp)
                try:
                    conn.sendall(data)
                    if isinstance(conn, ssl.SSLSocket):
                        conn.unwrap()
                finally:
                    conn.close()
                return ftp.voidresp()
            result = attempt(store)
            entry = result if isinstance(result, dict) else {'code': code_of(result), 'text': result}
            entry['seconds'] = time.monotonic() - started
            entry['sha'] = hashlib.sha256(data).hexdigest()
            results.append(entry)
        elif kind in ('list', 'nlst', 'mlsd'):
            lines = []
            verb = {'list': 'LIST', 'nlst': 'NLST', 'mlsd': 'MLSD'}[kind]
            cmd = verb + (' ' + step[1] if len(step) > 1 else '')
            result = attempt(lambda: ftp.retrlines(cmd, lines.append))
            entry = result if isinstance(result, dict) else {'code': code_of(result)}
            entry['lines'] = lines
            results.append(entry)
        elif kind == 'call':
            # An ftplib method without arguments (prot_p, prot_c, ccc): its reply code.
            result = attempt(getattr(ftp, step[1]))
            results.append({'code': code(result)})
        elif kind == 'pasv':
            ftp.set_pasv(step[1])
            results.append(None)
        elif kind == 'sleep':
            time.sleep(step[1])
            results.append(None)
        elif kind == 'raw':
            # A line sent as is; the reply read back as text (for replies ftplib would refuse).
            ftp.putcmd(step[1])
            results.append(attempt(ftp.getmultiline))
        else:
            raise ValueError('unknown step ' + kind)
    out['steps'] = results
    try:
        out['quit'] = code_of(ftp.quit())
    except (ftplib.all_errors + (EOFError,)) as error:
        out['quit'] = str(error)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
