"""Signals other parts of callfloor listen to.

`floor_changed` is sent after a transaction that changed queue calls or agent states has
committed (kwargs: `site`, the site slug). The wall board's push path listens to it.
"""

from django.dispatch import Signal

floor_changed = Signal()
