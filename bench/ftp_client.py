"""
The FTP benchmark's client (bench/ftp.ts runs one process per client): Python's
ftplib, plain or FTPS (FTP_TLS: AUTH TLS, PBSZ 0, PROT P, the server's certificate
verified against the run's CA), the same code for every server.

    python3 ftp_client.py HOST PORT plain|tls DIR|- CAFILE|- stor REMOTE LOCAL
    python3 ftp_client.py HOST PORT plain|tls DIR|- CAFILE|- retr REMOTE SIZE
    python3 ftp_client.py HOST PORT plain|tls DIR|- CAFILE|- small COUNT

It connects and logs in (anonymous), changes to DIR, sends TYPE I, prints
`ready` and waits for a line on standard input: the harness starts every client
at once and its clock with them. Then it runs the workload and prints

    done END_NS CPU_SECONDS SHA256

END_NS is CLOCK_MONOTONIC (the clock of Node's process.hrtime) when the last
reply (226) arrived; CPU_SECONDS is this process's user and system time from the
start line to then. Nothing after END_NS is timed: the sha256 of what a RETR
received (kept in memory, hashed after the clock stopped), nor the QUIT, sent
once a second line arrives on standard input (the harness reads the server's
CPU before: vsftpd's session processes end with their sessions).

- stor: the whole file (read into memory before the start line) in one
  `sendall` on the data connection, as `storbinary` does block by block; under
  PROT P, `unwrap` (our close_notify, then the server's) before the close, as
  `storbinary` does. SHA256 is the file's.
- retr: `recv_into` one buffer of SIZE bytes until the server closes; under PROT
  P, `unwrap` first, as `retrbinary` does. SHA256 is that of the bytes received.
- small: COUNT `storbinary` calls of 1 KiB (ftplib's own loop), named
  small-0.bin, small-1.bin, ... SHA256 is '-'.

The data sockets keep ftplib's defaults (no TCP_NODELAY), as every program that
uses ftplib has them.
"""
import ftplib
import hashlib
import io
import resource
import ssl
import sys
import time

host, port, mode, directory, cafile, op = sys.argv[1:7]
rest = sys.argv[7:]
secure = mode == 'tls'

if secure:
    context = ssl.create_default_context(cafile=cafile)
    ftp = ftplib.FTP_TLS(context=context, timeout=120)
else:
    ftp = ftplib.FTP(timeout=120)
ftp.connect(host, int(port))
if secure:
    ftp.auth()
ftp.login('anonymous', 'bench@example.com')
if secure:
    ftp.prot_p()
if directory != '-':
    ftp.cwd(directory)
ftp.voidcmd('TYPE I')

payload = None
if op == 'stor':
    with open(rest[1], 'rb') as f:
        payload = f.read()

print('ready', flush=True)
sys.stdin.readline()


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


cpu_start = cpu()
digest = '-'
if op == 'stor':
    conn = ftp.transfercmd('STOR ' + rest[0])
    conn.sendall(payload)
    if secure and isinstance(conn, ssl.SSLSocket):
        conn.unwrap()
    conn.close()
    ftp.voidresp()
    end = time.monotonic_ns()
    cpu_end = cpu()
    digest = hashlib.sha256(payload).hexdigest()
elif op == 'retr':
    size = int(rest[1])
    # One byte more than expected: a server that sends too much is caught by the hash.
    buffer = bytearray(size + 1)
    view = memoryview(buffer)
    got = 0
    conn = ftp.transfercmd('RETR ' + rest[0])
    while True:
        n = conn.recv_into(view[got:], min(len(buffer) - got, 4 * 1024 * 1024))
        if n == 0:
            break
        got += n
        if got == len(buffer):
            break
    if secure and isinstance(conn, ssl.SSLSocket):
        conn.unwrap()
    conn.close()
    ftp.voidresp()
    end = time.monotonic_ns()
    cpu_end = cpu()
    digest = hashlib.sha256(view[:got]).hexdigest()
elif op == 'small':
    data = b'x' * 1024
    for i in range(int(rest[0])):
        ftp.storbinary('STOR small-%d.bin' % i, io.BytesIO(data))
    end = time.monotonic_ns()
    cpu_end = cpu()
else:
    raise SystemExit('unknown op ' + op)

print('done %d %.6f %s' % (end, cpu_end - cpu_start, digest), flush=True)
# The harness reads the server's CPU while every session is still open (vsftpd's end with their processes), then lets the clients go.
sys.stdin.readline()
try:
    ftp.quit()
except (ftplib.Error, OSError, EOFError):
    ftp.close()
