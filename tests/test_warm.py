"""The server process warms itself before its workers fork: every template compiles and the
catalogues load, without the database (pytest-django refuses any query in a test that does
not ask for one; in production the database may not be up yet)."""

from pmqa.lib.warm import template_names, warm


def test_every_template_compiles_without_the_database():
    names = template_names()
    assert "base.html" in names and "registration/login.html" in names
    assert warm() == len(names)
