"""Local accounts for the hub: NativeAuthenticator, with the roster's accounts made at start."""

from __future__ import annotations

import csv
from pathlib import Path

import bcrypt
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.orm import UserInfo
from traitlets import Unicode


def read_passwords(path: Path) -> dict[str, str]:
    """The initial passwords file written by ``hocso hub``: hub user name -> password."""
    if not Path(path).is_file():
        return {}
    with open(path, encoding="utf-8", newline="") as f:
        return {row["ten_tren_hub"]: row["mat_khau_ban_dau"] for row in csv.DictReader(f)}


class RosterAuthenticator(NativeAuthenticator):
    """NativeAuthenticator whose accounts come from the rosters, not from sign-ups.

    NativeAuthenticator keeps bcrypt hashes in the hub's database and lets a user change
    their password (``/hub/change-password``). At start, every roster user who has no
    account yet gets one, authorized, with the initial password ``hocso hub`` generated;
    accounts that exist (a changed password) are left alone. There is no sign-up page.
    """

    initial_passwords_file = Unicode(
        help="CSV of initial passwords (ten_tren_hub, mat_khau_ban_dau), root-only."
    ).tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.create_roster_accounts()

    def get_handlers(self, app):
        # Accounts come from the rosters: no sign-up or authorization pages. The login page
        # is JupyterHub's own, which calls this class's ``authenticate`` (NativeAuthenticator
        # 1.3's login page relies on a JupyterHub attribute removed in JupyterHub 6).
        dropped = {r"/login", r"/signup", r"/authorize", r"/authorize/([^/]*)", r"/discard/([^/]*)"}
        return [h for h in super().get_handlers(app) if h[0] not in dropped]

    def create_roster_accounts(self) -> None:
        created = 0
        for name, password in read_passwords(Path(self.initial_passwords_file)).items():
            if UserInfo.find(self.db, name) is not None:
                continue
            hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt())
            self.db.add(UserInfo(username=name, password=hashed, is_authorized=True))
            created += 1
        self.db.commit()
        if created:
            self.log.info("hocso: created %d roster accounts", created)
