"""Activities as coordinators publish them, and who attended: sign-in codes, texts, rosters, topics."""
