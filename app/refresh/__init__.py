"""What decides which provider request is worth making: the quota planner, provider usage, who is watching,
and how fresh each refresh is."""
