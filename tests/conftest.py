pytest_plugins = [
    "tests.fixtures.network_guard",
    "tests.fixtures.database",
    "tests.fixtures.factories",
    "tests.fixtures.smtp",
    "tests.fixtures.browser",
    "tests.fixtures.pg_cluster",
]
