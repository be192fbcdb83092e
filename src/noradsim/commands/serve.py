"""``noradsim serve``: the explorer in the browser (Panel app, docs/explorer.md)."""

from __future__ import annotations

NAME = "serve"
HELP = "serve the explorer web app (experiments, dose-response, LC recording, validation, parameters, pathways)"


def add_arguments(p):
    p.add_argument("--port", default="5006", help="TCP port (default 5006)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")


def check_port(text) -> int:
    """The port as an int from 1 to 65535, or an InputError naming --port."""
    from ..errors import InputError

    try:
        port = int(str(text).strip())
    except ValueError:
        raise InputError(f"--port: a whole number from 1 to 65535, got {text!r}") from None
    if not 1 <= port <= 65535:
        raise InputError(f"--port: a whole number from 1 to 65535, got {port}")
    return port


def main(args) -> int:
    from ..errors import InputError

    port = check_port(args.port)
    host = str(args.host).strip()
    if not host or any(c.isspace() for c in host):
        raise InputError(f"--host: an address such as 127.0.0.1, got {args.host!r}")
    _check_free(host, port)
    from ..explorer import serve

    print(f"noradsim explorer: http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    serve(port, host)
    return 0


def _check_free(host: str, port: int) -> None:
    """Fail in one line, before anything loads, when the address cannot be bound."""
    import socket

    from ..errors import InputError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise InputError(f"--host: cannot resolve {host!r} ({exc.strerror or exc})") from None
    family, _, _, _, addr = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as exc:
            raise InputError(f"--port: cannot listen on {host}:{port} ({exc.strerror or exc})") from None
