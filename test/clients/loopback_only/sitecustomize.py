"""
Loaded by every python3 the guide test runs (this folder is on PYTHONPATH): no socket may connect to, and
no name may be resolved for, anything but loopback. The guide's snippets name hosts like
sip.us-east.provider.com and hooks.company.com; a snippet or the client that tried to reach one would fail
loudly here instead of sending traffic (DNS included) off the machine.
"""

import ipaddress
import socket

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def _is_loopback(host):
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]")
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


class OffMachineTraffic(OSError):
    pass


_getaddrinfo = socket.getaddrinfo
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_sendto = socket.socket.sendto


def getaddrinfo(host, *args, **kwargs):
    if host is not None and not _is_loopback(host):
        raise OffMachineTraffic("test guard: refused to resolve %r (only loopback is allowed)" % (host,))
    return _getaddrinfo(host, *args, **kwargs)


def _check(address):
    if isinstance(address, tuple) and not _is_loopback(address[0]):
        raise OffMachineTraffic("test guard: refused to reach %r (only loopback is allowed)" % (address,))


def connect(self, address):
    _check(address)
    return _connect(self, address)


def connect_ex(self, address):
    _check(address)
    return _connect_ex(self, address)


def sendto(self, data, *args):
    _check(args[-1])
    return _sendto(self, data, *args)


socket.getaddrinfo = getaddrinfo
socket.gethostbyname = lambda host: getaddrinfo(host, None, socket.AF_INET)[0][4][0]
socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.socket.sendto = sendto
