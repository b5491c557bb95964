"""Shared pytest configuration.

``tests/fixtures/`` holds notebooks (jupytext ``.py`` files) that ``ipsrep build`` runs in
``tests/test_build.py``; they are inputs, not test modules, so ``--doctest-modules``
(set in pyproject.toml) must not import them.
"""
collect_ignore_glob = ["fixtures/*"]
