"""The coordinators' routes by area, each a Powertools Router that functions/publisher/app.py
includes: ``activities`` (create, edit, list, the QR code), ``attendance`` (the list, the roster,
a removal, the claims report), ``reports`` (the board files). A new coordinators' feature is a
new module here with its own Router, added to ``AREAS`` (docs/architecture.md "The layers, and why")."""
