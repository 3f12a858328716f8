"""The listening socket of `judgekit serve`, bound before the server starts.

Binding it ourselves and handing it to uvicorn turns a port in use (or a host that is not
ours) into one clear error and exit 2, instead of uvicorn's log line and its exit 3; and no
other program can take the port between the check and the start.
"""

from __future__ import annotations

import errno
import socket

from judgekit.errors import JudgekitError

_ADVICE = {
    errno.EADDRINUSE: "address already in use; pick another --port",
    errno.EACCES: "permission denied (ports below 1024 need root); pick a --port of 1024 or more",
    errno.EADDRNOTAVAIL: "no such address on this machine; pick another --host",
}


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to HOST:PORT, or a JudgekitError that says what to change."""
    where = f"{host}:{port}"
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as error:
        raise JudgekitError(
            f"cannot listen on {where}: unknown host ({error}); pick another --host"
        ) from None
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    # As uvicorn does: a restarted server need not wait for old connections to time out.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as error:
        sock.close()
        why = _ADVICE.get(error.errno or 0, error.strerror or str(error))
        raise JudgekitError(f"cannot listen on {where}: {why}") from None
    return sock
