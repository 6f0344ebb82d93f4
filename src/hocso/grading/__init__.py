"""Fast, sandboxed autograding into nbgrader's own gradebook: ``hocso grade`` (docs/grading.md).

nbgrader's autograde preprocessors do everything but execution, which runs in forks of one
pre-warmed interpreter, each isolated (namespaces, read-only root, own uid, rlimits), over
parallel workers; settings are traitlets (``Grader``, ``SandboxExecute``) in nbgrader_config.py.
"""
