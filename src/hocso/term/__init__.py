"""An instructor's term: the roster, offline collection of hand-ins, and the demo class."""
