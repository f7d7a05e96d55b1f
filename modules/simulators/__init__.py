"""Practice simulators: safe copies of the sites learners must learn to use
(a webmail, a school portal, a job board, a public-service account).

A `Scenario` (a snippet, written by editors or loaded from content/simulations/)
holds the items of one kind of site (messages, offers, homework…) and the goals
a learner must reach there. Each kind declares its item and goal blocks in its
own module; `learning/simulators/` plays them, with per-attempt state.
"""

from .base import KINDS, GoalBlock, GoalCheck, Kind, goal_blocks, item_blocks

__all__ = ["KINDS", "GoalBlock", "GoalCheck", "Kind", "goal_blocks", "item_blocks"]
