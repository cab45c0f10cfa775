"""PDF rendering with fpdf2. Imported only where PDFs are made (the certificates and
transcripts functions), never at module import of anything else."""
