import aws_xray_sdk.core  # noqa: F401  - its UDP emitter creates (never uses) a socket at import
import pytest
from pytest_socket import disable_socket, enable_socket


@pytest.fixture(autouse=True)
def _no_network():
    # Unit tests must not open sockets (pytest-socket); integration tests use loopback servers.
    disable_socket(allow_unix_socket=True)
    yield
    enable_socket()
