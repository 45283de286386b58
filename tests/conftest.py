import ast
import builtins
import sys
import threading

pytest_plugins = [
    "tests.fixtures.network_guard",
    "tests.fixtures.database",
    "tests.fixtures.factories",
    "tests.fixtures.smtp",
    "tests.fixtures.browser",
    "tests.fixtures.pg_cluster",
    "tests.fixtures.mail_worker",
]

# CPython before 3.11.5 (Debian 12 ships 3.11.2) keeps the AST converter's recursion counter in
# global state (gh-106905): two threads converting ASTs at once fail with "SystemError: AST
# constructor recursion depth mismatch". Tests do that when a background send thread formats a
# traceback (traceback.py parses the failing line) while the test builds an app (Werkzeug
# parses its URL rules and compiles the resulting AST). One lock around every conversion, both
# ways, removes the race. Re-entrant: a garbage-collection callback during a parse may format a
# traceback (pytest's unraisable hook) on the same thread.
if sys.version_info < (3, 11, 5):
    _parse, _compile, _ast_lock = ast.parse, builtins.compile, threading.RLock()

    def _locked_parse(*args, **kwargs):
        with _ast_lock:
            return _parse(*args, **kwargs)

    def _locked_compile(source, *args, **kwargs):
        flags = args[2] if len(args) > 2 else kwargs.get("flags", 0)
        if isinstance(source, ast.AST) or flags & ast.PyCF_ONLY_AST:
            with _ast_lock:
                return _compile(source, *args, **kwargs)
        return _compile(source, *args, **kwargs)

    ast.parse, builtins.compile = _locked_parse, _locked_compile
