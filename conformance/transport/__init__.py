"""The only way the suite talks to a target: recorded, redacted, budgeted, paced requests."""
