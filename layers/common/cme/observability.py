"""The one Logger, Tracer and Metrics every function shares."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(service="cme-portal")
tracer = Tracer(service="cme-portal")
metrics = Metrics(namespace="CMEPortal", service="cme-portal")
