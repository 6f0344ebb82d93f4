"""A person using the hub over HTTP, as a browser would: login form, cookies, XSRF tokens."""

from __future__ import annotations

import re
import time

import requests


class HubError(AssertionError):
    pass


class Browser:
    """One person's session on the hub at ``base`` (``http://127.0.0.1:PORT``)."""

    def __init__(self, base: str, login: str, password: str):
        self.base = base
        self.login_name = login
        self.password = password
        self.session = requests.Session()
        self.name: str | None = None  # hub user name, known after login

    def _xsrf(self, path: str) -> str:
        """The XSRF cookie the server at ``path`` set (the hub and each server set their own)."""
        for cookie in self.session.cookies:
            if cookie.name == "_xsrf" and path.startswith(cookie.path.rstrip("/") + "/"):
                return cookie.value
        raise HubError(f"no _xsrf cookie for {path}: {list(self.session.cookies)}")

    def login(self) -> str:
        page = self.session.get(f"{self.base}/hub/login", timeout=30)
        token = re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1)
        done = self.session.post(
            f"{self.base}/hub/login",
            data={"username": self.login_name, "password": self.password, "_xsrf": token},
            timeout=60,
            allow_redirects=False,
        )
        if done.status_code != 302:
            raise HubError(f"login of {self.login_name} refused: {done.status_code}")
        me = self.hub_api("GET", "/user")
        self.name = me["name"]
        return self.name

    def hub_api(self, method: str, path: str, **kwargs):
        response = self.session.request(
            method,
            f"{self.base}/hub/api{path}",
            headers={"X-XSRFToken": self._xsrf("/hub/")},
            timeout=60,
            **kwargs,
        )
        if not response.ok:
            raise HubError(f"{method} /hub/api{path}: {response.status_code} {response.text}")
        return response.json() if response.text else None

    def start_server(self, timeout: float = 120) -> float:
        """Ask the hub for this person's server; seconds from the request to a ready server."""
        started = time.monotonic()
        self.session.post(
            f"{self.base}/hub/api/users/{self.name}/server",
            headers={"X-XSRFToken": self._xsrf("/hub/")},
            timeout=60,
        )
        while time.monotonic() - started < timeout:
            user = self.hub_api("GET", f"/users/{self.name}")
            server = user.get("servers", {}).get("", {})
            if server.get("ready"):
                return time.monotonic() - started
            time.sleep(0.25)
        raise HubError(f"server of {self.name} not ready after {timeout} s")

    def get(self, path: str, **kwargs) -> requests.Response:
        """GET a page or API under the proxy (OAuth redirects followed, as in a browser)."""
        return self.session.get(f"{self.base}{path}", timeout=120, **kwargs)

    def server_request(self, method: str, prefix: str, path: str, **kwargs) -> requests.Response:
        """A request to a Jupyter server (own server or a course service) at ``prefix``."""
        # The first visit does the OAuth dance with the hub; the page it lands on (the
        # server's default URL) sets the server's XSRF cookie, as in a browser.
        if not any(c.path.startswith(prefix) and c.name == "_xsrf" for c in self.session.cookies):
            self.get(prefix)
        headers = {}
        if method != "GET":
            headers["X-XSRFToken"] = self._xsrf(prefix)
        return self.session.request(
            method, f"{self.base}{prefix}{path}", headers=headers, timeout=300, **kwargs
        )

    def server(self, method: str, path: str, **kwargs) -> requests.Response:
        return self.server_request(method, f"/user/{self.name}/", path, **kwargs)
