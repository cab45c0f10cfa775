"""The CME Portal's shared package: settings, observability, api, models and the business logic."""
