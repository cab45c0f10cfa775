"""What every capability stands on: settings, AWS clients, the clock, retries, errors, audit,
observability, throttles, secrets, mail, S3 documents, text normalisation, models and schemas.
"""
