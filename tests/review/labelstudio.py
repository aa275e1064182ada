"""A real Label Studio server on loopback for the round-trip test, and a thin client of its API.

The server comes from `scripts/labelstudio.sh serve` (installed by `scripts/labelstudio.sh
install`, which `.ci/run` calls), started on a free port with a fresh data folder, or is the one
at `LABEL_STUDIO_URL` when that is set. Label Studio 1.23 disables legacy API tokens for new
organisations, so the client logs in with a password (session + CSRF), creates a personal access
token (`POST /api/token/`, a JWT refresh token) and exchanges it for an access token
(`POST /api/token/refresh/`), sent as `Authorization: Bearer ...`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("LABEL_STUDIO_VENV", ROOT / ".venv-labelstudio"))
ADMIN = (
    os.environ.get("LABEL_STUDIO_USERNAME", "curate@example.com"),
    os.environ.get("LABEL_STUDIO_PASSWORD", "curate-review"),
)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/health", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def label_studio_server(data_dir: Path, wait_s: float = 180) -> Iterator[str]:
    """Yield the URL of a running Label Studio; skip (or fail under CI) when it is not installed."""
    url = os.environ.get("LABEL_STUDIO_URL")
    if url:
        if not _healthy(url):
            pytest.fail(f"LABEL_STUDIO_URL={url} does not answer /health")
        yield url.rstrip("/")
        return
    if not (VENV / "bin" / "label-studio").exists():
        message = f"label-studio is not installed in {VENV} (run scripts/labelstudio.sh install)"
        if _in_ci():
            pytest.fail(f"CI: {message}; .ci/run must install it")
        pytest.skip(f"{message}; CI runs this test")
    port = _free_port()
    env = {**os.environ, "LABEL_STUDIO_PORT": str(port), "LABEL_STUDIO_DATA": str(data_dir)}
    data_dir.mkdir(parents=True, exist_ok=True)
    log = (data_dir / "server.log").open("wb")
    proc = subprocess.Popen(
        [str(ROOT / "scripts" / "labelstudio.sh"), "serve"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait_s
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = (data_dir / "server.log").read_text(errors="replace")[-3000:]
                pytest.fail(f"Label Studio did not start at {url} (exit {proc.poll()}):\n{tail}")
            time.sleep(1)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


class LabelStudio:
    """Just enough of Label Studio's HTTP API to play a reviewer."""

    def __init__(self, url: str):
        self.url = url

    def login(self, email: str, password: str) -> requests.Session:
        session = requests.Session()
        session.get(f"{self.url}/user/login/", timeout=30)
        form = {"email": email, "password": password, "csrfmiddlewaretoken": session.cookies.get("csrftoken")}
        r = session.post(
            f"{self.url}/user/login/",
            data=form,
            headers={"Referer": f"{self.url}/user/login/"},
            allow_redirects=False,
            timeout=30,
        )
        assert r.status_code == 302, f"login of {email} failed: {r.status_code}"
        return session

    def invite_token(self, admin: requests.Session) -> str:
        return admin.get(f"{self.url}/api/invite", timeout=30).json()["token"]

    def signup(self, invite: str) -> tuple[str, str]:
        """Create a fresh reviewer through the organisation's invite link; return its credentials."""
        email, password = f"reviewer-{uuid.uuid4().hex[:8]}@example.com", uuid.uuid4().hex
        session = requests.Session()
        session.get(f"{self.url}/user/signup/", timeout=30)
        form = {"email": email, "password": password, "csrfmiddlewaretoken": session.cookies.get("csrftoken")}
        r = session.post(
            f"{self.url}/user/signup/?token={invite}",
            data=form,
            allow_redirects=False,
            headers={"Referer": f"{self.url}/user/signup/"},
            timeout=30,
        )
        assert r.status_code == 302, f"signup failed: {r.status_code} {r.text[:300]}"
        return email, password

    def api(self, email: str, password: str) -> requests.Session:
        """A session authenticated with a fresh personal access token of the user."""
        session = self.login(email, password)
        r = session.post(
            f"{self.url}/api/token/",
            timeout=30,
            headers={"X-CSRFToken": session.cookies.get("csrftoken"), "Referer": f"{self.url}/"},
        )
        assert r.status_code == 201, f"personal access token: {r.status_code} {r.text[:300]}"
        r = requests.post(f"{self.url}/api/token/refresh/", json={"refresh": r.json()["token"]}, timeout=30)
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {r.json()['access']}"
        return api
