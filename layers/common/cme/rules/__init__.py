"""The CME rules as pure functions: credit (who may claim what, wording, completion dates) and when
scheduled transcripts are due. No AWS call, no settings read.
"""
