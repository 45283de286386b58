import ast
import builtins
import contextlib
import gc
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
    "tests.fixtures.dns_server",
    "tests.fixtures.oauth_server",
]

# CPython before 3.11.5 (Debian 12 ships 3.11.2) keeps the AST converter's recursion counter in
# global state (gh-106905), set afresh by every conversion: "SystemError: AST constructor
# recursion depth mismatch" follows whenever one conversion runs inside another. Tests did that
# in two ways: two threads at once (a background send thread formats a traceback, which parses
# the failing line, while the test builds an app, whose URL rules Werkzeug parses and compiles),
# and one thread within itself (a garbage collection during a conversion runs a finalizer whose
# error pytest formats, parsing again). So every conversion, both ways, holds one lock and runs
# with the garbage collector paused.
if sys.version_info < (3, 11, 5):
    _parse, _compile, _ast_lock = ast.parse, builtins.compile, threading.RLock()

    @contextlib.contextmanager
    def _one_conversion_at_a_time():
        with _ast_lock:
            collecting = gc.isenabled()
            gc.disable()
            try:
                yield
            finally:
                if collecting:
                    gc.enable()

    def _locked_parse(*args, **kwargs):
        with _one_conversion_at_a_time():
            return _parse(*args, **kwargs)

    def _locked_compile(source, *args, **kwargs):
        flags = args[2] if len(args) > 2 else kwargs.get("flags", 0)
        if isinstance(source, ast.AST) or flags & ast.PyCF_ONLY_AST:
            with _one_conversion_at_a_time():
                return _compile(source, *args, **kwargs)
        return _compile(source, *args, **kwargs)

    ast.parse, builtins.compile = _locked_parse, _locked_compile

# The features' merge fields and events, as create_app registers them: some test modules list
# the events while pytest collects them, before any app exists.
from djaboo import register_mail_catalogue  # noqa: E402
from djaboo.i18n import compile_catalogs  # noqa: E402

register_mail_catalogue()
# The .mo files are build products (`make install` makes them): a test run makes its own.
compile_catalogs()
