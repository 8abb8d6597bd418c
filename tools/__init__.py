"""The kit's own tooling (not for students): Colab replica, notebook runner, pairing and hygiene checks."""
