"""The imap connector keeps large buffers out of the heap for the whole of a long read."""

from __future__ import annotations

import subprocess
import sys

import pytest

# Counts the buffers glibc has mapped apart while a 2 MB buffer is held, after a 4 MB one was
# freed (which, left alone, raises glibc's threshold to 4 MB).
PROBE = """
import ctypes, sys
from banco.connectors.imap.memory import map_large_buffers

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

mallinfo2 = ctypes.CDLL(None).mallinfo2
mallinfo2.restype = MallInfo2
if sys.argv[1] == "fixed":
    map_large_buffers()
big = bytearray(4 << 20)
del big
before = mallinfo2().hblks
held = bytearray(2 << 20)
print(mallinfo2().hblks - before)
"""


def mapped_apart(mode: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True
    )
    return int(done.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_large_buffers_keep_their_own_mapping_after_a_larger_one_is_freed() -> None:
    assert mapped_apart("moving") == 0  # glibc's own behaviour: the buffer lands in the heap
    assert mapped_apart("fixed") == 1
