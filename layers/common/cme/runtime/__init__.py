"""What the Lambda functions' entries stand on: the HTTP resolver (validation, the one error -> status
mapping, identity cookies), the CloudFront origin check and SnapStart priming.
"""
