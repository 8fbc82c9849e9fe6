"""collectstatic compresses only what changed (scentiss/staticstorage.py): `make run` runs it at
every start, and brotli over plotly.min.js alone is 9 s of CPU."""

import gzip
import os
from pathlib import Path

from django.core.management import call_command


def _collect() -> None:
    call_command("collectstatic", "--noinput", "-v0")


def test_a_second_collectstatic_compresses_only_the_files_that_changed(tmp_path, settings):
    source = tmp_path / "static"
    (source / "js").mkdir(parents=True)
    script = source / "js" / "page.js"
    script.write_text("// the page's script\nvar answer = 1;\n" * 200)
    library = source / "library.js"
    library.write_text("var library = 'as it came';\n" * 500)
    root = tmp_path / "collected"
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = root

    _collect()
    # A copy written again has a new change time (WhiteNoise sets its modification time back).
    copies = [root / f"library.js.{suffix}" for suffix in ("gz", "br")]
    first = [os.stat(copy).st_ctime_ns for copy in copies]
    assert gzip.decompress((root / "js" / "page.js.gz").read_bytes()) == b"var answer=1;" * 200 + (
        b"\n"
    )

    # Nothing changed: nothing is written again.
    _collect()
    assert [os.stat(copy).st_ctime_ns for copy in copies] == first

    # The script changed (newer than what was collected): it, and only it, is compressed again.
    script.write_text("var answer = 2;\n" * 200)
    later = os.stat(root / "js" / "page.js").st_mtime + 10
    os.utime(script, (later, later))
    _collect()
    assert gzip.decompress((root / "js" / "page.js.gz").read_bytes()) == b"var answer=2;" * 200 + (
        b"\n"
    )
    assert [os.stat(copy).st_ctime_ns for copy in copies] == first


def test_a_missing_compressed_copy_is_made_again(tmp_path, settings):
    source = tmp_path / "static"
    source.mkdir()
    (source / "library.js").write_text("var library = 'as it came';\n" * 500)
    root = tmp_path / "collected"
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = root

    _collect()
    Path(root / "library.js.br").unlink()
    _collect()
    assert (root / "library.js.br").exists() and (root / "library.js.gz").exists()
