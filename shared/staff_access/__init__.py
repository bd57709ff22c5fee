"""Who may sign in to the staff console, and in which roles: the administrator's work (the
console's administration area and `leaders staff …` alike) over the staff user pool."""
