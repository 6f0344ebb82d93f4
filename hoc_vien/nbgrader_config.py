"""Learners' side of the one-machine classroom: assignments fetched here use the course settings.

nbgrader's Assignments list reads the configuration of the folder that holds the fetched
assignments (Exchange.assignment_dir), so this folder points back to the course's own file.
"""

import os

load_subconfig(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nbgrader_config.py"))  # noqa: F821
