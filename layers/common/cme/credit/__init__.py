"""Claiming credit (one transaction: the claim, its certificate record, its board reporting), the
claims report a coordinator reads, and credit counted against requirements.
"""
