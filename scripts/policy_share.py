"""Which policy predicts each action of the Rasa test stories (measures TED's contribution).

    python scripts/policy_share.py MODEL [STORIES]   → `name: value` lines per policy
"""
from __future__ import annotations

import asyncio
import collections
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


async def main(model: str, stories: str) -> int:
    from rasa.core.agent import Agent
    from rasa.core.test import _create_data_generator, _predict_tracker_actions

    agent = Agent.load(model)
    trackers = _create_data_generator(stories, agent).generate_story_trackers()
    share: collections.Counter = collections.Counter()
    wrong = 0
    for tracker in trackers:
        _, _, actions, _ = await _predict_tracker_actions(tracker, agent)
        for a in actions:
            share[(a["policy"] or "none").split("_", 1)[-1]] += 1
            wrong += a["action"] != a["predicted"]
    total = sum(share.values())
    print(f"predictions: {total}")
    print(f"wrong_predictions: {wrong}")
    for policy, n in sorted(share.items()):
        print(f"predicted_by_{policy}: {n}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else str(ROOT / "tests/stories/test_stories.yml"))))
