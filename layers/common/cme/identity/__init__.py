"""Who a learner is and how they prove it: accounts, sessions, passwords, tokens, devices, email
addresses (and their deliverability), recovery.
"""
