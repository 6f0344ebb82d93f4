"""Instructor reports over nbgrader's gradebook: feedback, CSV and Excel, certificates, research.

``gradebook`` opens the course's gradebook and reads it into tables; ``results`` adds the
roster and the competences of each item (mastery, completion); ``feedback``, ``export``
(``hocso report``), ``certificates`` and ``research`` (the notebooks in
``notebooks/research/``) build on them.
"""
