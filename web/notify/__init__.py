"""The notification centre and the iCalendar feed (`notifications`)."""
