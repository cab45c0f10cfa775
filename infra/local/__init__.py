"""The local stack: never deployed. See README "The two commands"."""
