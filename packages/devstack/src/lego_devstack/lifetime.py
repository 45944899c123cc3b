"""Children that die with their parent: Linux's parent-death signal (PR_SET_PDEATHSIG).

Its own small module so that a function container (lego_gateway.containers) pays only for
os, signal and ctypes at its cold start, not for the whole stack module.
"""

from __future__ import annotations

import os
import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def die_with_parent(signum: int = signal.SIGKILL) -> None:
    """Ask Linux to send signum to this process when the thread that started it dies, so a
    `kill -9` of lego-dev or pytest leaves nothing behind. Call it in the child, after any
    change of user (which clears the setting); if the parent is already gone, exit now."""
    import ctypes

    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)
    if os.getppid() != parent or parent == 1:
        os._exit(1)


def parent_death_hook(signum: int) -> Callable[[], None]:
    """A preexec_fn doing die_with_parent's work between fork and exec; libc is looked up
    here, before the fork, so the child only makes the system call."""
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def _in_child() -> None:
        prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return _in_child
