from tests.ami.server import ami_server  # noqa: F401
from tests.metrics.board.conftest import _fresh_floor_cache, live_board  # noqa: F401
