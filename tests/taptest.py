# SPDX-License-Identifier: GPL-3.0-or-later
"""A few checks printed as TAP, for the Python tests."""


class Tap:
    def __init__(self):
        self.results = []
        self.comments = []

    def comment(self, text):
        """A figure or a note, printed as a TAP comment after the results."""
        self.comments.append(text)

    def check(self, name, condition, detail=""):
        self.results.append((name, bool(condition), detail))

    def finish(self):
        """Prints the plan and the results; returns the exit status."""
        print(f"1..{len(self.results)}")
        for i, (name, ok, detail) in enumerate(self.results, 1):
            print(f"{'ok' if ok else 'not ok'} {i} - {name}")
            if not ok and detail:
                print(f"# {detail}")
        for text in self.comments:
            print(f"# {text}")
        return 0 if all(ok for _, ok, _ in self.results) else 1
