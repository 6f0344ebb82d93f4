"""JupyterHub configuration of a hocso hub: courses, instructors and trainees on one server.

Started by ``hocso hub start`` (which prepares the machine first, see hocso.hub.setup), or by
hand: ``HOCSO_HUB_STATE=<root>/hub/hub.json jupyterhub -f deploy/hub/jupyterhub_config.py``.
Everything that differs between hubs (courses, people, ports, folders) is in that state
file, written from the hub description (deploy/hub/lop_demo.yaml); what is below is the
same for every hocso hub. docs/deploy.md explains the whole set-up.
"""

import json
import os
from pathlib import Path

c = get_config()  # noqa: F821 (provided by traitlets when JupyterHub loads this file)

state = json.loads(Path(os.environ["HOCSO_HUB_STATE"]).read_text("utf-8"))
root = Path(state["root"])
hub_dir = root / "hub"
python = state["python"]
scripts = state["bin"]

# --- Network: everything on loopback; put a TLS reverse proxy (nginx) in front to publish ---
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = state["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = state["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{state['proxy_api_port']}"
c.ConfigurableHTTPProxy.command = [os.path.join(scripts, "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(hub_dir / "proxy.pid")
c.ConfigurableHTTPProxy.debug = False

# --- The hub's own files, readable by root only ---
c.JupyterHub.db_url = f"sqlite:///{hub_dir / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(hub_dir / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(hub_dir / "jupyterhub.pid")
# A line above the login form (JupyterHub's own template variable).
c.JupyterHub.template_vars = {
    "announcement_login": "Đăng nhập bằng mã học viên hoặc mã giảng viên của bạn."
}
# Stopping the hub stops every server it started: nothing is left running.
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# --- Who may log in: the rosters; accounts and passwords kept by the hub itself ---
# NativeAuthenticator keeps bcrypt hashes in the hub's database and needs no outside
# service; hocso's subclass creates the roster's accounts with the initial passwords of
# <root>/hub/mat_khau_ban_dau.csv. Users change theirs at /hub/change-password.
c.JupyterHub.authenticator_class = "hocso.hub.auth.RosterAuthenticator"
c.RosterAuthenticator.initial_passwords_file = state["passwords_file"]
c.NativeAuthenticator.enable_signup = False  # the rosters decide who has an account
c.NativeAuthenticator.check_common_password = True
c.NativeAuthenticator.minimum_password_length = 8
c.NativeAuthenticator.allowed_failed_logins = 5  # then wait before trying again
c.NativeAuthenticator.seconds_before_next_try = 120
c.Authenticator.allowed_users = set(state["users"])
# People type their roster id (hv001); on the hub and on the machine they are hs-hv001.
c.Authenticator.username_map = state["logins"]
#
# Signing in from an LMS (Moodle, Canvas...) instead, with LTI 1.3: install
# jupyterhub-ltiauthenticator and replace the block above by
#
#   c.JupyterHub.authenticator_class = "ltiauthenticator.lti13.authenticator.LTI13Authenticator"
#   c.LTI13Authenticator.issuer = "https://moodle.example.edu.vn"
#   c.LTI13Authenticator.authorize_url = "https://moodle.example.edu.vn/mod/lti/auth.php"
#   c.LTI13Authenticator.jwks_endpoint = "https://moodle.example.edu.vn/mod/lti/certs.php"
#   c.LTI13Authenticator.client_id = ["<client id given by Moodle>"]
#   c.LTI13Authenticator.username_key = "sub"
#
# The LMS then decides who logs in; the rosters still give the system accounts, the
# JupyterHub groups below and the gradebooks, so the LMS user ids must be the roster's ids
# (map them with c.Authenticator.username_map or a post_auth_hook).

# --- Each user's server: their own system account, their own home, on loopback ---
c.JupyterHub.spawner_class = "hocso.hub.spawner.HocsoSpawner"
c.HocsoSpawner.stage = str(hub_dir / "stage")
c.Spawner.ip = "127.0.0.1"
c.Spawner.cmd = [os.path.join(scripts, "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.http_timeout = 120  # a cold start on a busy 2-core machine takes tens of seconds
c.Spawner.start_timeout = 120
common_env = {
    # nbgrader runs `alembic` and Jupyter its kernels by name: this environment first.
    "PATH": f"{scripts}:/usr/local/bin:/usr/bin:/bin",
    "PYTHONUTF8": "1",
    "LANG": "C.UTF-8",
}
c.Spawner.environment = {
    **common_env,
    # nbgrader's config of the hub (exchange, JupyterHub auth plugin), then the users' own
    # server settings: no formgrader in a user's server.
    "JUPYTER_CONFIG_PATH": f"{root / 'etc' / 'hoc-vien'}:{root / 'etc' / 'jupyter'}",
}

# --- Groups: nbgrader-<course> for trainees, formgrade-<course> for instructors ---
# nbgrader's JupyterHub auth plugin reads a user's groups through the hub API: a trainee
# sees the assignments of the courses of their nbgrader- groups, and only those.
groups = {}
roles = [
    # A server's token may do what its owner may do, so nbgrader (running in the server)
    # can read its owner's groups.
    {"name": "server", "scopes": ["inherit"]},
    # Everyone may see which course services exist, not open them.
    {"name": "user", "scopes": ["self", "list:services"]},
]
services = []
for course in state["courses"]:
    cid = course["id"]
    # The grader account is in the group too: nbgrader in the formgrader asks the hub for
    # the groups of JUPYTERHUB_USER (the grader) to know its course. It has no password.
    groups[f"formgrade-{cid}"] = {"users": course["instructors"] + [course["grader"]]}
    groups[f"nbgrader-{cid}"] = {"users": course["trainees"] + course["instructors"]}
    # The course's instructors open its formgrader and follow its trainees' servers.
    roles.append(
        {
            "name": f"formgrade-{cid}",
            "groups": [f"formgrade-{cid}"],
            "scopes": [
                f"access:services!service={cid}",
                f"read:services!service={cid}",
                f"list:users!group=nbgrader-{cid}",
                f"read:users!group=nbgrader-{cid}",
                f"servers!group=nbgrader-{cid}",
            ],
        }
    )
    # The formgrader adds students to the course's group when an instructor adds them.
    roles.append(
        {
            "name": f"grader-{cid}",
            "services": [cid],
            "scopes": [
                "list:groups",
                "read:groups",
                f"groups!group=nbgrader-{cid}",
                f"read:users!user={course['grader']}",
            ],
        }
    )
    # The course's formgrader: a Jupyter server of the course's grader account, in the
    # course folder, reached at /services/<course>/ by the course's instructors only.
    services.append(
        {
            "name": cid,
            "display": False,
            "url": f"http://127.0.0.1:{course['port']}",
            "command": [
                python,
                "-m",
                "hocso.hub.spawner",
                course["grader"],
                str(hub_dir / "stage"),
                "--",
                os.path.join(scripts, "jupyterhub-singleuser"),
            ],
            "cwd": course["root"],
            "environment": {
                **common_env,
                "JUPYTER_CONFIG_PATH": str(root / "etc" / "jupyter"),
                "JUPYTERHUB_DEFAULT_URL": "/formgrader",
                # The hub sets this for a service started with `user`; this one starts as
                # root and becomes the grader itself (hocso.hub.spawner), so it is set here.
                "JUPYTERHUB_USER": course["grader"],
            },
            "oauth_no_confirm": True,
        }
    )

# --- Idle servers are stopped, so memory goes to those who work ---
services.append(
    {
        "name": "idle-culler",
        "command": [
            python,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={state['idle_timeout']}",
            f"--cull-every={max(60, state['idle_timeout'] // 6)}",
        ],
    }
)
roles.append(
    {
        "name": "idle-culler",
        "services": ["idle-culler"],
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    }
)

c.JupyterHub.load_groups = groups
c.JupyterHub.load_roles = roles
c.JupyterHub.services = services
