"""What a learner holds and the boards receive: certificates, outside credit, transcripts (sent on a
schedule), board files, and the PDFs.
"""
