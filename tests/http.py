"""A tiny browser-less HTTP client for tests against the live server: cookies,
CSRF tokens from forms, and redirects followed (standard library only)."""
import http.cookiejar
import re
import urllib.parse
import urllib.request

TOKEN = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')  # any form's: one per session


class Client:
    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path):
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.status, response.read().decode("utf-8")

    def post(self, path, data):
        body = urllib.parse.urlencode(data).encode()
        with self.opener.open(self.base + path, data=body, timeout=60) as response:
            return response.status, response.read().decode("utf-8")

    def token(self, path):
        """The CSRF token of the form on a page."""
        return TOKEN.search(self.get(path)[1]).group(1)

    def login(self, username, password):
        token = self.token("/login")
        status, page = self.post("/login", {"csrf_token": token, "username": username,
                                            "password": password})
        assert "退出" in page, "login failed"
        return self
