"""Static files are served by the product itself when DEBUG is off (Daphne does not)."""

from django.core.management import call_command
from django.test import Client


def test_collected_static_files_are_served_compressed_without_debug(settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", "--noinput", verbosity=0)
    assert (tmp_path / "css" / "callfloor.css.gz").is_file()

    response = Client().get("/static/css/callfloor.css", HTTP_ACCEPT_ENCODING="gzip")

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert response["Content-Type"].startswith("text/css")
