"""A small OpenID provider on loopback, for the single sign-on tests: a real HTTP server on
127.0.0.1 (a thread) with discovery, the authorization endpoint (which answers at once with a code
for the claims the test chose), the token endpoint (an RS256-signed ID token, PKCE checked), the
key set and user info. roret talks to it over HTTP exactly as to a municipality's identity
provider; nothing in the flow is mocked."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KID = "roret-test-key"


class Provider:
    """The provider: ``clients`` (id -> secret) it knows; ``claims[client_id]`` the ID token's claims
    for that client's next login and ``userinfo[client_id]`` what user info then answers."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.clients: dict[str, str] = {}
        self.claims: dict[str, dict] = {}
        self.userinfo: dict[str, dict] = {}
        self.tamper = False          # the next ID token's payload changed after signing
        self.foreign_key = False     # the next ID token signed with a key not in the key set
        self.deny = False            # the authorization endpoint answers error=access_denied
        self.codes: dict[str, dict] = {}
        self.access: dict[str, dict] = {}
        self.requests: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def settings(self, prefix: str, client_id: str) -> dict:
        """The Django settings of a client of this provider, named with ``prefix`` (OIDC_ or OIDC_CITIZEN_)."""
        self.clients[client_id] = secrets.token_urlsafe(16)
        return {f"{prefix}RP_CLIENT_ID": client_id, f"{prefix}RP_CLIENT_SECRET": self.clients[client_id],
                f"{prefix}OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/authorize",
                f"{prefix}OP_TOKEN_ENDPOINT": f"{self.issuer}/token",
                f"{prefix}OP_JWKS_ENDPOINT": f"{self.issuer}/jwks",
                f"{prefix}OP_USER_ENDPOINT": f"{self.issuer}/userinfo",
                f"{prefix}OP_ISSUER": self.issuer, f"{prefix}RP_SIGN_ALGO": "RS256", f"{prefix}USE_PKCE": True}

    # --- the endpoints ----------------------------------------------------------------------------

    def discovery(self) -> dict:
        return {"issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
                "userinfo_endpoint": f"{self.issuer}/userinfo", "response_types_supported": ["code"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"]}

    def jwks(self) -> dict:
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def authorize(self, query: dict) -> tuple[int, dict, bytes]:
        client_id, redirect_uri, state = query.get("client_id"), query.get("redirect_uri"), query.get("state")
        if client_id not in self.clients or not redirect_uri:
            return 400, {}, b"unknown client"
        if self.deny:
            return 302, {"Location": f"{redirect_uri}?{urlencode({'error': 'access_denied', 'state': state})}"}, b""
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"client_id": client_id, "redirect_uri": redirect_uri, "nonce": query.get("nonce"),
                            "challenge": query.get("code_challenge"), "claims": dict(self.claims.get(client_id, {})),
                            "userinfo": dict(self.userinfo.get(client_id, {}))}
        return 302, {"Location": f"{redirect_uri}?{urlencode({'code': code, 'state': state})}"}, b""

    def token(self, form: dict) -> tuple[int, dict]:
        grant = self.codes.pop(form.get("code", ""), None)
        if (grant is None or form.get("client_id") != grant["client_id"]
                or form.get("client_secret") != self.clients.get(grant["client_id"])
                or form.get("redirect_uri") != grant["redirect_uri"]):
            return 400, {"error": "invalid_grant"}
        if grant["challenge"]:
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != grant["challenge"]:
                return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": grant["client_id"], "iat": now, "exp": now + 300,
                  "nonce": grant["nonce"], "sub": "subject", **grant["claims"]}
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048) if self.foreign_key else self.key
        id_token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})
        if self.tamper:
            header, _payload, signature = id_token.split(".")
            forged = base64.urlsafe_b64encode(json.dumps({**claims, "groups": ["HP-roret-Admin"], "amr": ["mfa"]})
                                              .encode()).rstrip(b"=").decode()
            id_token = f"{header}.{forged}.{signature}"
        access_token = secrets.token_urlsafe(16)
        self.access[access_token] = {"sub": claims["sub"], **grant["userinfo"]}
        return 200, {"access_token": access_token, "token_type": "Bearer", "expires_in": 300, "id_token": id_token}

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body, headers=None):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                if not isinstance(body, bytes):
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlsplit(self.path)
                provider.requests.append(url.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._send(200, provider.discovery())
                elif url.path == "/jwks":
                    self._send(200, provider.jwks())
                elif url.path == "/authorize":
                    status, headers, body = provider.authorize(query)
                    self._send(status, body, headers)
                elif url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    info = provider.access.get(token)
                    self._send(200, info) if info is not None else self._send(401, {"error": "invalid_token"})
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self):
                url = urlsplit(self.path)
                provider.requests.append(url.path)
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if url.path == "/token":
                    self._send(*provider.token(form))
                else:
                    self._send(404, {"error": "not found"})

        return Handler
