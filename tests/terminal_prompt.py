"""Drives `qoltanba serve --prompt tty` through a pseudo-terminal (pexpect).

A raw WebSocket client asks for a CMS signature; the script answers the terminal prompt:
allow the origin once, choose individual_sign.p12 by number, type a wrong password, then
the right one. Usage: terminal_prompt.py PATH_TO_QOLTANBA
"""

import base64
import json
import os
import re
import socket
import struct
import sys
import tempfile

import pexpect

ORIGIN = "https://portal.example.kz"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\nOrigin: {ORIGIN}\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self._more()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        assert b" 101 " in head.split(b"\r\n")[0], head

    def _more(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("server closed the connection")
        self.buf += chunk

    def _need(self, n):
        while len(self.buf) < n:
            self._more()

    def recv_text(self):
        self._need(2)
        length, offset = self.buf[1] & 0x7F, 2
        if length == 126:
            self._need(4)
            length, offset = struct.unpack(">H", self.buf[2:4])[0], 4
        elif length == 127:
            self._need(10)
            length, offset = struct.unpack(">Q", self.buf[2:10])[0], 10
        self._need(offset + length)
        payload = self.buf[offset : offset + length]
        self.buf = self.buf[offset + length :]
        return payload.decode()

    def send_text(self, text):
        data = text.encode()
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            header = bytes([0x81, 0x80 | n])
        elif n < 65536:
            header = bytes([0x81, 0x80 | 126]) + struct.pack(">H", n)
        else:
            header = bytes([0x81, 0x80 | 127]) + struct.pack(">Q", n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(header + mask + masked)


def main():
    binary = sys.argv[1]
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    port = free_port()
    with tempfile.TemporaryDirectory() as config:
        child = pexpect.spawn(
            binary,
            ["serve", "--port", str(port), "--keystore-dir",
             os.path.join(repo, "certs-test", "keystores"),
             "--config-dir", config, "--no-tls", "--prompt", "tty"],
            encoding="utf-8", timeout=30,
        )
        child.expect("listening")
        client = Client(port)
        assert client.recv_text() == '{"result":{"version":"1.4"}}'
        client.send_text(json.dumps({
            "module": "kz.gov.pki.knca.commonUtils",
            # createCAdESFromBase64: the same prompt without a timestamp (no TSA runs here).
            "method": "createCAdESFromBase64",
            "args": ["PKCS12", "SIGNATURE", base64.b64encode(b"tty").decode(), True],
        }))
        child.expect(r"Allow https://portal\.example\.kz to use your signing keys\?")
        child.sendline("o")
        child.expect("Keystore number")
        listing = child.before
        match = re.search(r"(\d+)\) individual_sign\.p12", listing)
        assert match, listing
        child.sendline(match.group(1))
        child.expect("Password: ")
        child.sendline("not-the-password")
        child.expect("Wrong password.")
        child.expect("Password: ")
        child.sendline("Qwerty12")
        child.expect(r"IIN \d{12}")
        reply = json.loads(client.recv_text())
        assert reply["code"] == "200", reply
        # The password never reaches the terminal or the logs.
        child.sendintr()
        child.expect("shutting down")
        child.expect(pexpect.EOF)
        assert "Qwerty12" not in (child.before or "")
    print("ok")


if __name__ == "__main__":
    main()
