"""The daily routine: runs collect, reply sessions, status, plan and digest at the maker's time slots."""
