"""Instructor reports over the gradebook (not built yet).

Will hold feedback pages, CSV and Excel exports, mastery per competence (from the
``hocso.competences`` metadata of grade cells), per-unit completion and certificates.
"""
