"""noradsim in the browser: a Panel (Bokeh) app over the public API (``noradsim serve``).

One module per page: :mod:`.experiment`, :mod:`.dose_response`, :mod:`.recording`,
:mod:`.validation`, :mod:`.library`, :mod:`.pathways`; :mod:`.app` puts them in tabs and
serves them. :mod:`.forms` (experiment documents, TOML, downloads) and :mod:`.compute` (runs
and caches) need no browser. The browser never sends code, paths or commands: only widget
values, which the project's parsers check (docs/explorer.md).
"""

from .app import PAGES, build, serve

__all__ = ["PAGES", "build", "serve"]
