from tests.ami.server import ami_server  # noqa: F401
