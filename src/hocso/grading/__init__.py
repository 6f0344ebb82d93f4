"""Fast, sandboxed autograding into nbgrader's own gradebook (not built yet).

Until it lands, grade with nbgrader's own ``nbgrader autograde``; this package will add
``hocso grade``: forked executors with the course's imports preloaded, parallel workers,
per-submission isolation, configured as traitlets in ``nbgrader_config.py``.
"""
