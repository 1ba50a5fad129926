"""The hostile-site suite uses the review page's fixtures (a newsroom in a database)."""

from tests.web.conftest import client, newsroom, token_client  # noqa: F401
