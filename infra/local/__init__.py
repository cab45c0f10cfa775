"""The local stack: never deployed. See README "Run it on one laptop"."""
