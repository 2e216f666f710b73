"""Run localstripe on 127.0.0.1 at the port given, keeping nothing on disk.

Its stock `localstripe` command listens on every interface and pickles its
whole store to one fixed file in the temp folder after each write (and
reads it back at start), which parallel test runs would share; this keeps
the store in memory only. Run as ``python localstripe_server.py PORT``.
"""

from __future__ import annotations

import sys
import warnings

# localstripe registers one plain (not async) handler, which aiohttp warns of.
warnings.simplefilter("ignore", DeprecationWarning)

from aiohttp import web  # noqa: E402
from localstripe import resources  # noqa: E402

resources.Store.try_load_from_disk = lambda self: None  # type: ignore[method-assign]
resources.Store.dump_to_disk = lambda self: None  # type: ignore[method-assign]

# Confirming a PaymentIntent with ``off_session`` is how real Stripe charges a
# saved card while its holder is away (auto-pay); localstripe takes the flag only
# when creating, so here its confirm route takes it too and, like creating, ignores it.
_confirm = resources.PaymentIntent._api_confirm


def _confirm_off_session(id, off_session=None, **data):  # type: ignore[no-untyped-def]
    return _confirm(id, **data)


resources.extra_apis[:] = [
    (method, url, _confirm_off_session if func == _confirm else func)
    for method, url, func in resources.extra_apis
]

from localstripe import server  # noqa: E402

if __name__ == "__main__":
    web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
