"""Keeping a long read's memory flat.

A first collect passes a hundred thousand buffers of every size through Banco and its helper: the
fetched batches (a megabyte), the messages, their text. When its heap has no room for a buffer of
128 kB or more, glibc gives it a mapping of its own, returned to the system when the buffer is
freed; but the first time such a buffer is freed, glibc raises that threshold to the freed size, and
from then on grows the heap for large buffers too, a heap fragmented by the small buffers between
them, that does not shrink. Fixing the threshold keeps large buffers apart for the whole read.
"""

from __future__ import annotations

import ctypes
import sys

#: buffers at least this large get their own mapping (measured at 100k mails: Banco and its
#: helper together 97 MB with glibc's moving threshold, 88 MB at 128 kB, 77 MB at 64 kB)
LARGE = 64 * 1024
_M_MMAP_THRESHOLD = -3  # glibc's malloc.h


def map_large_buffers() -> None:
    """Fix glibc's threshold for mapped buffers at ``LARGE``, for this process and the helpers it
    forks from now on. Elsewhere than glibc this does nothing."""
    if not sys.platform.startswith("linux"):
        return
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, LARGE)
