"""roret: steering and case system for Handicap og Psykiatri."""
