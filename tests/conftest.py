import ast
import sys
import threading

pytest_plugins = [
    "tests.fixtures.network_guard",
    "tests.fixtures.database",
    "tests.fixtures.factories",
    "tests.fixtures.smtp",
    "tests.fixtures.mail_worker",
    "tests.fixtures.browser",
    "tests.fixtures.pg_cluster",
]

# CPython before 3.11.5 (Debian 12 ships 3.11.2) keeps the AST converter's recursion counter in
# global state (gh-106905): ast.parse in two threads at once fails with "SystemError: AST
# constructor recursion depth mismatch". Tests do that when a background send thread formats a
# traceback (traceback.py parses the failing line) while the test builds an app (Werkzeug parses
# its URL rules). One lock around ast.parse removes the race. Re-entrant: parsing can trigger a
# garbage collection whose unraisable exception pytest formats, parsing again in the same thread
# (a plain Lock deadlocked the whole run there).
if sys.version_info < (3, 11, 5):
    _parse, _parse_lock = ast.parse, threading.RLock()

    def _locked_parse(*args, **kwargs):
        with _parse_lock:
            return _parse(*args, **kwargs)

    ast.parse = _locked_parse
