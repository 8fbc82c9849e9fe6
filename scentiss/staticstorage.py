"""The static files as collected: the app's own scripts and stylesheets (static/js/, static/css/)
without their comments and indentation, then compressed by WhiteNoise (gzip, and brotli when the
brotli package is there). A phone's first load (join page and first survey page, everything they
fetch) must stay under 30 KB: the comments, which explain the scripts to the people who change
them, were 40% of the scripts' compressed bytes. The sources in static/ keep them; a server
that serves from the finders (tests, `WHITENOISE_USE_FINDERS`) sends the sources as they are.

rjsmin and rcssmin only take out what the languages ignore (comments, whitespace that separates
nothing); names and code stay as written, so the collected file reads like the source.

A file whose compressed copies are already there and as new as it is not compressed again:
collectstatic copies only what changed, and brotli over plotly.min.js alone is 9 s of CPU, which
`make run` paid at every start.
"""

import os
from collections.abc import Iterator
from typing import Any

import rcssmin
import rjsmin
from whitenoise.storage import CompressedStaticFilesStorage

# Only the app's own folders: the libraries' files (django_htmx/, plotly/, admin/) come
# minified or are not ours to change.
MINIFIED = {"js/": (".js", rjsmin.jsmin), "css/": (".css", rcssmin.cssmin)}


def minified(name: str, text: str) -> str | None:
    """The file's text without comments and needless whitespace; None for a file left as it
    is (not one of the app's own scripts or stylesheets)."""
    for folder, (suffix, minify) in MINIFIED.items():
        if name.startswith(folder) and name.endswith(suffix):
            return str(minify(text)).strip() + "\n"
    return None


class MinifiedCompressedStaticFilesStorage(CompressedStaticFilesStorage):
    def compressed_is_current(self, name: str) -> bool:
        """Whether the file's compressed copies exist with its modification time. WhiteNoise
        gives each copy its file's time (Compressor.write_data); a file collectstatic copied
        again, or minified again, is newer than its copies."""
        path = self.path(name)
        suffixes = [".br"] if self.compressor.use_brotli else []
        suffixes += [".gz"] if self.compressor.use_gzip else []
        try:
            mtime = os.stat(path).st_mtime
            return all(abs(os.stat(path + s).st_mtime - mtime) < 0.001 for s in suffixes)
        except FileNotFoundError:
            return False

    def post_process(
        self, paths: dict[str, Any], dry_run: bool = False, **options: Any
    ) -> Iterator[Any]:
        if not dry_run:
            for name in paths:
                if not any(name.startswith(folder) for folder in MINIFIED):
                    continue
                with self.open(name) as f:
                    text = f.read().decode("utf-8")
                small = minified(name, text)
                if small is not None and small != text:
                    with open(self.path(name), "w", encoding="utf-8") as out:
                        out.write(small)
                    yield name, name, True
        self.compressor = self.create_compressor(quiet=True)
        stale = {name: paths[name] for name in paths if not self.compressed_is_current(name)}
        yield from super().post_process(stale, dry_run, **options)
